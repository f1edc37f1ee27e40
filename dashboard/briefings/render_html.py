"""The offline briefing: one self-contained HTML file of a report, which opens with no network and no server.

plotly.js is inlined once; each chart is a `Plotly.newPlot` of the briefing's own figures (`briefings.figures`),
with a config that neither links to Plotly's cloud nor typesets MathJax; styles are inline, and a
Content-Security-Policy in the file forbids every fetch, so the file cannot reach out even where a network is.
Every text is NFC and escaped; figure JSON has its "<" escaped, so no name can close a script.
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

import plotly.io as pio
from plotly.offline import get_plotlyjs

from dashboard.briefings import figures
from dashboard.briefings.changes import CITY_FIGURES, Changes, Delta, UnitChange
from dashboard.briefings.report import ATTENTION_BELOW, ATTENTION_MAX, AttentionUnit, Report, TableRow
from dashboard.core.i18n import (
    CATALOGUE,
    MISSING,
    fmt_date,
    fmt_decimal,
    fmt_int,
    fmt_pct,
    fmt_score,
    fmt_time,
    language,
    period_label,
    t,
)
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import CITY_KEY

# No logo or cloud links, no MathJax; a geo trace (the briefing has none) would look beside the file, not the CDN.
CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "typesetMath": False,
    "topojsonURL": "./topojson/",
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendDataToCloud"],
}
CONFIG_JSON = json.dumps(CONFIG, separators=(",", ":"))
POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)
BUNDLE = "\x00plotly.js\x00"  # where the bundle goes, after the page's own text is normalised
HEIGHTS = {"gauge": 300, "map": 560}  # px; league bars carry their own height
RATIO_FIGURES = {"overdue_share", "on_time", "online_share"}  # the city figures that are ratios (0–1)
CSS = """
:root { --ink: #101828; --muted: #475467; --line: #d0d5dd; --band: #f2f4f7; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.45 "Noto Sans", "Segoe UI", Roboto, Arial,
  sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 32px 0 10px; border-bottom: 2px solid
  var(--ink); padding-bottom: 4px; } h3 { font-size: 16px; margin: 20px 0 8px; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 12px 0; }
.cover dt { color: var(--muted); } .cover dd { margin: 0; } code { font-size: 13px; word-break: break-all; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px; align-items: start; }
.chart { width: 100%; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; } td.num, th.num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5pt; } main { max-width: none; padding: 0; }
  .modebar-container { display: none !important; } .chart { border: none; }
  h2, h3 { break-after: avoid; } tr, .chart, .pair, .block { break-inside: avoid; }
  thead { display: table-header-group; }
  .pair { grid-template-columns: 1fr 1fr; }
}
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _moment(moment: datetime | None, lang: str) -> str:
    """dd/mm/yyyy HH:MM in the city's time zone."""
    return MISSING if moment is None else f"{fmt_date(moment, lang)} {fmt_time(moment, lang)}"


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _signed(value: float | None, lang: str, ratio: bool) -> str:
    if value is None:
        return MISSING
    text = (
        t("briefing.html.points", lang, n=fmt_decimal(abs(value) * 100, lang))
        if ratio
        else fmt_decimal(abs(value), lang, 0)
    )
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _figure(value: float | None, lang: str, ratio: bool) -> str:
    return fmt_pct(value, lang) if ratio else fmt_int(None if value is None else int(value), lang)


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Collection[int] = ()) -> str:
    """A table of text cells (escaped here); the columns in `numeric` are right-aligned."""

    def cell(tag: str, i: int, text: str) -> str:
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{scope}{' class=num' if i in numeric else ''}>{_e(text)}</{tag}>"

    head_html = "".join(cell("th", i, h) for i, h in enumerate(head))
    body_html = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head_html}</tr></thead><tbody>{body_html}</tbody></table>"


def _chart(name: str, figure: dict[str, Any]) -> str:
    """A chart's div and the script that draws it (plotly.js already loaded); its id is the figure's name. The
    figure is validated; a figure without a template is drawn without one, as `dcc.Graph` draws it."""
    div_id = f"chart-{name}"
    spec = json.loads(pio.to_json(figure, validate=True))
    if "template" not in figure.get("layout", {}):
        spec["layout"].pop("template", None)
    spec_json = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    height = spec["layout"].get("height") or HEIGHTS.get(name, 400)
    return (
        f'<div id="{div_id}" class="chart" style="height:{int(height)}px"></div><script>(function(){{'
        f"var f={spec_json};Plotly.newPlot({json.dumps(div_id)},f.data,f.layout,{CONFIG_JSON});}})();</script>"
    )


