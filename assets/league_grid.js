/* CCHC Pulse — cell renderers and sort functions for the league grid (layouts/league.py).
   Everything a cell shows is computed and worded in Python (rowData); these only draw it. No network. */

(function () {
  "use strict";
  var h = function () {
    return window.React.createElement.apply(null, arguments);
  };
  var components = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
  var functions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

  function isMissing(value) {
    return value === null || value === undefined || (typeof value === "number" && isNaN(value));
  }

  /* Missing values sort last in both directions; the rest as numbers. */
  functions.pulseNullsLast = function (a, b, nodeA, nodeB, isDescending) {
    var aMissing = isMissing(a);
    var bMissing = isMissing(b);
    if (aMissing && bMissing) return 0;
    if (aMissing) return isDescending ? -1 : 1;
    if (bMissing) return isDescending ? 1 : -1;
    return a - b;
  };

  /* Vietnamese alphabetical order, numbers in names by value: Quận 2 before Quận 10. */
  functions.pulseTextCompare = function (a, b) {
    return String(a || "").localeCompare(String(b || ""), "vi", { numeric: true, sensitivity: "base" });
  };

  /* The CSV export (csvExportParams in layouts/league_grid.py): each cell is the plain value Python wrote in the
     row's csv_cells (numbers as numbers, rates 0-1, tie and stale 1 or 0, null for n/a, text already neutralised);
     any other text gets the rule of dashboard/core/cells.py: a leading apostrophe when it starts with = + - @, a
     tab or a carriage return, so a spreadsheet never reads it as a formula. */
  var FORMULA_START = /^[=+\-@\t\r]/;
  functions.pulseCsvCell = function (params) {
    var cells = (params.node && params.node.data && params.node.data.csv_cells) || {};
    var key = params.column.getColId();
    if (Object.prototype.hasOwnProperty.call(cells, key)) return cells[key];
    var value = params.value;
    return typeof value === "string" && FORMULA_START.test(value) ? "'" + value : value;
  };

  /* One header row: a column's own CSV header (context.csvHeader: "Đúng hạn (20)" for points) or its header. */
  functions.pulseCsvHeader = function (params) {
    var def = params.column.getColDef();
    return (def.context && def.context.csvHeader) || def.headerName;
  };

  /* The unit's name as a link to its tile (a Dash page change, like dcc.Link), and its stale-data mark. */
  components.PulseUnitLink = function (props) {
    var data = props.data || {};
    var follow = function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      window.history.pushState({}, "", data.href);
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
      window.scrollTo(0, 0);
    };
    var parts = [h("a", { key: "link", href: data.href, onClick: follow, className: "pulse-league-unit-link pulse-name", lang: data.name_lang, "data-name": data.name_lang }, props.value)];
    if (data.joined_text) {
      parts.push(h("span", { key: "joined", className: "pulse-league-joined-mark", title: data.joined_title }, data.joined_text));
    }
    if (data.stale_text) {
      parts.push(h("span", { key: "stale", className: "pulse-league-stale-mark", title: data.stale_title }, data.stale_text));
    }
    return h("span", { className: "pulse-league-unit-cell" }, parts);
  };

  /* ▲2 / ▼1 / – / mới: a symbol and a word or number, never colour alone. */
  components.PulseMovement = function (props) {
    var data = props.data || {};
    return h(
      "span",
      { className: "pulse-league-move " + (data.movement_class || ""), title: data.movement_title },
      data.movement_text
    );
  };

  /* The rank, "=1" when tied. */
  components.PulseRank = function (props) {
    var data = props.data || {};
    return h("span", { className: "pulse-league-rank", title: data.rank_title }, data.rank_text);
  };

  /* A rate over its numbers: "98,2%" and beneath it "328/334". */
  components.PulseRatio = function (props) {
    var data = props.data || {};
    var field = props.colDef.field;
    var detail = data[field + "_detail"];
    return h("span", { className: "pulse-league-ratio" }, [
      h("span", { key: "v", className: isMissing(props.value) ? "pulse-league-na" : "" }, data[field + "_text"]),
      detail ? h("span", { key: "d", className: "pulse-league-ratio-detail" }, detail) : null,
    ]);
  };

  /* The score with its grade word. */
  components.PulseScore = function (props) {
    var data = props.data || {};
    if (isMissing(props.value)) return h("span", { className: "pulse-league-na" }, data.score_text);
    return h("span", { className: "pulse-league-score" }, [
      h("span", { key: "n", className: "pulse-league-score-value" }, data.score_text),
      h("span", { key: "g", className: "pulse-league-grade is-" + data.grade }, data.grade_text),
    ]);
  };

  /* Commitments: one bar per commitment filled to value ÷ target (capped at the target), and "đạt 2/4". */
  components.PulseCommitments = function (props) {
    var data = props.data || {};
    var parts = data.commit_parts || [];
    if (!parts.length) return h("span", { className: "pulse-league-na" }, data.commit_text);
    var bars = parts.map(function (part, index) {
      var width = isMissing(part.progress) ? 0 : Math.max(0, Math.min(part.progress, 1)) * 100;
      return h(
        "span",
        { key: index, className: "pulse-league-commit-bar" + (part.met ? " is-met" : "") },
        h("span", { className: "pulse-league-commit-fill", style: { width: width + "%" } })
      );
    });
    return h("span", { className: "pulse-league-commit", title: data.commit_title }, [
      h("span", { key: "bars", className: "pulse-league-commit-bars", "aria-hidden": "true" }, bars),
      h("span", { key: "text", className: "pulse-league-commit-text" }, data.commit_text),
    ]);
  };

  /* The weekly scores as a small line: gaps where a week had no data, a dot on the latest week. */
  components.PulseSparkline = function (props) {
    var data = props.data || {};
    var values = props.value || [];
    var width = 84;
    var height = 22;
    var pad = 3;
    var present = values.filter(function (v) {
      return !isMissing(v);
    });
    if (!present.length) return h("span", { className: "pulse-league-na" }, "—");
    var low = Math.min.apply(null, present);
    var high = Math.max.apply(null, present);
    var span = Math.max(high - low, 10); /* at least 10 points tall, so noise stays small */
    var base = (low + high) / 2 - span / 2;
    var step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
    var x = function (i) {
      return pad + i * step;
    };
    var y = function (v) {
      return height - pad - ((v - base) / span) * (height - 2 * pad);
    };
    var lines = [];
    var run = [];
    values.forEach(function (v, i) {
      if (isMissing(v)) {
        if (run.length) lines.push(run);
        run = [];
      } else {
        run.push(x(i).toFixed(1) + "," + y(v).toFixed(1));
      }
    });
    if (run.length) lines.push(run);
    var shapes = lines.map(function (points, index) {
      return points.length > 1
        ? h("polyline", { key: "l" + index, points: points.join(" "), className: "pulse-league-spark-line" })
        : h("circle", {
            key: "p" + index,
            cx: points[0].split(",")[0],
            cy: points[0].split(",")[1],
            r: 1.5,
            className: "pulse-league-spark-dot",
          });
    });
    var last = values.length - 1;
    if (!isMissing(values[last])) {
      shapes.push(h("circle", { key: "last", cx: x(last), cy: y(values[last]), r: 2.5, className: "pulse-league-spark-last" }));
    }
    return h(
      "svg",
      {
        className: "pulse-league-spark",
        width: width,
        height: height,
        viewBox: "0 0 " + width + " " + height,
        role: "img",
        "aria-label": data.trend_title,
      },
      [h("title", { key: "t" }, data.trend_title)].concat(shapes)
    );
  };
})();
