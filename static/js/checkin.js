/* The Today page's check-in by camera.
 *
 * The camera starts only when the facilitator presses the button. QR codes are read with
 * the browser's BarcodeDetector where it exists, else with the vendored jsQR (loaded only
 * then). A ticket's QR code holds its URL, {base_url}/b/{token}: the token goes into the
 * check-in form, which htmx posts (or the browser, without htmx). Without JavaScript the
 * typed-code form works on its own.
 */
(function () {
  "use strict";

  var TICKET_RE = /\/b\/([A-Za-z0-9_-]+)/;
  var SCAN_EVERY_MS = 250;
  var SAME_TICKET_PAUSE_MS = 4000; // a ticket held in front of the camera is sent once
  var REFUSALS = [404, 409, 422]; // answers with a message for the desk, not failures

  var scanner = document.getElementById("scanner");
  var form = document.getElementById("checkin-form");
  if (!scanner || !form) {
    return;
  }
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var statusLine = document.getElementById("camera-status");
  var video = document.getElementById("camera-video");
  var tokenInput = document.getElementById("checkin-token");
  var codeInput = document.getElementById("checkin-code");

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
    tokenInput.value = token;
    say("msgReading");
    form.requestSubmit();
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

  // htmx swaps only 2xx answers by default; the desk's refusals carry a message to show.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "desk-result" &&
        REFUSALS.indexOf(event.detail.xhr.status) >= 0) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  form.addEventListener("htmx:afterRequest", function (event) {
    tokenInput.value = "";
    if (event.detail.xhr && event.detail.xhr.status === 200) {
      codeInput.value = "";
    } else {
      codeInput.select();
    }
  });
})();
