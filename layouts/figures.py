"""Pure Plotly figures: plain data in, `go.Figure` out, for the pages, the wall and the briefings alike.

Every figure is pre-styled (font, margins, white background, `uirevision`) so an update never flashes and a
viewer's zoom survives refreshes; empty data gives the same frame with a note in words instead of axes.
Colours are Okabe–Ito (colour-blind safe) and never carry meaning alone: each series is named, each bar
labelled. Words and number separators come from the catalogue's language; nothing is fetched from a CDN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from babel.dates import get_day_names, get_month_names

from dashboard.core.i18n import LOCALES, PSEUDO, fmt_int, pseudo, t
from dashboard.core.vocabulary import AGEING_BUCKETS

if TYPE_CHECKING:  # figures stay plain Plotly; the config's type is Dash's
    from dash import dcc

FONT = '"Be Vietnam Pro", "Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
INK = "#1d2939"
MUTED = "#667085"
GRID = "#e4e9f0"
# Okabe–Ito, the colour-blind-safe palette.
OKABE_ITO = MappingProxyType(
    {
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
        "black": "#000000",
    }
)
TREND_COLOURS = MappingProxyType(
    {"received": OKABE_ITO["sky_blue"], "completed": OKABE_ITO["blue"], "in_progress": OKABE_ITO["orange"]}
)
# From calm to alarming; the overdue buckets are also hatched, so the chart reads without colour.
AGEING_COLOURS = MappingProxyType(
    {
        "not_due": OKABE_ITO["bluish_green"],
        "due_soon": OKABE_ITO["sky_blue"],
        "overdue_1_5": OKABE_ITO["orange"],
        "overdue_6_20": OKABE_ITO["vermillion"],
        "overdue_over_20": OKABE_ITO["reddish_purple"],
    }
)
AGEING_PATTERNS = MappingProxyType(
    {"not_due": "", "due_soon": "", "overdue_1_5": "/", "overdue_6_20": "/", "overdue_over_20": "x"}
)
SEPARATORS = MappingProxyType({"vi": ",.", "en": ".,"})  # decimal mark, then thousands


def graph_config(lang: str | None = None) -> dcc.Graph.Config:
    """The `dcc.Graph` config of every chart: no toolbar (its buttons speak English, and its "share" and "edit in
    Chart Studio" would send the chart to an online service — against offline use and a leak of figures; the page's
    own exports stand in for "download"), no Plotly logo, no cloud links; resizes with its card. With `lang`, Plotly's
    own few words (the zoom hint, default date ticks) in that language too (`plotly_locale`)."""
    config: dcc.Graph.Config = {
        "displayModeBar": False,
        "displaylogo": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "plotlyServerURL": "",
        "responsive": True,
    }
    if lang is not None:
        config["locale"] = lang
        config["locales"] = {lang: plotly_locale(lang)}
    return config


PLOTLY_WORDS = MappingProxyType(  # the words plotly.js itself may write on a chart without its toolbar
    {
        "Double-click to zoom back out": "fig.plotly.zoom_out",
        "Double-click on legend to isolate one trace": "fig.plotly.legend_isolate",
        "trace": "fig.plotly.trace",
    }
)


def plotly_locale(lang: str) -> dict[str, Any]:
    """A plotly.js locale (`config.locales[lang]`): its own words from the catalogue, and day and month names and
    number marks of `lang` (for any axis drawn without our own tick format)."""
    locale = LOCALES.get(lang, LOCALES["vi"])
    mark = pseudo if lang == PSEUDO else str

    def names(found: Mapping[int, str], first: int) -> list[str]:
        return [mark(found[i]) for i in range(first, first + len(found))]

    separators = SEPARATORS.get(lang, SEPARATORS["vi"])
    return {
        "dictionary": {english: t(key, lang) for english, key in PLOTLY_WORDS.items()},
        "format": {
            "days": names({(i + 1) % 7: n for i, n in get_day_names("wide", locale=locale).items()}, 0),
            "shortDays": names({(i + 1) % 7: n for i, n in get_day_names("abbreviated", locale=locale).items()}, 0),
            "months": names(get_month_names("wide", locale=locale), 1),
            "shortMonths": names(get_month_names("abbreviated", locale=locale), 1),
            "date": "%d/%m/%Y",
            "decimal": separators[0],
            "thousands": separators[1],
        },
    }


def frame(lang: str, height: int, uirevision: str) -> dict[str, Any]:
    """The layout every page chart starts from: white, the page font, the language's separators, `uirevision`."""
    return {
        "height": height,
        "margin": {"l": 48, "r": 16, "t": 36, "b": 40},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "font": {"family": FONT, "size": 13, "color": INK},
        "separators": SEPARATORS.get(lang, SEPARATORS["vi"]),
        "uirevision": uirevision,
        "hoverlabel": {"font": {"family": FONT}},
    }


