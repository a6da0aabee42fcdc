// Shared Leaflet set-up for Samsyn's maps. One namespace: SamsynMap.
// The background tiles are optional: if the tile URL is empty or tiles fail to load,
// the map still shows areas and points on a plain background.
(function () {
  "use strict";
  var ORebro = [59.2741, 15.2066];

  function createMap(el, options) {
    var map = L.map(el, Object.assign({ zoomControl: true, preferCanvas: true }, options || {}));
    map.setView(ORebro, 12);
    var url = el.dataset.tileUrl;
    if (url) {
      var failed = 0;
      var layer = L.tileLayer(url, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" });
      layer.on("tileerror", function () {
        failed += 1;
        if (failed === 4) { el.classList.add("tiles-failed"); }
      });
      layer.addTo(map);
    }
    return map;
  }

  function loadAreas(map, url, onLoaded) {
    if (!url) { return; }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.features || !data.features.length) { return; }
        var layer = L.geoJSON(data, {
          interactive: false,
          style: function (f) {
            var district = f.properties.level === "district";
            return { color: district ? "#1f4e79" : "#5b7fa6", weight: district ? 2 : 1, fillOpacity: district ? 0 : 0.04, opacity: 0.7 };
          },
        }).addTo(map);
        layer.bringToBack();
        if (onLoaded) { onLoaded(layer); }
      })
      .catch(function () { /* areas are context only */ });
  }

  window.SamsynMap = { createMap: createMap, loadAreas: loadAreas };
})();
