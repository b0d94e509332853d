/* Door list: filter the list rendered once (no request per keystroke), check in with one click.
 * Each row is a normal form (works without script); with script the click is a fetch POST that
 * carries the CSRF token in the X-CSRFToken header and gets JSON back, so the list stays put. */
(function () {
  "use strict";
  var list = document.getElementById("guest-list");
  var search = document.getElementById("guest-search");
  if (!list || !search) { return; }
  var counter = document.getElementById("present-count");
  var status = document.getElementById("checkin-status");
  var noMatch = document.getElementById("no-match");
  var guestCount = document.getElementById("guest-count");
  var walkIn = document.getElementById("walk-in-details");
  var walkInFromSearch = document.getElementById("walk-in-from-search");
  var rows = Array.prototype.slice.call(list.querySelectorAll("[data-guest]"));

  function normalise(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ß/g, "ss");
  }
  rows.forEach(function (row) { row.searchText = normalise(row.getAttribute("data-search")); });

  function filter() {
    var terms = normalise(search.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var match = terms.every(function (term) { return row.searchText.indexOf(term) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    noMatch.hidden = shown > 0;
    if (guestCount) {
      guestCount.textContent = guestCount.getAttribute("data-label")
        .replace("%(shown)s", String(shown)).replace("%(total)s", String(rows.length));
    }
  }
  search.addEventListener("input", filter);

  // Nobody found: the walk-in form opens above the list, with the typed name filled in.
  if (walkIn && walkInFromSearch) {
    walkInFromSearch.addEventListener("click", function () {
      var words = search.value.trim().split(/\s+/).filter(Boolean);
      var first = document.getElementById("first_name");
      var last = document.getElementById("last_name");
      if (last && words.length) { last.value = words[words.length - 1]; }
      if (first && words.length > 1) { first.value = words.slice(0, -1).join(" "); }
      walkIn.open = true;
      walkIn.scrollIntoView({ block: "start" });
      (first && !first.value ? first : last || first).focus();
    });
  }

  function render(row, present) {
    var form = row.querySelector(".guest-form");
    var button = row.querySelector(".guest-button");
    row.classList.toggle("is-present", present);
    row.querySelector(".guest-badge").hidden = !present;
    form.action = present ? row.getAttribute("data-undo-url") : row.getAttribute("data-checkin-url");
    // only the visible word changes; the hidden name after it keeps the button's name unique
    button.querySelector(".guest-button-label").textContent =
      present ? list.getAttribute("data-label-undo") : list.getAttribute("data-label-checkin");
    button.className = "btn guest-button " + (present ? "btn-outline-secondary" : "btn-success");
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    var row = form.closest("[data-guest]");
    if (!row || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    status.textContent = "";
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": list.getAttribute("data-csrf"), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; },
                                  function () { return { ok: false, data: {} }; });
    }).then(function (result) {
      if (!result.ok) {
        // Only the server's own (German) words are shown, never the browser's ("Failed to fetch").
        var failure = new Error("");
        failure.detail = (result.data && (result.data.message || result.data.detail)) || "";
        throw failure;
      }
      render(row, result.data.present);
      if (counter) { counter.textContent = result.data.count; }
      if (result.data.present && search.value) { search.value = ""; filter(); search.focus(); }
    }).catch(function (error) {
      var text = list.getAttribute("data-label-error");
      if (error && typeof error.detail === "string" && error.detail) { text += " " + error.detail; }
      status.textContent = text;
    }).then(function () { button.disabled = false; });
  });
}());