class _Names:
    """Unit names by key, from the snapshot's unit list (the city's own row reads "the whole city"), and each
    source's last good pull."""

    def __init__(self, report: Report, lang: str) -> None:
        self.lang = lang
        units = [u["unit"] for u in report.body["kpis"]["units"]]
        self.names = {u["key"]: (u["name_vi"], u["name_en"]) for u in units}
        self.last_good = {f["source"]: _instant(f["last_good_pull_at"]) for f in report.freshness}

    def __call__(self, key: str | None) -> str:
        if key is None:
            return MISSING
        if key == CITY_KEY:
            return t("wall.city", self.lang)
        vi, en = self.names.get(key, (key, key))
        return unit_name(vi, en, self.lang)


def _cols(lang: str, *names: str) -> list[str]:
    return [t(f"briefing.html.col.{name}", lang) for name in names]


def _word(key: str, lang: str, fallback: str) -> str:
    return t(key, lang) if key in CATALOGUE else fallback


def _criterion(criterion: str, lang: str) -> str:
    return _word(f"league.criterion.{criterion}", lang, criterion)


def _cover(report: Report, lang: str) -> str:
    start, end = report.window
    facts = [
        ("period", period_label("league", report.period, lang)),
        ("window", f"{_moment(start, lang)} – {_moment(end, lang)}"),
        ("as_of", _moment(report.as_of, lang)),
        ("data_version", fmt_int(report.data_version, lang)),
    ]
    if report.previous_as_of is not None:
        facts.append(("previous", _moment(report.previous_as_of, lang)))
    items = "".join(f"<dt>{_e(t(f'briefing.html.{key}', lang))}</dt><dd>{_e(value)}</dd>" for key, value in facts)
    items += f"<dt>{_e(t('briefing.html.content_hash', lang))}</dt><dd><code>{_e(report.content_hash)}</code></dd>"
    hashes = [
        (_word(f"briefing.html.computed.{name}", lang, name), digest)
        for name, digest in sorted(report.computed_with.items())
    ]
    computed = "".join(f"<dt>{_e(name)}</dt><dd><code>{_e(digest)}</code></dd>" for name, digest in hashes)
    recounted = f'<p class="note">{_e(t("shell.recounted", lang))}</p>' if report.recounted else ""
    return (
        f'<header class="cover"><h1>{_e(t("briefing.html.title", lang))}</h1><dl>{items}</dl>'
        f"<h3>{_e(t('briefing.html.computed_with', lang))}</h3><dl>{computed}</dl>{recounted}"
        f'<p class="note">{_e(t("briefing.html.offline", lang))}</p></header>'
    )


def _city(report: Report, lang: str, charts: dict[str, dict[str, Any]]) -> str:
    limits = figures.limits(report)
    rows = []
    for name, path in CITY_FIGURES:
        value = report.city.get(path[0])
        number = value.get("value") if isinstance(value, dict) else value
        rows.append((t(f"briefing.html.city.{name}", lang), _figure(number, lang, name in RATIO_FIGURES)))
    table = _table((t("briefing.html.col.figure", lang), t("briefing.html.col.value", lang)), rows, numeric={1})
    note = t(
        "wall.gauge.limits", lang, warn=fmt_pct(limits.overdue_warn, lang), alarm=fmt_pct(limits.overdue_alarm, lang)
    )
    return (
        f'<section id="city"><h2>{_e(t("briefing.html.city", lang))}</h2><div class="pair"><div>{table}</div>'
        f"<div><h3>{_e(t('wall.gauge.title', lang))}</h3>{_chart('gauge', charts['gauge'])}"
        f'<p class="note">{_e(note)}</p></div></div>'
        f"<div class=block><h3>{_e(t('briefing.html.map', lang))}</h3>{_chart('map', charts['map'])}</div></section>"
    )


