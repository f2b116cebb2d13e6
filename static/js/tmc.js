/* TrackMyCrime's few lines of JavaScript: every page works without them. */
(function () {
  "use strict";

  var QUICK_EXIT_URL = "https://www.bbc.co.uk/weather";

  function leaveThisSite(event) {
    if (event) { event.preventDefault(); }
    document.body.style.display = "none";
    try { window.open(QUICK_EXIT_URL, "_blank", "noopener"); } catch (ignored) { /* popup blocked */ }
    window.location.replace(QUICK_EXIT_URL);
  }

  function enhanceQuickExit() {
    var links = document.querySelectorAll("[data-quick-exit]");
    if (!links.length) { return; }
    links.forEach(function (link) { link.addEventListener("click", leaveThisSite); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !document.querySelector("dialog[open]")) { leaveThisSite(event); }
    });
  }

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  function enhanceErrorSummaryLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".error-summary__list a");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var legendOrLabel = input.closest("fieldset") || document.querySelector("label[for='" + input.id + "']");
      if (legendOrLabel) { legendOrLabel.scrollIntoView(); }
      input.focus({ preventScroll: true });
    });
  }

  function enhancePasswordToggles(root) {
    (root || document).querySelectorAll("[data-password-toggle]").forEach(function (button) {
      if (button.dataset.enhanced) { return; }
      button.dataset.enhanced = "true";
      var input = document.getElementById(button.getAttribute("aria-controls"));
      button.type = "button";
      button.removeAttribute("name");
      button.addEventListener("click", function () {
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        button.firstChild.textContent = show ? (button.dataset.hideText || "Hide") : (button.dataset.showText || "Show");
      });
    });
  }

  function enhanceCharacterCounts(root) {
    (root || document).querySelectorAll("[data-character-count]").forEach(function (group) {
      var limit = parseInt(group.dataset.characterCount, 10);
      var field = group.querySelector("textarea");
      var count = group.querySelector(".character-count");
      if (!field || !count || group.dataset.enhanced) { return; }
      group.dataset.enhanced = "true";
      var timer = null;
      function update() {
        var left = limit - field.value.length;
        count.textContent = left >= 0
          ? "You have " + left + " character" + (left === 1 ? "" : "s") + " remaining"
          : "You have " + (-left) + " character" + (left === -1 ? "" : "s") + " too many";
        count.classList.toggle("error-message", left < 0);
      }
      field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
    });
  }

  function enhance(root) {
    enhancePasswordToggles(root);
    enhanceCharacterCounts(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.classList.add("js-enabled");
    enhanceQuickExit();
    enhanceErrorSummaryLinks();
    enhance(document);
    focusErrorSummary(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    enhance(event.target);
    focusErrorSummary(event.target);
  });

  window.TrackMyCrime = { enhance: enhance, leaveThisSite: leaveThisSite };
})();
