"""Proper names on a page — units, departments, procedures, people's logins — are data, not catalogue text: each is
written in its own element with its own `lang` (vi for a Vietnamese name, en for a unit's English name), so a
screen reader speaks it right and the pseudo-locale's check (tests/test_words_browser.py) knows it is exempt."""

from __future__ import annotations

from dash import html

from dashboard.core.categories import category_for
from dashboard.core.unit_names import unit_name as core_unit_name
from layouts.attrs import Attrs

NAME_CLASS = "pulse-name"


def name(text: str, lang: str = "vi", className: str | None = None) -> html.Span:
    """`text`, a proper name in `lang` ("vi" or "en"), marked as one: ``<span lang="vi" data-name>…</span>``."""
    classes = f"{NAME_CLASS} {className}" if className else NAME_CLASS
    return html.Span(text, lang=lang, className=classes, **Attrs({"data-name": lang}))


def name_lang(page_lang: str) -> str:
    """The language of a name picked for a page in `page_lang`: the English name on English pages, else Vietnamese
    (the pseudo-locale shows the Vietnamese names)."""
    return "en" if page_lang == "en" else "vi"


def unit_name(name_vi: str, name_en: str | None, page_lang: str, className: str | None = None) -> html.Span:
    """A unit's name for a page in `page_lang`: its English name on English pages (its Vietnamese one when it has
    none), else the Vietnamese; marked with the language it is written in."""
    written_in = "en" if page_lang == "en" and name_en else "vi"
    return name(core_unit_name(name_vi, name_en, page_lang), written_in, className)


def category(text: str, page_lang: str) -> html.Span:
    """A feedback category for a page in `page_lang`: its English name on English pages when the packaged table
    knows it, else the source's Vietnamese text, marked with the language it is written in."""
    shown, lang = category_for(text, page_lang)
    return name(shown, lang)
