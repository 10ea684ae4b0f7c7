/* A "print" button for printable pages (shown only when JavaScript can print). */
(function () {
  "use strict";
  var button = document.getElementById("print-slip");
  if (button && window.print) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
})();
