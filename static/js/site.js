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
  // Its name: the table's caption, else the nearest heading before it. Every region
  // on a page has its own name (WCAG 1.3.1, 2.4.6): a second table under the same
  // heading is numbered, "Figures (2)".
  function tableName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var before = null;
    document.querySelectorAll("main h1, main h2, main h3, main h4").forEach(function (h) {
      if (h.compareDocumentPosition(wrap) & Node.DOCUMENT_POSITION_FOLLOWING) { before = h; }
    });
    return before ? before.textContent.trim() : (document.body.dataset.tableLabel || "");
  }
  function uniqueName(name) {
    var used = {};
    document.querySelectorAll("[role=region], section[aria-label], section[aria-labelledby]").forEach(function (r) {
      var by = (r.getAttribute("aria-labelledby") || "").split(/\s+/).map(function (id) {
        var el = id && document.getElementById(id);
        return el ? el.textContent.trim() : "";
      }).join(" ").trim();
      used[r.getAttribute("aria-label") || by] = true;
    });
    var unique = name;
    for (var n = 2; used[unique]; n += 1) { unique = name + " (" + n + ")"; }
    return unique;
  }
  function markScrollable() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.tabIndex = 0;
        if (!wrap.hasAttribute("aria-label")) { wrap.setAttribute("aria-label", uniqueName(tableName(wrap))); }
        wrap.setAttribute("role", "region");
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
