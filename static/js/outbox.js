// The offline outbox of the reporting page. Without a connection a report is kept in
// IndexedDB on the phone (with its idempotency key) and shown on the page; it is sent
// to POST /api/v1/reports when the connection returns and removed from the outbox only
// after the server has answered 200 or 201. The same key makes a resend harmless.
// The storage part also runs inside the service worker (importScripts), which keeps a
// normal form post that fails on a dead connection. Without JS the form posts as usual.
(function (root) {
  "use strict";
  var DB = "samsyn-outbox", STORE = "reports";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = root.indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = fn(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(result && result.result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) { return root.crypto.randomUUID(); }
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function num(v) { return v === null || v === "" || v === undefined ? null : Number(v); }

  // Form fields (FormData) → the API's ReportIn. The time is fixed now: a report sent
  // tomorrow still says when it happened.
  function fromForm(fd) {
    var when = fd.get("occurred_at");
    var d = when ? new Date(when) : new Date();
    if (isNaN(d.getTime())) { d = new Date(); }
    return {
      key: fd.get("idempotency_key") || newKey(),
      queuedAt: new Date().toISOString(),
      error: "",
      payload: {
        category: fd.get("category") || "",
        occurred_at: d.toISOString(),
        lat: num(fd.get("lat")),
        lon: num(fd.get("lon")),
        place: fd.get("place") || "",
        place_type: fd.get("place_type") || "",
        people_count: num(fd.get("people_count")),
        severity: num(fd.get("severity")) || 1,
        description: fd.get("description") || "",
        restricted: !!fd.get("restricted"),
        organisation: fd.get("organisation") || ""
      }
    };
  }

  var store = {
    newKey: newKey,
    fromForm: fromForm,
    add: function (item) { return tx("readwrite", function (s) { s.put(item); }); },
    all: function () { return tx("readonly", function (s) { return s.getAll(); }); },
    remove: function (key) { return tx("readwrite", function (s) { s.delete(key); }); }
  };
  root.SamsynOutbox = store;

  if (typeof document === "undefined") { return; } // in the service worker: done.

  // ---- The page -------------------------------------------------------------------
  var form = document.querySelector("[data-report-form]");
  var box = document.querySelector("[data-outbox]");
  if (!form || !box || !root.indexedDB) { return; }
  var countEl = box.querySelector("[data-outbox-count]");
  var listEl = box.querySelector("[data-outbox-list]");
  var statusEl = box.querySelector("[data-outbox-status]");
  var sending = false;

  if ("serviceWorker" in navigator && box.dataset.swUrl) {
    navigator.serviceWorker.register(box.dataset.swUrl, { scope: box.dataset.swScope })
      .catch(function () { /* no offline app; the outbox still works while open */ });
  }

  function say(text) { statusEl.textContent = text || ""; }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function render() {
    return store.all().then(function (items) {
      items.sort(function (a, b) { return a.queuedAt < b.queuedAt ? -1 : 1; });
      box.hidden = items.length === 0;
      var tpl = items.length === 1 ? box.dataset.one : box.dataset.many;
      countEl.textContent = tpl.replace("{n}", items.length);
      listEl.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var label = form.querySelector("input[name=category][value='" + item.payload.category + "'] + span");
        var when = new Date(item.payload.occurred_at);
        li.textContent = (label ? label.textContent : item.payload.category) + " · " +
          when.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
        if (item.error) {
          var err = document.createElement("span");
          err.className = "field-error";
          err.textContent = " " + item.error + " ";
          li.appendChild(err);
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "button secondary small";
          drop.textContent = box.dataset.discard;
          drop.addEventListener("click", function () { store.remove(item.key).then(render); });
          li.appendChild(drop);
        }
        listEl.appendChild(li);
      });
      return items;
    });
  }

  function send(item) {
    return fetch(box.dataset.apiUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken(),
        "Idempotency-Key": item.key
      },
      body: JSON.stringify(item.payload)
    });
  }

  // Send everything waiting, oldest first. A network error stops the run (try again on
  // the next "online" event or page load); a refusal (422) is kept, shown and can be
  // discarded by the reporter; only 200/201 removes a report from the outbox.
  function flush() {
    if (sending || !navigator.onLine) { return Promise.resolve(); }
    sending = true;
    var sent = 0;
    return store.all().then(function (items) {
      items.sort(function (a, b) { return a.queuedAt < b.queuedAt ? -1 : 1; });
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (go) {
          if (!go || item.error) { return go; }
          return send(item).then(function (r) {
            if (r.status === 200 || r.status === 201) {
              sent += 1;
              return store.remove(item.key).then(function () { return true; });
            }
            if (r.status === 422) {
              return r.json().then(function (body) {
                var errs = body.errors || {};
                item.error = Object.keys(errs).map(function (k) { return errs[k].join(" "); }).join(" ") || body.detail;
                return store.add(item).then(function () { return true; });
              });
            }
            return false; // logged out, server trouble: keep everything, try later
          }, function () { return false; });
        });
      });
      return chain;
    }).then(function () {
      sending = false;
      if (sent) { say(box.dataset.sent.replace("{n}", sent)); }
      return render();
    }, function () { sending = false; });
  }

  form.addEventListener("submit", function (e) {
    if (navigator.onLine) { return; } // online: the ordinary post, as without JS
    e.preventDefault();
    var item = fromForm(new FormData(form));
    if (!item.payload.category || (item.payload.lat === null && !item.payload.place)) {
      say(box.dataset.incomplete);
      box.hidden = false;
      return;
    }
    store.add(item).then(function () {
      form.reset();
      form.querySelector("input[name=idempotency_key]").value = newKey();
      form.dispatchEvent(new Event("samsyn:reset"));
      say(box.dataset.queued);
      return render();
    }).then(function () { box.scrollIntoView({ block: "nearest" }); });
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { say(box.dataset.offline); });
  form.setAttribute("data-outbox-ready", "");
  render().then(flush);
})(self);
