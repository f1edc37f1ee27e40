"""The sources file: which databases to pull, validated at start.

```yaml
sources:
  - name: quan-1                 # unique, used in logs and pages
    unit: quan-1                 # the unit the source belongs to (a key in the units table)
    url: sqlite:////srv/q1.db    # any SQLAlchemy URL; ${ENV_VAR} references are expanded
    profile: motcua_v1           # a schema profile in data_sources/profiles/ or a path to one
    interval: 60                 # seconds between pulls
```
Every error names the file, the source and the field.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dashboard.core.errors import ProfileError, SourcesError
from data_sources.profiles import Profile, load_profile

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)
    unit: str
    url: str
    profile: str
    interval: float = Field(60.0, gt=0)
    safety_lag_s: float | None = Field(None, ge=0)  # this source's own safety lag; default: the settings'

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError("not a SQLAlchemy URL (e.g. postgresql+psycopg://user@host/db)") from None
        return value

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for logs and pages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """The kind of database (postgresql, mysql, sqlite, …), without host, user, database or path."""
        return make_url(self.url).get_backend_name()

    @property
    def password(self) -> str | None:
        password = make_url(self.url).password
        return str(password) if password else None

    def load_profile(self) -> Profile:
        return load_profile(self.profile)


def expand_env(text: str, where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise SourcesError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    return ENV_REFERENCE.sub(replace, text)


def load_sources(path: Path, known_units: set[str] | None = None) -> list[SourceConfig]:
    """Read and validate the sources file; profiles are loaded too, so a bad one fails here."""
    try:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read the sources file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from None
    entries = raw.get("sources") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: expected a top-level 'sources:' list")
    sources: list[SourceConfig] = []
    for index, entry in enumerate(entries, start=1):
        label = f"source #{index}" + (
            f" ({entry.get('name')})" if isinstance(entry, dict) and entry.get("name") else ""
        )
        where = f"{path}: {label}"
        if not isinstance(entry, dict):
            raise SourcesError(f"{where}: expected a mapping of name, unit, url, profile, interval")
        values: dict[str, Any] = dict(entry)
        if isinstance(values.get("url"), str):
            values["url"] = expand_env(values["url"], f"{where}, field url")
        try:
            source = SourceConfig(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(map(str, error["loc"])) or "?"
            raise SourcesError(f"{where}, field {field}: {error['msg']}") from None
        try:
            source.load_profile()
        except ProfileError as exc:
            raise SourcesError(f"{where}, field profile: {exc}") from None
        if known_units is not None and source.unit not in known_units:
            raise SourcesError(f"{where}, field unit: unknown unit {source.unit!r}")
        if any(s.name == source.name for s in sources):
            raise SourcesError(f"{where}, field name: {source.name!r} is used twice")
        sources.append(source)
    return sources


def write_sources(path: Path, sources: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True, sort_keys=False), "utf-8")
