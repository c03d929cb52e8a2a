/**
 * On narrow screens, fold the main navigation behind its Menu button (`[data-nav-toggle]`).
 * Without this module the button stays hidden and the links simply wrap under the brand.
 */
const toggle = document.querySelector("[data-nav-toggle]");
const header = toggle?.closest(".site-header");
const nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));

if (header && nav) {
  /** @param {boolean} open */
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    header.classList.toggle("nav-open", open);
  };

  header.classList.add("nav-collapsible");
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!header.contains(/** @type {Node} */ (event.target))) {
      setOpen(false);
    }
  });
}
