"""Proper names on a page — units, departments, procedures, people's logins — are data, not catalogue text: each is
written in its own element with its own `lang` (vi for a Vietnamese name, en for a unit's English name), so a
screen reader speaks it right and the pseudo-locale's check (tests/test_words_browser.py) knows it is exempt."""

from __future__ import annotations

from dash import html

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
    if page_lang == "en" and name_en:
        return name(name_en, "en", className)
    return name(name_vi, "vi", className)
