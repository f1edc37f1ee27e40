"""The briefing as a PDF (A4, Vietnamese with diacritics, NFC), made from a snapshot's report alone: a cover with
the period, the as-of and the content hash; the city summary with its gauge; the map; both leagues; one page per
unit that needs attention (the rule of `dashboard.briefings.report`); and what changed since the previous snapshot.

The charts are the pages' own Plotly figures (`dashboard.briefings.figures`) drawn by `charts.render` (kaleido in
a worker process, each PNG checked for marks); fpdf2 lays the pages out with DejaVu Sans (the 14 core fonts have
no Vietnamese).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from dashboard.briefings.charts import DEFAULT_TIMEOUT_S, Chart, has_data, render
from dashboard.briefings.figures import all_figures, leagues_in_order
from dashboard.briefings.report import AttentionUnit, LeagueTable, Report
from dashboard.core.i18n import fmt_datetime, fmt_decimal, fmt_int, fmt_pct, fmt_score, period_label, t
from dashboard.core.unit_names import unit_name

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core (installed by `make setup`)
FONT = "DejaVu"
INK, MUTED, RULE = (20, 33, 61), (90, 99, 115), (200, 205, 214)
HEAD = FontFace(emphasis="BOLD", fill_color=(230, 234, 241))


def nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text))


def _rate(value: float | None, lang: str) -> str:
    return "—" if value is None else fmt_pct(value, lang)


class BriefingPDF(FPDF):
    def __init__(self, report: Report, lang: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report, self.lang = report, lang
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=16)
        self.set_margins(16, 16, 16)
        self.set_title(nfc(t("briefing.pdf.title", lang)))
        self.set_creator("CCHC Pulse")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        stamp = f"{fmt_datetime(self.report.as_of, self.lang)} · sha256 {self.report.content_hash[:16]}…"
        self.cell(0, 5, nfc(f"CCHC Pulse · {stamp}"), align="L")
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")

    # --- building blocks ---------------------------------------------------------------------------
    def heading(self, text: str, size: float = 15) -> None:
        self.set_font(FONT, "B", size)
        self.set_text_color(*INK)
        self.multi_cell(0, size * 0.5, nfc(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: float = 10, muted: bool = False) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(*(MUTED if muted else INK))
        self.multi_cell(0, size * 0.5, nfc(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def grid(self, rows: Sequence[Sequence[Any]], widths: Sequence[float], size: float = 8.5) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(*INK)
        with self.table(col_widths=widths, headings_style=HEAD, line_height=size * 0.55, text_align="LEFT",
                        borders_layout="HORIZONTAL_LINES", repeat_headings=1) as table:  # fmt: skip
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(nfc(value))
        self.ln(3)

    def picture(self, png: bytes | None, width: float) -> None:
        if png:
            self.image(BytesIO(png), w=width, x=(self.w - width) / 2)
            self.ln(2)


def _cover(pdf: BriefingPDF, report: Report, lang: str) -> None:
    pdf.add_page()
    pdf.ln(30)
    pdf.heading(t("briefing.pdf.title", lang), 20)
    start, end = (fmt_datetime(moment, lang) for moment in report.window)
    pdf.para(
        t("briefing.pdf.period", lang, period=period_label("league", report.period, lang), start=start, end=end), 12
    )
    pdf.para(t("briefing.pdf.as_of", lang, time=fmt_datetime(report.as_of, lang), version=report.data_version), 12)
    pdf.ln(4)
    pdf.para(f"sha256 {report.content_hash}", 8.5, muted=True)
    for name, digest in sorted(report.computed_with.items()):
        pdf.para(t("briefing.pdf.computed_with", lang, name=name, digest=digest[:16]), 8, muted=True)
    if report.recounted:
        pdf.para(t("shell.recounted", lang), 9, muted=True)


def _city(pdf: BriefingPDF, report: Report, lang: str, charts: Mapping[str, bytes]) -> None:
    pdf.add_page()
    pdf.heading(t("briefing.pdf.city", lang))
    pdf.picture(charts.get("gauge"), 120)
    city = report.city
    rows = [
        (t("briefing.pdf.figure", lang), t("briefing.pdf.value", lang)),
        (t("briefing.pdf.in_progress", lang), fmt_int(city["in_progress"], lang)),
        (t("briefing.pdf.overdue", lang), fmt_int(city["overdue_in_progress"], lang)),
        (t("briefing.pdf.overdue_share", lang), _rate(city["overdue_share"]["value"], lang)),
        (t("briefing.pdf.on_time", lang), _rate(city["on_time"]["value"], lang)),
        (t("briefing.pdf.online", lang), _rate(city["online_share"]["value"], lang)),
        (t("briefing.pdf.open_feedback", lang), fmt_int(city["open_feedback"], lang)),
    ]
    pdf.grid(rows, (110, 60))
    if pdf.will_page_break(150):  # the map's heading stays with the map
        pdf.add_page()
    pdf.heading(t("briefing.pdf.map", lang), 13)
    if "map" in charts:
        pdf.picture(charts["map"], 170)
    else:
        local = next((table for table in leagues_in_order(report)), None)
        pdf.para(t("wall.map.no_tiles", lang, n=len(local.rows) if local else 0), 10, muted=True)


def _league(pdf: BriefingPDF, table: LeagueTable, lang: str, charts: Mapping[str, bytes]) -> None:
    pdf.add_page()
    pdf.heading(t(f"league.kind.{table.kind}", lang))
    pdf.picture(charts.get(f"league-{table.kind}"), 170)
    head = [t(f"briefing.pdf.col.{c}", lang) for c in ("rank", "unit", "score", "on_time", "online", "in_progress",
                                                       "overdue")]  # fmt: skip
    rows: list[Sequence[str]] = [head]
    for row in table.rows:
        rank = "—" if row.rank is None else f"{'=' if row.tied else ''}{row.rank}"
        name = unit_name(row.name_vi, row.name_en, lang)
        rows.append((rank, name, fmt_score(row.score, lang), _rate(row.on_time, lang), _rate(row.online, lang),
                     fmt_int(row.in_progress, lang), fmt_int(row.overdue, lang)))  # fmt: skip
    pdf.grid(rows, (14, 62, 18, 20, 20, 22, 20))
    if note := table.unranked_note(lang):
        pdf.para(note, 9, muted=True)


def _attention(pdf: BriefingPDF, unit: AttentionUnit, lang: str) -> None:
    pdf.add_page()
    pdf.heading(unit_name(unit.name_vi, unit.name_en, lang))
    if unit.rank is not None and unit.league is not None:
        pdf.para(t("briefing.pdf.rank", lang, rank=unit.rank, league=t(f"league.kind.{unit.league}", lang)), 11)
    kpis = unit.figures["kpis"]
    rows: list[Sequence[str]] = [
        (t("briefing.pdf.figure", lang), t("briefing.pdf.value", lang)),
        (t("briefing.pdf.score", lang), fmt_score(unit.figures["index"]["score"], lang)),
        (t("briefing.pdf.on_time", lang), _rate(kpis["on_time"]["value"], lang)),
        (t("briefing.pdf.online", lang), _rate(kpis["online"]["value"], lang)),
        (t("briefing.pdf.in_progress", lang), fmt_int(kpis["backlog"]["in_progress"], lang)),
        (t("briefing.pdf.overdue", lang), fmt_int(kpis["backlog"]["overdue"], lang)),
        (t("briefing.pdf.received", lang), fmt_int(kpis["received"], lang)),
    ]
    pdf.grid(rows, (110, 60))
    for alarm in unit.in_breach:
        pdf.para(t(f"briefing.pdf.alarm.{alarm['kind']}", lang, value=_rate(alarm["value"], lang),
                   limit=_rate(alarm["limit"], lang)), 10)  # fmt: skip
    if unit.missed:
        rows = [(t("briefing.pdf.col.criterion", lang), t("briefing.pdf.col.target", lang),
                 t("briefing.pdf.col.value", lang))]  # fmt: skip
        rows += [(t(f"league.criterion.{c['criterion']}", lang), _rate(c["target"], lang), _rate(c["value"], lang))
                 for c in unit.missed]  # fmt: skip
        pdf.heading(t("briefing.pdf.missed", lang), 12)
        pdf.grid(rows, (90, 40, 40))


def _changes(pdf: BriefingPDF, report: Report, lang: str) -> None:
    found = report.changes
    pdf.add_page()
    pdf.heading(t("briefing.pdf.changes", lang))
    if found is None or report.previous_as_of is None:
        pdf.para(t("briefing.pdf.changes.none", lang), 10, muted=True)
        return
    pdf.para(t("briefing.pdf.changes.since", lang, time=fmt_datetime(report.previous_as_of, lang)), 10)
    rows = [(t("briefing.pdf.figure", lang), t("briefing.pdf.before", lang), t("briefing.pdf.after", lang))]
    for name, delta in found.city.items():
        show = (lambda v: _rate(v, lang)) if name in ("overdue_share", "on_time", "online_share") else (
            lambda v: "—" if v is None else fmt_int(int(v), lang))  # fmt: skip
        rows.append((t(f"briefing.pdf.city.{name}", lang), show(delta.before), show(delta.after)))
    pdf.grid(rows, (90, 40, 40))
    moved = [u for u in found.units if u.places_up or u.newly_late or u.newly_stale or u.commitments_met
             or u.commitments_missed]  # fmt: skip
    rows = [(t("briefing.pdf.col.unit", lang), t("briefing.pdf.col.rank", lang), t("briefing.pdf.col.note", lang))]
    for unit in sorted(moved, key=lambda u: -(abs(u.places_up or 0))):
        notes = [t(key, lang) for key, on in (("briefing.pdf.newly_late", unit.newly_late),
                                               ("briefing.pdf.newly_stale", unit.newly_stale)) if on]  # fmt: skip
        notes += [t("briefing.pdf.met", lang, what=", ".join(unit.commitments_met))] if unit.commitments_met else []
        notes += (
            [t("briefing.pdf.missed_now", lang, what=", ".join(unit.commitments_missed))]
            if unit.commitments_missed
            else []
        )
        rank = f"{unit.rank_before or '—'} → {unit.rank_after or '—'}"
        rows.append((unit_name(unit.name_vi, unit.name_en, lang), rank, "; ".join(notes)))
    if len(rows) > 1:
        pdf.grid(rows, (70, 30, 80))
    pdf.para(t("briefing.pdf.alerts_changed", lang, opened=len(found.alerts_opened), closed=len(found.alerts_closed)))


# (width, height) in CSS pixels of each chart drawn for the PDF; a league's bars only up to LEAGUE_BARS_MAX rows.
CHART_SIZES = {"gauge": (620, 380), "map": (900, 760)}
LEAGUE_BARS_MAX = 40


def chart_specs(report: Report, lang: str) -> dict[str, Chart]:
    """The charts the PDF shows: the pages' own figures (`dashboard.briefings.figures`) at print sizes."""
    found = {}
    rows = {f"league-{table.kind}": sum(row.score is not None for row in table.rows) for table in report.leagues}
    for name, figure in all_figures(report, lang).items():
        if not has_data(figure):  # e.g. no tile map for today's 168 units: the PDF says so in words
            continue
        if name.startswith("league-"):
            if rows.get(name, 0) > LEAGUE_BARS_MAX:
                continue  # a league of 168 units is its table; bars would be unreadable
            size = (900, 140 + 34 * rows[name])
        else:
            size = CHART_SIZES[name]
        layout = {**figure.get("layout", {}), "width": size[0], "height": size[1]}
        found[name] = Chart({**figure, "layout": layout}, *size)
    return found


