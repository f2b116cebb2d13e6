/* TrackMyCrime's few lines of JavaScript: every page works without them. */
(function () {
  "use strict";

  // A refused form answers 400 (or 422) with the form and its error summary: swap it in, as the
  // page without JavaScript shows it. htmx 2.0's default leaves every 4xx unswapped; 204 and the
  // other 4xx and 5xx answers keep that default (no swap, an error event).
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "400|422", swap: true },
      { code: "[45]..", swap: false, error: true }
    ];
  }

  // Quick exit, after GOV.UK's "Exit this page": the session ends on the server (a keepalive
  // request that outlives the page), the current history entry is replaced, and no tab is opened.
  function leaveThisSite(event) {
    if (event) { event.preventDefault(); }
    var link = document.querySelector("[data-quick-exit]");
    document.documentElement.classList.add("is-leaving");
    try {
      fetch(link.getAttribute("href"), { method: "POST", keepalive: true, credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } });
    } catch (ignored) { /* the plain link below still signs out */ }
    window.location.replace(link.getAttribute("data-exit-url") || link.href);
  }

  // Three presses of Shift within 5 seconds; Shift used for a capital letter does not count.
  function enhanceQuickExit() {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) { return; }
    link.addEventListener("click", leaveThisSite);
    var hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.setAttribute("data-quick-exit-hint", "");
    hint.textContent = " " + link.getAttribute("data-shortcut-hint");
    link.appendChild(hint);
    var presses = 0, usedWithOtherKey = false, timer = null;
    document.addEventListener("keydown", function (event) {
      if (event.key === "Shift") { if (!event.repeat) { usedWithOtherKey = false; } return; }
      usedWithOtherKey = true;
      presses = 0;
    });
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift" || usedWithOtherKey) { return; }
      presses += 1;
      clearTimeout(timer);
      timer = setTimeout(function () { presses = 0; }, 5000);
      if (presses >= 3) { presses = 0; leaveThisSite(); }
    });
  }

  // Links styled as buttons answer Space as buttons do (Enter already works).
  function enhanceRoleButtons() {
    document.addEventListener("keydown", function (event) {
      var control = event.target;
      if (event.key !== " " || !control.matches || !control.matches("[role=button]:not(button)")) { return; }
      event.preventDefault();
      control.click();
    });
  }

  function focusErrorSummary(root) {
    // Each summary takes focus once: one left from an earlier swap elsewhere on the page does not.
    var summary = (root || document).querySelector("[data-error-summary]:not([data-shown])");
    if (summary) { summary.setAttribute("data-shown", ""); summary.focus(); }
    return Boolean(summary);
  }

  // After a person's own htmx action, focus moves to what changed (the server marks it with
  // data-focus-after-swap, usually a heading), never left on <body>. The outcome is said once, by
  // the page's one live region (#announcer), which the server fills out of band.
  function focusChangedContent() {
    if (focusErrorSummary(document)) { return; }
    var marked = document.querySelector("[data-focus-after-swap]");
    if (!marked) { return; }
    marked.removeAttribute("data-focus-after-swap");
    // A form swapped in whole: its first field, ready to type in.
    if (marked.tagName === "FORM") { marked = marked.querySelector("textarea, select, input:not([type=hidden])") || marked; }
    if (!marked.hasAttribute("tabindex")) { marked.setAttribute("tabindex", "-1"); }
    marked.focus();
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
      var group = button.closest("[data-password-input]");
      var status = group && group.querySelector("[data-password-status]");
      function setShown(show) {
        input.type = show ? "text" : "password";
        button.firstChild.textContent = show ? (button.dataset.hideText || "Hide") : (button.dataset.showText || "Show");
        if (status) { status.textContent = show ? status.dataset.shownText : status.dataset.hiddenText; }
      }
      button.addEventListener("click", function () { setShown(input.type === "password"); });
      // Hidden again before sending, so that browsers offer to save it as a password.
      if (input.form) { input.form.addEventListener("submit", function () { if (input.type !== "password") { setShown(false); } }); }
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
      var words = JSON.parse(count.getAttribute("data-words") || "{}");
      function update() {
        var left = limit - field.value.length;
        count.textContent = left >= 0 ? counted(words.remaining, left) : counted(words.too_many, -left);
        count.classList.toggle("error-message", left < 0);
      }
      field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
    });
  }

  function enhance(root) {
    enhancePasswordToggles(root);
    enhanceCharacterCounts(root);
  }

  // Requests made by an element marked data-background (polling) are not the person's doing.
  function isBackground(event) {
    var source = event.detail && event.detail.elt;
    return Boolean(source && source.closest && source.closest("[data-background]"));
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (ignored) { return ""; }
  }

  function postQuietly(url) {
    return fetch(url, { method: "POST", credentials: "same-origin", redirect: "manual", headers: { "X-CSRF-Token": csrfToken() } });
  }

  // `forms` holds the page language's words for each plural category ("one", "few", "many"...),
  // translated on the server; the browser only says which category a number falls in.
  function counted(forms, number) {
    forms = forms || {};
    var category = window.Intl && Intl.PluralRules
      ? new Intl.PluralRules(document.documentElement.lang || "en").select(number) : "other";
    var form = forms[category] || forms.other || forms.many || "";
    return form.replace("%(num)s", number.toLocaleString(document.documentElement.lang || "en"));
  }

  function inWords(milliseconds, words) {
    var seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var parts = [];
    if (minutes) { parts.push(counted(words.minutes, minutes)); }
    if (rest || !minutes) { parts.push(counted(words.seconds, rest)); }
    return parts.join(" ");
  }

  // The idle-timeout warning: a modal dialog (focus moves into it and it is announced) shortly
  // before the server would end an idle session, with a way to stay signed in. Without
  // JavaScript the server simply ends the session and the sign-in page says why.
  function enhanceIdleWarning() {
    var dialog = document.querySelector("[data-idle-warning]");
    var minutes = parseFloat(document.body.getAttribute("data-idle-minutes"));
    if (!dialog || !minutes || typeof dialog.showModal !== "function") { return; }
    var WARN_BEFORE = 2 * 60 * 1000;
    // The server notes activity at most once a minute, so its clock may have started up to a minute earlier.
    var idle = Math.max(minutes * 60 * 1000 - 60 * 1000, 60 * 1000);
    var warnAfter = Math.max(idle - WARN_BEFORE, idle / 2);
    var countdown = dialog.querySelector("[data-idle-countdown]");
    var warnTimer = null, endTimer = null, tickTimer = null, deadline = 0;

    var words = countdown ? JSON.parse(countdown.getAttribute("data-words") || "{}") : {};
    function tick() { if (countdown) { countdown.textContent = "(" + inWords(deadline - Date.now(), words) + ")"; } }
    function warn() {
      tick();
      tickTimer = setInterval(tick, 1000);
      if (!dialog.open) { dialog.showModal(); }
    }
    function restart() {
      clearTimeout(warnTimer); clearTimeout(endTimer); clearInterval(tickTimer);
      deadline = Date.now() + idle;
      warnTimer = setTimeout(warn, warnAfter);
      endTimer = setTimeout(signOut, idle);
    }
    function signOut() {
      clearInterval(tickTimer);
      // Background polling stops first, so that its own "signed out" redirect cannot race ours.
      document.querySelectorAll("[data-background]").forEach(function (element) { element.remove(); });
      var leave = function () { window.location.assign(dialog.getAttribute("data-signed-out-url")); };
      postQuietly(dialog.getAttribute("data-sign-out-url")).then(leave, leave);
    }
    function stay() {
      postQuietly(dialog.getAttribute("data-keep-alive-url")).then(function (response) {
        if (response.status === 204) {
          if (dialog.open) { dialog.close(); }
          restart();
        } else {
          window.location.assign(dialog.getAttribute("data-signed-out-url"));
        }
      }, function () { /* offline for a moment: the dialog stays, so they can try again */ });
    }
    dialog.querySelector("[data-idle-stay-form]").addEventListener("submit", function (event) {
      event.preventDefault();
      stay();
    });
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      stay();
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      if (!isBackground(event)) { restart(); }
    });
    restart();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.classList.add("js-enabled");
    enhanceQuickExit();
    enhanceRoleButtons();
    enhanceErrorSummaryLinks();
    enhance(document);
    focusErrorSummary(document);
    enhanceIdleWarning();
  });

  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    enhance(event.target);
  });

  // Background polling never moves focus.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!isBackground(event)) { focusChangedContent(); }
  });

  window.TrackMyCrime = { enhance: enhance, leaveThisSite: leaveThisSite };
})();
