"""Settings are data: one declared table of name, default and help (see docs/settings.md).

Values come, in rising priority, from the defaults below, an optional YAML file (`CCHC_CONFIG`), and
environment variables `CCHC_<NAME>`. `Settings.documented()` lists them for the docs and for `--help`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.core.errors import SettingsError
from dashboard.core.i18n import PSEUDO
from dashboard.core.vocabulary import LAST_WEEK


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCHC_", extra="forbid", validate_default=True)

    data_dir: Path = Field(
        Path("data"), description="Folder for the default SQLite store, the demo databases and snapshots."
    )
    store_url: str | None = Field(
        None, description="SQLAlchemy URL of the central store; default: SQLite (WAL) at <data_dir>/store.sqlite."
    )
    sources_file: Path | None = Field(None, description="YAML file of sources; default: <data_dir>/sources.yaml.")
    units_file: Path | None = Field(
        None, description="CSV of units (districts, departments, wards); default: packaged."
    )
    unit_points_file: Path | None = Field(
        None, description="CSV of code (or ward_code), lat, lon: points for units the registry ships without one."
    )
    procedures_file: Path | None = Field(None, description="CSV of the procedure (TTHC) catalogue; default: packaged.")
    holidays_file: Path | None = Field(
        None, description="YAML of holidays and make-up days per year; default: packaged."
    )
    service_index_file: Path | None = Field(
        None, description="YAML of the service index's criteria, points, thresholds and grades; default: packaged."
    )
    commitments_file: Path | None = Field(None, description="YAML of each unit's signed targets; default: packaged.")
    chunk_size: int = Field(5000, ge=1, description="Rows read from a source per chunk and stored per transaction.")
    pull_timeout_s: float = Field(
        60.0,
        gt=0,
        description="Longest time one chunk of a pull (its read and store) may take; a longer pull goes on chunk after chunk.",
    )
    safety_lag_s: float = Field(
        600.0,
        ge=0,
        description="The watermark stays this far behind the source's clock, so rows committed late (a long"
        " transaction) are re-read; a source or its profile may set its own. Larger: more re-reading each pull.",
    )
    sweep_window_s: float = Field(
        86400.0,
        gt=0,
        description="The reconciliation sweep re-reads this much of each source (by cursor) and stores what the"
        " pulls missed beyond the safety lag.",
    )
    sweep_every_s: float = Field(3600.0, gt=0, description="How often the writer sweeps each source.")
    retry_base_s: float = Field(30.0, gt=0, description="First back-off after a failed pull; doubles per failure.")
    retry_max_s: float = Field(1800.0, gt=0, description="Longest back-off between retries of a failing source.")
    writer_lease_s: float = Field(
        15.0,
        gt=0,
        description="The writer's lease: a standby `ingest` takes over this long after the writer dies or hangs.",
    )
    stale_factor: float = Field(
        3.0, gt=0, description="A source is stale when its last good pull is older than this × its interval."
    )
    refresh_ms: int = Field(5000, ge=500, description="How often a page asks whether the data version changed.")
    version_check_ms: int = Field(
        500,
        ge=0,
        description="A web worker reads the data version for the pages' polls (walls, tiles, leagues, the home page,"
        " the API) at most this often (0: at every poll), so that 200 viewers cost the store what one does; a change"
        " reaches them this much later at most (at once in the process that wrote it).",
    )
    language: str = Field("vi", pattern="^(vi|en)$", description="Default language of the pages: vi or en.")
    pseudo_locale: bool = Field(
        False,
        description="For tests, never in service: every page speaks the pseudo-locale `qps` (each catalogue string"
        " as its Vietnamese between ⟦ and ⟧), which becomes the default language and `?lang=qps` may ask for; text"
        " without the marks escaped the catalogue.",
    )
    cache_url: str | None = Field(
        None,
        description="Redis URL for the cache shared by web workers (a password and TLS go in it: rediss://:pw@host/0);"
        " default: in-process cache.",
    )
    cache_prefix: str = Field(
        "cchc-pulse",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="What every cache key starts with (then a hash of the store URL), for a Redis shared with others.",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8050, ge=1, le=65535, description="Port the web server listens on.")
    online_target: float = Field(
        0.3, gt=0, le=1, description="The city's target for the share of dossiers received online (0–1)."
    )
    wall_overdue_warn: float = Field(
        0.05, ge=0, le=1, description="The wall warns when a unit's overdue share of its backlog is above this (0–1)."
    )
    wall_overdue_alarm: float = Field(
        0.10, ge=0, le=1, description="The wall raises an alarm when the overdue share is above this (0–1)."
    )
    wall_new_late_warn: int = Field(
        5, ge=1, description="The wall warns when this many of a unit's open dossiers fell overdue in 24 hours."
    )
    wall_new_late_alarm: int = Field(
        20, ge=1, description="The wall raises an alarm when this many fell overdue in 24 hours."
    )
    wall_dwell_s: float = Field(20.0, ge=2, description="Seconds each wall view shows; `?dwell=` overrides it.")
    boundary_file: Path | None = Field(
        None,
        description="GeoJSON (WGS 84) of the district boundaries, code in Dist_ID; default: the wall draws a tile grid.",
    )
    ward_boundary_file: Path | None = Field(
        None, description="GeoJSON (WGS 84) of the ward boundaries, codes in Com_ID and Dist_ID, for `?map=wards`."
    )
    tile_grid_file: Path | None = Field(
        None,
        description="CSV of unit_key, row, col: the wall's tile map; default: the packaged 24 districts of 2019.",
    )
    pack_schedule: str | None = Field(
        "MON 07:00",
        pattern=r"^$|^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="When the writer makes the weekly briefing pack (weekday and time, Asia/Ho_Chi_Minh); empty: never.",
    )
    pack_period: str = Field(LAST_WEEK, description="The period of the weekly pack (default the last full week).")
    pack_mail_to: list[str] = Field(
        default_factory=list, description="Who gets the weekly pack's PDF by mail (comma-separated addresses)."
    )
    smtp_url: str | None = Field(
        None,
        description="Mail server for the pack: smtp://user:password@host:587 (STARTTLS) or smtps://…:465; default: no mail.",
    )
    mail_from: str = Field("cchc-pulse@localhost", description="The sender of the pack's mail.")
    auth_store_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the accounts (users, tokens, sign-in attempts), apart from the data path's"
        " writer; default: SQLite at <data_dir>/auth.sqlite. With a PostgreSQL store it may be the store's URL.",
    )
    session_secret: str | None = Field(
        None,
        min_length=32,
        description="The key that signs sign-in sessions (at least 32 characters): required to serve with sign-in,"
        " and the same in every web worker (a key per worker logs people out at random).",
    )
    session_hours: float = Field(12.0, gt=0, description="A signed-in session ends this many hours after sign-in.")
    sign_in_attempts: int = Field(
        5, ge=1, description="Failed sign-ins allowed per login and per client address within the window."
    )
    sign_in_window_s: float = Field(
        900.0, gt=0, description="The sign-in rate limit's window: after that many failures, wait until it passes."
    )

    cookie_secure: bool | None = Field(
        None,
        description="Send the session and kiosk cookies over HTTPS only: true behind TLS (recommended), false for"
        " plain HTTP on a closed network; default: as the request came (HTTPS gives Secure cookies).",
    )

    trusted_proxies: int = Field(
        0,
        ge=0,
        le=5,
        description="How many reverse proxies stand in front of the pages: their X-Forwarded-For/-Proto/-Host name"
        " the real client in the audit log and the rate limit; 0: trust no such header (a client could forge it).",
    )
    audit_retention_days: int = Field(
        365, ge=1, description="The audit log keeps entries this many days; the writer removes older ones daily."
    )
    oidc_issuer: str | None = Field(
        None,
        description="The city's single sign-on (OpenID Connect) issuer URL, e.g. https://sso.example.gov.vn/realms/hcm;"
        " default: local accounts only.",
    )
    oidc_client_id: str | None = Field(None, description="This app's client id at the single sign-on.")
    oidc_client_secret: str | None = Field(None, description="This app's client secret at the single sign-on.")
    oidc_scopes: str = Field("openid profile email", description="The scopes asked of the single sign-on.")
    oidc_role_claim: str = Field(
        "groups", description="The claim (a string or a list) whose values `oidc_roles` maps to a role."
    )
    oidc_roles: dict[str, str] = Field(
        default_factory=dict,
        description="Claim value → role, e.g. {cchc-lanh-dao: leader, cchc-don-vi: unit_head}; a user whose claims"
        " map to no role gets no access. The first value of the claim that maps wins.",
    )
    oidc_units_claim: str = Field(
        "cchc_units",
        description="The claim listing the units (registry keys) of a unit role, a list or comma-separated.",
    )

    @model_validator(mode="after")
    def _pseudo_language(self) -> Settings:
        """With `pseudo_locale`, the pseudo-locale is the pages' default language (and so may be asked for)."""
        if self.pseudo_locale:
            self.language = PSEUDO
        return self

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> Settings:
        """Defaults < YAML config file (`CCHC_CONFIG`) < environment < explicit overrides."""
        path = config_file or (Path(os.environ["CCHC_CONFIG"]) if os.environ.get("CCHC_CONFIG") else None)
        from_file: dict[str, Any] = {}
        if path is not None:
            try:
                from_file = yaml.safe_load(path.read_text("utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise SettingsError(f"{path}: cannot read settings: {exc}") from None
            unknown = sorted(set(from_file) - set(cls.model_fields))
            if unknown:
                raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}")
        env_names = {name for name in cls.model_fields if f"CCHC_{name.upper()}" in os.environ}
        values = {k: v for k, v in from_file.items() if k not in env_names}
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise SettingsError(f"settings ({path or 'environment'}): {problems}") from None

    @classmethod
    def documented(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every setting."""
        return [
            (f"CCHC_{name.upper()}", repr(field.default), field.description or "")
            for name, field in cls.model_fields.items()
        ]

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or f"sqlite:///{(self.data_dir / 'store.sqlite').resolve()}"

    @property
    def resolved_auth_store_url(self) -> str:
        return self.auth_store_url or f"sqlite:///{(self.data_dir / 'auth.sqlite').resolve()}"

    @property
    def resolved_sources_file(self) -> Path:
        return self.sources_file or self.data_dir / "sources.yaml"
