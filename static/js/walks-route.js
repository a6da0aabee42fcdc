// Plan a walk: each tap on the map adds a route point; the textarea keeps the
// GeoJSON LineString (without JavaScript, people type "lat, lon" lines instead).
(function () {
  "use strict";
  var form = document.querySelector("[data-walk-form]");
  if (!form || !window.L || !window.SamsynMap) { return; }
  var mapEl = form.querySelector("[data-route-map]");
  var field = form.querySelector("#id_route");
  var undo = form.querySelector("[data-route-undo]");
  mapEl.hidden = false;
  form.querySelector("[data-route-tools]").hidden = false;
  var map = window.SamsynMap.createMap(mapEl);
  var line = L.polyline([], { color: "#1f4e79", weight: 4 }).addTo(map);
  var points = [];
  try {
    var geo = JSON.parse(field.value || "null");
    if (geo && geo.coordinates) { points = geo.coordinates.map(function (p) { return [p[1], p[0]]; }); }
  } catch (e) { points = []; }
  function sync() {
    line.setLatLngs(points);
    field.value = points.length ? JSON.stringify({ type: "LineString", coordinates: points.map(function (p) { return [+p[1].toFixed(6), +p[0].toFixed(6)]; }) }) : "";
  }
  window.SamsynMap.loadAreas(map, mapEl.dataset.areasUrl, function (layer) {
    map.fitBounds(points.length > 1 ? line.getBounds() : layer.getBounds());
  });
  map.on("click", function (e) { points.push([e.latlng.lat, e.latlng.lng]); sync(); });
  undo.addEventListener("click", function () { points.pop(); sync(); });
  sync();
})();
