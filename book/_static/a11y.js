/*
 * Accessibility fixes for markup the course does not write itself: the book theme
 * (sphinx-book-theme / pydata-sphinx-theme), Vega-Embed charts and ipywidgets views.
 * Each fix answers an axe-core finding; tests/test_accessibility.py runs axe on every page.
 *
 * - Search buttons: the theme names them "Search" while they show "Search Ctrl+K";
 *   a speech-input user says what they see, so the name is taken from the visible text.
 * - Colour-mode button: its three icons carry titles ("Light", "Dark", ...) that are not
 *   shown; they are hidden from assistive technology so the name "Color mode" stands.
 * - Disclosure triangles (<summary> with only an icon): the sidebar's "show subsections"
 *   toggles and Vega-Embed's chart-actions menu get a spoken name.
 * - Sliders from ipywidgets (noUiSlider handles) get the widget's own label as their name.
 * - The left sidebar (site title, search, table of contents) becomes a named
 *   "complementary" landmark, so no content sits outside a landmark.
 * - Plotly charts (an SVG without a name) become a named figure (the chart's title);
 *   "figure", not "img", because the chart keeps its clickable legend and toolbar.
 *   The text description beside every chart carries the detail.
 *
 * Content appears after the page loads (charts and widgets render later), so a
 * MutationObserver applies the fixes again whenever the page changes. No request
 * leaves the page.
 */
(function () {
  "use strict";

  function text(node) {
    return node ? (node.textContent || "").replace(/\s+/g, " ").trim() : "";
  }

  function nameSearchButtons(root) {
    root.querySelectorAll("button.search-button-field[aria-label]").forEach(function (button) {
      if (button.querySelector(".search-button__default-text")) button.removeAttribute("aria-label");
    });
  }

  function quietThemeIcons(root) {
    root.querySelectorAll(".theme-switch-button i, .theme-switch-button svg").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("title");
    });
  }

  function nameSummaries(root) {
    root.querySelectorAll("summary").forEach(function (summary) {
      if (summary.hasAttribute("aria-label") || text(summary)) return;
      var item = summary.closest("li");
      var link = item ? item.querySelector(":scope > a") : null;
      if (link) {
        summary.setAttribute("aria-label", "Show or hide the pages under " + text(link));
      } else if (summary.closest(".vega-embed")) {
        summary.setAttribute("aria-label", "Chart actions: save the chart as an image");
      } else {
        summary.setAttribute("aria-label", "Show or hide details");
      }
    });
  }

  function nameSliders(root) {
    root.querySelectorAll("[role=slider]:not([aria-label]):not([aria-labelledby])").forEach(function (handle) {
      var widget = handle.closest(".widget-slider, .jupyter-widget-slider, .widget-inline-hbox");
      var label = widget ? widget.querySelector(".widget-label, .jupyter-widget-label") : null;
      handle.setAttribute("aria-label", text(label) || "Value");
    });
  }

  function namePlotlyCharts(root) {
    root.querySelectorAll(".plotly-graph-div:not([data-course-a11y])").forEach(function (chart) {
      var title = text(chart.querySelector(".gtitle"));
      if (!chart.querySelector(".main-svg")) return; // not drawn yet
      chart.setAttribute("data-course-a11y", "true");
      chart.setAttribute("role", "figure");
      chart.setAttribute("aria-label", title ? "Chart: " + title : "Chart; its description follows in the text");
    });
  }

  function landmarkSidebar(root) {
    var sidebar = root.querySelector(".bd-sidebar-primary:not([role])");
    if (!sidebar || sidebar.closest("[role], nav, aside, header, footer, main")) return;
    sidebar.setAttribute("role", "complementary");
    sidebar.setAttribute("aria-label", "Course menu");
  }

  function fixAll() {
    var root = document;
    landmarkSidebar(root);
    nameSearchButtons(root);
    quietThemeIcons(root);
    nameSummaries(root);
    nameSliders(root);
    namePlotlyCharts(root);
  }

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      fixAll();
    });
  }

  function start() {
    fixAll();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
