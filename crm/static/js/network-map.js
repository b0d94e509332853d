/*
 * Bildungsnetz network maps: draws a map spec (graph/maps.py: nodes, edges and options of a
 * pyvis Network) with the app's own copy of vis-network. Every text from the data (actor
 * names, kinds, areas, group labels, tie types) is user input and treated as hostile: it
 * only ever reaches the page through textContent or the canvas, never innerHTML. Only the
 * vis-network fields listed in NODE_FIELDS / EDGE_FIELDS are handed to vis, so a "title"
 * (which vis would render as HTML) can never reach it. Links are only followed when they
 * are paths on this server.
 *
 * Positions come from the server (physics off): large maps do not freeze the tab, and a
 * node keeps its place when the year changes, so the growth of the network is visible.
 * The picture is stretched to the canvas' proportions (at most STRETCH_MAX) and fitted.
 *
 * Tests and the browser console reach the first map through window.bildungsnetzMap.
 */
(function () {
  "use strict";
  if (window.bildungsnetzMaps) { return; }  // the script may be included twice on a page
  window.bildungsnetzMaps = [];

  /* Look of the maps; physics, stabilisation and tie smoothing come with the spec (pyvis' options). */
  var OPTIONS = {
    autoResize: true,
    physics: false,
    layout: { improvedLayout: false, randomSeed: 42 },
    interaction: { hover: true, tooltipDelay: 3600000, hideEdgesOnDrag: true, hideEdgesOnZoom: true,
                   navigationButtons: false, keyboard: false, multiselect: false },
    nodes: { shape: "dot", borderWidth: 1,
             font: { size: 12, face: "system-ui, sans-serif", color: "#212529", strokeWidth: 3,
                     strokeColor: "#ffffff" },
             /* labels drawn smaller than 7 px are skipped: the overview names only the large nodes */
             scaling: { label: { drawThreshold: 8, maxVisible: 18 } } },
    edges: { smooth: false, selectionWidth: 1,
             color: { color: "#8a94a0", highlight: "#212529", hover: "#212529", opacity: 0.75 } }
  };
  var NODE_FIELDS = ["id", "label", "shape", "color", "size", "x", "y", "borderWidth", "font"];
  var EDGE_FIELDS = ["from", "to", "width", "color", "dashes"];
  var STRETCH_MAX = 1.8;
  var HEX = /^#[0-9a-fA-F]{6}$/;

  function pick(record, fields) {
    var out = {};
    fields.forEach(function (key) { if (record[key] !== undefined) { out[key] = record[key]; } });
    return out;
  }

  /* Stretch server positions (a square picture) to the canvas' proportions, at most STRETCH_MAX. */
  function stretch(nodes, box) {
    if (nodes.length < 3 || !box.clientWidth || !box.clientHeight) { return; }
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    nodes.forEach(function (n) {
      minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x); minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y);
    });
    var width = maxX - minX, height = maxY - minY;
    if (!(width > 0) || !(height > 0)) { return; }
    var want = box.clientWidth / box.clientHeight, have = width / height;
    var fx = have < want ? Math.min(want / have, STRETCH_MAX) : 1;
    var fy = have > want ? Math.min(have / want, STRETCH_MAX) : 1;
    nodes.forEach(function (n) { n.x *= fx; n.y *= fy; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) {
    while (node && node.firstChild) { node.removeChild(node.firstChild); }
  }

  /* Only same-server paths: a "javascript:" or "//evil" address in the data is never followed. */
  function localPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\"
      ? url : null;
  }

  function readJson(root, selector) {
    var block = root.querySelector(selector);
    if (!block) { return null; }
    try { return JSON.parse(block.textContent); } catch (e) { return null; }
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function MapView(root) {
    this.root = root;
    this.box = root.querySelector("[data-map-canvas]");
    this.cardBox = root.querySelector("[data-map-card]");
    this.legendBox = root.querySelector("[data-map-legend]");
    this.statusBox = root.querySelector("[data-map-status]");
    this.yearsBox = root.querySelector("[data-map-years]");
    this.listBox = root.querySelector("[data-map-list]");
    this.messages = readJson(root, "script[data-map-messages]") || {};
    this.src = root.getAttribute("data-src");
    this.params = new URLSearchParams(root.getAttribute("data-query") || "");
    this.bookmark = root.getAttribute("data-bookmark") === "1";
    this.spec = null;
    this.byId = new Map();
    this.drawn = false;
    this.loads = 0;
    this.nodes = new vis.DataSet();
    this.edges = new vis.DataSet();
    this.network = new vis.Network(this.box, { nodes: this.nodes, edges: this.edges }, OPTIONS);
    var self = this;
    this.network.on("afterDrawing", function () {
      if (!self.drawn && self.spec) { self.drawn = true; self.root.setAttribute("data-ready", "1"); }
    });
    this.network.on("hoverNode", function (params) { self.showCard(params.node, params.pointer.DOM); });
    this.network.on("blurNode", function () { self.hideCard(); });
    this.network.on("hoverEdge", function (params) { self.showEdgeCard(params.edge, params.pointer.DOM); });
    this.network.on("blurEdge", function () { self.hideCard(); });
    this.network.on("dragStart", function () { self.hideCard(); });
    this.network.on("click", function (params) {
      if (params.nodes && params.nodes.length) { self.open(params.nodes[0]); }
    });
    root.querySelectorAll("[data-map-steps]").forEach(function (button) {
      button.addEventListener("click", function () {
        self.params.set("steps", button.getAttribute("data-map-steps"));
        root.querySelectorAll("[data-map-steps]").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b === button));
          b.classList.toggle("active", b === button);
        });
        self.fetch(true);
      });
    });
    var initial = readJson(root, "script[data-map-spec]");
    if (initial) { this.load(initial, true); } else if (this.src) { this.fetch(true); }
  }

  MapView.prototype.fetch = function (fit) {
    var self = this;
    var query = this.params.toString();
    this.setStatus(this.messages.loading || "…");
    this.root.setAttribute("aria-busy", "true");
    return window.fetch(this.src + (query ? "?" + query : ""), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, pending: response.status === 202, data: data };
      });
    }).then(function (result) {
      if (result.pending) {
        /* computed by the background worker for the first time: ask again shortly */
        self.setStatus(self.messages.computing || result.data.detail || "…");
        var seconds = Math.min(Math.max(Number(result.data.retry_after) || 3, 1), 30);
        window.clearTimeout(self.retry);
        self.retry = window.setTimeout(function () { self.fetch(fit); }, seconds * 1000);
        return;
      }
      self.root.removeAttribute("aria-busy");
      if (!result.ok) { self.setStatus(result.data.detail || self.messages.error || "Fehler"); return; }
      self.load(result.data, fit);
    }).catch(function () {
      self.root.removeAttribute("aria-busy");
      self.setStatus(self.messages.error || "Fehler");
    });
  };

  MapView.prototype.load = function (spec, fit) {
    this.spec = spec;
    this.loads += 1;
    this.byId = new Map();
    var self = this;
    var options = JSON.stringify(spec.options || null);
    if (spec.options && options !== this.options) {
      this.network.setOptions(spec.options);
      this.options = options;
    }
    var nodes = spec.nodes.map(function (n) {
      self.byId.set(n.id, n);
      var node = pick(n, NODE_FIELDS);
      var fill = HEX.test(n.color) ? n.color : "#bbbbbb";
      node.color = { background: fill, border: n.highlight ? "#212529" : "#ffffff",
                     highlight: { background: fill, border: "#212529" },
                     hover: { background: fill, border: "#212529" } };
      return node;
    });
    stretch(nodes, this.box);
    var edges = spec.edges.map(function (e, i) {
      var edge = pick(e, EDGE_FIELDS);
      edge.id = i;
      return edge;
    });
    this.hideCard();
    this.nodes.clear();
    this.edges.clear();
    this.nodes.add(nodes);
    this.edges.add(edges);
    if (fit) {
      var network = this.network;
      network.fit({ animation: false });
      /* once more after the first frame: the canvas may only now have its final size */
      network.once("afterDrawing", function () { network.fit({ animation: false }); });
    }
    this.renderLegend();
    this.renderStatus();
    this.renderYears();
    this.renderList();
    this.root.setAttribute("data-loads", String(this.loads));
    this.root.setAttribute("data-mode", spec.mode);
  };

  MapView.prototype.setStatus = function (text) {
    if (this.statusBox) { this.statusBox.textContent = text; }
  };

  MapView.prototype.renderStatus = function () {
    var c = this.spec.counts, m = this.messages;
    var text = this.spec.mode === "aggregate"
      ? format(m.aggregate || "{groups} Gruppen aus {actors} Akteuren", { groups: c.nodes, actors: c.actors })
      : format(m.actors || "{nodes} Akteure, {edges} Verbindungen", { nodes: c.nodes, edges: c.edges });
    function day(iso) { return String(iso).split("-").reverse().join("."); }
    if (this.spec.cut && this.spec.cut.as_of) {
      text += " · " + format(m.as_of || "Stand {day}", { day: day(this.spec.cut.as_of) });
    }
    if (this.spec.change) {
      text += " · " + format(m.change || "Veränderung {then} bis {now}",
                             { then: day(this.spec.change.then), now: day(this.spec.change.now) });
    }
    this.setStatus(text);
  };

  MapView.prototype.renderLegend = function () {
    var box = this.legendBox;
    if (!box) { return; }
    clear(box);
    var legend = this.spec.legend || { entries: [] };
    box.appendChild(el("h3", "h6 mb-2", legend.title));
    var list = el("ul", "list-unstyled mb-0 small map-legend-list");
    legend.entries.slice(0, 30).forEach(function (entry) {
      var item = el("li", "d-flex align-items-center gap-2");
      var swatch = el("span", "map-swatch");
      swatch.style.backgroundColor = HEX.test(entry.color) ? entry.color : "#bbbbbb";
      swatch.setAttribute("aria-hidden", "true");
      item.appendChild(swatch);
      item.appendChild(el("span", "", entry.label));
      item.appendChild(el("span", "text-body-secondary ms-auto", entry.count));
      list.appendChild(item);
    });
    box.appendChild(list);
    if (legend.entries.length > 30) {
      box.appendChild(el("p", "small text-body-secondary mb-0",
        format(this.messages.more || "und {n} weitere", { n: legend.entries.length - 30 })));
    }
    if (legend.ties && legend.ties.length) {
      box.appendChild(el("h3", "h6 mt-3 mb-2", legend.ties_title || this.messages.ties_title || "Verbindungen"));
      var ties = el("ul", "list-unstyled mb-0 small map-legend-list");
      ties.setAttribute("data-testid", "map-legend-ties");
      legend.ties.forEach(function (entry) {
        var item = el("li", "d-flex align-items-center gap-2");
        var pattern = entry.pattern || (entry.dashed ? "dashed" : "solid");
        var line = el("span", "map-tie-swatch" + (pattern === "dashed" ? " map-tie-dashed"
          : pattern === "dotted" ? " map-tie-dotted" : ""));
        line.style.borderTopColor = HEX.test(entry.color) ? entry.color : "#8a94a0";
        line.setAttribute("aria-hidden", "true");
        item.appendChild(line);
        item.appendChild(el("span", "", entry.label));
        item.appendChild(el("span", "text-body-secondary ms-auto", entry.count));
        ties.appendChild(item);
      });
      box.appendChild(ties);
    }
    var s = this.spec.settings || {};
    if (s.size_label) {
      box.appendChild(el("p", "small text-body-secondary mt-2 mb-0",
        format(this.messages.sizes || "Größe: {size} · Linien: {width}", { size: s.size_label, width: s.width_label })));
    }
  };

  MapView.prototype.renderYears = function () {
    var box = this.yearsBox, self = this;
    if (!box || !this.spec.years) { return; }
    if (box.getAttribute("data-built") === "1") { this.markYear(); return; }
    box.setAttribute("data-built", "1");
    clear(box);
    var all = el("button", "btn btn-sm btn-outline-secondary", this.messages.all_years || "Alle Jahre");
    all.type = "button";
    all.setAttribute("data-year", "");
    all.setAttribute("title", this.messages.all_years_label || "");
    box.appendChild(all);
    this.spec.years.forEach(function (year) {
      var b = el("button", "btn btn-sm btn-outline-secondary", year);
      b.type = "button";
      b.setAttribute("data-year", String(year));
      b.setAttribute("aria-label", format(self.messages.year_label || "Netzwerk am 31.12.{year}", { year: year }));
      box.appendChild(b);
    });
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-year]");
      if (!button) { return; }
      var year = button.getAttribute("data-year");
      self.params.delete("since");
      self.params.delete("until");
      if (year) { self.params.set("as_of", year + "-12-31"); } else { self.params.delete("as_of"); }
      if (self.bookmark && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "?" + self.params.toString());
        var input = document.getElementById("as_of");
        if (input) { input.value = year ? year + "-12-31" : ""; }
        ["since", "until"].forEach(function (name) {  // a year shows one day, not a change
          var field = document.getElementById(name);
          if (field) { field.value = ""; }
        });
      }
      self.fetch(false);
    });
    this.markYear();
  };

  MapView.prototype.markYear = function () {
    var asOf = this.params.get("as_of") || "";
    this.yearsBox.querySelectorAll("button[data-year]").forEach(function (b) {
      var year = b.getAttribute("data-year");
      var on = year ? asOf === year + "-12-31" : !asOf;
      b.setAttribute("aria-pressed", String(on));
      b.classList.toggle("active", on);
    });
  };

  /* A plain list of the biggest nodes as links: keyboard and screen-reader access to the map. */
  MapView.prototype.renderList = function () {
    var box = this.listBox, self = this;
    if (!box) { return; }
    clear(box);
    var nodes = this.spec.nodes.slice().sort(function (a, b) { return b.size - a.size; }).slice(0, 100);
    nodes.forEach(function (n) {
      var item = el("li");
      var url = localPath(n.url);
      if (url) {
        var link = el("a", "", n.card.name);
        link.href = url;
        item.appendChild(link);
      } else if (n.drill) {
        var drill = el("a", "", n.card.name);
        drill.href = self.drillUrl(n) || "#";
        item.appendChild(drill);
      } else {
        item.appendChild(el("span", "", n.card.name));
      }
      box.appendChild(item);
    });
  };

  MapView.prototype.showCard = function (id, pointer) {
    var node = this.byId.get(id);
    var box = this.cardBox;
    if (!node || !box) { return; }
    clear(box);
    box.appendChild(el("h3", "h6 mb-1", node.card.name));
    var list = el("dl", "mb-0 small");
    node.card.lines.forEach(function (line) {
      list.appendChild(el("dt", "", line[0]));
      list.appendChild(el("dd", "", line[1]));
    });
    box.appendChild(list);
    if (localPath(node.url) || node.drill) {
      box.appendChild(el("p", "small text-body-secondary mb-0 mt-1",
        node.drill ? (this.messages.drill || "Klicken: Gruppe öffnen") : (this.messages.open || "Klicken: Seite öffnen")));
    }
    this.placeCard(pointer);
  };

  /* A tie's card: the two actors, what the tie consists of, and how it changed. */
  MapView.prototype.showEdgeCard = function (index, pointer) {
    var edge = this.spec && this.spec.edges[index];
    var box = this.cardBox, m = this.messages, self = this;
    if (!edge || !box) { return; }
    var a = this.byId.get(edge.from), b = this.byId.get(edge.to);
    clear(box);
    box.appendChild(el("h3", "h6 mb-1", (a ? a.card.name : "") + " – " + (b ? b.card.name : "")));
    var list = el("dl", "mb-0 small");
    function line(label, value) {
      list.appendChild(el("dt", "", label));
      list.appendChild(el("dd", "", value));
    }
    if (this.spec.mode === "aggregate") {
      line(m.tie_count || "Verbindungen", edge.weight);
    } else {
      var names = (edge.types || []).map(function (i) { return (self.spec.tie_types || [])[i]; })
        .filter(function (name) { return typeof name === "string"; });
      if (edge.more_types) { names.push(format(m.more || "und {n} weitere", { n: edge.more_types })); }
      if (names.length) { line(m.tie_types || "Art", names.join(", ")); }
      line(m.tie_weight || "Gewicht", String(edge.weight).replace(".", ","));
      if (edge.change) {
        var entry = ((this.spec.legend || {}).ties || []).filter(function (t) { return t.key === edge.change; })[0];
        line(m.tie_change || "Veränderung", entry ? entry.label : edge.change);
      }
      if (edge.status) {
        var source = ((this.spec.legend || {}).ties || []).filter(function (t) { return t.key === edge.status; })[0];
        line(m.tie_source || "Quelle", source ? source.label : edge.status);
      }
    }
    box.appendChild(list);
    this.placeCard(pointer);
  };

  MapView.prototype.placeCard = function (pointer) {
    var box = this.cardBox;
    box.hidden = false;
    var width = this.box.clientWidth, height = this.box.clientHeight;
    var left = pointer.x + 14 + box.offsetWidth > width ? pointer.x - 14 - box.offsetWidth : pointer.x + 14;
    var top = Math.min(pointer.y + 14, height - box.offsetHeight - 4);
    box.style.left = Math.max(4, left) + "px";
    box.style.top = Math.max(4, top) + "px";
  };

  MapView.prototype.hideCard = function () {
    if (this.cardBox) { this.cardBox.hidden = true; }
  };

  MapView.prototype.drillUrl = function (node) {
    var drill = node.drill;
    if (!drill || !/^(community|areas)$/.test(drill.param)) { return null; }
    var params = new URLSearchParams(this.params.toString());
    params.delete("view");
    if (drill.param === "community") {
      params.delete("community");
    } else {
      params.delete("group_by");  // inside one area, group by community (or show the actors)
    }
    params.set(drill.param, drill.value);
    var base = this.root.getAttribute("data-page") || window.location.pathname;
    return localPath(base) ? base + "?" + params.toString() : null;
  };

  MapView.prototype.open = function (id) {
    var node = this.byId.get(id);
    if (!node) { return; }
    var url = node.drill ? this.drillUrl(node) : localPath(node.url);
    if (url) { window.location.assign(url); }
  };

  /* Page coordinates of a node's centre, for tests and for "show me" links. */
  MapView.prototype.pagePosition = function (id) {
    var pos = this.network.getPositions([id])[id];
    if (!pos) { return null; }
    var dom = this.network.canvasToDOM(pos);
    var rect = this.box.getBoundingClientRect();
    return { x: rect.left + dom.x, y: rect.top + dom.y };
  };

  /* Page coordinates of a point on the tie between two nodes that no node covers (tests hover it). */
  MapView.prototype.tiePagePosition = function (from, to) {
    var a = this.pagePosition(from), b = this.pagePosition(to);
    if (!a || !b) { return null; }
    var rect = this.box.getBoundingClientRect();
    var steps = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8];
    for (var i = 0; i < steps.length; i++) {
      var x = a.x + (b.x - a.x) * steps[i], y = a.y + (b.y - a.y) * steps[i];
      if (this.network.getNodeAt({ x: x - rect.left, y: y - rect.top }) === undefined) { return { x: x, y: y }; }
    }
    return null;
  };

  function api(view) {
    return {
      view: view,
      network: view.network,
      ready: function () { return view.drawn && !view.root.hasAttribute("aria-busy"); },
      nodeCount: function () { return view.nodes.length; },
      edgeCount: function () { return view.edges.length; },
      nodeIds: function () { return view.nodes.getIds(); },
      mode: function () { return view.spec ? view.spec.mode : null; },
      loads: function () { return view.loads; },
      pagePosition: function (id) { return view.pagePosition(id); },
      tiePagePosition: function (from, to) { return view.tiePagePosition(from, to); },
      /* vis-network's own edge records, as drawn (tests check colours and dashes) */
      drawnEdges: function () { return view.edges.get(); },
      scale: function () { return view.network.getScale(); },
      findByName: function (name) {
        var found = null;
        view.byId.forEach(function (n) { if (n.card.name === name) { found = n.id; } });
        return found;
      }
    };
  }

  function start() {
    if (typeof vis === "undefined") { return; }
    document.querySelectorAll("[data-network-map]").forEach(function (root) {
      var view = new MapView(root);
      window.bildungsnetzMaps.push(api(view));
    });
    window.bildungsnetzMap = window.bildungsnetzMaps[0];
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
