// Area import preview: the file's areas on a small map, fitted to them.
(function () {
  "use strict";
  var el = document.querySelector("[data-boundary-preview]");
  var data = document.getElementById("boundary-features");
  if (!el || !data || !window.L || !window.SamsynMap) { return; }
  var features = JSON.parse(data.textContent);
  var map = window.SamsynMap.createMap(el);
  if (!features.length) { return; }
  var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
    style: function () { return { color: "#1f4e79", weight: 1, fillOpacity: 0.08 }; },
    onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [8, 8] });
})();
