// The print buttons of printable pages: a file, not an onclick attribute, because the
// Content-Security-Policy runs no inline event handler.
document.querySelectorAll("[data-daiban-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
