// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("recherche");
  if (!form) { return; }
  // Apply a filter as soon as it is chosen (the "Appliquer les filtres" button stays for keyboard users).
  form.querySelectorAll("#filtres input[type=checkbox], #filtres select").forEach(function (field) {
    field.addEventListener("change", function () {
      var page = form.querySelector("input[name=page]");
      if (page) { page.remove(); }
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });
  // Empty fields are left out of the URL, so that a shared search stays short.
  form.addEventListener("submit", function () {
    form.querySelectorAll("input, select").forEach(function (field) {
      if (!field.value) { field.disabled = true; }
    });
  });
})();
