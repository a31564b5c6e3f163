// Follows the progress of a briefing workbook without reloading the page.
// Without JavaScript the "Vernieuwen" (Refresh) link does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-briefing-job]");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") {
    return;
  }
  var bar = box.querySelector("progress");
  var status = box.querySelector(".briefing-job__status");
  var download = box.querySelector(".briefing-job__download");
  var refresh = box.querySelector(".briefing-job__refresh");
  function poll() {
    fetch(box.dataset.briefingJob, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.progress;
        bar.textContent = job.progress + "%";
        if (job.state === "done") {
          status.textContent = box.dataset.doneText || status.textContent;
          download.classList.remove("d-none");
          if (refresh) { refresh.classList.add("d-none"); }
          window.location.reload();
        } else if (job.state === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
