"""A headline figure against yesterday and 7 days ago, for the wall's KPI tiles: the arrow, the change in the
figure's own unit and what it is compared with, from the model's `Comparison`s (`dashboard.pages.wall_compare`).
Better is a filled badge, worse a hatched one, as the wall's levels are: never colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dash import html

from dashboard.core.i18n import fmt_day, fmt_decimal, fmt_int, t
from layouts.attrs import Attrs

if TYPE_CHECKING:
    from dashboard.metrics.direction import Change
    from dashboard.pages.wall_compare import Comparison

ARROW = {"up": "▲", "down": "▼", "steady": "≈", "same": "="}  # glyphs DejaVu has; the badge's fill says it too


def arrow_of(change: Change) -> str:
    """The arrow's name: up, down, steady (moved less than the rule's step: "≈") or same (did not move: "=")."""
    return "same" if change.arrow == "steady" and change.delta == 0 else change.arrow


def change_text(change: Change, lang: str) -> str:
    """The change in the figure's own unit, signed: "+12", "−0,4 điểm %" ("−0.4 pp"); "0" when none."""
    sign = "+" if change.delta > 0 else "−" if change.delta < 0 else ""
    if change.kind == "rate":
        return sign + t("wall.compare.points", lang, n=fmt_decimal(abs(change.delta) * 100, lang))
    return sign + fmt_int(round(abs(change.delta)), lang)


def verdict_word(change: Change) -> str:
    """Which words a change reads in, for every page that shows one: better, worse, up or down (a figure neither
    way better), steady (moved less than the rule's step: "gần như không đổi", shown with "≈" and its signed change,
    never a bare "không đổi" beside two different numbers) or same (no change at all)."""
    moved = arrow_of(change)
    return moved if change.verdict == "neutral" or moved == "same" else change.verdict


def verdict_words(change: Change, lang: str) -> str:
    """The change in the wall's words (`verdict_word`): "tốt hơn", "kém hơn", "gần như không đổi", …"""
    return t(f"wall.compare.verdict.{verdict_word(change)}", lang)


def _compare_line(comparison: Comparison, name: str, lang: str) -> html.Div:
    found, data_from = comparison.of(name), comparison.withheld(name)
    if found is None and data_from is not None:  # the store's data begins inside the earlier 30 days
        words = t(f"wall.compare.short.{comparison.against}", lang, day=fmt_day(data_from, lang))
        return html.Div(words, className="wall-compare is-none")
    if found is None:
        return html.Div(t(f"wall.compare.none.{comparison.against}", lang), className="wall-compare is-none")
    against, moved = t(f"wall.compare.{comparison.against}", lang), change_text(found, lang)
    words = verdict_words(found, lang)
    return html.Div(
        [
            html.Span(
                [html.Span(ARROW[arrow_of(found)], **Attrs({"aria-hidden": "true"})), " ", moved],
                className="wall-compare-change",
            ),
            " ",
            html.Span(against, className="wall-compare-against"),
        ],
        className=f"wall-compare is-{found.verdict}",
        title=f"{words}: {moved} {against}",
        **Attrs({"aria-label": f"{words}: {moved} {against}"}),
    )


def compare_lines(compared: Sequence[Comparison], name: str, lang: str) -> html.Div:
    """A headline figure against yesterday and 7 days ago: arrow, change and what it is compared with; one line
    "chưa có số liệu để so sánh" when there is neither ("chưa đủ số liệu để so sánh (số liệu từ 02/11/2019)" when
    the store's data begins inside an earlier 30 days)."""
    if all(c.of(name) is None for c in compared):
        short = next((day for c in compared if (day := c.withheld(name)) is not None), None)
        words = (
            t("wall.compare.none", lang) if short is None else t("wall.compare.short", lang, day=fmt_day(short, lang))
        )
        return html.Div(words, className="wall-kpi-compare is-none")
    return html.Div([_compare_line(c, name, lang) for c in compared], className="wall-kpi-compare")
