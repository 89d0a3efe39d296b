/**
 * The report page's only script: copy a Wireshark filter, expand/collapse every section. It reads
 * nothing from the capture (data stays in escaped markup) and the page's CSP admits it by hash.
 */
export const REPORT_JS = `
(function () {
  "use strict";
  function copyText(text, button) {
    function done(ok) {
      var old = button.textContent;
      button.textContent = ok ? "Copied" : "Select + Ctrl-C";
      setTimeout(function () { button.textContent = old; }, 1500);
    }
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
        return;
      }
    } catch (e) { /* fall through to selection */ }
    done(false);
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof HTMLElement)) return;
    if (t.matches("button[data-copy]")) {
      var code = t.parentElement && t.parentElement.querySelector("code");
      if (!code) return;
      var range = document.createRange();
      range.selectNodeContents(code);
      var sel = window.getSelection();
      if (sel) { sel.removeAllRanges(); sel.addRange(range); }
      copyText(code.textContent || "", t);
    } else if (t.matches("button[data-toggle-all]")) {
      var open = t.getAttribute("data-toggle-all") === "open";
      document.querySelectorAll("details").forEach(function (d) { d.open = open; });
    }
  });
})();
`;
