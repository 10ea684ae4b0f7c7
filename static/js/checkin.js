/* The Today page's check-in by camera.
 *
 * The camera starts only when the facilitator presses the button. QR codes are read with
 * the browser's BarcodeDetector where it exists, else with the vendored jsQR (loaded only
 * then). A ticket's QR code holds its URL, {base_url}/b/{token}: the token goes into the
 * check-in form, which htmx posts (or the browser, without htmx); the answer comes back in
 * the board (static/js/live.js), which clears or keeps the typed code. Without JavaScript
 * the typed-code form works on its own.
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

  var stream = null;
  var timer = null;
  var detect = null;
  var lastToken = "";
  var lastAt = 0;

  function say(key) {
    statusLine.textContent = scanner.dataset[key] || "";
  }

  function ticketToken(text) {
    var match = TICKET_RE.exec(text || "");
    return match ? match[1] : null;
  }

  function loadJsQR() {
    if (window.jsQR) {
      return Promise.resolve(window.jsQR);
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = scanner.dataset.jsqrSrc;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  /* A function that reads the QR code in the current video frame (a promise of its text). */
  function makeDetector() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) {
          return jsQRDetector();
        }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      });
    }
    return jsQRDetector();
  }

  function jsQRDetector() {
    return loadJsQR().then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var scale = Math.min(1, 640 / (video.videoWidth || 640));
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        if (!canvas.width || !canvas.height) {
          return Promise.resolve(null);
        }
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
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
    if (!stream || !detect) {
      return;
    }
    detect().then(function (text) {
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
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("msgUnavailable");
      return;
    }
    say("msgStarting");
    startButton.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        stopButton.hidden = false;
        startButton.hidden = true;
        return video.play();
      })
      .then(makeDetector)
      .then(function (reader) {
        detect = reader;
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
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    timer = null;
    stream = null;
    detect = null;
    video.srcObject = null;
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
