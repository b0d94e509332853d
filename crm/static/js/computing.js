// The progress page of a computed result (DESIGN.md rule 8: pages never compute). It asks the
// job's status endpoint every few seconds and loads the result once the worker has stored it.
// A script rather than <meta http-equiv="refresh">: a page that reloads itself on a timer takes
// the reader's place and focus away (WCAG 2.2.1 / 3.2.5); here it reloads only when the result is
// there. Without JavaScript the page offers a link to load it again.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var seconds = parseInt(box.getAttribute("data-refresh"), 10) || 3;

  function later(factor) { window.setTimeout(check, seconds * 1000 * factor); }

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        // 404: the job was replaced by a newer one (the data changed); the page itself knows which.
        if (response.status === 404) { return { status: "done" }; }
        return response.json();
      })
      .then(function (job) {
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
        } else {
          later(1);
        }
      })
      .catch(function () { later(2); });
  }
  later(1);
}());
