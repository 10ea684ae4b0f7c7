// A printable page's "Print" button (plan, slip): shown only when this script runs (CSP: no inline JS).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
