/* Immersion timers on the Today page (field rule 4: 20 min for a first-timer, 30 min for
 * anyone).
 *
 * The server renders each timer with the minutes worn at render time (data-now, its own
 * clock) and the start (data-started-at). From then on this script adds the time elapsed in
 * the browser, so a desk computer whose clock is wrong still counts right. Past the cap
 * (data-cap-minutes) it shows the "overdue" badge and fills the status text. The board's
 * polling replaces timers with fresh ones; they are picked up on the next tick. Without
 * JavaScript the page shows the minutes at render time, refreshed by each reload.
 */
(function () {
  "use strict";

  var TICK_MS = 1000;
  var firstSeen = new WeakMap(); // timer element → Date.now() when this script first saw it

  function wornMs(timer) {
    if (!firstSeen.has(timer)) {
      firstSeen.set(timer, Date.now());
    }
    var atRender = Date.parse(timer.dataset.now) - Date.parse(timer.dataset.startedAt);
    return atRender + (Date.now() - firstSeen.get(timer));
  }

  function update(timer) {
    var worn = wornMs(timer);
    if (isNaN(worn)) {
      return;
    }
    var elapsed = timer.querySelector(".elapsed");
    if (elapsed) {
      var minutes = Math.max(0, Math.floor(worn / 60000));
      elapsed.textContent = timer.dataset.msgElapsed.replace("{n}", String(minutes));
    }
    if (worn <= Number(timer.dataset.capMinutes) * 60000) {
      return;
    }
    var badge = timer.querySelector("[data-overdue-badge]");
    var status = timer.querySelector("[data-overdue-status]");
    var line = timer.closest("li");
    if (badge) {
      badge.hidden = false;
    }
    if (status && !status.textContent.trim()) {
      status.textContent = timer.dataset.msgOverdue;
    }
    if (line && line.id.indexOf("headset-") === 0) {
      line.classList.add("overdue");
    }
  }

  function tick() {
    document.querySelectorAll(".timer[data-started-at]").forEach(update);
  }

  tick();
  window.setInterval(tick, TICK_MS);
})();
