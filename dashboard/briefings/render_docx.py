"""The briefing report as a Word file laid out as Vietnamese offices file one (Nghị định 30/2020/NĐ-CP, Phụ lục I):
A4, Times 13 pt, issuing body and số/ký hiệu by the quốc hiệu, tiêu ngữ, place and date, BÁO CÁO, sections, "Nơi nhận"."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import get_month_names
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from dashboard.briefings.changes import CITY_FIGURES, Changes, Delta, UnitChange
from dashboard.briefings.report import ATTENTION_BELOW, ATTENTION_MAX, AttentionUnit, Report, TableRow
from dashboard.core import i18n
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import LOCALES, MISSING, fmt_datetime, fmt_decimal, fmt_int, fmt_pct, period_label, t
from dashboard.core.unit_names import unit_name
from dashboard.core.vocabulary import CITY_KEY, LEAGUE_KINDS

FONT = "Times New Roman"
BODY_PT, TITLE_PT, TABLE_PT, SMALL_PT, NOTE_PT = 13, 14, 12, 11, 10  # Decree 30: body 13–14, Nơi nhận 12 and 11
PAGE_MM = (210, 297)  # A4, portrait
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # Decree 30: 20–25, 20–25, 30–35, 15–20
HEADER_MM = (57, 108)  # issuing body | quốc hiệu, tiêu ngữ, place and date: 165 mm, the text's width
LEAGUE_MM = (16, 15, 52, 15, 17, 17, 17, 16)  # rank, tied, unit, score, on time, online, in progress, overdue
LEAGUE_COLUMNS = ("league.col.rank", "briefing.docx.col.tied", "league.col.unit", "league.col.score",
                  "league.col.on_time", "league.col.online", "briefing.docx.col.in_progress",
                  "briefing.docx.col.overdue")  # fmt: skip
CITY_MM, CHANGES_MM, SOURCES_MM = (105, 60), (65, 32, 32, 36), (28, 40, 35, 25, 37)
CHART_MM, CHART_DEFAULT_MM = {"gauge": 100}, 150  # a picture's width by chart; any other chart: the default
CHARTS_FIRST = ("gauge", "map")  # shown with the city figures; a chart named after a league kind follows its table
LEAGUE_ORDER: dict[str, int] = {kind: n for n, kind in enumerate(LEAGUE_KINDS)}  # the territorial league first
RATIOS = frozenset({"on_time", "online", "online_share", "overdue_share", "dossier_satisfaction"})
INDENT = Mm(10)  # Decree 30: the first line indented 1–1.27 cm
Lines = list[tuple[str, dict[str, Any]]]  # a cell's lines of text, each with its run style
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


@dataclass(frozen=True)
class Issuer:
    """Who files the report: the body above the office (one line each), the office, and its place name."""

    superior: tuple[str, ...]
    office: str
    place: str


def default_issuer(lang: str = "vi") -> Issuer:
    """Văn phòng Ủy ban nhân dân Thành phố Hồ Chí Minh, in `lang`."""
    superior = tuple(t("briefing.docx.superior", lang).split("\n"))
    return Issuer(superior, t("briefing.docx.office", lang), t("briefing.docx.place", lang))


def nfc(text: str) -> str:
    """Text in Unicode NFC, so stacked Vietnamese marks (ồ, ễ, ầ) are one character each."""
    return unicodedata.normalize("NFC", text)


def document(
    report: Report,
    lang: str = "vi",
    charts: Mapping[str, bytes] | None = None,
    *,
    issuer: Issuer | None = None,
    reference: str | None = None,
    issued: date | None = None,
    recipients: Sequence[str] | None = None,
) -> bytes:
    """The report as DOCX bytes. `charts`: PNG bytes by name ("gauge", "map", or a league kind) shown as pictures;
    `issuer`: the issuing body (`default_issuer`); `reference`: the số/ký hiệu ("……/BC-……", to fill by hand, when
    None); `issued`: the date line's day (the as-of's); `recipients`: the "Nơi nhận" lines."""
    writer = _Writer(report, lang, dict(charts or {}))
    writer.header(issuer or default_issuer(lang), reference, issued or report.as_of.astimezone(CITY_TZ).date())
    writer.sections()
    writer.stamp()
    writer.recipients(recipients or t("briefing.docx.recipients.default", lang).split("\n"))
    out = io.BytesIO()
    writer.doc.save(out)
    return out.getvalue()


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
         size: float | None = None) -> None:  # fmt: skip
    run = paragraph.add_run(nfc(text))
    run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
    if size is not None:
        run.font.size = Pt(size)


def _para(container: Any, text: str = "", *, align: Any = JUSTIFY, indent: bool = False, after: float | None = None,
          single: bool = False, **style: Any) -> Paragraph:  # fmt: skip
    """A paragraph (new, or `container` itself when it is one) of `text`, styled as `_run`; justified unless told."""
    paragraph = container if isinstance(container, Paragraph) else container.add_paragraph()
    if text:
        _run(paragraph, text, **style)
    paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = INDENT
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if single:
        paragraph.paragraph_format.line_spacing = 1.0
    return paragraph


def _dated(place: str, day: date, lang: str) -> str:
    """The place and date line; Decree 30 writes days below 10 and months 1 and 2 with a leading zero."""
    month_name = get_month_names("wide", locale=LOCALES.get(lang, LOCALES["vi"]))[day.month]
    return t("briefing.docx.dated", lang, place=place, day=f"{day.day:02d}", day_number=day.day, year=day.year,
             month=f"{day.month:02d}" if day.month < 3 else str(day.month), month_name=month_name)  # fmt: skip


def _widths(table: Any, widths: Sequence[float]) -> None:
    """Column widths in mm, on the table's grid (LibreOffice reads it) and on every cell (Word reads those)."""
    for column, mm in zip(table.columns, widths, strict=True):
        column.width = Mm(mm)
        for cell in column.cells:
            cell.width = Mm(mm)


