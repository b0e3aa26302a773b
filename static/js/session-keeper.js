// Nothing typed is lost: warn before an idle session ends, with "Stay signed in", and put
// back a form's fields kept over a sign-in. The fields come from the server (sealed there
// while the person signed in again); nothing is written to browser storage.
const dialog = document.getElementById("idle-warning");

function show(ended) {
  for (const element of dialog.querySelectorAll("[data-while-open]")) {
    element.hidden = ended;
  }
  for (const element of dialog.querySelectorAll("[data-when-ended]")) {
    element.hidden = !ended;
  }
  if (!dialog.open) {
    dialog.showModal();
  }
  const describedBy = ended ? dialog.querySelector("p[data-when-ended]") : null;
  if (describedBy) {
    describedBy.id = "idle-warning-ended";
    dialog.setAttribute("aria-describedby", describedBy.id);
  }
  dialog.querySelector(ended ? "[data-close]" : "button[type=submit]").focus();
}

let timers = [];

function schedule(secondsLeft) {
  for (const timer of timers) {
    clearTimeout(timer);
  }
  const warnSeconds = Number(dialog.dataset.warnSeconds);
  timers = [
    setTimeout(() => show(false), Math.max(secondsLeft - warnSeconds, 0) * 1000),
    setTimeout(() => show(true), secondsLeft * 1000),
  ];
}

async function stay(event) {
  event.preventDefault();
  const form = event.target;
  const response = await fetch(form.action, {
    method: "POST", body: new FormData(form), credentials: "same-origin",
    redirect: "manual", headers: { Accept: "application/json" },
  });
  if (response.status === 204) {
    dialog.close();
    schedule(Number(dialog.dataset.limitSeconds));
  } else {
    show(true);
  }
}

if (dialog) {
  dialog.querySelector("form").addEventListener("submit", stay);
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  schedule(Number(dialog.dataset.secondsLeft));
  // A page that keeps the session in use by itself (the online room) says so: the clock
  // starts again, and a warning still open goes away.
  document.addEventListener("circlekeep:active", () => {
    const ended = dialog.open && !dialog.querySelector("[data-when-ended]").hidden;
    if (ended) return;
    if (dialog.open) dialog.close();
    schedule(Number(dialog.dataset.limitSeconds));
  });
}

function restore(fields) {
  const main = document.querySelector("main") || document;
  for (const [name, values] of Object.entries(fields)) {
    for (const element of main.querySelectorAll("[name]")) {
      if (element.name !== name || element.type === "hidden" || element.type === "file") {
        continue;
      }
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = values.includes(element.value);
      } else if (element.tagName === "SELECT") {
        for (const option of element.options) {
          option.selected = values.includes(option.value);
        }
      } else {
        element.value = values[0] ?? "";
      }
    }
  }
}

const kept = document.getElementById("restored-form");
if (kept) {
  restore(JSON.parse(kept.textContent));
}
