"""What a unit's head acts on, first on the tile: the verdict in one sentence and three short lists — overdue, due
within 2 working days, late without an apology — each dossier on one line, or the line saying there is nothing
to do (only when a source feeds the unit; without one the tile says no source is connected). Plain data in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import fmt_int, t
from layouts.dossiers import fmt_when, procedure_label
from layouts.ids import TodoIds, UnitIds

if TYPE_CHECKING:
    from dashboard.core.paging import DossierPage
    from dashboard.pages.unit import UnitView

TODO_ROWS = 5  # dossiers per list on the first screen (2 on a phone, by CSS); the rest one click away
PHONE_ROWS = 2  # assets/tile.css shows this many on a phone
ListHref = Callable[[str], str]  # dossier filter → the address of its whole list


# (list, its id on the tile, the verdict's words for its count, the list its "see all" opens)
LISTS = (
    ("overdue", UnitIds.OVERDUE, "unit.verdict.overdue", "overdue"),
    ("due_soon", TodoIds.DUE_SOON, "unit.verdict.due_soon", "in_progress"),
    ("late_no_apology", UnitIds.NO_APOLOGY, "unit.verdict.no_apology", "late_no_apology"),
)


def _pages(view: UnitView) -> dict[str, DossierPage]:
    return {"overdue": view.overdue, "due_soon": view.due_soon, "late_no_apology": view.no_apology}


def no_source(view: UnitView) -> bool:
    """No source feeds the unit and nothing is counted for it: there are no figures, not "nothing to do"."""
    kpis = view.kpis
    counted = kpis.received or kpis.backlog.in_progress or kpis.on_time.denominator or kpis.feedback_received
    return not view.connected and not counted and not any(page.total for page in _pages(view).values())


def verdict(view: UnitView, lang: str) -> list[Component]:
    """ "Cần xử lý: 12 hồ sơ quá hạn, 5 sắp đến hạn, 3 trễ hạn chưa có phiếu xin lỗi." — each count a jump to its
    list; "nothing to act on" when all are 0; "no source connected" without figures."""
    if no_source(view):
        return [html.P(t("unit.verdict.no_source", lang), className="pulse-verdict is-none")]
    pages = _pages(view)
    parts: list[Any] = []
    for name, list_id, words, _all in LISTS:
        if pages[name].total:
            if parts:
                parts.append(", ")
            text = t(words, lang, n=fmt_int(pages[name].total, lang))
            parts.append(html.A(text, href=f"#{list_id}", className="pulse-verdict-part"))
    if not parts:
        return [html.P(t("unit.verdict.clear", lang), className="pulse-verdict is-clear")]
    head, _, tail = t("unit.verdict.act", lang, parts="\x00").partition("\x00")
    return [html.P([head, *parts, tail], className="pulse-verdict is-act")]


def _when(name: str, row: dict[str, Any], lang: str) -> Component:
    """The line's right-hand side: how late (overdue, late) or when due (due soon)."""
    if name == "due_soon":
        return html.Span(t("unit.todo.due", lang, when=fmt_when(row["due_original_at"], lang)), className="is-due")
    days = row.get("late_days")
    text = (
        t("unit.todo.late", lang, n=fmt_int(days, lang)) if days is not None else fmt_when(row["due_original_at"], lang)
    )
    return html.Span(text, className="is-late")


def _item(name: str, row: dict[str, Any], lang: str) -> html.Li:
    return html.Li(
        [
            html.Code(row["native_code"], className="pulse-todo-code"),
            procedure_label(row, lang, "pulse-todo-name"),
            _when(name, row, lang),
        ],
        className="pulse-todo-item",
    )


def todo_list(view: UnitView, name: str, lang: str, href: ListHref) -> list[Any]:
    """One short list: its first dossiers, one line each, and a link to all of them; or why it is empty."""
    page = _pages(view)[name]
    all_of = next(target for listed, _id, _words, target in LISTS if listed == name)
    if no_source(view):
        return []  # the verdict says it once: no source, no figures
    if not page.total:
        return [html.P(t(f"unit.list.{name}.empty", lang), className="pulse-empty text-body-secondary")]
    if not view.lists:
        return [html.P(t("unit.withheld", lang), className="pulse-empty text-body-secondary")]
    parts: list[Any] = [html.Ul([_item(name, row, lang) for row in page.rows[:TODO_ROWS]], className="pulse-todo-list")]
    if page.total > min(len(page.rows), PHONE_ROWS):  # on a phone only the first two show
        words = "unit.list.due_soon.more" if name == "due_soon" else "unit.list.more"
        parts.append(dcc.Link(t(words, lang, n=fmt_int(page.total, lang)), href=href(all_of), className="pulse-more"))
    return parts


def todo_section(view: UnitView, lang: str, lists: dict[str, list[Any]], verdict_part: list[Any]) -> html.Section:
    """The verdict, then the three lists side by side (one under another on a phone)."""
    columns = [
        html.Div(
            [
                html.H3(t(f"unit.list.{name}", lang), className="pulse-todo-title"),
                html.Div(lists[name], id=list_id),
            ],
            className=f"pulse-todo-col is-{name}",
        )
        for name, list_id, _words, _all in LISTS
    ]
    return html.Section(
        [
            html.H2(t("unit.todo", lang), className="pulse-section-title visually-hidden"),
            html.Div(verdict_part, id=TodoIds.VERDICT),
            html.Div(columns, className="pulse-todo-cols" + (" is-hidden" if no_source(view) else "")),
        ],
        id=TodoIds.TODO,
        className="pulse-section pulse-panel pulse-todo",
    )
