// Reporting page: GPS or a tap on the map sets the hidden lat/lon; the people-count
// field is shown only for categories that count people. The form works without it.
(function () {
  "use strict";
  var form = document.querySelector("[data-report-form]");
  if (!form) { return; }
  var latInput = form.querySelector("#id_lat");
  var lonInput = form.querySelector("#id_lon");
  var text = form.querySelector("[data-position-text]");
  var locate = form.querySelector("[data-locate]");
  var mapEl = form.querySelector("[data-picker-map]");
  var map = null, marker = null, asked = 0;

  // Say where the position is in words ("Vid Stortorget (område Centrum 1)"); the
  // coordinates stay in the title. Offline or on an error the coordinates remain.
  function describe(lat, lon, label) {
    var url = form.dataset.whereUrl;
    if (!url || !window.fetch) { return; }
    var mine = ++asked;
    fetch(url + "?lat=" + lat.toFixed(6) + "&lon=" + lon.toFixed(6), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.text || mine !== asked) { return; }
        text.textContent = "✓ " + data.text;
        text.title = label;
      })
      .catch(function () { /* offline: the coordinates stay */ });
  }

  function setPosition(lat, lon, accuracy) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    var label = lat.toFixed(5) + ", " + lon.toFixed(5);
    if (accuracy) { label += " (±" + Math.round(accuracy) + " m)"; }
    text.textContent = (text.dataset.setLabel || "✓ ") + label;
    text.classList.add("position-set");
    describe(lat, lon, label);
    if (map) {
      if (!marker) {
        marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: label }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          setPosition(p.lat, p.lng);
        });
      } else {
        marker.setLatLng([lat, lon]);
      }
      if (map.samsynHasTiles) {
        map.setView([lat, lon], Math.max(map.getZoom(), 16));
      } else if (!map.getBounds().contains([lat, lon])) {
        // No background map: zooming in would only show an empty square, so keep
        // the areas in view and just bring the point into it.
        map.panTo([lat, lon]);
      }
    }
  }

  if (mapEl && window.L && window.SamsynMap) {
    map = window.SamsynMap.createMap(mapEl);
    window.SamsynMap.loadAreas(map, mapEl.dataset.areasUrl, function (layer) {
      if (!latInput.value || !map.samsynHasTiles) { map.fitBounds(layer.getBounds()); }
    });
    map.on("click", function (e) { setPosition(e.latlng.lat, e.latlng.lng); });
    window.SamsynMap.pickWithKeyboard(map, mapEl, setPosition);
    if (latInput.value && lonInput.value) {
      setPosition(parseFloat(latInput.value), parseFloat(lonInput.value));
    }
  }

  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          locate.disabled = false;
          setPosition(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy);
        },
        function () { locate.disabled = false; text.textContent = locate.dataset.failed || text.textContent; },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 }
      );
    });
  }

  var peopleField = form.querySelector("[data-people-field]");
  function togglePeople() {
    var checked = form.querySelector("input[name=category]:checked");
    var counts = checked && checked.closest("[data-counts-people]").dataset.countsPeople === "1";
    if (peopleField) { peopleField.hidden = !counts; }
  }
  form.querySelectorAll("input[name=category]").forEach(function (el) {
    el.addEventListener("change", togglePeople);
  });
  togglePeople();
  // The offline outbox (outbox.js) empties the form after keeping a report.
  form.addEventListener("samsyn:reset", function () {
    togglePeople();
    if (marker && map) { map.removeLayer(marker); marker = null; }
    text.classList.remove("position-set");
  });

  var summary = form.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
