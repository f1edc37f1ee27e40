"""A snapshot's renderings as files (PDF, Word, Excel, offline HTML, CSV of the first league), made from the stored
snapshot alone — its body read through the store's hash check — and immutable once made.

Each rendering is cached on disk as `<data_dir>/briefings/<content hash>-<lang>.<ext>`, with the file's sha256
beside it (`<file>.sha256`, in `sha256sum` format) written when it was made. Every read checks the file against
it: a cached file that no longer matches is never served but rendered again (and the mismatch logged). Making a
rendering takes a lock per file, so two workers missing the cache at once render it once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dashboard.briefings.charts import DEFAULT_TIMEOUT_S, render
from dashboard.briefings.figures import leagues_in_order
from dashboard.briefings.render_csv import league_csv
from dashboard.briefings.render_docx import document
from dashboard.briefings.render_html import page
from dashboard.briefings.render_pdf import briefing_pdf, chart_specs
from dashboard.briefings.render_xlsx import workbook
from dashboard.briefings.report import Report, report
from dashboard.briefings.snapshot import load
from dashboard.core.clock import city_time
from dashboard.core.errors import InputError
from dashboard.core.i18n import language, t
from dashboard.pages.briefings import SnapshotRow
from dashboard.services import Services

log = logging.getLogger(__name__)
CACHE_FOLDER = "briefings"  # under the data folder


class NothingToRender(InputError):
    """The snapshot has nothing for this rendering (a CSV of the first league, and no league that day)."""


def _first_league_csv(made: Report, lang: str) -> bytes:
    leagues = leagues_in_order(made)
    if not leagues:
        raise NothingToRender(f"snapshot {made.content_hash[:12]} has no league: there is no CSV to make")
    return league_csv(leagues[0], lang).encode("utf-8")


@dataclass(frozen=True)
class Format:
    media_type: str
    render: Callable[[Report, str], bytes]


FORMATS: dict[str, Format] = {
    "pdf": Format("application/pdf", lambda made, lang: briefing_pdf(made, lang, timeout_s=DEFAULT_TIMEOUT_S)),
    "docx": Format(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda made, lang: document(made, lang, render(chart_specs(made, lang), timeout_s=DEFAULT_TIMEOUT_S)),
    ),  # the same figures as the PDF
    "xlsx": Format("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook),
    "html": Format("text/html; charset=utf-8", lambda made, lang: page(made, lang).encode("utf-8")),
    "csv": Format("text/csv; charset=utf-8", _first_league_csv),
}


@dataclass(frozen=True)
class Rendering:
    content: bytes
    media_type: str
    file_name: str  # giao-ban-20191127-1500-30d-1a2b3c4d.pdf
    etag: str  # the snapshot's content hash, the format and the language


def file_name(found: SnapshotRow, ext: str, lang: str) -> str:
    """giao-ban-<yyyymmdd-hhmm>-<period>-<hash8>.<ext> (briefing-… in English), the as-of in city time."""
    period = re.sub(r"[^a-z0-9]+", "-", found.period.lower()).strip("-")
    stamp = city_time(found.as_of).strftime("%Y%m%d-%H%M")
    return f"{t('briefings.file', lang)}-{stamp}-{period}-{found.content_hash[:8]}.{ext}"


def cache_path(services: Services, found: SnapshotRow, ext: str, lang: str, since: str = "") -> Path:
    return services.settings.data_dir / CACHE_FOLDER / f"{found.content_hash}{since}-{lang}.{ext}"


def sidecar(path: Path) -> Path:
    return path.with_name(f"{path.name}.sha256")


def _write(path: Path, content: bytes) -> None:
    """Write `content` to `path` whole or not at all (a temporary file renamed over it)."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as out:
        out.write(content)
    os.replace(out.name, path)


def verified(path: Path) -> bytes | None:
    """The cached file's bytes when its sha256 is the one recorded beside it; None when either is missing or they
    do not match (logged: a file changed after it was made)."""
    try:
        recorded = sidecar(path).read_text("ascii").split()[0]
        content = path.read_bytes()
    except (FileNotFoundError, IndexError, UnicodeDecodeError):
        return None
    if hashlib.sha256(content).hexdigest() != recorded:
        log.warning("briefing file %s does not match the sha256 recorded when it was made: rendering it again", path)
        return None
    return content


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.with_name(f"{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cached(path: Path, make: Callable[[], bytes]) -> bytes:
    """The verified file at `path`, or `make()` written there with its sha256 beside it (once, under a lock)."""
    found = verified(path)
    if found is not None:
        return found
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        found = verified(path)  # another worker may have made it while this one waited
        if found is not None:
            return found
        content = make()
        _write(path, content)
        _write(sidecar(path), f"{hashlib.sha256(content).hexdigest()}  {path.name}\n".encode("ascii"))
        return content


def rendering(services: Services, found: SnapshotRow, ext: str, lang: str) -> Rendering:
    """Snapshot `found` rendered as `ext` in `lang`, from the disk cache or made now. The body is read through the
    store's hash check first, every time: a body that no longer matches is a `StoreError`, and nothing is served."""
    kind, lang = FORMATS[ext], language(lang)  # the language is part of a file name: only a known one
    body = services.store.snapshots.body(found.id)
    earlier = services.store.snapshots.previous(found.id)  # "what changed" compares with it: part of the identity
    since = f"-since-{earlier['content_hash'][:16]}" if earlier else ""

    def make() -> bytes:  # the earlier body is read (and its hash checked) only when the file is made
        before = load(services, earlier["id"]) if earlier else None
        return kind.render(report(json.loads(body), found.content_hash, before), lang)

    content = cached(cache_path(services, found, ext, lang, since), make)
    etag = f"{found.content_hash}{since}-{ext}-{lang}"
    return Rendering(content, kind.media_type, file_name(found, ext, lang), etag)