LEAGUE_COLUMNS = tuple(
    ["rank", "unit", "score", "grade", "on_time", "online", "satisfaction", "received", "completed", "in_progress"]
)
LEAGUE_COLUMNS += ("overdue", "movement", "stale")


def _league_row(row: TableRow, lang: str) -> tuple[str, ...]:
    movement = MISSING if row.movement is None else f"{row.movement:+d}".replace("-", "−")
    return (
        MISSING if row.rank is None else fmt_int(row.rank, lang) + ("=" if row.tied else ""),
        unit_name(row.name_vi, row.name_en, lang),
        fmt_score(row.score, lang) if row.score is not None else t(f"index.score.{row.state}", lang),
        t(f"league.grade.{row.grade}", lang) if row.grade else MISSING,
        *(fmt_pct(v, lang) for v in (row.on_time, row.online, row.satisfaction)),
        *(fmt_int(n, lang) for n in (row.received, row.completed, row.in_progress, row.overdue)),
        movement,
        t("league.xlsx.yes", lang) if row.stale else "",
    )


def _leagues(report: Report, lang: str, charts: dict[str, dict[str, Any]]) -> str:
    head = _cols(lang, *LEAGUE_COLUMNS)
    parts = [f'<section id="leagues"><h2>{_e(t("briefing.html.leagues", lang))}</h2>']
    for league in figures.leagues_in_order(report):
        name = f"league-{league.kind}"
        rows = [_league_row(row, lang) for row in league.rows]
        title = t(f"league.kind.{league.kind}", lang)
        parts.append(f"<div class=block><h3>{_e(title)}</h3>{_chart(name, charts[name])}</div>")
        parts.append(_table(head, rows, numeric={0, *range(2, 12)} - {3}))
        if note := league.unranked_note(lang):
            parts.append(f"<p class=note>{_e(note)}</p>")
    return "".join(parts) + "</section>"


def _alert_text(alert: dict[str, Any], names: _Names, lang: str) -> str:
    """One alert in the wall's words."""
    unit, kind, source = names(alert["unit_key"]), alert["kind"], alert["source"]
    if kind == "overdue_share":
        pct, limit = fmt_pct(alert["value"], lang), fmt_pct(alert["limit"], lang)
        return t("wall.alert.overdue_share", lang, unit=unit, pct=pct, limit=limit)
    if kind == "new_late":
        n, limit = fmt_int(int(alert["value"]), lang), fmt_int(int(alert["limit"]), lang)
        return t("wall.alert.new_late", lang, unit=unit, n=n, limit=limit)
    since = names.last_good.get(source)
    if since is None:
        return t("wall.alert.source_never", lang, source=source, unit=unit)
    return t("wall.alert.stale_source", lang, source=source, unit=unit, time=fmt_time(since, lang))


def _alerts_table(alerts: Sequence[dict[str, Any]], names: _Names, lang: str) -> str:
    rows = [
        (t(f"wall.level.{a['severity']}", lang), _moment(_instant(a["at"]), lang), _alert_text(a, names, lang))
        for a in alerts
    ]
    return _table(_cols(lang, "severity", "since", "what"), rows)


def _attention_row(unit: AttentionUnit, names: _Names, lang: str) -> tuple[str, ...]:
    missed = [
        f"{_criterion(c['criterion'], lang)} {fmt_pct(c['value'], lang)} / {fmt_pct(c['target'], lang)}"
        for c in unit.missed
    ]
    return (
        names(unit.unit_key),
        t(f"league.kind.{unit.league}", lang) if unit.league else MISSING,
        MISSING if unit.rank is None else fmt_int(unit.rank, lang),
        "; ".join(_alert_text(a, names, lang) for a in unit.in_breach),
        fmt_decimal(unit.shortfall, lang, 2),
        "; ".join(missed),
    )


def _attention(report: Report, names: _Names, lang: str) -> str:
    rule = t("briefing.html.attention.rule", lang, below=ATTENTION_BELOW, most=ATTENTION_MAX)
    parts = f'<section id="attention"><h2>{_e(t("briefing.html.attention", lang))}</h2><p class="note">{_e(rule)}</p>'
    if not report.attention:
        return parts + f"<p>{_e(t('briefing.html.attention.none', lang))}</p></section>"
    head = _cols(lang, "unit", "league", "rank", "alarms", "shortfall", "missed")
    rows = [_attention_row(unit, names, lang) for unit in report.attention]
    return parts + _table(head, rows, numeric={2, 4}) + "</section>"


