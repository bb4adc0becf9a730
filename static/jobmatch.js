// A link to a collapsed section ("Filter the results") opens it.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#"]');
  const target = link && document.getElementById(link.getAttribute("href").slice(1));
  if (target && target.tagName === "DETAILS") target.open = true;
});

// Polls the resume's status and loads the results when processing is done, without a reload.
(function () {
  "use strict";
  const box = document.getElementById("progress");
  if (!box) return;
  const line = document.getElementById("status-line");
  const results = document.getElementById("results");
  let delay = 700;

  function loadResults() {
    return fetch(box.dataset.resultsUrl, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => { results.innerHTML = html; });
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then((s) => {
        line.className = "status status-" + s.status;
        if (s.status === "done") {
          line.textContent = "Done.";
          return loadResults();
        }
        if (s.status === "failed") {
          line.textContent = "We could not process this resume: " + s.failure_reason;
          return;
        }
        line.innerHTML = '<span class="spinner" aria-hidden="true"></span> ';
        line.append(s.status_display + "… reading your resume and ranking postings.");
        delay = Math.min(delay * 1.3, 3000);
        setTimeout(poll, delay);
      })
      .catch(() => { delay = Math.min(delay * 2, 10000); setTimeout(poll, delay); });
  }

  if (box.dataset.status === "done") loadResults();
  else if (box.dataset.status !== "failed") poll();
})();
