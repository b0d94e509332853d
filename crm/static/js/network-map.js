/*
 * Bildungsnetz network maps: draws a map spec (graph/maps.py) with the app's own copy of
 * vis-network. Every text from the data (actor names, kinds, areas, group labels) is
 * user input and treated as hostile: it only ever reaches the page through textContent
 * or the canvas, never innerHTML, and nodes carry no vis "title" (vis' tooltip is unused).
 * Links are only followed when they are paths on this server.
 *
 * Positions come from the server (physics off): large maps do not freeze the tab, and a
 * node keeps its place when the year changes, so the growth of the network is visible.
 *
 * Tests and the browser console reach the first map through window.bildungsnetzMap.
 */
(function () {
  "use strict";
  if (window.bildungsnetzMaps) { return; }  // the script may be included twice on a page
  window.bildungsnetzMaps = [];

  var OPTIONS = {
    autoResize: true,
    physics: false,
    layout: { improvedLayout: false, randomSeed: 42 },
    interaction: { hover: true, tooltipDelay: 3600000, hideEdgesOnDrag: true, hideEdgesOnZoom: true,
                   navigationButtons: false, keyboard: false, multiselect: false },
    nodes: { shape: "dot", borderWidth: 1,
             font: { size: 14, face: "system-ui, sans-serif", color: "#212529", strokeWidth: 3,
                     strokeColor: "#ffffff" } },
    edges: { smooth: false, selectionWidth: 1,
             color: { color: "#8a94a0", highlight: "#212529", hover: "#212529", opacity: 0.75 } }
  };

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
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
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
    var nodes = [], edges = [];
    var self = this;
    spec.nodes.forEach(function (n) {
      self.byId.set(n.id, n);
      var border = n.highlight ? "#212529" : "#ffffff";
      nodes.push({ id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, borderWidth: n.highlight ? 4 : 1,
                   color: { background: n.color, border: border,
                            highlight: { background: n.color, border: "#212529" },
                            hover: { background: n.color, border: "#212529" } } });
    });
    spec.edges.forEach(function (e, i) { edges.push({ id: i, from: e.from, to: e.to, width: e.width }); });
    this.hideCard();
    this.nodes.clear();
    this.edges.clear();
    this.nodes.add(nodes);
    this.edges.add(edges);
    if (fit) { this.network.fit({ animation: false }); }
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
    if (this.spec.cut && this.spec.cut.as_of) {
      text += " · " + format(m.as_of || "Stand {day}", { day: this.spec.cut.as_of.split("-").reverse().join(".") });
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
      swatch.style.backgroundColor = /^#[0-9a-fA-F]{6}$/.test(entry.color) ? entry.color : "#bbbbbb";
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
