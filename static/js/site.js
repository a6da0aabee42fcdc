// Site-wide enhancements: selects marked data-autosubmit submit their form on change;
// tables that scroll sideways can be scrolled with the keyboard; the "More" menu
// (a <details>) closes with Escape, a click elsewhere or when the focus leaves it.
(function () {
  "use strict";
  // With the keyboard, the arrow keys change a closed select's value as the user looks
  // through the options: that must not reload the page (WCAG 3.2.2), so a change made
  // with keys is sent with Enter; a change made with a pointer is sent at once.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    var byKeys = false;
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        el.form.submit();
        return;
      }
      if (e.key !== "Tab" && e.key !== "Shift") { byKeys = true; }
    });
    el.addEventListener("pointerdown", function () { byKeys = false; });
    el.addEventListener("change", function () {
      if (!byKeys) { el.form.submit(); }
    });
  });
  // A table wider than the screen scrolls sideways inside .table-wrap: keyboard users
  // need to reach that scroll area, so it becomes a named, focusable region.
  function tableName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var box = wrap.closest("section, article, .card, main");
    var heading = box && box.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : (document.body.dataset.tableLabel || "");
  }
  function markScrollable() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label")) { wrap.setAttribute("aria-label", tableName(wrap)); }
        wrap.dataset.scrolls = "1";
      } else if (!scrolls && wrap.dataset.scrolls) {
        ["tabindex", "role", "aria-label", "data-scrolls"].forEach(function (a) { wrap.removeAttribute(a); });
      }
    });
  }
  markScrollable();
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(markScrollable, 150);
  });
  document.body.addEventListener("htmx:afterSwap", markScrollable);

  document.querySelectorAll("details.nav-more").forEach(function (menu) {
    var summary = menu.querySelector("summary");
    menu.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.open) {
        menu.open = false;
        summary.focus();
        e.preventDefault();
      }
    });
    document.addEventListener("click", function (e) {
      if (menu.open && !menu.contains(e.target)) { menu.open = false; }
    });
    menu.addEventListener("focusout", function (e) {
      if (menu.open && e.relatedTarget && !menu.contains(e.relatedTarget)) { menu.open = false; }
    });
  });
})();
