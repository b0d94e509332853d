/*
 * Bildungsnetz geographic maps, drawn with the app's own copy of Leaflet (static/vendor/leaflet).
 *
 * Two uses:
 *  - [data-geo-map]: the map of places (crm/services/geo/places.py). Its data come in the page as
 *    JSON (<script type="application/json">, never executed): area outlines and places with the
 *    actors and offers there. Without a tile server (MAP_TILE_URL empty) only outlines and points
 *    are drawn and nothing is loaded from anywhere: the map works offline.
 *  - [data-geo-pick]: on the actor form, a click on the map fills the latitude and longitude
 *    fields (which work without this script as plain text fields).
 *
 * Every text from the data (names of actors, offers, areas) is user input and treated as hostile:
 * it reaches the page only through textContent and DOM attributes, never innerHTML (Leaflet turns
 * string popups and tooltips into HTML, so they always get DOM elements here). Links are followed
 * only when they are paths on this server.
 *
 * Keyboard: the map pans with the arrow keys and zooms with + and -, every point is a button
 * (Tab, Enter opens what is there and moves the focus to its links, Escape closes it and returns to
 * the point), and each place in the list below the map has
 * a button "Auf der Karte zeigen" that moves there. Tests reach the maps through
 * window.bildungsnetzGeoMaps.
 */
