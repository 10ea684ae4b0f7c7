/* A QR code reader on the device's camera, for pages that scan (the desk's check-in, loan
 * hand-overs).
 *
 * window.vrQrCamera.open(video, jsqrSrc) starts the back camera in the given <video> and
 * resolves to a reader: reader.read() gives a promise of the text of the QR code in the
 * current frame (or null), reader.close() stops the camera. The browser's BarcodeDetector
 * is used where it reads QR codes, else the vendored jsQR (loaded from jsqrSrc only then).
 * It holds no page logic: what to do with a code is the page script's business.
 */
(function () {
  "use strict";

  function loadJsQR(src) {
    if (window.jsQR) {
      return Promise.resolve(window.jsQR);
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsQRReader(video, src) {
    return loadJsQR(src).then(function (jsQR) {
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

  function nativeReader(video, src) {
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) {
        return jsQRReader(video, src);
      }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    });
  }

  function open(video, jsqrSrc) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error("unavailable"));
    }
    var stream = null;
    return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        return video.play();
      })
      .then(function () {
        return "BarcodeDetector" in window ? nativeReader(video, jsqrSrc) : jsQRReader(video, jsqrSrc);
      })
      .then(function (read) {
        return {
          read: read,
          close: function () {
            stream.getTracks().forEach(function (track) { track.stop(); });
            video.srcObject = null;
          }
        };
      })
      .catch(function (error) {
        if (stream) {
          stream.getTracks().forEach(function (track) { track.stop(); });
        }
        video.srcObject = null;
        throw error;
      });
  }

  window.vrQrCamera = { open: open };
})();
