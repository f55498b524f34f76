// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("recherche");
  if (!form) { return; }
  // Apply a filter as soon as it is chosen (the "Appliquer les filtres" button stays for keyboard users).
  // The new page comes back to the changed field (WCAG 3.2.2: no jump to the top): the field's id
  // travels as the URL fragment, and is focused again once the page is loaded.
  form.querySelectorAll("#filtres input[type=checkbox], #filtres select").forEach(function (field) {
    field.addEventListener("change", function () {
      var page = form.querySelector("input[name=page]");
      if (page) { page.remove(); }
      // A box is named by its name and value (its id depends on the facets' order, which changes).
      var mark = field.type === "checkbox" ? field.name + "=" + field.value : field.name;
      form.action = form.action.split("#")[0] + "#filtre:" + encodeURIComponent(mark);
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });
  if (location.hash.indexOf("#filtre:") === 0) {
    var mark = decodeURIComponent(location.hash.slice(8)).split("=");
    var name = mark.shift(), value = mark.join("=");
    var back = Array.prototype.filter.call(form.querySelectorAll("#filtres [name]"), function (candidate) {
      return candidate.name === name && (candidate.type !== "checkbox" || candidate.value === value);
    })[0];
    (back || document.getElementById("nombre-resultats") || form).focus();
  }
  // « Porteur d’aide »: the datalist's suggestions (the search's most frequent funders) follow
  // what is typed, from /api/v1/porteurs; without JavaScript the first ones stay.
  var funder = form.querySelector("input[data-porteurs]");
  var suggestions = funder && document.getElementById(funder.getAttribute("list"));
  if (funder && suggestions && window.fetch) {
    var timer = null, asked = null;
    funder.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = funder.value.trim();
        if (text === asked) { return; }
        asked = text;
        fetch(funder.getAttribute("data-porteurs") + "?limit=20&q=" + encodeURIComponent(text),
              {headers: {Accept: "application/json"}})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (found) {
            if (!found || text !== asked) { return; }
            while (suggestions.firstChild) { suggestions.removeChild(suggestions.firstChild); }
            found.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.value;
              option.textContent = item.label + " (" + item.count.toLocaleString("fr-FR") + " programme" +
                (item.count > 1 ? "s" : "") + ")";
              suggestions.appendChild(option);
            });
          })
          .catch(function () { /* the suggestions already there stay */ });
      }, 200);
    });
  }
  // Empty fields are left out of the URL, so that a shared search stays short.
  form.addEventListener("submit", function () {
    form.querySelectorAll("input, select").forEach(function (field) {
      if (!field.value) { field.disabled = true; }
    });
  });
})();
