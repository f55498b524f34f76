// The commune autocomplete: progressive enhancement of a plain text field (ARIA 1.2 combobox
// with a listbox popup). Without JavaScript the field still works: the server resolves a
// name, a postcode or an INSEE code, and offers a list when the name is ambiguous.
(function () {
  "use strict";

  var DELAY = 150;
  var MIN_LENGTH = 2;

  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (content) { element.textContent = content; }
    return element;
  }

  function formatNumber(value) {
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  }

  function describe(commune) {
    var parts = [commune.departement_nom + " (" + commune.departement + ")"];
    if (commune.codes_postaux.length) {
      parts.push(commune.codes_postaux.length > 2 ? commune.codes_postaux[0] + "…" : commune.codes_postaux.join(", "));
    }
    if (commune.population !== null) { parts.push(formatNumber(commune.population) + " hab."); }
    if (commune.correspondance && /^code Insee /.test(commune.correspondance)) { parts.push(commune.correspondance); }
    else if (commune.correspondance && !/^\d{5}$/.test(commune.correspondance)) { parts.push("ancienne commune : " + commune.correspondance); }
    return parts.join(" · ");
  }

  function Combobox(input) {
    this.input = input;
    this.url = input.getAttribute("data-autocomplete");
    this.page = input.getAttribute("data-page"); // the commune search page: a choice opens the commune's page
    this.form = input.form;
    this.results = [];
    this.active = -1;
    this.timer = null;
    this.request = null;
    this.selected = input.getAttribute("data-code") ? {code: input.getAttribute("data-code"), label: input.getAttribute("data-label")} : null;

    var id = input.id;
    this.list = text("ul", "guichet-combobox__list");
    this.list.id = id + "-suggestions";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Communes proposées");
    this.list.hidden = true;
    input.parentNode.appendChild(this.list);

    this.status = text("div", "fr-sr-only");
    this.status.id = id + "-statut";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    input.parentNode.appendChild(this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");
    var help = text("span", "fr-sr-only", "Suggestions après deux caractères : flèches haut et bas pour parcourir, Entrée pour choisir, Échap pour fermer.");
    help.id = id + "-consigne";
    input.parentNode.appendChild(help);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + help.id).trim());

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeydown.bind(this));
    input.addEventListener("blur", function () { window.setTimeout(this.close.bind(this), 150); }.bind(this));
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { this.choose(Number(option.getAttribute("data-index"))); }
    }.bind(this));
    if (this.form) { this.form.addEventListener("submit", this.onSubmit.bind(this)); }
  }

  Combobox.prototype.onInput = function () {
    this.selected = null;
    window.clearTimeout(this.timer);
    var value = this.input.value.trim();
    if (value.length < MIN_LENGTH) { this.close(); return; }
    this.timer = window.setTimeout(this.fetch.bind(this, value), DELAY);
  };

  Combobox.prototype.fetch = function (value) {
    if (this.request) { this.request.abort(); }
    var controller = window.AbortController ? new AbortController() : null;
    this.request = controller;
    var self = this;
    window.fetch(this.url + "?limit=8&q=" + encodeURIComponent(value), {headers: {"Accept": "application/json"},
                                                                        signal: controller ? controller.signal : undefined})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (results) {
        if (self.input.value.trim() !== value) { return; } // typed on since: a newer answer comes
        self.show(results);
      })
      .catch(function () { /* aborted or offline: the plain field still works */ });
  };

  Combobox.prototype.show = function (results) {
    this.results = results;
    this.active = -1;
    this.list.textContent = "";
    this.input.removeAttribute("aria-activedescendant");
    results.forEach(function (commune, index) {
      var option = text("li", "guichet-combobox__option");
      option.id = this.input.id + "-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-index", String(index));
      option.appendChild(text("span", "", commune.nom));
      option.appendChild(text("small", "", describe(commune)));
      this.list.appendChild(option);
    }, this);
    if (results.length) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.status.textContent = results.length === 1 ? "1 commune proposée." : results.length + " communes proposées.";
    } else {
      this.close();
      this.status.textContent = "Aucune commune ne correspond.";
    }
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Combobox.prototype.isOpen = function () { return !this.list.hidden; };

  Combobox.prototype.highlight = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    if (!options.length) { return; }
    index = (index + options.length) % options.length;
    options.forEach(function (option, position) { option.setAttribute("aria-selected", position === index ? "true" : "false"); });
    this.active = index;
    this.input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({block: "nearest"});
  };

  Combobox.prototype.onKeydown = function (event) {
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      if (!this.isOpen() && this.results.length) { this.show(this.results); }
      this.highlight(this.active + 1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      event.preventDefault();
      if (this.isOpen()) { this.highlight(this.active - 1); }
    } else if (event.key === "Enter") {
      if (this.isOpen() && this.active >= 0) {
        event.preventDefault();
        this.choose(this.active);
      }
    } else if (event.key === "Escape" || event.key === "Esc") {
      if (this.isOpen()) { event.preventDefault(); this.close(); }
      else if (this.input.value) { event.preventDefault(); this.input.value = ""; this.selected = null; }
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  Combobox.prototype.choose = function (index) {
    var commune = this.results[index];
    if (!commune) { return; }
    this.selected = {code: commune.code, label: commune.label};
    this.input.value = commune.label;
    this.close();
    this.status.textContent = commune.nom + " choisie.";
    if (this.page) {
      window.location.assign(this.page + encodeURIComponent(commune.code));
    } else if (this.form) {
      // Like the other filters of the search page, a chosen commune applies at once.
      var page = this.form.querySelector("input[name=page]");
      if (page) { page.remove(); }
      if (this.form.requestSubmit) { this.form.requestSubmit(); } else { this.onSubmit(); this.form.submit(); }
    }
  };

  Combobox.prototype.onSubmit = function () {
    // The URL carries the INSEE code, not the label: a shareable search, no server round trip.
    if (this.selected && this.input.value === this.selected.label) {
      this.input.value = this.selected.code;
      // A chosen commune is an INSEE code, not something typed (a postcode first): no marker.
      var typed = this.form && this.form.querySelector("input[name=commune_saisie]");
      if (typed) { typed.disabled = true; }
    }
  };

  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    if (input.getAttribute("data-autocomplete") && window.fetch) { new Combobox(input); }
  });
})();
