// Samsyn's service worker for the reporting page (scope /reports/). It keeps the page
// shell and its static files so the page opens without a connection, and it keeps a
// report whose ordinary form post fails for lack of a connection in the outbox.
// SAMSYN_SHELL is filled in by the view that serves this file.
self.SAMSYN_SHELL = {};
var SHELL = self.SAMSYN_SHELL;
var CACHE = "samsyn-report-" + (SHELL.version || "dev");
if (SHELL.outbox) { importScripts(SHELL.outbox); }

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // One by one: a missing file must not stop the rest from being cached.
      return Promise.all((SHELL.static || []).map(function (url) {
        return cache.add(url).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("samsyn-report-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isPage(url) { return url.pathname === SHELL.page; }

// The page: from the network when there is one (and then kept), else the kept copy.
function pageNetworkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { c.put(SHELL.page, copy); });
    }
    return response;
  }, function () {
    return caches.match(SHELL.page).then(function (hit) {
      return hit || Response.error();
    });
  });
}

// A report posted the ordinary way while the connection is dead: keep it in the outbox
// and show the page again (the page then lists it and sends it later).
function postOrKeep(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.formData().then(function (fd) {
      return self.SamsynOutbox.add(self.SamsynOutbox.fromForm(fd));
    }).then(function () {
      return Response.redirect(SHELL.page + "?queued=1", 303);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && isPage(url) && request.mode === "navigate") {
    event.respondWith(postOrKeep(request));
    return;
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(pageNetworkFirst(request));
    return;
  }
  if (url.pathname.indexOf("/api/v1/areas") === 0) {
    // The areas drawn on the map: fresh when online, the last copy when not.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (c) { c.put(request, copy); });
      }
      return response;
    }, function () { return caches.match(request).then(function (hit) { return hit || Response.error(); }); }));
    return;
  }
  if ((SHELL.static || []).indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
