"""The service index in words, for the unit tile and the league's tooltips: each criterion's numbers, rate,
target and points ("Đúng hạn: 393 / 500 hồ sơ = 78,6% (mục tiêu 100,0%) → 15,7 / 20 điểm"), or why it is not
scored; the total; and whether the unit is ranked. Plain data in (`IndexScore`, `SubScore`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dashboard.core.i18n import fmt_decimal, fmt_int, fmt_pct, fmt_score, t

if TYPE_CHECKING:
    from dashboard.metrics.service_index import IndexScore, SubScore

FEEDBACK_CRITERIA = frozenset({"feedback_on_time", "feedback_satisfaction"})  # counted in feedback items


def criterion_name(key: str, lang: str) -> str:
    """The criterion's name as the league's columns say it (catalogue `league.criterion.<key>`)."""
    return t(f"league.criterion.{key}", lang)


def _what(sub: SubScore, lang: str) -> str:
    return t("index.what.feedback" if sub.key in FEEDBACK_CRITERIA else "index.what.dossiers", lang)


def subscore_line(sub: SubScore, lang: str) -> str:
    """One criterion in words: its numbers, rate, target and points; or "not enough data" / "no data"."""
    name, what = criterion_name(sub.key, lang), _what(sub, lang)
    if sub.state == "no_data":
        return t("index.line.no_data", lang, name=name)
    if sub.state == "too_few" or sub.points is None:
        return t(
            "index.line.too_few",
            lang,
            name=name,
            den=fmt_int(sub.ratio.denominator, lang),
            what=what,
            min=fmt_int(sub.min_count, lang),
        )
    return t(
        "index.line",
        lang,
        name=name,
        num=fmt_int(sub.ratio.numerator, lang),
        den=fmt_int(sub.ratio.denominator, lang),
        what=what,
        pct=fmt_pct(sub.ratio.value, lang),
        target=fmt_pct(sub.threshold, lang),
        points=fmt_score(sub.points, lang),
        max=fmt_decimal(sub.max_points, lang, digits=0),
    )


def total_line(index: IndexScore, lang: str) -> str:
    """How the criteria add up to the score, or why there is none."""
    scored = [sub for sub in index.subscores if sub.points is not None]
    if index.score is None or not scored:
        return t(f"index.total.{index.state}", lang)
    return t(
        "index.total",
        lang,
        points=fmt_score(sum(sub.points or 0.0 for sub in scored), lang),
        max=fmt_decimal(sum(sub.max_points for sub in scored), lang, digits=0),
        score=fmt_score(index.score, lang),
    )


def not_ranked_text(index: IndexScore, lang: str) -> str:
    """ "Chưa xếp hạng — chưa đủ số liệu" or "… — không có số liệu trong kỳ" (a unit without a score)."""
    return t(f"index.unranked.{index.state}", lang)


def ordinal_en(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st …"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: int | None, size: int, movement: int | None, lang: str, tied: bool = False) -> str:
    """ "Hạng 3/17 · ▲ 2 bậc" (▼ down, "giữ hạng" unchanged, nothing when the previous rank is n/a), "Đồng hạng
    3/17" / "Tied 3rd of 17" when it shares its rank; `size` is the number of units ranked; "Chưa xếp hạng" without
    a rank."""
    if rank is None:
        return t("unit.rank.none", lang)
    values = {"rank": fmt_int(rank, lang), "size": fmt_int(size, lang), "ordinal": ordinal_en(rank)}
    text = t("unit.rank.tied" if tied else "unit.rank", lang, **values)
    if movement is None:
        return text
    n = fmt_int(abs(movement), lang)
    moved = t("unit.move.up", lang, n=n) if movement > 0 else t("unit.move.down", lang, n=n) if movement else ""
    return f"{text} · {moved or t('unit.move.same', lang)}"
