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
      .then((html) => { results.innerHTML = html; results.classList.remove("expecting"); });
  }

  function showProfile() {
    // The page was drawn before the resume was read: bring in what was read (the profile card and its link).
    if (document.getElementById("profile")) return null;
    return fetch(window.location.href, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => {
        const page = new DOMParser().parseFromString(html, "text/html");
        const profile = page.getElementById("profile");
        const links = page.querySelector(".resume-links");
        if (profile) results.after(document.adoptNode(profile));
        const here = document.querySelector(".resume-links");
        if (links && here) here.replaceWith(document.adoptNode(links));
      });
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then((s) => {
        line.className = "status status-" + s.status;
        if (s.status === "done") {
          line.textContent = "Done.";
          return Promise.all([loadResults(), showProfile()]);
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

// Save, Applied and Dismiss on the results update the card in place; a card that leaves is replaced by
// the postings the server ranked in, added at the end, so the ones that stay keep their order.
(function () {
  "use strict";
  const results = document.getElementById("results");
  if (!results) return;
  const box = document.getElementById("progress");

  function note(text, ok) {
    const el = results.querySelector(".feedback-note");
    if (!el) return;
    el.hidden = false;
    el.textContent = text;
    el.classList.toggle("error", !ok);
  }

  function count() {
    const n = results.querySelectorAll("li.match").length;
    const el = results.querySelector(".match-count");
    if (el) el.textContent = String(n);
  }

  const removed = new Set();

  function refill(tries) {
    // The worker ranks the list again; fetch it until something new is in it, and add only what is new.
    fetch(box.dataset.resultsUrl, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => {
        const list = results.querySelector("ol.matches");
        if (!list) return;
        const shown = new Set([...list.querySelectorAll("li.match")].map((li) => li.dataset.posting));
        const fresh = [...new DOMParser().parseFromString(html, "text/html").querySelectorAll("li.match")];
        const room = Math.max(0, fresh.length - shown.size);  // back to as many as the server ranks
        const added = fresh
          .filter((li) => !shown.has(li.dataset.posting) && !removed.has(li.dataset.posting))
          .slice(0, room);
        added.forEach((li) => list.append(document.adoptNode(li)));
        count();
        if (!added.length && tries > 0) setTimeout(() => refill(tries - 1), 800);
      });
  }

  results.addEventListener("submit", (event) => {
    const form = event.target;
    // getAttribute: the buttons are named "action", which hides the form's own `action` property.
    const url = form.getAttribute("action") || "";
    if (!url.endsWith("/feedback/") || form.dataset.plain) return;
    event.preventDefault();
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((r) => r.json())
      .then((answer) => {
        note(answer.message, answer.ok);
        if (!answer.ok) return;
        const card = form.closest("li.match");
        if (answer.removed) {
          removed.add(card.dataset.posting);
          card.remove();
          count();
          refill(6);
        } else if (answer.action === "save" || answer.action === "unsave") {
          const button = event.submitter;
          const saved = answer.action === "save";
          button.value = saved ? "unsave" : "save";
          button.textContent = saved ? "Unsave" : "Save";
          const title = card.querySelector("h3");
          const tag = title.querySelector(".tag.saved");
          if (saved && !tag) title.insertAdjacentHTML("beforeend", ' <span class="tag saved">saved</span>');
          if (!saved && tag) tag.remove();
        }
      })
      .catch(() => { form.dataset.plain = "1"; form.requestSubmit(event.submitter); });  // the page way
  });
})();
