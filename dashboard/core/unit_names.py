"""How a unit is named on a page, written once (docs/metrics.md, "How a unit is named"): its full name — the
English name on English pages — in headers, titles, lists, leagues and briefings; its short name only where
space is the constraint (map labels, the wall's league bars)."""

from __future__ import annotations

from dashboard.core.vocabulary import DISTRICT  # the only kind with a short name of its own


def unit_name(name_vi: str, name_en: str | None, lang: str) -> str:
    """A unit's full name for a page in `lang`: "Binh Tan District" in English (the Vietnamese name when it has no
    English one), "Quận Bình Tân" otherwise."""
    return name_en if lang == "en" and name_en else name_vi


def unit_short_name(kind: str, name_vi: str, name_en: str | None, short_name_vi: str, lang: str) -> str:
    """A district's name where space is the constraint: "Bình Tân", "Quận 1" ("Binh Tan", "District 1"); other
    kinds keep their full name."""
    if kind != DISTRICT:
        return unit_name(name_vi, name_en, lang)
    if lang == "en" and name_en:
        return name_en.removesuffix(" District")
    return name_vi if short_name_vi.isdigit() else short_name_vi
