/* Loan hand-overs: scanning headsets' QR labels with the camera into the scan list.
 *
 * A label holds the headset's address, {base_url}/h/{asset_tag}. Each new tag read is
 * appended to the "scanned" text area (the same field a USB scanner or the keyboard fills),
 * then a "scanned" event asks htmx for the updated list of scanned, missing and extra
 * headsets. Without JavaScript the text area and the "check" button do the same job.
 */
(function () {
  "use strict";

  var LABEL_RE = /\/h\/([A-Za-z0-9._-]{1,32})\/?$/;
  var SCAN_EVERY_MS = 250;

  var scanner = document.getElementById("loan-scanner");
  var field = document.getElementById("scanned");
  if (!scanner || !field || !window.vrQrCamera) {
    return;
  }
  var startButton = document.getElementById("scan-camera-start");
  var stopButton = document.getElementById("scan-camera-stop");
  var statusLine = document.getElementById("scan-camera-status");
  var video = document.getElementById("scan-camera-video");
  var reader = null;
  var timer = null;

  function say(key, tag) {
    statusLine.textContent = (scanner.dataset[key] || "").replace("{tag}", tag || "");
  }

  function listed() {
    return field.value.split(/[\s,;]+/).map(function (word) {
      var label = LABEL_RE.exec(word);
      return (label ? label[1] : word).toUpperCase();
    });
  }

  function add(text) {
    var label = LABEL_RE.exec((text || "").trim());
    if (!label) {
      say("msgNotLabel");
      return;
    }
    var tag = label[1].toUpperCase();
    if (listed().indexOf(tag) >= 0) {
      say("msgAgain", tag);
      return;
    }
    field.value = field.value.replace(/\s*$/, "") + (field.value.trim() ? "\n" : "") + tag + "\n";
    field.dispatchEvent(new Event("scanned", { bubbles: true }));
    say("msgAdded", tag);
  }

  function tick() {
    if (reader) {
      reader.read().then(function (text) {
        if (text) {
          add(text);
        }
      }).catch(function () { /* a frame that cannot be read: try the next one */ });
    }
  }

  function stop() {
    window.clearInterval(timer);
    timer = null;
    if (reader) {
      reader.close();
    }
    reader = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    startButton.disabled = false;
  }

  function start() {
    say("msgStarting");
    startButton.disabled = true;
    video.hidden = false;
    window.vrQrCamera.open(video, scanner.dataset.jsqrSrc).then(function (opened) {
      reader = opened;
      startButton.hidden = true;
      stopButton.hidden = false;
      stopButton.focus();
      timer = window.setInterval(tick, SCAN_EVERY_MS);
      say("msgScanning");
    }).catch(function (error) {
      stop();
      var refused = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      say(refused ? "msgDenied" : "msgUnavailable");
    });
  }

  scanner.hidden = false;
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    startButton.focus();
    say("msgStopped");
  });
  window.addEventListener("pagehide", stop);
})();
