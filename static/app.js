// Behaviour the pages need beyond htmx. The Content-Security-Policy forbids inline script and
// inline event handlers (hx-on), so it lives here, attached with event listeners.
(function () {
  "use strict";

  // After an htmx search, a form with data-announce="STATUS_ID" data-announce-from="HEADING_ID"
  // copies the text of the new results heading into its status region, so that screen readers
  // hear how many results there are now.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!form || !form.dataset || !form.dataset.announce || !event.detail.successful) {
      return;
    }
    var status = document.getElementById(form.dataset.announce);
    var heading = document.getElementById(form.dataset.announceFrom);
    if (status) {
      status.textContent = heading ? heading.textContent : "";
    }
  });

  // A table wider than its box scrolls inside it: say so above it, for those who do not see the
  // shadows at its edges. The box itself is focusable, so the arrow keys scroll it.
  function markScrollingTables() {
    var boxes = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var hint = box.previousElementSibling;
      var has = hint && hint.classList.contains("table-hint");
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !has) {
        hint = document.createElement("p");
        hint.className = "table-hint";
        hint.id = "table-hint-" + i;
        hint.textContent = document.body.dataset.tableHint || "";
        box.parentNode.insertBefore(hint, box);
        box.setAttribute("aria-describedby", hint.id);
      } else if (!scrolls && has) {
        box.removeAttribute("aria-describedby");
        hint.remove();
      }
    }
  }
  document.addEventListener("DOMContentLoaded", markScrollingTables);
  window.addEventListener("resize", markScrollingTables);
  document.addEventListener("htmx:afterSettle", markScrollingTables);
})();
