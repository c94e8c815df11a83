// Pages refresh themselves when what they show changes: /live.json answers a stamp of the
// viewer's data; a different stamp reloads the page. Never while someone is typing in a form.
(function () {
  "use strict";
  var stamp = document.body.getAttribute("data-live");
  if (!stamp || !window.fetch) {
    return;
  }
  var busy = false;
  function typing() {
    var el = document.activeElement;
    return el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }
  window.setInterval(function () {
    if (busy || document.hidden || typing()) {
      return;
    }
    busy = true;
    window
      .fetch("/live.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        return answer.ok ? answer.json() : null;
      })
      .then(function (found) {
        if (found && found.stamp && found.stamp !== stamp) {
          window.location.reload();
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  }, 1000);
})();
