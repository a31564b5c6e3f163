// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to <main> when the skip link is used, so screen readers follow.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".skip-link");
    if (!link) return;
    var main = document.getElementById("main");
    if (main) main.focus();
  });

  // A form that failed: read the error summary first (focus moves to it),
  // and a link in it puts the cursor in the field with its label in view.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var group = field.closest(".mb-3, fieldset") || field;
      group.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
})();
