// The checks of tests/browser/test_every_page.py on one page, in the page. Returns
// a list of {rule, selector, detail}; empty when the page passes. axe and
// HTML_CodeSniffer are already on the page (added from the test-only path).
async ({ axeTags, narrow }) => {
  const problems = [];
  const add = (rule, el, detail) => problems.push({ rule, selector: selector(el), detail: String(detail) });

  function selector(el) {
    if (!el || el.nodeType !== 1) { return "(document)"; }
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      if (e.id) { parts.unshift("#" + CSS.escape(e.id)); break; }
      const cls = typeof e.className === "string" ? e.className.trim().split(/\s+/).filter(Boolean) : [];
      let part = e.tagName.toLowerCase() + cls.map((c) => "." + CSS.escape(c)).join("");
      const name = e.getAttribute("name");
      if (name) { part += `[name="${name}"]`; }
      parts.unshift(part);
    }
    return parts.join(" > ");
  }

  // 1. axe-core.
  const axeResult = await axe.run(document, {
    runOnly: { type: "tag", values: axeTags },
    resultTypes: ["violations"],
  });
  // WCAG 2.5.8 exempts targets whose presentation is essential, and names points on a
  // map as the example: a report's or a cluster's marker sits where it happened. A
  // target-size finding counts unless it and every target it names are map markers.
  const onMap = (t) => /leaflet-marker/.test(String(t));
  // The document root is no touch target: axe names it only while a marker animates
  // over the map, so a finding on it counts for the markers too.
  const mapOrRoot = (t) => onMap(t) || String(t) === ":root";
  const mapMarkersOnly = (v, node) => v.id === "target-size" && mapOrRoot(node.target)
    && [...node.any, ...node.all, ...node.none].every((c) => (c.relatedNodes || []).every((r) => mapOrRoot(r.target)));
  for (const v of axeResult.violations) {
    for (const node of v.nodes.filter((n) => !mapMarkersOnly(v, n)).slice(0, 5)) {
      problems.push({ rule: "axe " + v.id, selector: node.target.join(" "), detail: v.help });
    }
  }

  // 2. HTML_CodeSniffer, WCAG2AA: errors (type 1).
  const messages = await new Promise((resolve) => {
    HTMLCS.process("WCAG2AA", document, () => resolve(HTMLCS.getMessages()));
  });
  for (const m of messages) {
    if (m.type === 1) { add(m.code, m.element, m.msg); }
  }

  // 3. Reflow at 320 px: the page itself never scrolls sideways.
  if (narrow) {
    const doc = document.scrollingElement;
    if (doc.scrollWidth > doc.clientWidth) {
      const wide = [...document.querySelectorAll("body *")].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width && r.right > doc.clientWidth + 1 && !el.closest(".table-wrap, .leaflet-container");
      });
      add("reflow (WCAG 1.4.10)", wide[0] || document.body,
        `the page scrolls sideways by ${doc.scrollWidth - doc.clientWidth} px`);
    }
  }

  // Colours.
  const parse = (c) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c || "");
    return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
  };
  const visible = (c) => { const p = parse(c); return Boolean(p && p[3] > 0); };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const p = parse(getComputedStyle(e).backgroundColor);
      if (p && p[3] > 0) { layers.push(p); if (p[3] === 1) { break; } }
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };

  // 4. Focus: every kind of focusable element shows an indicator of 3:1 against the
  // background around it, and no fixed or sticky element hides it.
  const focusables = [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])"
  )].filter((el) => !el.disabled && el.getClientRects().length && getComputedStyle(el).visibility !== "hidden"
    && !el.closest("[inert], details:not([open]) > :not(summary)"));
  const kinds = new Set();
  const stuck = [...document.querySelectorAll("body *")].filter((el) => /^(fixed|sticky)$/.test(getComputedStyle(el).position));
  const scroll = [window.scrollX, window.scrollY];
  const before = document.activeElement;
  for (const el of focusables) {
    const cls = typeof el.className === "string" ? el.className : "";
    const kind = [el.tagName, el.type || "", cls, el.parentElement && el.parentElement.className,
      el.closest("header, nav, footer, .submit-bar, .leaflet-container, table, .card") ? el.closest("header, nav, footer, .submit-bar, .leaflet-container, table, .card").tagName : ""].join("|");
    if (kinds.has(kind)) { continue; }
    kinds.add(kind);
    el.focus();
    if (document.activeElement !== el) { continue; }
    const own = getComputedStyle(el);
    const ring = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== "none");
    // A visually hidden control is drawn by its label (the category tiles), a
    // date field by the browser's own parts.
    const shown = ring(own) ? el : (el.closest("label") && ring(getComputedStyle(el.closest("label"))) ? el.closest("label") : null);
    const picker = /^(date|datetime-local|time|month|week)$/.test(el.type || "") && !el.matches(":focus");
    if (!shown) {
      if (!picker) { add("focus visible (WCAG 2.4.7)", el, "no outline or box-shadow when focused"); }
    } else {
      const s = getComputedStyle(shown);
      const colours = [];
      if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) { colours.push(parse(s.outlineColor)); }
      for (const m of (s.boxShadow || "").matchAll(/rgba?\([^)]*\)/g)) { colours.push(parse(m[0])); }
      // An outline drawn outside the element lies on the background around it.
      const outside = parseFloat(s.outlineOffset) >= 0 ? shown.parentElement || shown : shown;
      const bg = backgroundOf(outside);
      const best = Math.max(0, ...colours.filter((c) => c && c[3] > 0).map((c) => ratio(over(c, bg), bg)));
      if (best < 3) {
        add("focus contrast (WCAG 1.4.11)", el, `indicator ${best.toFixed(2)}:1 against rgb(${bg.map(Math.round).join(",")})`);
      }
    }
    const r = (shown || el).getBoundingClientRect();
    for (const bar of stuck) {
      if (bar.contains(el) || el.contains(bar)) { continue; }
      const bs = getComputedStyle(bar);
      if (bs.display === "none" || bs.visibility === "hidden" || +bs.opacity === 0) { continue; }
      // Inside a closed <details> (a folded menu) nothing is drawn, whatever its box.
      if (bar.closest("details:not([open]) > :not(summary)")) { continue; }
      const b = bar.getBoundingClientRect();
      if (r.width && b.left <= r.left && b.right >= r.right && b.top <= r.top && b.bottom >= r.bottom) {
        add("focus not obscured (WCAG 2.4.11)", el, `wholly under ${selector(bar)}`);
      }
    }
    if (kinds.size > 80) { break; }
  }
  if (before && before.focus) { before.focus(); } else { document.activeElement.blur(); }
  window.scrollTo(scroll[0], scroll[1]);

  // 5. Legend swatches have a colour.
  for (const sw of document.querySelectorAll(
    "[class*=legend] svg :is(circle, rect, path, line, polygon, polyline), [class*=legend] i"
  )) {
    const s = getComputedStyle(sw);
    const coloured = sw.tagName.toLowerCase() === "i"
      ? visible(s.backgroundColor) || (parseFloat(s.borderTopWidth) > 0 && visible(s.borderTopColor))
      : (s.fill !== "none" && visible(s.fill)) || (s.stroke !== "none" && visible(s.stroke));
    if (!coloured) { add("legend colour (WCAG 1.4.1)", sw, "a legend swatch without colour"); }
  }

  // 6. Every map moves without dragging (WCAG 2.5.7): its four pan buttons.
  for (const map of document.querySelectorAll(".leaflet-container")) {
    if (map.querySelectorAll(".map-pan button[aria-label]").length !== 4) {
      add("map without dragging (WCAG 2.5.7)", map, "no pan buttons (up, down, left, right)");
    }
  }

  // 7. Charts have a text equivalent with their values: a name or description that
  // gives numbers, or a table in the same figure.
  const textOf = (ids) => (ids || "").split(/\s+/).map((id) => document.getElementById(id))
    .filter(Boolean).map((e) => e.textContent).join(" ");
  // A map's canvas (Leaflet draws its points there) is no chart: every map has a list
  // or table of what it shows beside it, and the background map is out of scope.
  for (const chart of document.querySelectorAll("svg[role=img], canvas, .chart")) {
    if (chart.closest(".leaflet-container")) { continue; }
    const text = [chart.getAttribute("aria-label"), textOf(chart.getAttribute("aria-labelledby")),
      textOf(chart.getAttribute("aria-describedby"))].join(" ");
    const figure = chart.closest("figure, .chart");
    const table = figure && figure.querySelector("table");
    if (!/\d/.test(text) && !table) {
      add("chart text equivalent (WCAG 1.1.1)", chart, "no table or description with the values");
    }
  }
  return problems;
}
