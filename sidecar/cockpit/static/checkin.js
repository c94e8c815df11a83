// The check-in screen: the session's code is fetched again as it changes, and a trainee's
// ticket can be scanned with the camera (jsQR, served from this site; without it, or without
// a camera, the code is typed).
(function () {
  "use strict";
  var img = document.getElementById("session-code");
  if (img) {
    var every = parseInt(img.getAttribute("data-every"), 10) || 30;
    var base = img.getAttribute("src").split("?")[0];
    window.setInterval(function () {
      img.setAttribute("src", base + "?t=" + Date.now());
    }, Math.max(5, every / 3) * 1000);
  }
  var start = document.getElementById("start-camera");
  var video = document.getElementById("camera");
  var form = document.getElementById("scan-form");
  if (!start || !video || !form || !window.jsQR || !navigator.mediaDevices) {
    return;
  }
  start.hidden = false;
  var canvas = document.createElement("canvas");
  function look() {
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d");
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(frame.data, frame.width, frame.height);
      if (found && found.data) {
        form.elements.code.value = found.data;
        form.submit();
        return;
      }
    }
    window.requestAnimationFrame(look);
  }
  start.addEventListener("click", function () {
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        start.hidden = true;
        video.play();
        window.requestAnimationFrame(look);
      })
      .catch(function () {
        start.textContent = "No camera: type the code below";
        start.disabled = true;
      });
  });
})();
