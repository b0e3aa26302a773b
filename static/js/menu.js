// The header's menu button: on narrow screens the navigation folds behind it. Without this
// script the navigation simply stays open, so every page remains reachable.
const header = document.getElementById("site-header");
const button = header && header.querySelector(".menu-button");
const menu = button && document.getElementById(button.getAttribute("aria-controls"));

function setOpen(open) {
  header.classList.toggle("menu-open", open);
  button.setAttribute("aria-expanded", String(open));
}

if (menu) {
  header.classList.add("js-menu");
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
}
