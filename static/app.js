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
})();
