"""GET /briefings/<id>.<pdf|docx|xlsx|html|csv>?lang=vi|en: a snapshot's rendering, made from the stored snapshot
alone and cached as an immutable file (`dashboard.briefings.files`), sent as an attachment named
giao-ban-<yyyymmdd-hhmm>-<period>-<hash8>.<ext>, with an ETag of the content hash, format and language.

An unknown snapshot or format answers 404; a body that no longer matches its hash 500 (never served); a PDF whose
charts were not drawn within the renderer's time-out 503. Only the PDF takes seconds, and only on a cache miss.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from dashboard.briefings.charts import RenderError
from dashboard.briefings.files import FORMATS, NothingToRender, rendering
from dashboard.core.errors import StoreError
from dashboard.core.i18n import language
from dashboard.core.paging import whole_number
from dashboard.pages.briefings import snapshot
from dashboard.services import Services
from layouts.shell import BRIEFINGS_PATH

log = logging.getLogger(__name__)
IMMUTABLE = "private, max-age=31536000, immutable"  # a snapshot's id names one body forever
RETRY_AFTER_S = 30


def _refusal(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def download(services: Services, snapshot_id: str, ext: str) -> Response:
    """The response for /briefings/<snapshot_id>.<ext> (see the module's docstring)."""
    number = whole_number(snapshot_id)  # ASCII digits only, at most 9: never a database overflow
    found = snapshot(services, number) if number is not None else None
    if found is None:
        return _refusal(404, f"no snapshot {snapshot_id!r}: see {BRIEFINGS_PATH} for the snapshots there are")
    if ext not in FORMATS:
        return _refusal(404, f"no rendering {ext!r}: use one of {', '.join(FORMATS)}")
    lang = language(request.args.get("lang"), services.settings.language)
    try:
        made = rendering(services, found, ext, lang)
    except StoreError as error:
        log.error("briefing download refused: %s", error)
        return _refusal(500, f"{error}: it is not served. The stored snapshot was changed; restore it from a backup.")
    except NothingToRender as error:
        return _refusal(404, str(error))
    except RenderError as error:
        refused = _refusal(503, f"the PDF could not be made now ({error}); try again in a moment")
        refused.headers["Retry-After"] = str(RETRY_AFTER_S)
        return refused
    response = Response(made.content, content_type=made.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = IMMUTABLE
    response.set_etag(made.etag)
    response.make_conditional(request)  # 304 for an If-None-Match with this ETag; ranges
    return response


def blueprint(services: Services) -> Blueprint:
    files = Blueprint("briefings", __name__)

    @files.get(f"{BRIEFINGS_PATH}/<snapshot_id>.<ext>")
    def briefing_file(snapshot_id: str, ext: str) -> Response:
        return download(services, snapshot_id, ext)

    return files
