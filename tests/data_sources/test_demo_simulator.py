"""The demo simulator: deterministic, calendar-true, incremental, and realistic in the large."""

from __future__ import annotations

import math
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, select

from dashboard.core.clock import CITY_TZ
from dashboard.core.reference import load_procedures, load_units
from dashboard.core.workdays import OFFICE_BLOCKS, default_calendar
from data_sources.demo import DemoSource, Simulator, demo_start_default
from data_sources.demo.catalog import unit_traits
from data_sources.demo.feedback import CLOSED as FEEDBACK_CLOSED
from data_sources.demo.feedback import plan_feedback
from data_sources.demo.timeline import NEVER, OfficeTimeline
from data_sources.profiles import PROFILE_DIR, Profile, load_profile

START = datetime(2019, 11, 27, 9, 0, tzinfo=CITY_TZ)  # a Wednesday
SUBSET = {"hcmc", "quan-1", "quan-4", "huyen-can-gio", "tp-thu-duc", "so-tu-phap", "so-y-te"}
CITY_HISTORY_DAYS = 10
CODE = re.compile(r"^000\.00\.\d{2}\.H29-\d{6}-\d{4,}$")


def small_simulator(directory: Path, seed: int = 2019, scale: float = 0.2) -> Simulator:
    units = [u for u in load_units() if u["key"] in SUBSET]
    return Simulator(directory, seed=seed, scale=scale, units=units)


def dump(directory: Path) -> dict[str, dict[str, list[tuple]]]:
    """Every table of every database file, rows sorted."""
    content = {}
    for path in sorted(directory.glob("*.sqlite")):
        conn = sqlite3.connect(path)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        content[path.name] = {name: sorted(conn.execute(f'SELECT * FROM "{name}"'), key=repr) for name in names}
        conn.close()
    return content


def reading_profile(name: str) -> Profile:
    """The profile, with no length limit on recoded columns: the limit is on the vendor's codes (CHO_BO_SUNG),
    not on the canonical values they map to (awaiting_supplement)."""
    profile = load_profile(name)
    for mapping in profile.streams.values():
        for field in mapping.values:
            mapping.columns[field] = mapping.columns[field].model_copy(update={"length": None})
    return profile


def canonical(source: DemoSource, stream: str) -> list[dict]:
    """A source's rows through its profile, as the ingest would see them."""
    profile = reading_profile(source.profile)
    engine = create_engine(source.url)
    with engine.connect() as conn:
        raw = [dict(r) for r in conn.execute(select(profile.table(stream))).mappings()]
    engine.dispose()
    return [profile.to_canonical(stream, r) for r in raw]


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Simulator, datetime]:
    """The whole city at scale 0.1 with CITY_HISTORY_DAYS of history, advanced 30 hours past the start."""
    simulator = Simulator(tmp_path_factory.mktemp("city"), scale=0.1)
    simulator.build(START, history_days=CITY_HISTORY_DAYS)
    advanced = START + timedelta(hours=30)
    simulator.advance(advanced)
    yield simulator, advanced
    simulator.close()


@pytest.fixture(scope="module")
def city_rows(city) -> dict[str, dict[str, list[dict]]]:
    simulator, _ = city
    return {s.name: {stream: canonical(s, stream) for stream in ("dossiers", "feedback")} for s in simulator.sources}


def test_sources_are_the_2019_districts_and_the_departments_with_procedures(city):
    simulator, _ = city
    units = {u["key"]: u for u in load_units()}
    kinds = [units[s.unit_key]["kind"] for s in simulator.sources]
    assert kinds.count("district") == 24 and kinds.count("department") >= 10
    keys = [s.name for s in simulator.sources]
    assert "tp-thu-duc" not in keys and "quan-2" in keys and "quan-thu-duc" in keys and "so-tu-phap" in keys
    quan_1 = next(s for s in simulator.sources if s.name == "quan-1")
    assert quan_1.unit_code == "760" and quan_1.profile == "motcua_v1"
    assert quan_1.url == f"sqlite:///{quan_1.path.resolve()}" and quan_1.path.is_file()
    assert keys == [s.name for s in Simulator(Path("/nonexistent"), scale=0.1).sources]  # deterministic order


