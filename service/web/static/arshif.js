// Small enhancements only: the page works the same without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
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
