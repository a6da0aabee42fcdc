// The owner's queue: its open reports as points, overdue ones in red; a tap opens one.
(function () {
  "use strict";
  var el = document.querySelector("[data-queue-map]");
  var data = document.getElementById("queue-points");
  if (!el || !data || !window.L || !window.SamsynMap) { return; }
  var points = JSON.parse(data.textContent);
  var map = window.SamsynMap.createMap(el);
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 9, color: "#fff", weight: 2,
      fillColor: p.overdue ? "#b3261e" : "#1f4e79", fillOpacity: 0.95,
    });
    marker.bindTooltip(p.label + (p.overdue ? " (" + el.dataset.overdueLabel + ")" : ""));
    marker.on("click", function () { window.location.href = p.url; });
    marker.addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 16); }
  else if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); }
})();
