"""Every error CCHC Pulse raises on purpose, as one small tree. Each message names the file, source, row, field
or parameter at fault, and what to do; anything else that escapes is a bug.

    PulseError
    ├── ConfigError            a file or setting we were given is wrong (checked at start; `check` reports it)
    │   ├── SettingsError      settings: the YAML file or a CCHC_* variable
    │   ├── SourcesError       the sources file
    │   ├── ProfileError       a schema profile
    │   ├── ReferenceDataError the units or procedures CSV
    │   ├── CalendarError      the holidays file
    │   ├── IndexConfigError   the service index or commitments file
    │   ├── CatalogueError     the strings catalogue
    │   └── BoundaryError      a boundary GeoJSON (the wall falls back to its tile grid)
    ├── InputError             a value asked for from outside (URL, API query): answered with 400, never 500
    │   ├── ParameterError     names the parameter and the values allowed
    │   ├── PeriodError        an unknown period
    │   └── FilterError        an unknown list filter
    ├── MappingError           one source row that cannot be mapped: that row is rejected, the pull goes on
    ├── StoreError             the store cannot be used as configured (dialect, not migrated)
    │   └── LeaseError         this process does not hold the writer lease (never had it, or was taken over)
    ├── PullTimeout            a chunk of a pull ran past the time limit; what it stored stays, it resumes next time
    └── SimulatorError         the demo's simulated databases cannot be built or advanced

Each class also derives from the builtin a caller would expect (ValueError, RuntimeError, TimeoutError).
"""

from __future__ import annotations


class PulseError(Exception):
    """The root of CCHC Pulse's own errors."""


class ConfigError(PulseError, ValueError):
    """A file or setting we were given is wrong."""


class SettingsError(ConfigError):
    """A setting has a bad value; the message names the setting and where it came from."""


class SourcesError(ConfigError):
    """The sources file is invalid; the message names the file, the source and the field."""


class ProfileError(ConfigError):
    """A profile file is invalid; the message names the file and the field."""


class ReferenceDataError(ConfigError):
    """A reference file (units, procedures) is malformed; the message names the file, row and field."""


class CalendarError(ConfigError):
    """The holiday file is malformed; the message names the file, year and field."""


class IndexConfigError(ConfigError):
    """The index or commitments file is invalid; the message names the file and field."""


class CatalogueError(ConfigError):
    """The strings catalogue is malformed; the message names the key."""


class BoundaryError(ConfigError):
    """A boundary file cannot be used; the message names the file and what is wrong with it."""


class InputError(PulseError, ValueError):
    """A value asked for from outside that we do not know."""


class ParameterError(InputError):
    """A query parameter with a value we do not know; the message names the parameter and the values allowed."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class PeriodError(InputError):
    """An unknown period name; the message lists the known ones."""


class FilterError(InputError):
    """An unknown list filter; the message lists the known ones."""


class MappingError(PulseError, ValueError):
    """One source row cannot be mapped; `field` names the canonical field, the message says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class StoreError(PulseError, RuntimeError):
    """The store cannot be used as configured (unsupported database, unreachable, not migrated)."""


class LeaseError(StoreError):
    """A write of the data path by a process that does not hold the store's writer lease: it writes nothing."""


class PullTimeout(PulseError, TimeoutError):
    """One chunk of a pull (its read and store) ran past `pull_timeout_s`; what was stored so far, that chunk
    included, stays, the watermark with it, and the next pull resumes from there."""


class SimulatorError(PulseError, RuntimeError):
    """The demo's simulated databases cannot be built or advanced; the message says which and why."""
