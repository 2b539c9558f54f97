// The composer's live check (progressive enhancement: without JavaScript the
// "Sjekk og lagre utkast" button checks on the server). Posts the form's fields, not
// its files, to the check endpoint and swaps in the server-rendered findings.
(function () {
  "use strict";
  function liveCheck(form) {
    var url = form.getAttribute("data-check-url");
    var target = document.getElementById("findings");
    if (!url || !target || !window.fetch || !window.FormData) { return; }
    var timer = null;
    var pending = null;
    function run() {
      var data = new FormData(form);
      var files = form.querySelectorAll("input[type=file]");
      for (var i = 0; i < files.length; i++) { data.delete(files[i].name); }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-Ordstyrer-Fragment": "findings" },
        credentials: "same-origin",
        signal: pending.signal,
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        target.innerHTML = html;
        target.setAttribute("data-checked", "true");
      }).catch(function () { /* the buttons still work */ });
    }
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 400);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("composer");
    if (form) { liveCheck(form); }
  });
})();
