// Meeting notes are kept while they are typed: every little while, if something changed,
// the form's fields are sent to the server, which seals them with the vault; the notes
// page puts them back after a closed tab or a lost connection. Nothing is written to the
// browser's storage.
const EVERY_MS = 20_000;
const form = document.querySelector("form[data-autosave]");

if (form) {
  const status = form.querySelector("[data-autosave-status]");
  const kept = form.querySelector("[data-autosave-kept]");
  let changed = form.hasAttribute("data-unsaved");
  let sending = false;
  let submitted = false;

  form.addEventListener("input", () => { changed = true; });
  form.addEventListener("submit", () => { submitted = true; });

  async function keep() {
    if (!changed || sending || submitted) {
      return;
    }
    sending = true;
    changed = false;
    try {
      const response = await fetch(form.dataset.autosave, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        redirect: "manual",
      });
      if (response.status === 204) {
        status.textContent = kept.textContent;
      } else if (response.status === 413) {
        status.textContent = await response.text();  // too long to keep: save now
      } else {
        changed = true;  // try again next time (the session may have ended)
      }
    } catch {
      changed = true;
    } finally {
      sending = false;
    }
  }

  setInterval(keep, EVERY_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      keep();
    }
  });
}
