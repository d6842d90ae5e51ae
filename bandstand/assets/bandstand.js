// Shipped by bandstand's MkDocs plugin (bandstand/mkdocs_plugin.py) for every site that uses it.
// Every code block can be reached with the keyboard (Tab), so one wider than the page can be scrolled
// with the arrow keys (WCAG 2.1, 2.1.1). Runs on each page load, and after each instant navigation.
(function () {
  function focusable() {
    document.querySelectorAll(".md-typeset pre > code").forEach(function (code) {
      if (!code.hasAttribute("tabindex")) {
        code.setAttribute("tabindex", "0");
      }
    });
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(focusable);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusable);
  } else {
    focusable();
  }
})();
