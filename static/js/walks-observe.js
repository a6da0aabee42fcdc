// Record an observation on a walk: "use my location" (GPS) or a tap on the map sets
// the lat/lon inputs; the route is drawn for orientation.
(function () {
  "use strict";
  var form = document.querySelector("[data-observe-form]");
  if (!form) { return; }
  var lat = form.querySelector("#id_lat");
  var lon = form.querySelector("#id_lon");
  var text = form.querySelector("[data-position-text]");
  var locate = form.querySelector("[data-locate]");
  var mapEl = form.querySelector("[data-observe-map]");
  var map = null, marker = null;
  function set(la, lo, acc) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    text.textContent = "✓ " + la.toFixed(5) + ", " + lo.toFixed(5) + (acc ? " (±" + Math.round(acc) + " m)" : "");
    text.classList.add("position-set");
    if (map) {
      if (!marker) { marker = L.marker([la, lo]).addTo(map); } else { marker.setLatLng([la, lo]); }
    }
  }
  if (window.L && window.SamsynMap) {
    mapEl.hidden = false;
    map = window.SamsynMap.createMap(mapEl);
    var route = JSON.parse(mapEl.dataset.route || "[]").map(function (p) { return [p[1], p[0]]; });
    if (route.length > 1) {
      var line = L.polyline(route, { color: "#1f4e79", weight: 4 }).addTo(map);
      map.fitBounds(line.getBounds(), { padding: [20, 20] });
    }
    map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng); });
  }
  if (navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        set(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy);
        if (map) { map.panTo([pos.coords.latitude, pos.coords.longitude]); }
      }, function () { text.textContent = locate.dataset.failed || text.textContent; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
  if (lat.value && lon.value) { set(parseFloat(lat.value), parseFloat(lon.value)); }
})();
