// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // "Sjekk tekst": re-check the draft while the person types (debounced), by
  // posting the form and swapping in the server-rendered findings fragment.
  function liveCheck(form) {
    var target = document.getElementById("findings");
    if (!target || !window.fetch) { return; }
    var timer = null;
    var pending = null;
    function run() {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(form.action || window.location.href, {
        method: "POST",
        body: new FormData(form),
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
