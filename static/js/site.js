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
})();
