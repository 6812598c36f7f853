/*
 * "Print" buttons: progressive enhancement. A button marked `data-anef-print` is rendered
 * hidden (it can do nothing without JavaScript: the browser's own Print menu still works);
 * this script shows it and prints on click. A static file, not an onclick attribute, so that the
 * Content-Security-Policy forbids every inline script.
 */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-anef-print]");
  for (var i = 0; i < buttons.length; i += 1) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
