/* CCHC Pulse — printing (assets/print.css): the charts and the league grid fitted to the paper's width.

   Chromium fires `beforeprint` while the page still has the screen's layout, then switches to print media and
   lays the page out at the paper's width, telling matchMedia("print") listeners at once, before it paints the
   pages: the fit runs there, reading the width each chart and grid has on paper. `afterprint` and the switch back
   give the screen its own sizes again. Each chart keeps the width it was printed at in data-pulse-print-width.
   No network. */

(function () {
  "use strict";
  var FITTED = "pulsePrintWidth";
  var RESIZED = "pulsePrintResized";

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  function fitCharts() {
    if (!window.Plotly) return;
    each(".js-plotly-plot", function (gd) {
      var box = gd.parentElement || gd;
      var width = Math.floor(box.getBoundingClientRect().width);
      if (!gd._fullLayout || width <= 0) return;
      gd.dataset[FITTED] = String(width);
      if (Math.abs(width - gd._fullLayout.width) > 1) {
        gd.dataset[RESIZED] = "1";
        window.Plotly.relayout(gd, { width: width });
      }
    });
  }

  function restoreCharts() {
    if (!window.Plotly) return;
    each(".js-plotly-plot", function (gd) {
      if (!gd.dataset[RESIZED]) return;
      delete gd.dataset[RESIZED];
      window.Plotly.relayout(gd, { width: null }); /* autosize again: the width its card gives it */
    });
  }

  function fitGrids() {
    var grids = window.dash_ag_grid;
    if (!grids || !grids.getApi) return;
    each(".pulse-league-grid[id]", function (element) {
      try {
        var api = grids.getApi(element.id);
        var width = Math.floor(element.getBoundingClientRect().width) - 2; /* within its border */
        if (api && !api.isDestroyed() && width > 0) api.sizeColumnsToFit(width);
      } catch (error) {
        /* a grid that is not ready prints as it is */
      }
    });
  }

  function printing() {
    fitGrids();
    fitCharts();
  }

  function screen() {
    restoreCharts();
    fitGrids();
  }

  var media = window.matchMedia("print");
  var onChange = function (event) {
    if (event.matches) printing();
    else screen();
  };
  if (media.addEventListener) media.addEventListener("change", onChange);
  else if (media.addListener) media.addListener(onChange);
  window.addEventListener("afterprint", screen);
})();
