/* Accidents as points on Laos, drawn with Leaflet on one canvas (thousands of points stay fast).
 *
 * <div class="accident-map" data-points-url=".." data-outline-url=".." [data-focus="lat,lng"]
 *      [data-current="<accident id>"]></div>
 * The Laos outline (Natural Earth, a static file of the app) is always drawn, so the map works
 * offline; OpenStreetMap tiles are laid under it when the office is online and dropped if they
 * fail. A click on a point opens that accident's admin page.
 */
(function () {
  "use strict";

  var LAOS = [[13.9, 100.0], [22.5, 107.7]];
  var COLOURS = { reported: "#c2410c", verified: "#15803d", rejected: "#6b7280" };

  function addTiles(map, element) {
    if (!navigator.onLine) {
      element.dataset.tiles = "offline";
      return;
    }
    var failures = 0;
    var tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    });
    tiles.on("tileload", function () { element.dataset.tiles = "online"; });
    tiles.on("tileerror", function () {
      failures += 1;
      if (failures >= 3 && element.dataset.tiles !== "online") {
        map.removeLayer(tiles);
        element.dataset.tiles = "offline";
      }
    });
    tiles.addTo(map);
  }

  function addOutline(map, url) {
    return fetch(url).then(function (response) { return response.json(); }).then(function (geojson) {
      L.geoJSON(geojson, {
        interactive: false,
        style: { color: "#417690", weight: 1.5, fillColor: "#eef3f5", fillOpacity: 0.35 }
      }).addTo(map);
    });
  }

  function addPoints(map, element) {
    var renderer = L.canvas({ padding: 0.5, tolerance: 3 });
    var current = element.dataset.current || "";
    return fetch(element.dataset.pointsUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var markers = {};
        data.points.forEach(function (point) {
          var id = point[2];
          var marker = L.circleMarker([point[0], point[1]], {
            renderer: renderer,
            radius: id === current ? 8 : 4,
            weight: id === current ? 3 : 1,
            color: id === current ? "#1d4ed8" : "#ffffff",
            fillColor: COLOURS[point[3]] || "#c2410c",
            fillOpacity: 0.85
          });
          marker.on("click", function () {
            window.location.href = data.change_url.replace(data.placeholder, id);
          });
          marker.addTo(map);
          markers[id] = marker;
        });
        element.accidentMarkers = markers;
        var caption = element.parentNode.querySelector(".accident-map-caption");
        if (caption) {
          caption.querySelector("[data-shown]").textContent = data.points.length;
          caption.querySelector("[data-total]").textContent = data.total;
          caption.hidden = false;
        }
        element.dataset.points = String(data.points.length);
      });
  }

  function draw(element) {
    var map = L.map(element, { preferCanvas: true, minZoom: 5 });
    var focus = (element.dataset.focus || "").split(",").map(Number);
    if (focus.length === 2 && focus.every(isFinite)) {
      map.setView(focus, 8);
    } else {
      map.fitBounds(LAOS);
    }
    element.accidentMap = map;
    addTiles(map, element);
    addOutline(map, element.dataset.outlineUrl).then(function () {
      return addPoints(map, element);
    }).catch(function () { element.dataset.points = "error"; });
  }

  document.querySelectorAll(".accident-map").forEach(draw);
})();
