/* Back office: the description editor; warn before leaving a form with unsaved changes; keyboard shortcuts for review.
   Everything works without this file: it only adds a warning and shortcuts. */
(function () {
  "use strict";
  /* The description as rich text (npm quill, served from our origin): the textarea stays the
     field the form sends (the server sanitises it with nh3); without JavaScript it is typed. */
  function richText(area) {
    if (!window.Quill || area.dataset.richTextReady) { return; }
    area.dataset.richTextReady = "1";
    var holder = document.createElement("div");
    holder.className = "guichet-editor";
    area.insertAdjacentElement("afterend", holder);
    var quill = new window.Quill(holder, {
      theme: "snow",
      modules: {toolbar: [[{header: [3, 4, false]}], ["bold", "italic"], [{list: "ordered"}, {list: "bullet"}],
                          ["link"], ["clean"]]}
    });
    quill.clipboard.dangerouslyPasteHTML(area.value, "silent");
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    var label = document.querySelector('label[for="' + area.id + '"]');
    if (label) {
      label.id = label.id || area.id + "-libelle";
      quill.root.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { quill.focus(); });
    }
    var described = area.getAttribute("aria-describedby");
    if (described) { quill.root.setAttribute("aria-describedby", described); }
    area.hidden = true;
    area.style.display = "none";  /* .fr-input sets display: block over [hidden] */
    quill.on("text-change", function (_delta, _old, source) {
      /* Only what a person types: the first load leaves the field as the server sent it. */
      if (source !== "user") { return; }
      area.value = quill.getLength() > 1 ? quill.getSemanticHTML().replace(/&nbsp;/g, " ") : "";
      area.dispatchEvent(new Event("input", {bubbles: true}));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), richText);
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
