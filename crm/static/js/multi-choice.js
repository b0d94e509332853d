/* Multi-choice fields (templates/macros/multi_choice.html): a group of checkboxes that works
 * without this script. The script adds two things:
 *  - a filter box above long lists: typing hides the entries that do not match (umlauts and case
 *    folded, every word must match); Enter ticks the only match; Escape empties the box;
 *  - the chosen values as buttons ("MINT ×"): pressing one takes the value out again.
 * Screen readers hear the number of matches and the chosen values through a polite status line.
 * Texts come from data-label-* attributes (translated on the server); no inline script (CSP). */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").toLowerCase().replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function enhance(group) {
    var boxes = Array.prototype.slice.call(group.querySelectorAll("input[type=checkbox]"));
    var filter = group.querySelector("[data-multi-choice-filter]");
    var chosenLine = group.querySelector("[data-multi-choice-chosen]");
    var summary = group.querySelector("[data-multi-choice-summary]");
    var empty = group.querySelector("[data-multi-choice-empty]");
    var status = group.querySelector("[data-multi-choice-status]");
    var labels = {
      chosen: group.getAttribute("data-label-chosen"),
      none: group.getAttribute("data-label-none"),
      remove: group.getAttribute("data-label-remove"),
      matches: group.getAttribute("data-label-matches")
    };
    var rows = boxes.map(function (box) {
      var label = group.querySelector("label[for='" + box.id + "']");
      var text = label ? label.textContent.trim() : box.value;
      return { box: box, row: box.closest(".form-check"), text: text, key: fold(text) };
    });

    function renderChosen() {
      var picked = rows.filter(function (r) { return r.box.checked; });
      summary.textContent = "";
      if (!picked.length) {
        summary.textContent = labels.none;
        return;
      }
      picked.forEach(function (r) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "btn btn-sm multi-choice-chip";
        chip.setAttribute("aria-label", format(labels.remove, { value: r.text }));
        chip.appendChild(document.createTextNode(r.text + " "));
        var cross = document.createElement("span");
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = "×";
        chip.appendChild(cross);
        chip.addEventListener("click", function () {
          var chips = Array.prototype.slice.call(summary.querySelectorAll("button"));
          var index = chips.indexOf(chip);
          r.box.checked = false;
          r.box.dispatchEvent(new Event("change", { bubbles: true }));
          var rest = summary.querySelectorAll("button");
          // Keyboard users stay in the chosen line (the next chip), or go back to the list.
          var next = rest[Math.min(index, rest.length - 1)] || filter || (boxes[0] || null);
          if (next && !next.hidden) { next.focus(); }
        });
        summary.appendChild(chip);
      });
    }

    function applyFilter() {
      var words = fold(filter.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r) {
        var match = words.every(function (w) { return r.key.indexOf(w) !== -1; });
        r.row.hidden = !match;
        if (match) { shown += 1; }
      });
      if (empty) { empty.hidden = shown > 0; }
      status.textContent = words.length ? format(labels.matches, { n: shown, total: rows.length }) : "";
      return shown;
    }

    if (filter) {
      filter.hidden = false;
      filter.addEventListener("input", applyFilter);
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();  // the filter box never submits the form
          var visible = rows.filter(function (r) { return !r.row.hidden; });
          if (visible.length === 1) {
            visible[0].box.checked = !visible[0].box.checked;
            visible[0].box.dispatchEvent(new Event("change", { bubbles: true }));
          }
        } else if (event.key === "Escape" && filter.value) {
          event.preventDefault();
          filter.value = "";
          applyFilter();
        }
      });
    }
    group.addEventListener("change", function (event) {
      if (event.target && event.target.type === "checkbox") { renderChosen(); }
    });
    chosenLine.classList.add("is-enhanced");
    renderChosen();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-multi-choice]"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