(function () {
  "use strict";
  if (window.bildungsnetzGeoMaps) { return; }
  window.bildungsnetzGeoMaps = [];
  var L = window.L;
  if (!L) { return; }

  var DEFAULT_VIEW = { center: [51.0, 10.3], zoom: 6 };  // Germany, when there is nothing to show

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function localPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text || "";
    return div.innerHTML;
  }

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function baseMap(container, options) {
    var map = L.map(container, { zoomSnap: 0.5, keyboard: true, attributionControl: true, zoomControl: true });
    map.attributionControl.setPrefix("Leaflet");
    var url = options.tileUrl || "";
    if (url) {
      L.tileLayer(url, { maxZoom: 19, attribution: escapeHtml(options.tileAttribution || "") }).addTo(map);
    }
    var zoomIn = container.querySelector(".leaflet-control-zoom-in");
    var zoomOut = container.querySelector(".leaflet-control-zoom-out");
    if (zoomIn) { zoomIn.setAttribute("aria-label", options.zoomInLabel || "Vergrößern"); zoomIn.title = options.zoomInLabel || "Vergrößern"; }
    if (zoomOut) { zoomOut.setAttribute("aria-label", options.zoomOutLabel || "Verkleinern"); zoomOut.title = options.zoomOutLabel || "Verkleinern"; }
    return map;
  }

  function outlineLayer(areas) {
    var features = (areas || []).filter(function (area) {
      return area && area.geometry && (area.geometry.type === "Polygon" || area.geometry.type === "MultiPolygon");
    }).map(function (area) {
      return { type: "Feature", properties: { label: String(area.label || area.name || ""), depth: area.depth || 0 },
               geometry: area.geometry };
    });
    return L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (feature) {
        var top = !feature.properties.depth;
        return { color: top ? "#343a40" : "#1f5f9e", weight: top ? 2.5 : 1.5, opacity: 0.9,
                 fillColor: top ? "#adb5bd" : "#6ea8fe", fillOpacity: top ? 0.04 : 0.12,
                 dashArray: top ? "6 4" : null, className: "geo-outline" };
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(element("span", null, feature.properties.label), { sticky: true });
      }
    });
  }

  function popupContent(place, labels) {
    var box = element("div", "geo-popup");
    box.appendChild(element("strong", null, place.label));
    if (place.area) { box.appendChild(element("div", "small text-body-secondary", place.area)); }
    var list = element("ul", "list-unstyled mb-0 mt-1");
    (place.entries || []).forEach(function (entry) {
      var item = element("li");
      item.appendChild(element("span", "badge me-1 " + (entry.type === "offer" ? "geo-badge-offer" : "geo-badge-actor"),
                               entry.type === "offer" ? labels.offer : labels.actor));
      var href = localPath(entry.url);
      var name = href ? element("a", null, entry.name) : element("span", null, entry.name);
      if (href) { name.href = href; }
      item.appendChild(name);
      if (entry.detail) { item.appendChild(element("span", "small text-body-secondary", " · " + entry.detail)); }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function markerFor(place, labels) {
    var hasOffers = (place.entries || []).some(function (e) { return e.type === "offer"; });
    var hasActors = (place.entries || []).some(function (e) { return e.type === "actor"; });
    var kind = hasOffers && hasActors ? "both" : (hasOffers ? "offer" : "actor");
    var icon = L.divIcon({ className: "geo-marker geo-marker-" + kind, html: "", iconSize: [18, 18],
                           iconAnchor: [9, 9], popupAnchor: [0, -8] });
    var count = (place.entries || []).length;
    var marker = L.marker([place.lat, place.lon], { icon: icon, keyboard: true, riseOnHover: true,
                                                    title: place.label + (count > 1 ? " (" + count + ")" : "") });
    marker.bindPopup(popupContent(place, labels), { maxWidth: 280, autoPanPadding: [16, 16] });
    return marker;
  }

  function drawPlaces(container) {
    var data = readJson(container.getAttribute("data-source")) || { areas: [], places: [] };
    var labels = { actor: container.getAttribute("data-label-actor") || "Akteur",
                   offer: container.getAttribute("data-label-offer") || "Angebot" };
    var map = baseMap(container, { tileUrl: container.getAttribute("data-tile-url"),
                                   tileAttribution: container.getAttribute("data-tile-attribution"),
                                   zoomInLabel: container.getAttribute("data-label-zoom-in"),
                                   zoomOutLabel: container.getAttribute("data-label-zoom-out") });
    var outlines = outlineLayer(data.areas).addTo(map);
    var markers = [];
    var group = L.featureGroup();
    (data.places || []).forEach(function (place) {
      if (typeof place.lat !== "number" || typeof place.lon !== "number") { markers.push(null); return; }
      var marker = markerFor(place, labels);
      markers.push(marker);
      group.addLayer(marker);
    });
    group.addTo(map);
    // A popup opened from a point takes the focus (its links are next to Tab, not the other points);
    // Escape closes it and gives the focus back to the point.
    var opener = null;
    map.on("popupopen", function (event) {
      opener = event.popup._source || null;
      var box = event.popup.getElement();
      var target = box && (box.querySelector(".geo-popup a") || box.querySelector(".geo-popup"));
      if (target) {
        if (!target.hasAttribute("href")) { target.setAttribute("tabindex", "-1"); }
        target.focus({ preventScroll: true });
      }
    });
    container.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !opener || !opener.isPopupOpen()) { return; }
      var source = opener;
      map.closePopup();
      var icon = source.getElement && source.getElement();
      if (icon) { icon.focus({ preventScroll: true }); }
      event.preventDefault();
    });
    if (group.getLayers().length) {
      map.fitBounds(group.getBounds().pad(0.08), { maxZoom: 15, animate: false });
    } else if (outlines.getLayers().length) {
      map.fitBounds(outlines.getBounds().pad(0.03), { animate: false });
    } else {
      map.setView(DEFAULT_VIEW.center, DEFAULT_VIEW.zoom);
    }
    // The list of places below the map (the map's text equivalent): "Auf der Karte zeigen".
    var list = document.getElementById(container.getAttribute("data-list") || "");
    if (list) {
      list.querySelectorAll("button[data-place]").forEach(function (button) {
        var marker = markers[Number(button.getAttribute("data-place"))];
        if (!marker) { return; }
        button.hidden = false;
        button.addEventListener("click", function () {
          container.scrollIntoView({ block: "center" });
          map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15), { animate: false });
          marker.openPopup();  // the popup takes the focus (popupopen above)
        });
      });
    }
    container.setAttribute("data-ready", "true");
    window.bildungsnetzGeoMaps.push({ map: map, markers: group.getLayers().length,
                                      outlines: outlines.getLayers().length });
  }

  function number(text) {
    var value = parseFloat(String(text || "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function drawPicker(container) {
    var form = container.closest("form") || document;
    var lat = form.querySelector("#" + container.getAttribute("data-lat-field"));
    var lon = form.querySelector("#" + container.getAttribute("data-lon-field"));
    if (!lat || !lon) { return; }
    container.hidden = false;
    var canvas = container.querySelector(".geo-map");
    var map = baseMap(canvas, { tileUrl: container.getAttribute("data-tile-url"),
                                tileAttribution: container.getAttribute("data-tile-attribution"),
                                zoomInLabel: container.getAttribute("data-label-zoom-in"),
                                zoomOutLabel: container.getAttribute("data-label-zoom-out") });
    var outlines = outlineLayer([]).addTo(map);
    var marker = null;
    var title = container.getAttribute("data-label-point") || "";

    function show(latValue, lonValue, pan) {
      if (latValue === null || lonValue === null || Math.abs(latValue) > 90 || Math.abs(lonValue) > 180) { return; }
      if (!marker) {
        marker = L.marker([latValue, lonValue], { keyboard: false, title: title,
          icon: L.divIcon({ className: "geo-marker geo-marker-pick", html: "", iconSize: [18, 18], iconAnchor: [9, 9] }) });
        marker.addTo(map);
      } else {
        marker.setLatLng([latValue, lonValue]);
      }
      if (pan) { map.setView([latValue, lonValue], Math.max(map.getZoom() || 0, 14)); }
    }

    map.on("click", function (event) {
      var latText = event.latlng.lat.toFixed(6), lonText = event.latlng.lng.toFixed(6);
      lat.value = latText;
      lon.value = lonText;
      [lat, lon].forEach(function (field) { field.dispatchEvent(new Event("change", { bubbles: true })); });
      show(event.latlng.lat, event.latlng.lng, false);
      var status = container.querySelector("[data-geo-status]");
      if (status) { status.textContent = (container.getAttribute("data-label-set") || "") + " " + latText + ", " + lonText; }
    });
    [lat, lon].forEach(function (field) {
      field.addEventListener("input", function () { show(number(lat.value), number(lon.value), true); });
    });

    var start = [number(lat.value), number(lon.value)];
    if (start[0] !== null && start[1] !== null) {
      map.setView(start, 15);
      show(start[0], start[1], false);
    } else {
      map.setView(DEFAULT_VIEW.center, DEFAULT_VIEW.zoom);
    }
    var url = localPath(container.getAttribute("data-outlines"));
    if (url) {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { areas: [] }; })
        .then(function (data) {
          outlineLayer(data.areas).eachLayer(function (layer) { outlines.addLayer(layer); });
          if (!marker && outlines.getLayers().length) { map.fitBounds(outlines.getBounds().pad(0.03), { animate: false }); }
          container.setAttribute("data-ready", "true");
        })
        .catch(function () { container.setAttribute("data-ready", "true"); });
    } else {
      container.setAttribute("data-ready", "true");
    }
    window.bildungsnetzGeoMaps.push({ map: map, markers: marker ? 1 : 0, outlines: 0 });
  }

  function start() {
    document.querySelectorAll("[data-geo-map]").forEach(drawPlaces);
    document.querySelectorAll("[data-geo-pick]").forEach(drawPicker);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
