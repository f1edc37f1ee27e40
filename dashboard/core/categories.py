"""Feedback (phản ánh) categories: sources write them as free Vietnamese text; English pages show the English name
the packaged table gives (`dashboard/data/feedback_categories.csv`, see SOURCES.md), else the text as it came."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

from dashboard.core.errors import ReferenceDataError

_NOT_A_LETTER = re.compile(r"[\W_]+")


def category_key(text: str) -> str:
    """`text` as the table looks it up: marks dropped (đ as d), case folded, punctuation and runs of spaces as one
    space — "  VĂN HOÁ – xã hội " and "Văn hóa - Xã hội" are one category."""
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return _NOT_A_LETTER.sub(" ", bare.casefold()).strip()


@lru_cache(maxsize=1)
def english_names() -> Mapping[str, str]:
    """The packaged English names of the common categories, by `category_key` of their Vietnamese name."""
    where = "dashboard/data/feedback_categories.csv"
    text = resources.files("dashboard").joinpath("data/feedback_categories.csv").read_text("utf-8")
    names: dict[str, str] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        key = category_key(row["name_vi"])
        if not key or not row["name_en"] or key in names:
            raise ReferenceDataError(f"{where}, row {line}: a category needs name_vi and name_en, once each")
        names[key] = row["name_en"]
    return MappingProxyType(names)


def category_en(text: str) -> str | None:
    """The English name of the category `text`, or None when the table does not know it."""
    return english_names().get(category_key(text))


def category_for(text: str, page_lang: str) -> tuple[str, str]:
    """(what to show, the language it is in) for a category on a page in `page_lang`: the English name on English
    pages when known, else the source's text, which is Vietnamese."""
    english = category_en(text) if page_lang == "en" else None
    return (english, "en") if english else (text, "vi")
