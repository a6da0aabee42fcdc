// Map of reports: loads the same filtered reports as the list from the API (GeoJSON),
// follows "next" links up to a cap, and clusters them.
(function () {
  "use strict";
  var el = document.querySelector("[data-report-map]");
  if (!el || !window.L || !window.SamsynMap) { return; }
  // SVG, not canvas: clustering keeps the number of drawn markers small, and SVG
  // markers are real elements (focusable popups, testable).
  var map = window.SamsynMap.createMap(el, { preferCanvas: false });
  var MAX_PAGES = 20;
  var cluster = L.markerClusterGroup ? L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 45 }) : L.layerGroup();
  cluster.addTo(map);
  var fitted = false;
  window.SamsynMap.loadAreas(map, el.dataset.areasUrl, function (layer) {
    if (!fitted) { map.fitBounds(layer.getBounds()); }
  });

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function popup(p) {
    var when = new Date(p.occurred_at).toLocaleString(document.documentElement.lang === "sv" ? "sv-SE" : "en-GB", { dateStyle: "short", timeStyle: "short" });
    return "<strong>" + escapeHtml(p.category_name) + "</strong><br>" + escapeHtml(when) +
      (p.area_name ? "<br>" + escapeHtml(p.area_name) : "") +
      '<br><a href="/reports/' + encodeURIComponent(p.code) + '/">' + escapeHtml(el.dataset.openLabel || "→") + "</a>";
  }

  var token = 0;
  function load(url) {
    token += 1;
    var mine = token;
    map.samsynReportsLoaded = false;  // for the browser tests: all pages drawn
    cluster.clearLayers();
    var pages = 0;
    function page(u) {
      fetch(u, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (mine !== token) { return; }
          if (!data) { map.samsynReportsLoaded = true; return; }
          var markers = data.features.map(function (f) {
            var c = f.geometry.coordinates;
            var m = L.circleMarker([c[1], c[0]], { radius: 6, color: "#fff", weight: 1.5, fillColor: f.properties.restricted ? "#b4451f" : "#1f4e79", fillOpacity: 0.9 });
            m.bindPopup(popup(f.properties));
            return m;
          });
          if (cluster.addLayers) { cluster.addLayers(markers); } else { markers.forEach(function (m) { cluster.addLayer(m); }); }
          pages += 1;
          var next = (data.links || []).filter(function (l) { return l.rel === "next"; })[0];
          if (next && pages < MAX_PAGES) { page(next.href); }
          else {
            if (!fitted && cluster.getBounds && cluster.getBounds().isValid()) { map.fitBounds(cluster.getBounds(), { maxZoom: 15 }); fitted = true; }
            map.samsynReportsLoaded = true;
          }
        })
        .catch(function () { if (mine === token) { map.samsynReportsLoaded = true; } /* the list beside the map still shows the reports */ });
    }
    page(url);
  }

  // Residents' accepted reports: a separate layer (own marker style, never clustered
  // with the reporters' markers), shown only while the list has its residents section,
  // i.e. while the "Residents' reports" toggle is on.
  var residents = L.layerGroup();
  var residentsToken = 0;
  var legend = document.querySelector("[data-residents-legend]");
  map.samsynResidents = residents;  // for the browser tests

  function residentPopup(p) {
    var when = new Date(p.occurred_at).toLocaleString(document.documentElement.lang === "sv" ? "sv-SE" : "en-GB", { dateStyle: "short", timeStyle: "short" });
    return "<strong>" + escapeHtml(p.category_name) + "</strong><br>" + escapeHtml(when) +
      "<br>" + escapeHtml(p.reference);
  }

  function loadResidents(url) {
    residentsToken += 1;
    var mine = residentsToken;
    residents.clearLayers();
    map.samsynResidentsLoaded = !url;  // for the browser tests
    if (!url) {
      map.removeLayer(residents);
      if (legend) { legend.hidden = true; map.invalidateSize(); }
      return;
    }
    residents.addTo(map);
    // Showing the legend can change the map's box: let Leaflet measure it again, or it
    // places (and culls) markers for the old size.
    if (legend) { legend.hidden = false; map.invalidateSize(); }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (mine !== residentsToken) { return; }
        if (!data) { map.samsynResidentsLoaded = true; return; }
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          // A larger, pale ring with a purple edge: unlike the reporters' filled dots.
          L.circleMarker([c[1], c[0]], {
            radius: 8, color: "#6a1b9a", weight: 2.5,
            fillColor: "#f3e6fa", fillOpacity: 0.85, className: "resident-marker",
          }).bindPopup(residentPopup(f.properties)).addTo(residents);
        });
        map.samsynResidentsLoaded = true;
      })
      .catch(function () { if (mine === residentsToken) { map.samsynResidentsLoaded = true; } /* the list beside the map still shows them */ });
  }

  function residentsUrl(root) {
    var section = root.querySelector("[data-residents-url]");
    return section ? section.dataset.residentsUrl : "";
  }

  load(el.dataset.reportsUrl);
  loadResidents(residentsUrl(document));
  // When htmx swaps in a new list after a filter change, reload the map with the same filters.
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.target && e.target.id === "report-list") {
      var count = e.target.querySelector("[data-reports-url]");
      if (count) { load(count.dataset.reportsUrl); }
      loadResidents(residentsUrl(e.target));
    }
  });
})();
