// Shared Leaflet set-up for Samsyn's maps. One namespace: SamsynMap.
// The background tiles are optional: if the tile URL is empty or tiles fail to load,
// the map still shows areas and points on a plain background.
(function () {
  "use strict";
  var ORebro = [59.2741, 15.2066];

  function createMap(el, options) {
    // maxZoom on the map itself: without a tile layer Leaflet has none, and the marker
    // clusterer refuses to start ("Map has no maxZoom specified").
    var wantZoom = !options || options.zoomControl !== false;
    var map = L.map(el, Object.assign({ preferCanvas: true, maxZoom: 19 }, options || {}, { zoomControl: false }));
    // Leaflet's zoom buttons are named in English; name them in the page's language
    // (base.html puts the translated names on <body>).
    var names = document.body.dataset;
    if (wantZoom) {
      L.control.zoom({
        zoomInTitle: names.mapZoomIn || "Zoom in",
        zoomOutTitle: names.mapZoomOut || "Zoom out",
      }).addTo(map);
    }
    addPanControl(map, names);
    el.samsynMap = map;  // for other scripts on the page and the browser tests
    map.setView(ORebro, 12);
    var url = el.dataset.tileUrl;
    map.samsynHasTiles = Boolean(url);
    if (url) {
      var failed = 0;
      var layer = L.tileLayer(url, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" });
      layer.on("tileerror", function () {
        failed += 1;
        if (failed === 4) { el.classList.add("tiles-failed"); map.samsynHasTiles = false; }
      });
      layer.addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  // WCAG 2.5.7: moving a map needs no dragging. Four buttons move it a third of its
  // size with one tap or click (and the map itself moves with the arrow keys when it
  // has the focus, Leaflet's keyboard option). Named in the page's language.
  var PAN = [
    ["up", "mapPanUp", "Move the map up", "\u2191", 0, -1],
    ["left", "mapPanLeft", "Move the map left", "\u2190", -1, 0],
    ["right", "mapPanRight", "Move the map right", "\u2192", 1, 0],
    ["down", "mapPanDown", "Move the map down", "\u2193", 0, 1],
  ];
  var PanControl = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function (map) {
      var box = L.DomUtil.create("div", "leaflet-bar map-pan");
      var names = this.options.names || {};
      PAN.forEach(function (p) {
        var button = L.DomUtil.create("button", "map-pan-" + p[0], box);
        button.type = "button";
        button.setAttribute("aria-label", names[p[1]] || p[2]);
        button.title = names[p[1]] || p[2];
        var arrow = L.DomUtil.create("span", "", button);
        arrow.setAttribute("aria-hidden", "true");
        arrow.textContent = p[3];
        L.DomEvent.on(button, "click", function (e) {
          L.DomEvent.stop(e);
          var size = map.getSize();
          map.panBy([p[4] * Math.round(size.x / 3), p[5] * Math.round(size.y / 3)]);
        });
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });

  function addPanControl(map, names) {
    map.samsynPan = new PanControl({ names: names }).addTo(map);
  }

  // Without a background map the area names are the only landmarks: label the
  // smallest areas (those that are nobody's parent) in their middle. Labels never
  // overlap: at each zoom a label is shown only where it fits inside its area and
  // clear of the labels already placed (bigger areas first); zoom in for the rest.
  function labelAreas(layer, map) {
    var parents = {};
    var shapes = [];
    layer.eachLayer(function (l) {
      var parent = l.feature.properties.parent;
      if (parent) { parents[parent] = true; }
      shapes.push(l);
    });
    var named = shapes.filter(function (l) {
      var p = l.feature.properties;
      return p.name && !parents[p.code];
    });
    placeLabels(map, named, function (l) { return l.feature.properties.name; });
  }

  function placeLabels(map, shapes, nameOf) {
    if (!map.getPane("samsynLabels")) {
      // Below the markers and shapes (overlayPane is 400), so labels never hide a point.
      map.createPane("samsynLabels").style.zIndex = 390;
      map.getPane("samsynLabels").style.pointerEvents = "none";
    }
    var labels = shapes.map(function (l) {
      var b = l.getBounds();
      var size = (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
      var tip = L.tooltip({ permanent: true, direction: "center", className: "area-label", interactive: false, pane: "samsynLabels" })
        .setContent(nameOf(l)).setLatLng(b.getCenter());
      return { shape: l, tip: tip, size: size, name: nameOf(l) };
    });
    labels.sort(function (a, b) { return b.size - a.size; });
    function overlaps(a, b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }
    function update() {
      var taken = [];
      labels.forEach(function (lb) {
        var b = lb.shape.getBounds();
        var nw = map.latLngToContainerPoint(b.getNorthWest());
        var se = map.latLngToContainerPoint(b.getSouthEast());
        var c = map.latLngToContainerPoint(lb.tip.getLatLng());
        // About 7 px a character at the label's size, plus its padding.
        var w = lb.name.length * 7 + 10, h = 18;
        var box = { x0: c.x - w / 2, x1: c.x + w / 2, y0: c.y - h / 2, y1: c.y + h / 2 };
        var fits = se.x - nw.x > w && se.y - nw.y > h;
        var show = fits && !taken.some(function (t) { return overlaps(t, box); });
        if (show) {
          taken.push(box);
          if (!map.hasLayer(lb.tip)) { lb.tip.addTo(map); }
        } else if (map.hasLayer(lb.tip)) {
          map.removeLayer(lb.tip);
        }
      });
    }
    map.on("zoomend resize", update);
    update();
  }

  function loadAreas(map, url, onLoaded) {
    if (!url) { map.samsynAreasLoaded = true; return; }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.features || !data.features.length) { map.samsynAreasLoaded = true; return; }
        var layer = L.geoJSON(data, {
          interactive: false,
          style: function (f) {
            var district = f.properties.level === "district";
            return { color: district ? "#1f4e79" : "#5b7fa6", weight: district ? 2 : 1, fillOpacity: district ? 0 : 0.04, opacity: 0.7 };
          },
        }).addTo(map);
        layer.bringToBack();
        if (!map.samsynHasTiles) { labelAreas(layer, map); }
        if (onLoaded) { onLoaded(layer); }
        map.samsynAreasLoaded = true;
      })
      .catch(function () { map.samsynAreasLoaded = true; /* areas are context only */ });
  }

  // Keyboard use of a picker map: with the map focused, the arrow keys move it
  // (Leaflet) and Enter or Space sets the position at its centre, which a
  // cross-hair marks while the map has the focus (CSS: .map-keyboard-pick).
  function pickWithKeyboard(map, el, onPick) {
    el.classList.add("map-keyboard-pick");
    el.addEventListener("keydown", function (e) {
      if (e.target !== el || (e.key !== "Enter" && e.key !== " ")) { return; }
      e.preventDefault();
      var c = map.getCenter();
      onPick(c.lat, c.lng);
    });
  }

  window.SamsynMap = { createMap: createMap, loadAreas: loadAreas, pickWithKeyboard: pickWithKeyboard, placeLabels: placeLabels };
})();
