// Votes and priorities without a page reload, and a live character counter.
// Every form also works without this file (normal POST, redirect back).
(function () {
  "use strict";

  var live = document.getElementById("feedback-live");

  function announce(text) {
    if (!live) return;
    // Clear first so the same message is announced again.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-feedback-async]")) return;
    if (!window.fetch || !window.FormData) return;
    event.preventDefault();
    var submitter = event.submitter;
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var block = form.closest("[data-feedback-actions]");
    var focusKey = submitter ? submitter.name + "=" + submitter.value : null;
    if (form.dataset.busy === "1") return; // a double click sends one request
    form.dataset.busy = "1";
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(form),
        "X-Requested-With": "XMLHttpRequest",
        "Accept": "application/json"
      }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: form.getAttribute("data-error") || "Er ging iets mis. Probeer het opnieuw." };
      });
    }).then(function (result) {
      form.dataset.busy = "";
      if (block && result.html) {
        block.innerHTML = result.html;
        restoreFocus(block, focusKey);
      }
      var status = document.getElementById("priority-status");
      if (status && result.priority_status) status.textContent = result.priority_status;
      if (typeof result.priorities_left === "number") setPriorityButtons(result.priorities_left > 0);
      if (block) showError(block, result.ok ? "" : result.message);
      announce(result.message || "");
    }).catch(function () {
      form.dataset.busy = "";
      form.submit(); // network trouble: fall back to the normal post
    });
  });

  // With every priority used, the other "Priority" buttons are disabled and say why.
  function setPriorityButtons(available) {
    var buttons = document.querySelectorAll(".priority-btn[aria-pressed='false']");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = !available;
      var note = document.getElementById(buttons[i].getAttribute("aria-describedby"));
      if (note) note.hidden = available;
    }
  }

  function restoreFocus(block, key) {
    if (!key) return;
    var parts = key.split("=");
    var buttons = block.querySelectorAll("button[name='" + parts[0] + "']");
    var target = null;
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].value === parts[1]) target = buttons[i];
    }
    if (!target && parts[0] === "action") target = buttons[0];
    if (!target && parts[0] === "choice") target = block.querySelector("button[name=choice]");
    if (target) target.focus();
  }

  function showError(block, message) {
    var box = block.querySelector(".feedback-error");
    if (!message) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("p");
      box.className = "feedback-error alert alert-danger";
      block.appendChild(box);
    }
    box.textContent = message;
  }

  // Live counter under every textarea with data-counter="<limit>".
  function setupCounter(textarea) {
    var limit = parseInt(textarea.getAttribute("data-counter"), 10);
    if (!limit) return;
    var counter = document.createElement("p");
    counter.className = "char-counter form-text";
    counter.id = textarea.id + "_counter";
    counter.setAttribute("aria-live", "polite");
    counter.setAttribute("aria-atomic", "true");
    textarea.insertAdjacentElement("afterend", counter);
    var describedBy = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + counter.id);
    var template = document.documentElement.lang === "en" ? "{n} of {max} characters" : "{n} van {max} tekens";
    var lastAnnounced = null;
    function update() {
      var n = textarea.value.length;
      var text = template.replace("{n}", n).replace("{max}", limit);
      // Announce only near and over the limit, so typing is not read out letter by letter.
      var near = limit - n <= Math.max(20, Math.round(limit * 0.05));
      counter.setAttribute("aria-live", near ? "polite" : "off");
      if (text !== lastAnnounced) counter.textContent = text;
      lastAnnounced = text;
      counter.classList.toggle("char-counter--over", n > limit);
    }
    textarea.addEventListener("input", update);
    update();
  }

  var areas = document.querySelectorAll("textarea[data-counter]");
  for (var i = 0; i < areas.length; i++) setupCounter(areas[i]);
})();
