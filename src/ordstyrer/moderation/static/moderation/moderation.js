/* Copy a failed notice's text (MO-4) to the clipboard; without JavaScript the text is
   still there to select and copy by hand. */
(function () {
  "use strict";
  function setUp(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        if (status) { status.textContent = status.getAttribute("data-copied"); }
      }, function () {
        source.focus();
        source.select();
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("button.copy-button"), setUp);
  });
})();
