// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Live checks ("Sjekk tekst", the post composer): re-check the draft while the
  // person types (debounced) by posting the form's fields — not its files — to
  // data-check-url (else the form's own action) and swapping in the server-rendered
  // findings fragment. Without JavaScript the form's own button checks on the server.
  function liveCheck(form) {
    var target = document.getElementById("findings");
    if (!target || !window.fetch || !window.FormData) { return; }
    var url = form.getAttribute("data-check-url") || form.action || window.location.href;
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
      }).catch(function () { /* the submit button still works */ });
    }
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 350);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-live-check]");
    for (var i = 0; i < forms.length; i++) { liveCheck(forms[i]); }
  });
})();
