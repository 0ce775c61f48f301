// The re-index page: follows the progress in place (without JavaScript the page refreshes itself), and shows
// the summary by reloading once the run has ended.
(function () {
  "use strict";
  const run = document.getElementById("run");
  if (!run || run.dataset.running !== "true") return;
  const bar = document.getElementById("run-bar");
  const current = document.getElementById("run-current");
  async function poll() {
    try {
      const answer = await fetch("/admin/run/progress", { headers: { Accept: "application/json" } });
      const status = await answer.json();
      if (!status.running) { window.location.replace("/admin/run"); return; }
      if (bar) { bar.max = status.total || 1; bar.value = status.done; }
      if (current) current.textContent = status.current;
    } catch (error) { /* the meta refresh takes over */ }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 1000);
})();
