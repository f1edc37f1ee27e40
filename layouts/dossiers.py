"""Dossier tables and the late-procedures list, from the store's list rows (plain dicts): the unit tile and its
drill-through lists. On a phone each table row becomes a block of labelled lines (CSS, from `data-label`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard.core.i18n import MISSING, fmt_date, fmt_int, fmt_time, t
from layouts import names
from layouts.attrs import Attrs


def fmt_when(moment: datetime | None, lang: str) -> str:
    """dd/mm/yyyy HH:MM in the city's time zone (the order a dossier's dates are read in)."""
    return MISSING if moment is None else f"{fmt_date(moment, lang)} {fmt_time(moment, lang)}"


def procedure_name(row: dict[str, Any], lang: str) -> str:
    """The procedure's name in `lang`, else its code (a code the catalogue does not know)."""
    name = row.get("procedure_name_en" if lang == "en" else "procedure_name_vi") or row.get(
        "name_en" if lang == "en" else "name_vi"
    )
    return name or row["procedure_code"]


def procedure_label(row: dict[str, Any], lang: str, className: str | None = None) -> html.Span:
    """The procedure's name marked as a name (layouts.names), its code as the hover title."""
    label = names.name(procedure_name(row, lang), names.name_lang(lang), className)
    setattr(label, "title", row["procedure_code"])  # noqa: B010  (Span takes title; the stub of name() returns Span)
    return label


def _apology(row: dict[str, Any], lang: str) -> Component:
    if row.get("apology_at") is None:  # an apology is owed only for a late dossier
        if row.get("late_days") is None:
            return html.Span(MISSING)
        return html.Span(t("unit.apology.none", lang), className="pulse-no-apology")
    text = t("unit.apology.sent", lang)
    if row.get("apology_new_due_at") is not None:
        text = t("unit.apology.new_due", lang, date=fmt_date(row["apology_new_due_at"], lang))
    return html.Span(text)


def _completed(row: dict[str, Any], lang: str) -> str:
    if row.get("completed_at") is not None and row["status"] in ("completed", "refused"):
        return fmt_when(row["completed_at"], lang)
    return t(f"unit.status.{row['status']}", lang)


def _late_days(row: dict[str, Any], lang: str) -> Component | str:
    days = row.get("late_days")
    return MISSING if days is None else html.Strong(fmt_int(days, lang), className="pulse-late-days")


def _value(column: str, row: dict[str, Any], lang: str) -> Any:
    if column == "code":
        return html.Code(row["native_code"])
    if column == "procedure":
        return procedure_label(row, lang)
    if column == "received":
        return fmt_when(row["received_at"], lang)
    if column == "due":
        return fmt_when(row["due_original_at"], lang)
    if column == "completed":
        return _completed(row, lang)
    if column == "late_days":
        return _late_days(row, lang)
    return _apology(row, lang)


def dossier_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], lang: str) -> dbc.Table:
    """One row per dossier; `columns` from code, procedure, received, due, completed, late_days, apology."""
    labels = [t(f"unit.col.{column}", lang) for column in columns]
    head = html.Thead(html.Tr([html.Th(label, scope="col") for label in labels]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(_value(column, row, lang), className=f"is-{column}", **Attrs({"data-label": label}))
                    for column, label in zip(columns, labels, strict=True)
                ]
            )
            for row in rows
        ]
    )
    return dbc.Table([head, body], className="pulse-dossiers align-middle mb-0")


def late_procedures(rows: Sequence[dict[str, Any]], lang: str) -> Component:
    """The procedures with the most late dossiers (completed late in the period, or overdue now), a bar each."""
    if not rows:
        return html.P(t("unit.late_procedures.empty", lang), className="pulse-empty text-body-secondary")
    most = max(row["late"] for row in rows) or 1
    items = [
        html.Li(
            [
                html.Div(
                    [
                        procedure_label(row, lang, "pulse-bar-name"),
                        html.Span(
                            t("unit.late_procedures.count", lang, n=fmt_int(row["late"], lang)),
                            className="pulse-bar-count",
                        ),
                    ],
                    className="pulse-bar-label",
                ),
                html.Div(
                    html.Div(className="pulse-bar-fill", style={"width": f"{100 * row['late'] / most:.1f}%"}),
                    className="pulse-bar-track",
                ),
            ],
            className="pulse-bar",
        )
        for row in rows
    ]
    return html.Ol(items, className="pulse-bars")


FEEDBACK_COLUMNS = ("feedback_id", "feedback_category", "feedback_channel", "received", "due", "feedback_answered")


def _feedback_value(column: str, row: dict[str, Any], lang: str) -> Any:
    if column == "feedback_id":
        return html.Code(row["native_id"])
    if column == "feedback_category":
        return names.category(row["category"], lang)
    if column == "feedback_channel":
        return t(f"unit.feedback.channel.{row['channel']}", lang)
    if column == "received":
        return fmt_when(row["received_at"], lang)
    if column == "due":
        return fmt_when(row["due_at"], lang) if row["due_at"] else "—"
    return fmt_when(row["answered_at"], lang) if row["answered_at"] else t("unit.feedback.unanswered", lang)


def feedback_table(rows: Sequence[dict[str, Any]], lang: str) -> dbc.Table:
    """One row per feedback item: its id, category, channel, received, due and answer times (no citizen detail)."""
    labels = [t(f"unit.col.{column}", lang) for column in FEEDBACK_COLUMNS]
    head = html.Thead(html.Tr([html.Th(label, scope="col") for label in labels]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        _feedback_value(column, row, lang), className=f"is-{column}", **Attrs({"data-label": label})
                    )
                    for column, label in zip(FEEDBACK_COLUMNS, labels, strict=True)
                ]
            )
            for row in rows
        ]
    )
    return dbc.Table([head, body], className="pulse-dossiers align-middle mb-0")
