// "Who has seen my information": remember the audit trail's latest signed head in this
// browser, and warn if the page later shows an older one, or a history that no longer
// contains the head remembered (a rollback or a rewrite of the trail).
const KEY = "circlekeep.audit.signedHead";

function remembered() {
  try {
    const head = JSON.parse(localStorage.getItem(KEY));
    return head && Number.isSafeInteger(head.sequence) && typeof head.hash === "string"
      ? head : null;
  } catch {
    return null;
  }
}

function warn(section) {
  section.querySelector("[data-rollback-warning]").hidden = false;
}

async function stillHolds(section, head) {
  const url = new URL(section.dataset.url, window.location.href);
  url.searchParams.set("at", String(head.sequence));
  const response = await fetch(url, { credentials: "same-origin",
                                      headers: { Accept: "application/json" } });
  if (!response.ok) {
    return null;  // cannot tell now; ask again next time
  }
  const answer = await response.json();
  return Boolean(answer.at) && answer.at.hash === head.hash;
}

async function check(section) {
  const shown = { sequence: Number(section.dataset.sequence), hash: section.dataset.hash };
  const before = remembered();
  if (before !== null) {
    if (before.sequence > shown.sequence
        || (before.sequence === shown.sequence && before.hash !== shown.hash)) {
      warn(section);
      return;  // keep the evidence: do not remember the older head
    }
    if (before.sequence < shown.sequence) {
      const holds = await stillHolds(section, before);
      if (holds === false) {
        warn(section);
        return;
      }
      if (holds === null) {
        return;
      }
    }
  }
  localStorage.setItem(KEY, JSON.stringify(shown));
}

const section = document.getElementById("signed-head");
if (section && section.dataset.sequence) {
  check(section);
}
