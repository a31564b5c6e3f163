// Event admin: while invitations go out, refresh the counts per state every few seconds.
(function () {
  "use strict";
  function refresh(box) {
    var inner = box.querySelector("[data-busy]");
    if (!inner || inner.getAttribute("data-busy") !== "1") {
      return;
    }
    window.setTimeout(function () {
      fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null) {
            box.innerHTML = html;
          }
          refresh(box);
        })
        .catch(function () { refresh(box); });
    }, 3000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("invitation-progress");
    if (box) {
      refresh(box);
    }
  });
})();
