/* Forms with data-confirm="…" ask once before they are sent (the text names what will happen,
 * e.g. "47 Einladungen jetzt versenden?"), and their button is disabled while the request runs,
 * so a double click sends one request. Without script the form is sent as it is; the server
 * side is idempotent either way. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (question || form.hasAttribute("data-once")) {
      form.dataset.sent = "1";
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], button:not([type])"), function (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("disabled");
      });
    }
  });
  // Back to this page from the browser's cache: the forms may be sent again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (form) {
      delete form.dataset.sent;
      Array.prototype.forEach.call(form.querySelectorAll(".disabled[aria-disabled]"), function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("disabled");
      });
    });
  });
}());
