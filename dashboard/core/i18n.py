"""Every user-facing string, Vietnamese first and English second, and the number, percent and time formats.

`t(key, lang)` picks a string from `CATALOGUE` (``str.format`` fields filled from keyword arguments), which is read
once at import from catalogue.yaml next to this module, the file translators edit;
`fmt_int`, `fmt_pct`, `fmt_date`, `fmt_time` and `fmt_datetime` format with babel in vi_VN or en_GB,
times always in Asia/Ho_Chi_Minh.
The pseudo-locale `PSEUDO` ("qps", only with the `pseudo_locale` setting) writes every catalogue string as its
Vietnamese text between ⟦ and ⟧ and formats like Vietnamese: a page in it shows at a glance any text that escaped
the catalogue.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import parse_qs

import yaml
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import NumberPattern, parse_pattern

from dashboard.core.clock import CITY_TZ
from dashboard.core.errors import CatalogueError
from dashboard.core.periods import custom_range
from dashboard.core.vocabulary import SCORE_DECIMALS

Lang = Literal["vi", "en", "qps"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")  # the real languages, the ones a viewer may pick
PSEUDO: Lang = "qps"  # the pseudo-locale (BCP 47 private use): for tests, with the `pseudo_locale` setting only
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
LOCALES: MappingProxyType[str, str] = MappingProxyType({"vi": "vi_VN", "en": "en_GB", PSEUDO: "vi_VN"})
PERCENT_PATTERN = "#,##0.0%"
MISSING = "—"


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a repeated key (plain YAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise CatalogueError(f"catalogue.yaml: key {key!r} appears twice (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep)


def _load_catalogue() -> MappingProxyType[str, tuple[str, str]]:
    """Every key of catalogue.yaml with its (Vietnamese, English) pair, in file order."""
    text = files("dashboard.core").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_UniqueKeyLoader)  # safe: a SafeLoader subclass
    if not isinstance(data, dict):
        raise CatalogueError("catalogue.yaml must map each key to [Vietnamese, English]")
    catalogue: dict[str, tuple[str, str]] = {}
    for key, pair in data.items():
        if not (
            isinstance(key, str) and isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
        ):
            raise CatalogueError(
                f"catalogue.yaml: {key!r} must have exactly a Vietnamese and an English string, not {pair!r}"
            )
        catalogue[key] = (pair[0], pair[1])
    return MappingProxyType(catalogue)


CATALOGUE: MappingProxyType[str, tuple[str, str]] = _load_catalogue()


def t(key: str, lang: str, **values: Any) -> str:
    """The string for `key` in `lang` (Vietnamese for an unknown language), with fields filled in; in the
    pseudo-locale, the Vietnamese between ⟦ and ⟧."""
    vi, en = CATALOGUE[key]
    text = en if lang == "en" else vi
    filled = text.format(**values) if values else text
    return pseudo(filled) if lang == PSEUDO else filled


def pseudo(text: str) -> str:
    """`text` marked as the pseudo-locale marks a catalogue string: ⟦text⟧."""
    return f"{PSEUDO_OPEN}{text}{PSEUDO_CLOSE}"


def language(lang: str | None, default: str = "vi") -> Lang:
    """A supported language code, or `default` when `lang` is not one; the pseudo-locale only when it is the
    default (the `pseudo_locale` setting makes it so), so no viewer can ask for it otherwise."""
    if lang in LANGUAGES or (lang == PSEUDO and default == PSEUDO):
        return lang
    return default if default in (*LANGUAGES, PSEUDO) else "vi"


def lang_from_search(search: str | None, default: str = "vi") -> Lang:
    """The language of a URL query string such as ``?lang=en``; `default` when absent or unknown."""
    values = parse_qs((search or "").lstrip("?")).get("lang", [])
    return language(values[0] if values else None, default)


@cache
def _pattern(pattern: str) -> NumberPattern:
    """A babel number pattern, parsed once (`format_decimal` and `format_percent` parse theirs on every call)."""
    return parse_pattern(pattern)


@cache
def _locale(lang: str) -> Locale:
    """The babel Locale of `lang`, parsed once (babel parses a locale string on every call it is given one)."""
    return Locale.parse(LOCALES.get(lang, LOCALES["vi"]))


def fmt_int(value: int | None, lang: str) -> str:
    """A whole number with the locale's grouping: 1.234 (vi), 1,234 (en)."""
    return MISSING if value is None else _pattern("#,##0").apply(value, _locale(lang))


def fmt_pct(value: float | None, lang: str) -> str:
    """A fraction as a percent with one decimal: 21,3% (vi), 21.3% (en); a dash when unknown."""
    return MISSING if value is None else _pattern(PERCENT_PATTERN).apply(value, _locale(lang))


def fmt_score(value: float | None, lang: str) -> str:
    """A service-index score or its points as they rank and grade (`vocabulary.SCORE_DECIMALS`): 87,35 (vi),
    87.35 (en) — with fewer decimals, 79,96 (khá) would read 80,0 beside a band that starts at 80."""
    return fmt_decimal(value, lang, SCORE_DECIMALS)


SCORE_CELL = "0." + "0" * SCORE_DECIMALS  # a score's or its points' number format in a workbook: 87.35


def fmt_decimal(value: float | None, lang: str, digits: int = 1) -> str:
    """A number with `digits` decimals: 2,5 (vi), 2.5 (en); a dash when unknown."""
    if value is None:
        return MISSING
    return _pattern("#,##0." + "0" * digits if digits else "#,##0").apply(value, _locale(lang))


def fmt_date(moment: datetime | None, lang: str) -> str:
    """dd/mm/yyyy in the city's time zone."""
    return MISSING if moment is None else format_datetime(moment, "dd/MM/yyyy", tzinfo=CITY_TZ, locale=_locale(lang))


def period_label(prefix: str, period: str, lang: str) -> str:
    """A period's name: the catalogue's `<prefix>.period.<period>` ("7 ngày"), or a custom range's days
    ("01/11/2026 – 30/11/2026")."""
    found = custom_range(period)
    if found is None:
        return t(f"{prefix}.period.{period}", lang)
    return f"{fmt_day(found[0], lang)} – {fmt_day(found[1], lang)}"


def fmt_day(day: date | None, lang: str) -> str:
    """A calendar day (no time zone to apply), dd/mm/yyyy."""
    return MISSING if day is None else format_date(day, "dd/MM/yyyy", locale=_locale(lang))


def fmt_time(moment: datetime | None, lang: str) -> str:
    """HH:MM (24 h) in the city's time zone."""
    return MISSING if moment is None else format_datetime(moment, "HH:mm", tzinfo=CITY_TZ, locale=_locale(lang))


def fmt_datetime(moment: datetime | None, lang: str) -> str:
    """HH:MM dd/mm/yyyy in the city's time zone."""
    return MISSING if moment is None else f"{fmt_time(moment, lang)} {fmt_date(moment, lang)}"


def fmt_lag(lag: timedelta | None, lang: str) -> str:
    """How long ago, in whole minutes below an hour, whole hours below a day, else whole days."""
    if lag is None:
        return MISSING
    minutes = max(int(lag.total_seconds() // 60), 0)
    if minutes < 1:
        return t("lag.just_now", lang)
    if minutes < 60:
        return t("lag.minutes", lang, n=fmt_int(minutes, lang))
    if minutes < 24 * 60:
        return t("lag.hours", lang, n=fmt_int(minutes // 60, lang))
    return t("lag.days", lang, n=fmt_int(minutes // (24 * 60), lang))