def briefing_pdf(report: Report, lang: str = "vi", *, timeout_s: float = DEFAULT_TIMEOUT_S) -> bytes:
    """The whole briefing PDF: its charts drawn and checked (`charts.render`), then laid out."""
    return pdf_bytes(report, lang, render(chart_specs(report, lang), timeout_s=timeout_s))


def pdf_bytes(report: Report, lang: str = "vi", charts: Mapping[str, bytes] | None = None) -> bytes:
    """The briefing PDF of `report` with the given chart PNGs (names: gauge, map, league-<kind>)."""
    charts = charts or {}
    pdf = BriefingPDF(report, lang)
    _cover(pdf, report, lang)
    _city(pdf, report, lang, charts)
    for table in leagues_in_order(report):  # the territorial league first
        _league(pdf, table, lang, charts)
    if report.attention:
        pdf.add_page()
        pdf.heading(t("briefing.pdf.attention", lang))
        pdf.para(
            t("briefing.pdf.attention.rule", lang), 9, muted=True
        )  # the rule of dashboard.briefings.report, in words
        head = [t(f"briefing.pdf.col.{c}", lang) for c in ("unit", "rank", "alarms", "shortfall")]
        summary: list[Sequence[str]] = [head]
        for unit in report.attention:
            rank = "—" if unit.rank is None else str(unit.rank)
            name = unit_name(unit.name_vi, unit.name_en, lang)
            summary.append((name, rank, fmt_int(len(unit.in_breach), lang), fmt_decimal(unit.shortfall, lang, 2)))
        pdf.grid(summary, (80, 25, 30, 35))
        for unit in report.attention:
            _attention(pdf, unit, lang)
    _changes(pdf, report, lang)
    return bytes(pdf.output())
