/* The Today page's check-in by camera.
 *
 * The camera starts only when the facilitator presses the button; static/js/qr_camera.js
 * opens it and reads QR codes (BarcodeDetector, else the vendored jsQR). A ticket's QR code
 * holds its URL, {base_url}/b/{token}: the token goes into the check-in form, which htmx
 * posts (or the browser, without htmx); the answer comes back in the board
 * (static/js/live.js), which clears or keeps the typed code. Without JavaScript the
 * typed-code form works on its own.
 */
(function () {
  "use strict";

  var TICKET_RE = /\/b\/([A-Za-z0-9_-]+)/;
  var SCAN_EVERY_MS = 250;
  var SAME_TICKET_PAUSE_MS = 4000; // a ticket held in front of the camera is sent once

  var scanner = document.getElementById("scanner");
  if (!scanner || !document.getElementById("checkin-form")) {
    return;
  }
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var statusLine = document.getElementById("camera-status");
  var video = document.getElementById("camera-video");

  var camera = null; // window.vrQrCamera's reader while the camera runs
  var timer = null;
  var lastToken = "";
  var lastAt = 0;

  function say(key) {
    statusLine.textContent = scanner.dataset[key] || "";
  }

  function ticketToken(text) {
    var match = TICKET_RE.exec(text || "");
    return match ? match[1] : null;
  }

  function submitToken(token) {
    var now = Date.now();
    if (token === lastToken && now - lastAt < SAME_TICKET_PAUSE_MS) {
      return;
    }
    lastToken = token;
    lastAt = now;
    // Looked up each time: the board's refresh may have replaced the form.
    document.getElementById("checkin-token").value = token;
    say("msgReading");
    document.getElementById("checkin-form").requestSubmit();
  }

  function scanOnce() {
    if (!camera) {
      return;
    }
    camera.read().then(function (text) {
      if (text) {
        var token = ticketToken(text);
        if (token) {
          submitToken(token);
        } else {
          say("msgNotTicket");
        }
      }
    }).catch(function () { /* a frame that cannot be read: try the next one */ });
  }

  function start() {
    say("msgStarting");
    startButton.disabled = true;
    video.hidden = false;
    stopButton.hidden = false;
    startButton.hidden = true;
    window.vrQrCamera.open(video, scanner.dataset.jsqrSrc)
      .then(function (opened) {
        if (!startButton.hidden) { // stopped while the camera was opening
          opened.close();
          return;
        }
        camera = opened;
        timer = window.setInterval(scanOnce, SCAN_EVERY_MS);
        say("msgScanning");
      })
      .catch(function (error) {
        stop();
        var refused = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        say(refused ? "msgDenied" : "msgUnavailable");
      });
  }

  function stop() {
    if (timer) {
      window.clearInterval(timer);
    }
    if (camera) {
      camera.close();
    }
    timer = null;
    camera = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    startButton.disabled = false;
  }

  scanner.hidden = false;
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    say("msgStopped");
  });
  window.addEventListener("pagehide", stop);
})();
