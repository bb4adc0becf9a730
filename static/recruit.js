// Recruiter pages: reload the candidates when their ranking finishes; show an import's indexing progress.
(function () {
  "use strict";
  // Something typed into the page (a note on a candidate) is never thrown away by a reload.
  let dirty = false;
  document.addEventListener("input", () => { dirty = true; });
  function finished(line) {
    if (!dirty) { window.location.reload(); return; }
    if (line) line.textContent = "The new results are ready: reload the page to see them.";
  }
  function poll(url, done, update, line) {
    let delay = 800;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then((s) => { if (update) update(s); if (done(s)) { finished(line); return; } delay = Math.min(delay * 1.3, 4000); setTimeout(tick, delay); })
        .catch(() => { delay = Math.min(delay * 2, 10000); setTimeout(tick, delay); });
    }
    tick();
  }
  const candidates = document.getElementById("candidates-progress");
  if (candidates && candidates.dataset.pending === "1") {
    poll(candidates.dataset.statusUrl, (s) => !s.pending, null, document.getElementById("candidates-line"));
  }
  const imp = document.getElementById("import-progress");
  if (imp && imp.dataset.finished !== "1" && imp.dataset.committed === "1") {
    const bar = document.getElementById("import-bar");
    const line = document.getElementById("import-line");
    poll(imp.dataset.statusUrl, (s) => s.finished, (s) => {
      if (bar) { bar.max = s.total || 1; bar.value = s.indexed; }
      if (line) line.textContent = s.status_display + ": " + s.indexed + " of " + s.total + " postings indexed";
    }, line);
  }
})();
