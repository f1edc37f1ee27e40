"""The alerts page (desktop and phone): every open alert in the order to act — since when and for how long, its
owner unit, who acknowledged it — and, where the viewer may, a button to acknowledge it (a form posting to
/alerts/<id>/ack: it works without script)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.core.i18n import t
from dashboard.core.vocabulary import CITY_KEY
from layouts import shell
from layouts.ids import AlertsIds
from layouts.names import name, name_lang
from layouts.overview import labelled_cell
from layouts.wall_views import ack_text, alert_counts, alert_text, since_text

if TYPE_CHECKING:
    from dashboard.metrics.alerts import Alert
    from dashboard.pages.alerts import AlertsView

ALERTS_PATH = shell.ALERTS_PATH
COLUMNS = ("since", "level", "what", "owner", "ack")


def ack_path(ledger_id: int) -> str:
    return f"{ALERTS_PATH}/{ledger_id}/ack"


def _ack_cell(alert: Alert, may_ack: Callable[[Alert], bool], lang: str) -> object:
    if alert.acknowledged:
        return ack_text(alert, lang)
    if not may_ack(alert) or alert.ledger_id is None:
        return t("alerts.not_yet", lang)
    return html.Form(
        [
            dcc.Input(type="hidden", name="lang", value=lang),
            html.Button(t("alerts.ack", lang), type="submit", className="btn btn-sm btn-outline-primary"),
        ],
        action=ack_path(alert.ledger_id),
        method="post",
        id={"type": AlertsIds.ACK, "alert": alert.ledger_id},
    )


def layout(view: AlertsView, may_ack: Callable[[Alert], bool], lang: str, pathname: str, notice: str = "") -> html.Div:
    """The page; `may_ack(alert)`: whether the viewer may acknowledge it; `notice`: the outcome of one just done."""
    data = view.data
    rows = []
    for alert in data.alerts:
        owner = (
            t("wall.city", lang)
            if alert.unit_key == CITY_KEY
            else name(data.unit_name(alert.unit_key, lang), name_lang(lang))
        )
        values = (
            since_text(alert, data.as_of, lang),
            t(f"wall.level.{alert.severity}", lang),
            alert_text(alert, data, lang),
            owner,
            _ack_cell(alert, may_ack, lang),
        )
        cells = [labelled_cell(v, t(f"alerts.col.{k}", lang)) for k, v in zip(COLUMNS, values, strict=True)]
        rows.append(
            html.Tr(cells, className=f"pulse-alert is-{alert.severity}" + (" is-acked" if alert.acknowledged else ""))
        )
    head = html.Thead(html.Tr([html.Th(t(f"alerts.col.{k}", lang), scope="col") for k in COLUMNS]))
    table = (
        dbc.Table([head, html.Tbody(rows)], className="pulse-alerts align-middle")
        if rows
        else html.P(t("wall.alerts.none", lang))
    )
    body = html.Div(
        [
            *([dbc.Alert(notice, color="info", id=AlertsIds.NOTICE)] if notice else []),
            html.Section(
                [
                    html.P(alert_counts(data, lang) if data.alerts else t("wall.alerts.none", lang)),
                    html.P(t("alerts.how", lang)),
                ],
                className="pulse-section pulse-panel",
            ),
            html.Section(table, id=AlertsIds.TABLE, className="pulse-section pulse-panel"),
        ]
    )
    return shell.page(t("alerts.title", lang), data.as_of, lang, pathname, body)