def _when(moment: str | datetime | None, lang: str) -> str:
    return fmt_datetime(datetime.fromisoformat(moment) if isinstance(moment, str) else moment, lang)


def _figure(name: str, value: float | None, lang: str) -> str:
    """A figure by name: ratios as percents, the score as it ranks (`fmt_score`), counts whole."""
    if name in RATIOS:
        return fmt_pct(value, lang)
    return i18n.fmt_score(value, lang) if name == "score" else fmt_int(None if value is None else int(value), lang)


def _change(name: str, delta: Delta, lang: str) -> str:
    """A signed change: ratios in percentage points, the score with one decimal, counts whole."""
    if (change := delta.change) is None:
        return MISSING
    sign = "+" if change > 0 else ""
    if name in RATIOS:
        return t("briefing.docx.points", lang, n=sign + fmt_decimal(change * 100, lang))
    return sign + (i18n.fmt_score(change, lang) if name == "score" else fmt_int(int(change), lang))


def alarm_text(alert: dict[str, Any], report: Report, lang: str) -> str:
    """One alert of a snapshot in words, without its unit: what broke which limit."""
    kind, value, limit = alert["kind"], alert["value"], alert["limit"]
    if kind == "overdue_share":
        return t("briefing.docx.alarm.overdue_share", lang, value=fmt_pct(value, lang), limit=fmt_pct(limit, lang))
    if kind == "new_late":
        return t("briefing.docx.alarm.new_late", lang, value=fmt_int(int(value), lang), limit=fmt_int(int(limit), lang))
    pulled = next((f["last_good_pull_at"] for f in report.freshness if f["source"] == alert["source"]), None)
    if pulled is None:
        return t("briefing.docx.alarm.source_never", lang, source=alert["source"])
    return t("briefing.docx.alarm.stale_source", lang, source=alert["source"], time=_when(pulled, lang))


def _unit_events(change: UnitChange, lang: str) -> list[str]:
    """What is worth saying about a unit since the earlier snapshot (nothing: the unit is not listed)."""
    events = []
    if up := change.places_up:
        key = "briefing.docx.changes.up" if up > 0 else "briefing.docx.changes.down"
        events.append(t(key, lang, n=abs(up), before=change.rank_before, after=change.rank_after))
    for key, criteria in (("met", change.commitments_met), ("missed", change.commitments_missed)):
        if criteria:
            items = ", ".join(t(f"league.criterion.{c}", lang) for c in criteria)
            events.append(t(f"briefing.docx.changes.{key}", lang, items=items))
    for key, happened in (("newly_late", change.newly_late), ("newly_stale", change.newly_stale), ("new", change.new)):
        if happened:
            events.append(t(f"briefing.docx.changes.{key}", lang))
    return events


