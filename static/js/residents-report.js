// Residents' page: a tap on the map sets the hidden lat/lon. Without JavaScript (or
// without Leaflet) the place and area lists do the same job.
(function () {
  "use strict";
  var form = document.querySelector("[data-resident-form]");
  if (!form || !window.L || !window.SamsynMap) { return; }
  var mapEl = form.querySelector("[data-picker-map]");
  var text = form.querySelector("[data-position-text]");
  var lat = form.querySelector("#id_lat");
  var lon = form.querySelector("#id_lon");
  mapEl.hidden = false;
  text.hidden = false;
  var map = window.SamsynMap.createMap(mapEl);
  var b = (mapEl.dataset.bounds || "").split(",").map(parseFloat);
  if (b.length === 4 && !isNaN(b[0])) { map.fitBounds([[b[0], b[1]], [b[2], b[3]]]); }
  var outlines = document.getElementById("resident-areas");
  if (outlines) {
    var shapes = L.geoJSON({ type: "FeatureCollection", features: JSON.parse(outlines.textContent) }, {
      interactive: false,
      style: function () { return { color: "#1f4e79", weight: 2, fillOpacity: 0.06 }; }
    }).addTo(map);
    // Labels only where they fit, never on top of each other (map-common.js).
    window.SamsynMap.placeLabels(map, shapes.getLayers(), function (l) { return l.feature.properties.name; });
  }
  var marker = null, asked = 0;
  // Say where the point is in words (the nearest listed place and the area).
  function describe(la, lo) {
    var url = form.dataset.whereUrl;
    if (!url || !window.fetch) { return; }
    var mine = ++asked;
    fetch(url + "?lat=" + la.toFixed(6) + "&lon=" + lo.toFixed(6), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.text && mine === asked) { text.textContent = "✓ " + data.text; } })
      .catch(function () { /* the coordinates stay */ });
  }
  function set(la, lo) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    if (!marker) { marker = L.marker([la, lo]).addTo(map); } else { marker.setLatLng([la, lo]); }
    text.textContent = "✓ " + (mapEl.dataset.setLabel || "") + la.toFixed(5) + ", " + lo.toFixed(5);
    text.classList.add("position-set");
    describe(la, lo);
  }
  map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng); });
  // "Use my position": the phone's location, when the browser offers it.
  var locate = form.querySelector("[data-locate]");
  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          locate.disabled = false;
          set(pos.coords.latitude, pos.coords.longitude);
          map.setView([pos.coords.latitude, pos.coords.longitude], Math.max(map.getZoom(), 15));
        },
        function () { locate.disabled = false; text.textContent = locate.dataset.failed || text.textContent; },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 }
      );
    });
  }
  window.SamsynMap.pickWithKeyboard(map, mapEl, set);
  if (lat.value && lon.value) { set(parseFloat(lat.value), parseFloat(lon.value)); }
})();
