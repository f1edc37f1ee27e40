"""The sources file and settings: errors name the file, the source and the field; every setting is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core.settings import Settings, SettingsError
from dashboard.ingest.sources_file import SourcesError, load_sources

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, "utf-8")
    return path


def test_a_valid_file_gives_sources_with_env_passwords_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("Q1_PASSWORD", "pa55")
    path = write(
        tmp_path,
        """
sources:
  - {name: quan-1, unit: quan-1, url: "postgresql+psycopg://reader:${Q1_PASSWORD}@db/q1", profile: motcua_v1}
  - {name: so-tu-phap, unit: so-tu-phap, url: "sqlite:///x.db", profile: motcua_v1, interval: 30}
""",
    )
    sources = load_sources(path, {"quan-1", "so-tu-phap"})
    assert [(s.name, s.interval) for s in sources] == [("quan-1", 60.0), ("so-tu-phap", 30.0)]
    assert sources[0].password == "pa55"
    assert sources[0].safe_url == "postgresql+psycopg://reader:***@db/q1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sources:\n  - {name: quan-1, unit: quan-1, url: 'sqlite:///x', profile: motcua_v1, interval: 0}\n",
            "source #1 (quan-1), field interval: Input should be greater than 0",
        ),
        (
            "sources:\n  - {name: quan-1, unit: quan-1, url: 'sqlite:///x', profile: nope}\n",
            "source #1 (quan-1), field profile: profile 'nope': no file",
        ),
        (
            "sources:\n  - {name: quan-1, unit: quan-99, url: 'sqlite:///x', profile: motcua_v1}\n",
            "source #1 (quan-1), field unit: unknown unit 'quan-99'",
        ),
        (
            "sources:\n  - {name: quan-1, unit: quan-1, url: 'not a url', profile: motcua_v1}\n",
            "source #1 (quan-1), field url: Value error, not a SQLAlchemy URL",
        ),
        (
            "sources:\n  - {name: quan-1, unit: quan-1, url: 'sqlite:///${NO_SUCH_VAR_X}', profile: motcua_v1}\n",
            "source #1 (quan-1), field url: environment variable NO_SUCH_VAR_X is not set",
        ),
        (
            "sources:\n  - {name: quan-1, unit: quan-1, profile: motcua_v1}\n",
            "source #1 (quan-1), field url: Field required",
        ),
        (
            "sources:\n  - {name: a, unit: quan-1, url: 'sqlite:///x', profile: motcua_v1}\n"
            "  - {name: a, unit: quan-1, url: 'sqlite:///y', profile: motcua_v1}\n",
            "source #2 (a), field name: 'a' is used twice",
        ),
        ("nothing: here\n", "expected a top-level 'sources:' list"),
    ],
)
def test_errors_name_the_file_the_source_and_the_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as info:
        load_sources(path, {"quan-1"})
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_settings_come_from_file_then_environment(tmp_path, monkeypatch):
    config = tmp_path / "settings.yaml"
    config.write_text("chunk_size: 10\nstale_factor: 4\n", "utf-8")
    monkeypatch.setenv("CCHC_STALE_FACTOR", "5")
    settings = Settings.load(config)
    assert (settings.chunk_size, settings.stale_factor) == (10, 5.0)
    config.write_text("chunk_sise: 10\n", "utf-8")
    with pytest.raises(SettingsError, match="unknown setting\\(s\\) chunk_sise"):
        Settings.load(config)


def test_every_setting_is_documented():
    documented = (ROOT / "docs" / "settings.md").read_text("utf-8")
    for env, _default, help_text in Settings.documented():
        assert help_text, f"{env} has no help text"
        assert f"`{env}`" in documented, f"{env} is missing from docs/settings.md"