def _unit_notes(unit: UnitChange, lang: str) -> str:
    def criteria(found: Sequence[str]) -> str:
        return ", ".join(_criterion(c, lang) for c in found)

    notes = [
        t(f"briefing.html.changes.{flag}", lang) for flag in ("new", "newly_late", "newly_stale") if getattr(unit, flag)
    ]
    if unit.commitments_met:
        notes.append(t("briefing.html.changes.met", lang, criteria=criteria(unit.commitments_met)))
    if unit.commitments_missed:
        notes.append(t("briefing.html.changes.missed", lang, criteria=criteria(unit.commitments_missed)))
    return "; ".join(notes)


def _changes(changes: Changes, names: _Names, lang: str) -> str:
    since = _moment(_instant(changes.since), lang)
    parts = [f'<section id="changes"><h2>{_e(t("briefing.html.changes", lang, since=since))}</h2>']
    head = _cols(lang, "figure", "before", "after", "change")

    def delta_row(label: str, delta: Delta, ratio: bool) -> tuple[str, ...]:
        return (
            label,
            _figure(delta.before, lang, ratio),
            _figure(delta.after, lang, ratio),
            _signed(delta.change, lang, ratio),
        )

    city = [delta_row(t(f"briefing.html.city.{n}", lang), d, n in RATIO_FIGURES) for n, d in changes.city.items()]
    parts.append(_table(head, city, numeric={1, 2, 3}))
    moved = [u for u in changes.units if u.places_up or _unit_notes(u, lang)]
    if moved:
        cols = _cols(lang, "unit", "rank_before", "rank_after", "notes")
        rows = [
            (
                names(u.unit_key),
                *(MISSING if r is None else fmt_int(r, lang) for r in (u.rank_before, u.rank_after)),
                _unit_notes(u, lang),
            )
            for u in moved
        ]
        parts.append(_table(cols, rows, numeric={1, 2}))
    else:
        parts.append(f"<p>{_e(t('briefing.html.changes.none', lang))}</p>")
    for key, alerts in (("opened", changes.alerts_opened), ("closed", changes.alerts_closed)):
        if alerts:
            title = t(f"briefing.html.changes.alerts_{key}", lang)
            parts.append(f"<h3>{_e(title)}</h3>{_alerts_table(alerts, names, lang)}")
    return "".join(parts) + "</section>"


def _freshness(report: Report, names: _Names, lang: str) -> str:
    head = _cols(lang, "source", "unit", "last_good", "state", "last_error")
    rows = [
        (
            f["source"],
            names(f["unit_key"]),
            _moment(_instant(f["last_good_pull_at"]), lang),
            t("wall.level.stale" if f["stale"] else "wall.level.ok", lang),
            f["last_error"] or "",
        )
        for f in report.freshness
    ]
    return f'<section id="freshness"><h2>{_e(t("briefing.html.freshness", lang))}</h2>{_table(head, rows)}</section>'


def page(report: Report, lang: str = "vi") -> str:
    """The briefing as one HTML file (UTF-8 text, NFC): cover facts, the city with its gauge and map, each league's
    bars and table, the units that need attention, what changed (when the report has changes), alerts, freshness."""
    lang = language(lang)
    names, charts = _Names(report, lang), figures.all_figures(report, lang)
    alerts = _alerts_table(report.alerts, names, lang) if report.alerts else f"<p>{_e(t('wall.alerts.none', lang))}</p>"
    body = [
        _cover(report, lang),
        _city(report, lang, charts),
        _leagues(report, lang, charts),
        _attention(report, names, lang),
        _changes(report.changes, names, lang) if report.changes else "",
        f'<section id="alerts"><h2>{_e(t("briefing.html.alerts", lang))}</h2>{alerts}</section>',
        _freshness(report, names, lang),
    ]
    title = f"{t('briefing.html.title', lang)} — {_moment(report.as_of, lang)}"
    document = (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style>"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
        f"<script>{BUNDLE}</script></head><body><main>{''.join(body)}</main></body></html>\n"
    )
    return unicodedata.normalize("NFC", document).replace(BUNDLE, get_plotlyjs(), 1)
