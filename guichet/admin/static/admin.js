/* Back office: warn before leaving a form with unsaved changes; keyboard shortcuts for review.
   Everything works without this file: it only adds a warning and shortcuts. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-warn-unsaved]");
    if (form) {
      var initial = new URLSearchParams(new FormData(form)).toString();
      var submitting = false;
      var dirty = function () {
        return new URLSearchParams(new FormData(form)).toString() !== initial;
      };
      form.addEventListener("submit", function (event) {
        /* The preview opens in another tab: this page stays, with its unsaved changes. */
        if (event.submitter && event.submitter.hasAttribute("data-preview")) { return; }
        submitting = true;
      });
      window.addEventListener("beforeunload", function (event) {
        if (!submitting && dirty()) {
          event.preventDefault();
          event.returnValue = "Des modifications ne sont pas enregistrées.";
          return event.returnValue;
        }
      });
    }
    /* Alt+Shift+S save, Alt+Shift+P publish, Alt+Shift+R reject, Alt+Shift+N next in the queue. */
    document.addEventListener("keydown", function (event) {
      if (!event.altKey || !event.shiftKey) { return; }
      var key = event.key.toLowerCase();
      var target = document.querySelector('[data-shortcut="' + key + '"]');
      if (!target) { return; }
      event.preventDefault();
      if (target.tagName === "SUMMARY") {
        target.parentElement.open = true;
        var reason = document.getElementById("reject_reason");
        if (reason) { reason.focus(); }
      } else if (target.tagName === "A") {
        window.location.assign(target.href);
      } else {
        target.click();
      }
    });
  });
}());
