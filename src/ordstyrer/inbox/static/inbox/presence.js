// "Someone else is writing a reply here" (#15), progressive enhancement: without this
// script the item page still shows the notice as it stood when the page was loaded, and
// asking for a template or a new reply marks the writer on the server.
// While the person types in the reply box, post a heartbeat at most once a minute; every
// 30 seconds while the page is visible, fetch the notice again so colleagues who start
// writing after the page was loaded are named too.
(function () {
  "use strict";
  var HEARTBEAT_MS = 60000;
  var REFRESH_MS = 30000;
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("presence");
    var url = box && box.getAttribute("data-presence-url");
    if (!url || !window.fetch) { return; }
    var form = document.querySelector("form[data-presence]");
    var lastBeat = 0;
    function show(response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text().then(function (html) {
        if (box.innerHTML !== html) { box.innerHTML = html; }
      });
    }
    function beat() {
      var now = Date.now();
      if (now - lastBeat < HEARTBEAT_MS) { return; }
      lastBeat = now;
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      }).then(show).catch(function () { /* the notice is advisory */ });
    }
    function refresh() {
      if (document.visibilityState !== "visible") { return; }
      fetch(url, { credentials: "same-origin" }).then(show).catch(function () {});
    }
    if (form) {
      form.addEventListener("input", beat);
      form.addEventListener("focusin", beat);
    }
    window.setInterval(refresh, REFRESH_MS);
  });
})();
