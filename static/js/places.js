/* The "places left" screen at a centre's entrance: refresh the board every
 * data-refresh-seconds through htmx, only while the page is visible (a hidden tab or a
 * screen turned off polls nothing), and at once when it becomes visible again. Without
 * JavaScript the page reloads itself (a <noscript> refresh).
 */
(function () {
  "use strict";

  var timer = null;

  function board() {
    return document.getElementById("board");
  }

  function refresh() {
    var element = board();
    if (element && window.htmx) {
      window.htmx.trigger(element, "places-refresh");
    }
  }

  function start() {
    var element = board();
    var seconds = element ? Number(element.dataset.refreshSeconds) || 20 : 20;
    if (timer === null) {
      timer = window.setInterval(refresh, seconds * 1000);
    }
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      refresh();
      start();
    } else {
      stop();
    }
  });
  if (document.visibilityState === "visible") {
    start();
  }
})();