def test_same_seed_same_content_whatever_the_steps(tmp_path):
    one, many = small_simulator(tmp_path / "one"), small_simulator(tmp_path / "many")
    one.build(START, history_days=10)
    many.build(START, history_days=10)
    end = START + timedelta(days=3, hours=2)  # over midnight and into the weekend
    one.advance(end)
    for step in (timedelta(seconds=1), timedelta(minutes=10), timedelta(hours=3), timedelta(hours=3),
                 timedelta(hours=20), timedelta(days=2, hours=7), timedelta(days=3, hours=2)):  # fmt: skip
        many.advance(START + step)
    assert dump(tmp_path / "one") == dump(tmp_path / "many")

    other = small_simulator(tmp_path / "other", seed=7)
    other.build(START, history_days=10)
    other.advance(end)
    mine, theirs = dump(tmp_path / "one"), dump(tmp_path / "other")
    assert mine["quan-1.sqlite"]["hs_dossier"] != theirs["quan-1.sqlite"]["hs_dossier"]
    assert mine["quan-1.sqlite"]["pa_feedback"] != theirs["quan-1.sqlite"]["pa_feedback"]


def test_rows_follow_the_calendar_and_the_clock(city, city_rows):
    simulator, advanced = city
    calendar = default_calendar()
    procedures = {p["code"]: p for p in load_procedures()}
    checked = 0
    for source in simulator.sources:
        rows = city_rows[source.name]["dossiers"]
        assert rows, source.name
        codes = [r["native_code"] for r in rows]
        assert len(set(codes)) == len(codes) and all(CODE.match(c) for c in codes)
        for row in rows:
            assert row["unit"] == source.unit_code
            assert row["received_at"] <= advanced and row["source_updated_at"] <= advanced
            assert row["received_at"] <= row["source_updated_at"]
            if row["channel"] in ("counter", "postal"):
                local = row["received_at"].astimezone(CITY_TZ)
                assert calendar.is_working_day(local.date()), row
                assert any(start <= local.time() < end for start, end in OFFICE_BLOCKS), row
            if row["completed_at"] is not None:
                assert row["completed_at"] <= advanced and row["status"] in ("completed", "refused")
                assert row["received_at"] < row["completed_at"]
            if row["status"] in ("completed", "refused"):
                assert row["completed_at"] is not None
            if row["apology_at"] is not None:
                assert row["apology_new_due_at"] > row["due_original_at"]
                assert row["due_current_at"] == row["apology_new_due_at"]
            else:
                assert row["due_current_at"] == row["due_original_at"]
        for row in rows[:: max(1, len(rows) // 6)]:
            procedure = procedures[row["procedure_code"]]
            if procedure["statutory_unit"] == "day":
                expected = calendar.due_after_working_days(row["received_at"], int(procedure["statutory_time"]))
            else:
                expected = calendar.due_after_working_hours(row["received_at"], procedure["statutory_time"])
            assert row["due_original_at"] == expected, row
            checked += 1
    assert checked > 100


def test_hour_based_deadlines_match_the_calendar(city_rows):
    calendar = default_calendar()
    rows = [r for r in city_rows["quan-1"]["dossiers"] if r["procedure_code"] in ("CT-BS", "CT-CK")]
    assert len(rows) > 20
    for row in rows:
        assert row["due_original_at"] == calendar.due_after_working_hours(row["received_at"], 4)


def test_online_share_of_the_city_and_its_spread(city_rows):
    shares, online, total = [], 0, 0
    for streams in city_rows.values():
        rows = streams["dossiers"]
        unit_online = sum(r["channel"] in ("online_partial", "online_full") for r in rows)
        shares.append(unit_online / len(rows))
        online, total = online + unit_online, total + len(rows)
    assert 0.17 <= online / total <= 0.25
    assert min(shares) < 0.12 and max(shares) > 0.30


def test_online_only_where_the_procedure_allows_it(city_rows):
    kinds = {p["code"]: p["online_type"] for p in load_procedures()}
    allowed = {"none": {"counter", "postal"}, "partial": {"counter", "postal", "online_partial"},
               "full": {"counter", "postal", "online_partial", "online_full"}}  # fmt: skip
    for streams in city_rows.values():
        for row in streams["dossiers"]:
            assert row["channel"] in allowed[kinds[row["procedure_code"]]], row


def test_volume_and_outcomes_are_realistic(city_rows):
    rows = [r for streams in city_rows.values() for r in streams["dossiers"]]
    calendar = default_calendar()
    offline_days = {r["received_at"].astimezone(CITY_TZ).date() for r in rows if r["channel"] == "counter"}
    first, last = min(offline_days), max(offline_days)
    full_days = [d for d in offline_days if first < d < last and calendar.is_working_day(d)]
    per_day = sum(r["received_at"].astimezone(CITY_TZ).date() in full_days for r in rows) / len(full_days)
    assert 1300 < per_day < 1700  # 15,000 a working day at scale 1
    completed = [r for r in rows if r["status"] == "completed"]
    late = [r for r in completed if r["completed_at"] > r["due_original_at"]]
    assert 0.01 < len(late) / len(completed) < 0.12
    assert 0.6 < sum(r["apology_at"] is not None for r in late) / len(late) < 0.95
    assert 0.3 < sum(r["rating"] is not None for r in completed) / len(completed) < 0.5
    assert 0.01 < sum(r["status"] == "refused" for r in rows) / len(rows) < 0.03
    assert 0.04 < sum(r["supplement_requests"] > 0 for r in rows) / len(rows) < 0.15
    assert any(r["supplement_requests"] == 2 for r in rows)
    late_by_unit = {}
    for name, streams in city_rows.items():
        done = [r for r in streams["dossiers"] if r["status"] == "completed"]
        late_by_unit[name] = sum(r["completed_at"] > r["due_original_at"] for r in done) / len(done)
    assert sum(rate > 0.12 for rate in late_by_unit.values()) >= 2
    assert sorted(late_by_unit.values())[len(late_by_unit) // 2] < 0.06


def test_feedback_is_located_near_the_unit_and_answered_in_time_mostly(city, city_rows):
    simulator, advanced = city
    units = {u["key"]: u for u in load_units()}
    centre = units["hcmc"]
    count = answered = 0
    for source in simulator.sources:
        unit = units[source.unit_key]
        lat0, lon0 = (unit["lat"], unit["lon"]) if unit["kind"] == "district" else (centre["lat"], centre["lon"])
        for row in city_rows[source.name]["feedback"]:
            count += 1
            assert _km(lat0, lon0, row["lat"], row["lon"]) < 10, row
            assert row["received_at"] <= advanced and row["channel"] in ("app", "hotline", "web")
            assert row["due_at"] == default_calendar().due_after_working_days(row["received_at"], 10)
            if row["status"] == "answered":
                answered += 1
                assert row["received_at"] < row["answered_at"] <= advanced
            else:
                assert row["answered_at"] is None
    assert CITY_HISTORY_DAYS * 50 * 0.7 < count < (CITY_HISTORY_DAYS + 2) * 50 * 1.2  # ≈ 500 a day at scale 1
    assert 0.3 < answered / count < 0.9


def test_feedback_is_answered_mostly_in_time_some_late_some_never():
    traits = next(t for t in unit_traits(2019, load_units(), load_procedures(), START.date()) if t.key == "quan-8")
    calendar, first = default_calendar(), START.date()
    timeline = OfficeTimeline(calendar, first, first + timedelta(days=200))
    plans = [
        plan_feedback(np.random.default_rng([1, day]), traits, first + timedelta(days=day), calendar, timeline, 1.0, {})
        for day in range(30)
    ]
    due = np.concatenate([p.due for p in plans])
    closed = np.concatenate([p.times[FEEDBACK_CLOSED] for p in plans])
    final = np.concatenate([p.final_status for p in plans])
    answered = (final == "answered") & (closed != NEVER)
    assert len(due) > 300
    assert 0.80 < (answered & (closed <= due)).sum() / answered.sum() < 0.92
    assert 0.005 < (closed == NEVER).mean() < 0.05 and 0.01 < (final == "rejected").mean() < 0.08


def test_advance_adds_rows_updates_others_and_is_idempotent(tmp_path):
    simulator = small_simulator(tmp_path, scale=0.1)
    simulator.build(START, history_days=10)
    before = {s.name: {r["native_code"]: r for r in canonical(s, "dossiers")} for s in simulator.sources}
    for rows in before.values():
        assert all(r["source_updated_at"] <= START for r in rows.values())
        assert all(r["completed_at"] is None or r["completed_at"] <= START for r in rows.values())

    to = START + timedelta(hours=3)
    counts = simulator.advance(to)
    assert counts["dossiers_new"] > 0 and counts["dossiers_updated"] > 0
    after = {s.name: {r["native_code"]: r for r in canonical(s, "dossiers")} for s in simulator.sources}
    assert sum(len(a) - len(before[n]) for n, a in after.items()) == counts["dossiers_new"]
    changed = [
        r for name, rows in after.items() for code, r in rows.items()
        if code in before[name] and r != before[name][code]
    ]  # fmt: skip
    assert changed and all(START < r["source_updated_at"] <= to for r in changed)
    assert all(
        r["received_at"] <= to and (r["completed_at"] or START) <= to for a in after.values() for r in a.values()
    )

    content = dump(tmp_path)
    assert simulator.advance(to) == dict.fromkeys(counts, 0)
    assert simulator.advance(to - timedelta(hours=1)) == dict.fromkeys(counts, 0)  # never backwards
    assert dump(tmp_path) == content
    assert simulator.advanced_to == to


def test_at_night_only_online_dossiers_arrive_and_nobody_processes(tmp_path):
    simulator = small_simulator(tmp_path, scale=0.5)
    evening = datetime(2019, 11, 27, 22, 0, tzinfo=CITY_TZ)
    simulator.build(evening, history_days=1)
    counts = simulator.advance(evening + timedelta(hours=8))
    assert counts["dossiers_new"] > 0 and counts["dossiers_updated"] == 0
    for source in simulator.sources:
        for row in canonical(source, "dossiers"):
            if row["received_at"] > evening:
                assert row["channel"] in ("online_partial", "online_full") and row["status"] == "processing"


def test_build_reuses_matching_files_and_rebuilds_others(tmp_path):
    simulator = small_simulator(tmp_path)
    simulator.build(START, history_days=5)
    path = simulator.sources[0].path
    inode = path.stat().st_ino
    simulator.advance(START + timedelta(hours=1))
    simulator.close()
    restarted = small_simulator(tmp_path)
    restarted.build(START, history_days=5)
    assert path.stat().st_ino == inode  # reused, as far as it was advanced
    assert restarted.advanced_to == START + timedelta(hours=1)
    restarted.close()
    small_simulator(tmp_path, seed=11).build(START, history_days=5)
    assert path.stat().st_ino != inode  # another seed: rebuilt
    assert not list(tmp_path.glob("*.building"))


def test_build_reports_progress_and_refuses_naive_times(tmp_path):
    simulator = small_simulator(tmp_path)
    seen = []
    simulator.build(START, history_days=2, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, len(simulator.sources)) and seen[-1] == (len(simulator.sources),) * 2
    with pytest.raises(ValueError, match="naive"):
        simulator.advance(datetime(2019, 11, 28, 9, 0))


def test_every_profile_can_be_simulated_and_reads_back_the_same(tmp_path):
    names = sorted(path.stem for path in PROFILE_DIR.glob("*.yaml"))
    units = [u for u in load_units() if u["key"] in ("hcmc", "quan-1")]
    seen = {}
    for name in names:
        simulator = Simulator(tmp_path / name, scale=0.3, units=units, profile_for=lambda _key, name=name: name)
        simulator.build(START, history_days=3)
        simulator.advance(START + timedelta(hours=6))
        (source,) = simulator.sources
        assert source.profile == name
        rows = canonical(source, "dossiers")
        assert rows and all(r["received_at"] <= START + timedelta(hours=6) for r in rows)
        seen[name] = sorted((r["native_code"], r["status"], r["channel"], r["supplement_requests"]) for r in rows)
        simulator.close()
    assert all(content == seen[names[0]] for content in seen.values())  # the profile changes the form only


def test_demo_start_default_maps_today_onto_2019():
    assert demo_start_default(datetime(2025, 7, 14, 3, 30, tzinfo=CITY_TZ)) == datetime(
        2019, 7, 14, 3, 30, tzinfo=CITY_TZ
    )
    assert demo_start_default(datetime(2024, 2, 29, 1, 0, tzinfo=CITY_TZ)) == datetime(
        2019, 2, 28, 1, 0, tzinfo=CITY_TZ
    )
    late_utc = datetime(2026, 2, 28, 20, 0, tzinfo=UTC)  # already 1 March in the city
    assert demo_start_default(late_utc) == datetime(2019, 3, 1, 3, 0, tzinfo=CITY_TZ)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))
