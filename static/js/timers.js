/* Immersion timers on the Today page (field rule 4: 20 min for a first-timer, 30 min for
 * anyone).
 *
 * Each timer holds the start of the use (data-started-at); the board holds the server's
 * clock when it was drawn (data-server-now, refreshed by every poll), so that a desk
 * computer whose clock is wrong still counts right. Past the cap (data-cap-minutes) a timer
 * shows its "overdue" badge and says so once in the page's #desk-announce region (the
 * region stays; the rows around it are refreshed). Timers stop while live updates are paused
 * (static/js/live.js). Without JavaScript the page shows the minutes at render time.
 */
(function () {
  "use strict";

  var TICK_MS = 1000;
  var board = document.getElementById("board");
  var region = document.getElementById("desk-announce");
  var said = new Set(); // uses whose overdue news was announced on this page
  var offset = 0; // server clock minus this computer's clock, in ms

  function readClock() {
    var serverNow = Date.parse(board ? board.getAttribute("data-server-now") : "");
    if (!isNaN(serverNow)) {
      offset = serverNow - Date.now();
    }
  }

  function paused() {
    return document.documentElement.hasAttribute("data-live-paused");
  }

  function update(timer) {
    var worn = Date.now() + offset - Date.parse(timer.getAttribute("data-started-at"));
    if (isNaN(worn)) {
      return;
    }
    var elapsed = timer.querySelector(".elapsed");
    var minutes = Math.max(0, Math.floor(worn / 60000));
    var text = timer.getAttribute("data-msg-elapsed").replace("{n}", String(minutes));
    if (elapsed && elapsed.textContent !== text) {
      elapsed.textContent = text;
    }
    if (worn <= Number(timer.getAttribute("data-cap-minutes")) * 60000) {
      return;
    }
    var badge = timer.querySelector("[data-overdue-badge]");
    if (badge) {
      badge.hidden = false;
    }
    var line = timer.closest("li");
    if (line && line.classList.contains("hs")) {
      line.classList.add("overdue");
    }
    var use = timer.getAttribute("data-use");
    if (region && line && line.classList.contains("hs") && !said.has(use)) {
      said.add(use);
      region.textContent = timer.getAttribute("data-msg-overdue");
    }
  }

  function tick() {
    if (!paused()) {
      document.querySelectorAll(".timer[data-started-at]").forEach(update);
    }
  }

  readClock();
  document.addEventListener("live:updated", readClock);
  tick();
  window.setInterval(tick, TICK_MS);
})();
