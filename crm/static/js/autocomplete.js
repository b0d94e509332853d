/* Search-as-you-type picker (WAI-ARIA combobox with a listbox), no library.
 *
 * Markup (templates/actors/_macros.html, actor_picker):
 *   <div data-autocomplete>
 *     <input role="combobox" aria-controls="L" data-autocomplete-url="/akteure/suche.json"
 *            data-autocomplete-target="H" [data-autocomplete-exclude="7"] data-autocomplete-empty="…">
 *     <input type="hidden" id="H">              <- receives the chosen id
 *     <ul role="listbox" id="L" hidden></ul>
 *     <div role="status" data-autocomplete-status></div>
 *   </div>
 * The endpoint answers [{id, name, kind?, area?, email?, actors?}]. Typing clears the chosen id;
 * the server resolves a typed full name itself, so the form also works without this script.
 * Keys: ↓/↑ move, Enter chooses, Escape closes. Text is set with textContent only (never HTML).
 *
 * A form with a picker (or marked data-submit-once) is sent once: a double click on "Speichern"
 * would otherwise post it twice. Its submit buttons are disabled while it is on its way (the
 * server refuses a duplicate tie anyway); coming back with the browser's Back button enables them.
 */
(function () {
  "use strict";
  var DELAY = 150;

  function detail(item) {
    var parts = [];
    if (item.kind) { parts.push(item.kind); }
    if (item.area) { parts.push(item.area); }
    if (item.email) { parts.push(item.email); }
    if (item.actors && item.actors.length) { parts.push(item.actors.join(", ")); }
    if (item.is_active === false) { parts.push("inaktiv"); }
    return parts.join(" · ");
  }

  function setup(box) {
    var input = box.querySelector("input[role=combobox]");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-autocomplete-status]");
    if (!input || !list || !window.fetch) { return; }
    var hidden = document.getElementById(input.getAttribute("data-autocomplete-target"));
    var url = input.getAttribute("data-autocomplete-url");
    var exclude = input.getAttribute("data-autocomplete-exclude");
    var emptyText = input.getAttribute("data-autocomplete-empty") || "";
    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var chosenName = hidden && hidden.value ? input.value : null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
        options[i].classList.toggle("active", i === index);
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      input.value = item.name;
      chosenName = item.name;
      if (hidden) { hidden.value = String(item.id); }
      close();
      if (status) { status.textContent = item.name + " gewählt."; }
      input.dispatchEvent(new CustomEvent("autocomplete:chosen", { bubbles: true, detail: item }));
    }

    function render(data) {
      items = data;
      list.textContent = "";
      if (!data.length) {
        var none = document.createElement("li");
        none.className = "list-group-item text-body-secondary small";
        none.textContent = emptyText;
        list.appendChild(none);
      }
      data.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = list.id + "-option-" + index;
        option.className = "list-group-item list-group-item-action py-1";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-id", String(item.id));
        var name = document.createElement("div");
        name.textContent = item.name;
        option.appendChild(name);
        var more = detail(item);
        if (more) {
          var small = document.createElement("div");
          small.className = "small text-body-secondary";
          small.textContent = more;
          option.appendChild(small);
        }
        // mousedown (not click): it fires before the input's blur closes the list.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(index);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      if (status) { status.textContent = data.length ? data.length + " Vorschläge." : emptyText; }
    }

    function search() {
      var text = input.value.trim();
      if (text.length < 2) { close(); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var query = url + "?q=" + encodeURIComponent(text) + (exclude ? "&ohne=" + encodeURIComponent(exclude) : "");
      fetch(query, { credentials: "same-origin", headers: { "Accept": "application/json" },
                     signal: controller ? controller.signal : undefined })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() === text) { render(data); }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          close();
        });
    }

    input.addEventListener("input", function () {
      if (hidden && input.value !== chosenName) { hidden.value = ""; }
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { search(); return; }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        if (open) { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(active); }
        else if (open && items.length === 1) { event.preventDefault(); choose(0); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  function submitButtons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  function submitOnce(form) {
    if (form.hasAttribute("data-submit-guard")) { return; }
    form.setAttribute("data-submit-guard", "");
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-submitting")) { event.preventDefault(); return; }
      form.setAttribute("data-submitting", "");
      var buttons = submitButtons(form);
      // After this event: a disabled submitter would leave its own name/value out of the request.
      window.setTimeout(function () {
        if (event.defaultPrevented) { form.removeAttribute("data-submitting"); return; }  // sent by script
        for (var b = 0; b < buttons.length; b += 1) {
          buttons[b].disabled = true;
          buttons[b].setAttribute("aria-disabled", "true");
        }
      }, 0);
    });
  }

  window.addEventListener("pageshow", function () {
    var sent = document.querySelectorAll("form[data-submitting]");
    for (var f = 0; f < sent.length; f += 1) {
      sent[f].removeAttribute("data-submitting");
      var buttons = submitButtons(sent[f]);
      for (var b = 0; b < buttons.length; b += 1) {
        buttons[b].disabled = false;
        buttons[b].removeAttribute("aria-disabled");
      }
    }
  });

  var boxes = document.querySelectorAll("[data-autocomplete]");
  for (var i = 0; i < boxes.length; i += 1) {
    setup(boxes[i]);
    var form = boxes[i].closest ? boxes[i].closest("form") : null;
    if (form) { submitOnce(form); }
  }
  var marked = document.querySelectorAll("form[data-submit-once]");
  for (var m = 0; m < marked.length; m += 1) { submitOnce(marked[m]); }
}());
