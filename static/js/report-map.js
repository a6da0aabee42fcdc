// Map of reports: loads the same filtered reports as the list (GeoJSON from
// /reports/map.geojson, made by the same filter code as the list) and clusters them.
// Above a limit the server sends counts per grid square instead of points; either way
// the counts drawn add up to the list's total, and the note under the map says how.
(function () {
  "use strict";
  var el = document.querySelector("[data-report-map]");
  if (!el || !window.L || !window.SamsynMap) { return; }
  // SVG, not canvas: clustering keeps the number of drawn markers small, and SVG
  // markers are real elements (focusable popups, testable).
  var map = window.SamsynMap.createMap(el, { preferCanvas: false });
  // A cluster is a button: its name says what the number counts ("4 reports"), the
  // drawn number alone would be read as "4".
  function clusterIcon(group) {
    var n = group.getChildCount();
    var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
    var name = (el.dataset.clusterLabel || "{n}").replace("{n}", n);
    return L.divIcon({
      html: '<div><span aria-hidden="true">' + n + '</span><span class="visually-hidden">' + escapeHtml(name) + "</span></div>",
      className: "marker-cluster marker-cluster-" + size,
      iconSize: new L.Point(40, 40)
    });
  }
  var cluster = L.markerClusterGroup ? L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 45, iconCreateFunction: clusterIcon }) : L.featureGroup();
  cluster.addTo(map);
  var cells = L.featureGroup().addTo(map);
  var note = document.querySelector("[data-map-note]");
  var lang = document.documentElement.lang === "sv" ? "sv-SE" : "en-GB";
  // The view fits the collaboration's areas, never the reports: one report far
  // outside them would otherwise shrink the whole kommun into a corner. Only without
  // areas does the view fit the reports.
  // Neither fit is animated: Leaflet drops a new view while a zoom animation runs, so
  // areas arriving during an animated fit to the reports would leave the reports' view.
  var areasFitted = false, reportsFitted = false;
  window.SamsynMap.loadAreas(map, el.dataset.areasUrl, function (layer) {
    map.fitBounds(layer.getBounds(), { animate: false });
    areasFitted = true;
  });
  map.samsynDrawnCount = 0;  // for the tests: the sum of the counts drawn

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function number(n) { return Number(n).toLocaleString(lang); }

  function popup(p) {
    var when = new Date(p.occurred_at).toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
    return "<strong>" + escapeHtml(p.category_name) + "</strong><br>" + escapeHtml(when) +
      (p.area_name ? "<br>" + escapeHtml(p.area_name) : "") +
      '<br><a href="/reports/' + encodeURIComponent(p.code) + '/">' + escapeHtml(el.dataset.openLabel || "→") + "</a>";
  }

  function cellMarker(f) {
    var c = f.geometry.coordinates, n = f.properties.count;
    var label = (el.dataset.cellLabel || "{n}").replace("{n}", number(n)).replace("{m}", number(f.properties.cell_m));
    var size = n >= 1000 ? 52 : n >= 100 ? 44 : 36;
    var icon = L.divIcon({
      className: "map-cell-count",
      html: "<span>" + escapeHtml(number(n)) + "</span>",
      iconSize: [size, size],
    });
    return L.marker([c[1], c[0]], { icon: icon, title: label, alt: label, keyboard: true }).bindPopup(escapeHtml(label));
  }

  function say(data) {
    if (!note) { return; }
    var tpl = data.aggregated ? note.dataset.cells : "";
    note.textContent = tpl.replace("{n}", number(data.total)).replace("{m}", number(data.cell_m));
    note.hidden = !tpl;
  }

  var token = 0;
  function load(url) {
    token += 1;
    var mine = token;
    map.samsynReportsLoaded = false;  // for the browser tests: all drawn
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (mine !== token) { return; }
        cluster.clearLayers();
        cells.clearLayers();
        map.samsynDrawnCount = 0;
        if (!data) { map.samsynReportsLoaded = true; return; }
        var markers = [];
        data.features.forEach(function (f) {
          map.samsynDrawnCount += f.properties.count;
          if (f.properties.cell_m) { cells.addLayer(cellMarker(f)); return; }
          var c = f.geometry.coordinates;
          var m = L.circleMarker([c[1], c[0]], { radius: 6, color: "#fff", weight: 1.5, fillColor: f.properties.restricted ? "#b4451f" : "#1f4e79", fillOpacity: 0.9 });
          m.bindPopup(popup(f.properties));
          markers.push(m);
        });
        if (cluster.addLayers) { cluster.addLayers(markers); } else { markers.forEach(function (m) { cluster.addLayer(m); }); }
        say(data);
        if (!areasFitted && !reportsFitted) {
          var bounds = L.latLngBounds([]).extend(cluster.getBounds()).extend(cells.getBounds());
          if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 15, animate: false }); reportsFitted = true; }
        }
        map.samsynReportsLoaded = true;
      })
      .catch(function () { if (mine === token) { map.samsynReportsLoaded = true; } /* the list beside the map still shows the reports */ });
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