def empty_figure(message: str, lang: str, *, height: int = 320, uirevision: str = "empty") -> go.Figure:
    """The frame of a chart with `message` in its middle and no axes: what a chart shows without data."""
    figure = go.Figure(layout=frame(lang, height, uirevision))
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": message,
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 15, "color": MUTED},
            }
        ],
    )
    return figure


def trend_figure(
    days: Sequence[Mapping[str, Any]], lang: str, *, height: int = 340, uirevision: str = "trend"
) -> go.Figure:
    """Per day: received (bars) and completed (line) on the left axis, in progress at the end of the day (dashed
    line) on the right axis. `days`: rows with day, received, completed and in_progress, oldest first."""
    if not days or not any(row["received"] or row["completed"] or row["in_progress"] for row in days):
        return empty_figure(t("fig.trend.empty", lang), lang, height=height, uirevision=uirevision)
    x = [row["day"] for row in days]
    hover = "%{x|%d/%m/%Y}: %{y:,d}<extra>%{fullData.name}</extra>"
    figure = go.Figure(layout=frame(lang, height, uirevision))
    figure.add_bar(
        x=x,
        y=[row["received"] for row in days],
        name=t("fig.trend.received", lang),
        marker={"color": TREND_COLOURS["received"]},
        hovertemplate=hover,
    )
    figure.add_scatter(
        x=x,
        y=[row["completed"] for row in days],
        name=t("fig.trend.completed", lang),
        mode="lines",
        line={"color": TREND_COLOURS["completed"], "width": 2},
        hovertemplate=hover,
    )
    figure.add_scatter(
        x=x,
        y=[row["in_progress"] for row in days],
        name=t("fig.trend.in_progress", lang),
        mode="lines",
        line={"color": TREND_COLOURS["in_progress"], "width": 3, "dash": "dash"},
        yaxis="y2",
        hovertemplate=hover,
    )
    figure.update_layout(
        margin={"l": 52, "r": 56, "t": 32, "b": 40},
        bargap=0.15,
        hovermode="x unified",
        legend={"orientation": "h", "x": 0, "y": -0.14, "yanchor": "top"},
        xaxis={"type": "date", "tickformat": "%d/%m", "hoverformat": "%d/%m/%Y", "showgrid": False},
        yaxis={"title": {"text": t("fig.trend.per_day", lang)}, "gridcolor": GRID, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": t("fig.trend.backlog", lang)},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    return figure


def ageing_figure(ageing: Mapping[str, int], lang: str, *, height: int = 320, uirevision: str = "ageing") -> go.Figure:
    """Dossiers in progress per ageing bucket (not due, due within 2 working days, overdue 1–5, 6–20, over 20
    working days): one labelled horizontal bar each, top to bottom, the count written beside it."""
    counts = [int(ageing.get(bucket, 0)) for bucket in AGEING_BUCKETS]
    if not any(counts):
        return empty_figure(t("fig.ageing.empty", lang), lang, height=height, uirevision=uirevision)
    figure = go.Figure(layout=frame(lang, height, uirevision))
    figure.add_bar(
        x=counts,
        y=[t(f"fig.ageing.{bucket}", lang) for bucket in AGEING_BUCKETS],
        orientation="h",
        text=[fmt_int(count, lang) for count in counts],
        textposition="outside",
        cliponaxis=False,
        marker={
            "color": [AGEING_COLOURS[bucket] for bucket in AGEING_BUCKETS],
            "pattern": {"shape": [AGEING_PATTERNS[bucket] for bucket in AGEING_BUCKETS], "fgcolor": "#fff"},
            "line": {"color": INK, "width": 0.5},
        },
        hovertemplate="%{y}: %{x:,d}<extra></extra>",
        showlegend=False,
    )
    figure.update_layout(
        margin={"l": 8, "r": 40, "t": 32, "b": 44},
        bargap=0.3,
        xaxis={"title": {"text": t("fig.ageing.count", lang)}, "gridcolor": GRID, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True, "ticksuffix": "  "},
    )
    return figure
