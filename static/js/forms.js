// A form that posts is sent once: its buttons are disabled as it goes (after the browser has taken
// the clicked button's name and value), and enabled again after a few seconds in case the answer
// was a download that left the page in place. The server refuses a repeat anyway (core/once.py).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if ((form.method || "").toLowerCase() !== "post") { return; }
  var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
  window.setTimeout(function () {
    buttons.forEach(function (button) { button.disabled = true; });
  }, 0);
  window.setTimeout(function () {
    buttons.forEach(function (button) { button.disabled = false; });
  }, 8000);
});

// On a phone the list's filters start folded (the list first); without JavaScript they stay open.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(max-width: 640px)").matches) { return; }
  document.querySelectorAll("details.filter-panel").forEach(function (panel) { panel.open = false; });
});
