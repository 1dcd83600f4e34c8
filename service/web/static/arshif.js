// Small enhancements only: the page works the same without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  // On a phone the filters come after every result; the button at the top opens them in place.
  const toggle = document.querySelector(".filters-toggle");
  const filters = document.getElementById("filters");
  if (toggle && filters) {
    document.documentElement.classList.add("filters-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      filters.classList.toggle("open", open);
      if (open) filters.querySelector("a, input, button")?.focus();
    });
  }
  const box = document.getElementById("q");
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && box && document.activeElement !== box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
