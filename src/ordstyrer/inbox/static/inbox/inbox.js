// The inbox list's keyboard (progressive enhancement: every action is also a link or a
// button in the row). j/k: next/previous item; a: assign to me; r: reply; c: close.
// The keys act only while focus is in the work list (WCAG 2.1.4): elsewhere on the page
// a letter is a letter (a screen reader's quick keys, speech input), never a shortcut.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.inbox-row")); }
  function current(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) { if (list[i].contains(active)) { return i; } }
    return -1;
  }
  function focusRow(row) {
    var link = row && row.querySelector("a.item-link");
    if (link) { link.focus(); link.scrollIntoView({ block: "nearest" }); }
  }
  // Where text is typed; a row's checkbox or button is not.
  function typing(target) {
    var tag = (target && target.tagName) || "";
    if (tag === "INPUT") {
      var type = (target.getAttribute("type") || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) < 0;
    }
    return tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var table = document.querySelector("table.inbox-list");
    if (!table || !table.contains(document.activeElement)) { return; }
    var list = rows();
    if (!list.length) { return; }
    var index = current(list);
    var key = event.key;
    if (key === "j" || key === "k") {
      var next = key === "j" ? Math.min(index + 1, list.length - 1) : Math.max(index - 1, 0);
      if (index < 0) { next = 0; }
      focusRow(list[next]);
      event.preventDefault();
      return;
    }
    if (index < 0 || (key !== "a" && key !== "r" && key !== "c")) { return; }
    var control = list[index].querySelector('[data-key="' + key + '"]');
    if (control) { event.preventDefault(); control.click(); }
  });
})();
