"""The service index, ranking with ties and n/a, rank movement, commitments and the league table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.core.periods import window
from dashboard.core.workdays import default_calendar
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.metrics.kpis import Backlog, Ratio, UnitKpis
from dashboard.metrics.service_index import (
    IndexConfigError,
    load_commitments,
    load_index_config,
    movement,
    progress_against,
    rank,
    score_unit,
    tied,
)
from dashboard.pages.league import league
from tests.factories import SourceDB, dossier

AS_OF = datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)


def kpis(unit="quan-1", on_time=(0, 0), online=(0, 0), fb_on_time=(0, 0), fb_sat=(0, 0), sat=(0, 0)) -> UnitKpis:
    return UnitKpis(
        unit_key=unit,
        period="30d",
        window=window("30d", AS_OF),
        as_of=AS_OF,
        backlog=Backlog(),
        received=online[1],
        online=Ratio(*online),
        online_full=Ratio(0, online[1]),
        on_time=Ratio(*on_time),
        late=on_time[1] - on_time[0],
        apology=Ratio(0, 0),
        median_processing_days=None,
        mean_statutory_days=None,
        dossier_satisfaction=Ratio(*sat),
        feedback_received=0,
        open_feedback=0,
        overdue_feedback=0,
        feedback_on_time=Ratio(*fb_on_time),
        feedback_satisfaction=Ratio(*fb_sat),
    )


def test_subscores_and_score_on_a_hand_built_unit():
    config = load_index_config()
    result = score_unit(
        kpis(on_time=(90, 100), online=(20, 100), fb_on_time=(9, 10), fb_sat=(4, 5), sat=(20, 20)), config
    )
    points = {s.key: s.points for s in result.subscores}
    assert points == pytest.approx(
        {
            "on_time": 18.0,
            "online": 8.8,
            "feedback_on_time": 5.4,
            "feedback_satisfaction": 4.8,
            "dossier_satisfaction": 6.0,
        }
    )
    assert result.score == pytest.approx((18 + 8.8 + 5.4 + 4.8 + 6) / 60 * 100)  # 71.666…
    assert result.grade == "fair"
    online = next(s for s in result.subscores if s.key == "online")
    assert online.formula == "22 × min((20 / 100) ÷ 0.5, 1) = 8.80"


def test_a_criterion_at_or_over_its_threshold_earns_its_full_points():
    result = score_unit(kpis(on_time=(20, 20), online=(70, 100)), load_index_config())
    assert [s.points for s in result.subscores][:2] == [20.0, 22.0]
    assert result.score == 100.0 and result.grade == "excellent"


def test_missing_criteria_are_left_out_and_a_unit_with_no_data_is_na():
    config = load_index_config()
    partial = score_unit(kpis(on_time=(10, 20)), config)  # only on-time has data: 10 of 20 points
    assert partial.score == 50.0 and partial.grade == "average"
    empty = score_unit(kpis(), config)
    assert (empty.score, empty.grade) == (None, None)
    assert all(s.points is None for s in empty.subscores)


def test_standard_competition_ranking_with_ties_on_two_decimals_and_na():
    assert rank({"a": 90.004, "b": 90.001, "c": 80.0, "d": None, "e": 95.0, "f": 79.996}) == {
        "e": 1,
        "a": 2,
        "b": 2,
        "c": 4,
        "f": 4,
        "d": None,
    }
    assert rank({}) == {}


def test_movement_and_progress_against_commitments():
    assert (movement(3, 5), movement(5, 3), movement(2, 2), movement(None, 1), movement(1, None)) == (
        2,
        -2,
        0,
        None,
        None,
    )
    assert progress_against(0.30, Ratio(24, 100)) == pytest.approx(0.8)
    assert progress_against(0.30, Ratio(0, 0)) is None and progress_against(None, Ratio(1, 2)) is None
    targets = load_commitments().for_unit("quan-1")
    assert targets == {"on_time": 0.98, "online": 0.40, "dossier_satisfaction": 0.95, "feedback_on_time": 0.95}


def test_a_bad_index_file_names_the_field(tmp_path):
    path = tmp_path / "index.yaml"
    path.write_text("criteria:\n  - {key: on_time, group: progress, points: 20, threshold: 2, basis: x}\ngrades: []\n")
    with pytest.raises(IndexConfigError, match=r"index.yaml: criteria.0.threshold: Input should be less than or"):
        load_index_config(path)


def test_league_of_districts_ranks_with_ties_na_and_movement(sqlite_store, clock, settings, tmp_path):
    db = SourceDB(f"sqlite:///{tmp_path / 's.sqlite'}")
    this_week, last_month = AS_OF - timedelta(days=9), AS_OF - timedelta(days=45)

    def done(code, unit, received, late=False):  # due 5 days after receipt; done after 3 days, or late after 6
        completed = received + timedelta(days=6 if late else 3)
        return dossier(
            code, unit=unit, received=received, days=5, status="completed", completed=completed, channel="online_full"
        )

    twenty = range(20)  # the minimum count of the dossier criteria (service_index.yaml): fewer are not ranked
    db.insert(
        "dossiers",
        *(done(f"Q1-{i}", "760", this_week, late=i % 2 == 1) for i in twenty),  # 50% on time
        *(done(f"Q3-{i}", "770", this_week) for i in twenty),  # 100%
        *(done(f"Q4-{i}", "773", this_week) for i in twenty),  # 100%, tied with Quận 3
        *(done(f"Q1-old-{i}", "760", last_month) for i in twenty),  # previous period: Quận 1 at 100 points
        *(done(f"Q3-old-{i}", "770", last_month, late=True) for i in twenty),
        done("Q1-history", "760", AS_OF - timedelta(days=120)),  # the store's first day, before the previous period
    )  # previous period: Quận 3 at 22 / 42
    clock.set(AS_OF)
    Ingestor(sqlite_store, clock, settings).pull(SourceConfig(name="s", unit="quan-1", url=db.url, profile="motcua_v1"))
    rows = league(sqlite_store, default_calendar(), load_index_config(), load_commitments(), "district", "30d", AS_OF)
    assert len(rows) == 24
    top = [(r.unit_key, r.rank, r.previous_rank, r.movement, r.index.score) for r in rows[:3]]
    assert top == [
        ("quan-3", 1, 2, 1, 100.0),
        ("quan-4", 1, None, None, 100.0),
        ("quan-1", 3, 1, -2, pytest.approx((10 + 22) / 42 * 100)),
    ]
    assert all(r.rank is None and r.index.score is None for r in rows[3:])
    assert rows[0].trend[-1] == 100.0 and len(rows[0].trend) == 8
    assert rows[2].progress["on_time"] == pytest.approx(0.5 / 0.98)


def test_below_the_minimum_count_a_criterion_is_not_scored_and_a_unit_not_ranked():
    """service_index.yaml: 20 dossiers, 5 feedback items. One online dossier of one is not 100 points."""
    config = load_index_config()
    assert {c.key: c.min_count for c in config.criteria} == {
        "on_time": 20,
        "online": 20,
        "feedback_on_time": 5,
        "feedback_satisfaction": 5,
        "dossier_satisfaction": 20,
    }
    one = score_unit(kpis(online=(1, 1)), config)  # "Hôm nay": 1/1 online was 100,00 "xuất sắc"
    assert (one.score, one.grade, one.state) == (None, None, "too_few")
    online = next(s for s in one.subscores if s.key == "online")
    assert (online.state, online.points, online.formula) == ("too_few", None, "online: not enough data (1 < 20)")
    assert score_unit(kpis(), config).state == "no_data"
    # at the minimum it counts; a criterion below it is left out, not scored 0
    edge = score_unit(kpis(on_time=(19, 20), online=(10, 19), fb_on_time=(4, 4), fb_sat=(5, 5)), config)
    assert [s.state for s in edge.subscores] == ["scored", "too_few", "too_few", "scored", "no_data"]
    assert edge.score == pytest.approx((19 + 6) / (20 + 6) * 100)  # on time 19 of 20 points, feedback satisfied 6 of 6
    assert rank({"a": one.score, "b": edge.score}) == {"a": None, "b": 1}


def test_ties_are_the_units_sharing_a_rank():
    assert tied({"a": 1, "b": 1, "c": 3, "d": None, "e": 4}) == {"a", "b"}
    assert tied({"a": 1, "d": None}) == frozenset()


@pytest.mark.parametrize(
    ("score", "shown", "grade", "others", "ranks"),
    [
        (79.96, "79,96", "fair", [79.9], [1, 2]),  # one decimal would read 80,0 beside a band from 80, and 79,9 too
        (79.996, "80,00", "good", [80.0, 79.99], [1, 1, 3]),  # rounded to 80,00: graded and ranked as the 80 shown
        (64.994, "64,99", "average", [64.99, 64.991], [1, 1, 1]),  # shown alike, ranked alike (đồng hạng)
    ],
)
def test_a_score_is_shown_graded_and_ranked_at_the_same_two_decimals(score, shown, grade, others, ranks):
    """docs/metrics.md, "Shown as it ranks": the score the tile, wall and briefings write is the one its grade and
    rank are worked out on."""
    from dashboard.core.i18n import fmt_score
    from dashboard.metrics.service_index import grade_for

    assert (fmt_score(score, "vi"), fmt_score(score, "en")) == (shown, shown.replace(",", "."))
    assert grade_for(score, load_index_config()) == grade
    scores = [score, *others]
    assert list(rank({str(i): s for i, s in enumerate(scores)}).values()) == ranks
    assert {fmt_score(s, "vi") for s, r in zip(scores, ranks, strict=True) if r == 1} == {shown}