class _Writer:
    """One document being written: its report, language and charts, and the units' names in that language."""

    def __init__(self, report: Report, lang: str, charts: dict[str, bytes]) -> None:
        self.report, self.lang, self.charts = report, lang, charts
        self.doc: Any = Document()
        self.locale = LOCALES.get(lang, LOCALES["vi"]).replace("_", "-")
        units = [figures["unit"] for figures in report.body.get("kpis", {}).get("units", [])]
        names = {u["key"]: unit_name(u["name_vi"], u["name_en"], lang) for u in units}
        self.names = names | {CITY_KEY: t("wall.city", lang)}
        self._page_and_fonts()

    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def name(self, unit_key: str) -> str:
        return self.names.get(unit_key, unit_key)

    def _page_and_fonts(self) -> None:
        """A4, Decree 30's margins, Times New Roman 13 pt in every script slot, the language, and the page number
        centred at the top from the second page on."""
        section, style = self.doc.sections[0], self.doc.styles["Normal"]
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        for side, mm in MARGINS_MM.items():
            setattr(section, f"{side}_margin", Mm(mm))
        style.font.name, style.font.size = FONT, Pt(BODY_PT)
        rpr = style.element.get_or_add_rPr()
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rpr.rFonts.set(qn(slot), FONT)
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), self.locale)
        rpr.append(language)
        style.paragraph_format.space_after = Pt(6)  # Decree 30: at least 6 pt between paragraphs,
        style.paragraph_format.line_spacing = 1.15  # lines from single to 1.5 apart
        section.different_first_page_header_footer = True
        number = section.header.paragraphs[0]
        number.alignment = CENTER
        number._p.append(field := OxmlElement("w:fldSimple"))
        field.set(qn("w:instr"), "PAGE")

    def header(self, issuer: Issuer, reference: str | None, issued: date) -> None:
        """Decree 30's header (the issuing body and số/ký hiệu at the left; quốc hiệu, tiêu ngữ and the place and
        date at the right, in a borderless table), then BÁO CÁO and its trích yếu, centred."""
        table = self.doc.add_table(rows=2, cols=2)  # the default table style: no borders
        table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
        above: Lines = [(line.upper(), {}) for line in issuer.superior]
        nation: Lines = [(self.t("briefing.docx.nation"), {"bold": True}),
                  (self.t("briefing.docx.motto"), {"bold": True, "underline": True, "size": BODY_PT})]  # fmt: skip
        number = self.t("briefing.docx.number", reference=reference or self.t("briefing.docx.reference"))
        cells: tuple[Lines, ...] = (
            [*above, (issuer.office.upper(), {"bold": True})],
            nation,
            [(number, {"size": BODY_PT})],
            [(_dated(issuer.place, issued, self.lang), {"size": BODY_PT, "italic": True})],
        )
        _widths(table, HEADER_MM)
        for cell, lines in zip((c for row in table.rows for c in row.cells), cells, strict=True):
            for i, (text, style) in enumerate(lines):
                paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                _para(paragraph, text, align=CENTER, after=0, single=True, **{"size": TABLE_PT, **style})
        for cell in table.rows[1].cells:
            cell.paragraphs[0].paragraph_format.space_before = Pt(6)
        period = period_label("league", self.report.period, self.lang)
        subject = self.t(
            "briefing.docx.subject", period=period[:1].lower() + period[1:], as_of=_when(self.report.as_of, self.lang)
        )
        _para(self.doc, after=6)
        _para(self.doc, self.t("briefing.docx.type"), align=CENTER, bold=True, size=TITLE_PT, after=0)
        _para(self.doc, subject, align=CENTER, bold=True, size=TITLE_PT, after=12)
        props = self.doc.core_properties
        props.title, props.subject, props.author = nfc(self.t("briefing.docx.type")), nfc(subject), nfc(issuer.office)
        props.language, props.revision = self.locale, 1
        props.created = props.modified = self.report.as_of.astimezone(UTC).replace(tzinfo=None)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
             left: frozenset[int] | set[int] = frozenset()) -> None:  # fmt: skip
        """A bordered table: a bold header row, repeated on every page, then `rows`; columns in `left` align left."""
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style, table.alignment, table.autofit = "Table Grid", WD_TABLE_ALIGNMENT.CENTER, False
        _widths(table, widths)
        for r, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row stays on one page
            for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                align = LEFT if c in left and r else CENTER
                _para(cell.paragraphs[0], value, align=align, after=0, single=True, bold=r == 0, size=TABLE_PT)
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page
        _para(self.doc, after=0)

    def picture(self, name: str) -> None:
        self.doc.add_picture(io.BytesIO(self.charts[name]), width=Mm(CHART_MM.get(name, CHART_DEFAULT_MM)))
        self.doc.paragraphs[-1].alignment = CENTER

    def body(self, text: str, **style: Any) -> Paragraph:
        return _para(self.doc, text, indent=True, **style)

    def sections(self) -> None:
        """The city, the leagues, the units needing attention, what changed (if known), the sources: numbered."""
        report, numbers = self.report, iter(range(1, 10))
        self.body(f"{next(numbers)}. {self.t('briefing.docx.section.city')}", bold=True)
        self.city()
        kinds = {league.kind for league in report.leagues}
        for name in [k for k in CHARTS_FIRST if k in self.charts] + sorted(set(self.charts) - {*CHARTS_FIRST, *kinds}):
            self.picture(name)
        self.body(f"{next(numbers)}. {self.t('briefing.docx.section.leagues')}", bold=True)
        for league in sorted(report.leagues, key=lambda league: LEAGUE_ORDER.get(league.kind, len(LEAGUE_ORDER))):
            self.body(self.t(f"league.kind.{league.kind}"), bold=True, italic=True)
            rows = [self.league_row(row) for row in league.rows]
            self.grid([self.t(key) for key in LEAGUE_COLUMNS], rows, LEAGUE_MM, left={2})
            if note := league.unranked_note(self.lang):
                self.body(note, size=SMALL_PT, italic=True)
            if league.kind in self.charts:
                self.picture(league.kind)
        ties = f"{self.t('league.ties')} {self.t('briefing.docx.unranked', missing=MISSING)}"
        self.body(ties, size=SMALL_PT, italic=True)
        self.body(f"{next(numbers)}. {self.t('briefing.docx.section.attention')}", bold=True)
        rule = self.t("briefing.docx.attention.rule", below=ATTENTION_BELOW, most=ATTENTION_MAX)
        self.body(rule, size=SMALL_PT, italic=True)
        for unit in report.attention:
            self.attention(unit)
        if not report.attention:
            self.body(self.t("briefing.docx.attention.none"))
        if report.changes is not None:
            since = _when(report.changes.since, self.lang)
            self.body(f"{next(numbers)}. {self.t('briefing.docx.section.changes', since=since)}", bold=True)
            self.changes(report.changes)
        self.body(f"{next(numbers)}. {self.t('briefing.docx.section.sources')}", bold=True)
        self.sources()

    def city(self) -> None:
        start, end = (_when(moment, self.lang) for moment in self.report.window)
        self.body(self.t("briefing.docx.window", start=start, end=end))
        rows = []
        for name, _ in CITY_FIGURES:
            value = self.report.city.get(name)
            if isinstance(value, dict):  # a ratio: the share and its counts
                counts = f"{fmt_int(value['numerator'], self.lang)}/{fmt_int(value['denominator'], self.lang)}"
                rows.append(
                    (self.t(f"briefing.docx.figure.{name}"), f"{fmt_pct(value['value'], self.lang)} ({counts})")
                )
            else:
                rows.append((self.t(f"briefing.docx.figure.{name}"), _figure(name, value, self.lang)))
        self.grid((self.t("briefing.docx.col.figure"), self.t("briefing.docx.col.value")), rows, CITY_MM, left={0})
        if self.report.recounted:
            self.body(self.t("shell.recounted"), size=SMALL_PT, italic=True)

    def league_row(self, row: TableRow) -> tuple[str, ...]:
        lang, name = self.lang, unit_name(row.name_vi, row.name_en, self.lang)
        if row.stale:
            name = f"{name} ({self.t('status.stale').lower()})"
        return (fmt_int(row.rank, lang), self.t("league.xlsx.yes") if row.tied else "", name,
                i18n.fmt_score(row.score, lang), fmt_pct(row.on_time, lang), fmt_pct(row.online, lang),
                fmt_int(row.in_progress, lang), fmt_int(row.overdue, lang))  # fmt: skip

    def attention(self, unit: AttentionUnit) -> None:
        """The unit's name in bold, its rank, then the commitments it missed and its alarms, in one paragraph."""
        paragraph = self.body(self.name(unit.unit_key), bold=True)
        if unit.rank is not None and unit.league:
            league = self.t(f"league.kind.{unit.league}")
            place = self.t("briefing.docx.attention.rank", rank=fmt_int(unit.rank, self.lang), league=league)
        else:
            place = self.t("briefing.docx.attention.unranked")
        parts = [f" ({place})."]
        if unit.missed:
            items = "; ".join(
                self.t("briefing.docx.attention.commitment", name=self.t(f"league.criterion.{c['criterion']}"),
                       value=fmt_pct(c["value"], self.lang), target=fmt_pct(c["target"], self.lang))
                for c in unit.missed
            )  # fmt: skip
            parts.append(self.t("briefing.docx.attention.missed", items=items))
        if unit.in_breach:
            alarms = "; ".join(alarm_text(alert, self.report, self.lang) for alert in unit.in_breach)
            parts.append(self.t("briefing.docx.attention.alarms", items=alarms))
        _run(paragraph, " ".join(parts))

    def changes(self, changes: Changes) -> None:
        """The city's figures before and now, the units that moved or met or missed, the alerts opened and closed."""
        lang = self.lang
        header = [self.t(f"briefing.docx.col.{key}") for key in ("figure", "before", "after", "change")]
        rows = [(self.t(f"briefing.docx.figure.{name}"), _figure(name, d.before, lang), _figure(name, d.after, lang),
                 _change(name, d, lang)) for name, d in changes.city.items()]  # fmt: skip
        self.grid(header, rows, CHANGES_MM, left={0})
        listed = [(change, events) for change in changes.units if (events := _unit_events(change, lang))]
        for change, events in listed:
            _run(self.body(self.name(change.unit_key), bold=True), f": {'; '.join(events)}.")
        if not listed:
            self.body(self.t("briefing.docx.changes.none"))
        for key, alerts in (("opened", changes.alerts_opened), ("closed", changes.alerts_closed)):
            if alerts:
                items = "; ".join(f"{self.name(a['unit_key'])}: {alarm_text(a, self.report, lang)}" for a in alerts)
                self.body(self.t(f"briefing.docx.changes.{key}", items=items))

    def sources(self) -> None:
        header = [self.t(f"briefing.docx.col.{key}") for key in ("source", "unit", "pulled", "status", "error")]
        rows = []
        for fresh in self.report.freshness:
            pulled = fresh["last_good_pull_at"]
            status = "status.stale" if fresh["stale"] else ("status.never" if pulled is None else "status.ok")
            rows.append((fresh["source"], self.name(fresh["unit_key"]), _when(pulled, self.lang), self.t(status),
                         fresh["last_error"] or ""))  # fmt: skip
        if rows:
            self.grid(header, rows, SOURCES_MM, left={0, 1, 4})
        else:
            self.body(self.t("briefing.docx.sources.none"))

    def stamp(self) -> None:
        """The small note that ties the document to its snapshot: as-of, data version, content and rule hashes."""
        report = self.report
        stamp = self.t("briefing.docx.stamp", as_of=_when(report.as_of, self.lang), version=report.data_version,
                       hash=report.content_hash)  # fmt: skip
        rules = "; ".join(f"{name}: {digest}" for name, digest in sorted(report.computed_with.items()))
        for text in (stamp, self.t("briefing.docx.rules", items=rules)):
            _para(self.doc, text, align=LEFT, size=NOTE_PT, italic=True, after=2)

    def recipients(self, lines: Sequence[str]) -> None:
        """Decree 30's "Nơi nhận": the italic bold heading, then one line per recipient, at the left."""
        heading = _para(self.doc, self.t("briefing.docx.recipients"), align=LEFT, after=0, bold=True, italic=True,
                        size=TABLE_PT)  # fmt: skip
        heading.paragraph_format.space_before = Pt(12)
        for line in lines:
            _para(self.doc, line, align=LEFT, after=0, size=SMALL_PT)
