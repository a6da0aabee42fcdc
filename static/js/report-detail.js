// A small map with the report's position.
(function () {
  "use strict";
  var el = document.querySelector("[data-point-map]");
  if (!el || !window.L || !window.SamsynMap) { return; }
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  var map = window.SamsynMap.createMap(el);
  map.setView([lat, lon], 16);
  L.circleMarker([lat, lon], { radius: 9, color: "#fff", weight: 2, fillColor: "#1f4e79", fillOpacity: 0.95 }).addTo(map);
})();
