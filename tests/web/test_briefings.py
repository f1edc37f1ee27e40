"""The briefing downloads, /briefings/<id>.<pdf|docx|xlsx|html|csv>: rendered from the stored snapshot alone, with the
right type, file name and ETag; immutable (a file cached on disk with its sha256 beside it, checked on every
download); a stored body that no longer matches its hash is refused, never served; unknown ids and formats 404."""

from __future__ import annotations

import hashlib
import io
import logging

import docx
import openpyxl
import pytest
from sqlalchemy import func, select, update

from dashboard.briefings import files
from dashboard.store.schema import snapshots
from dashboard.web.app import create_app
from tests.briefings import conftest as briefing_city
from tests.signin import signed_client

briefing = briefing_city.briefing  # (services, snapshot id, body, report) of the small city, as of 27/11/2019 15:00

TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
QUICK = ("docx", "xlsx", "html", "csv")  # quick to make (Word draws its charts too, a few seconds)


@pytest.fixture
def client(briefing):
    services, _made, _body, _report = briefing
    return signed_client(create_app(services))


def cached_file(briefing, ext: str, lang: str = "vi"):
    services, _made, _body, report = briefing
    return services.settings.data_dir / "briefings" / f"{report.content_hash}-{lang}.{ext}"


def report_hash_cell(values: list) -> bool:
    """The workbook names the snapshot it was made from (its sha256, 64 hex digits)."""
    return any(isinstance(v, str) and len(v) == 64 and all(c in "0123456789abcdef" for c in v) for v in values)


def opens(ext: str, content: bytes) -> None:
    """The file is what its name says: Word and Excel open, the HTML and the CSV say the units' names."""
    if ext == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        values = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert "Quận 1" in values and report_hash_cell(values)
    elif ext == "docx":
        word = docx.Document(io.BytesIO(content))
        assert any("BÁO CÁO" in p.text for p in word.paragraphs)
        assert len(word.inline_shapes) == 4  # the PDF's charts: gauge, map and both leagues' bars
    elif ext == "html":
        assert content.startswith(b"<!DOCTYPE html>") and "Quận 1".encode() in content
    elif ext == "csv":
        assert content.startswith("\ufeff".encode()) and "Quận 1".encode() in content
    else:
        assert content.startswith(b"%PDF")


@pytest.mark.parametrize("ext", QUICK)
def test_each_download_has_its_type_name_and_etag_and_the_same_bytes_every_time(briefing, client, ext):
    _services, made, _body, report = briefing
    first = client.get(f"/briefings/{made}.{ext}")
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.headers["Content-Type"] == TYPES[ext]
    name = f"giao-ban-20191127-1500-30d-{report.content_hash[:8]}.{ext}"
    assert first.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert first.headers["ETag"] == f'"{report.content_hash}-{ext}-vi"'
    opens(ext, first.data)
    second = client.get(f"/briefings/{made}.{ext}")
    assert second.data == first.data  # immutable: the file made once, not rendered again
    path = cached_file(briefing, ext)
    assert path.read_bytes() == first.data
    assert (
        path.with_name(path.name + ".sha256").read_text() == f"{hashlib.sha256(first.data).hexdigest()}  {path.name}\n"
    )
    again = client.get(f"/briefings/{made}.{ext}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_pdf_is_drawn_on_the_first_download_only(briefing, client, monkeypatch):
    _services, made, _body, report = briefing
    first = client.get(f"/briefings/{made}.pdf")
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.headers["Content-Type"] == "application/pdf" and first.data.startswith(b"%PDF")
    assert first.headers["Content-Disposition"].endswith(f'-30d-{report.content_hash[:8]}.pdf"')

    def never(*_args, **_kwargs):
        raise AssertionError("the PDF was drawn again")

    monkeypatch.setattr(files, "briefing_pdf", never)
    assert client.get(f"/briefings/{made}.pdf").data == first.data


def test_english_is_its_own_file_with_its_own_name_and_etag(briefing, client):
    _services, made, _body, report = briefing
    english = client.get(f"/briefings/{made}.csv?lang=en")
    assert english.status_code == 200 and b"Rank" in english.data
    name = f"briefing-20191127-1500-30d-{report.content_hash[:8]}.csv"
    assert english.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert english.headers["ETag"] == f'"{report.content_hash}-csv-en"'
    assert cached_file(briefing, "csv", "en").exists() and not cached_file(briefing, "csv", "vi").exists()
    unknown = client.get(f"/briefings/{made}.csv?lang=../../etc")  # not a language: the default one
    assert unknown.headers["ETag"] == f'"{report.content_hash}-csv-vi"'


def tamper_body(services, made: int) -> None:
    with services.store.engine.begin() as conn:
        text = conn.execute(select(snapshots.c.body).where(snapshots.c.id == made)).scalar_one()
        changed = text.replace('"in_progress":', '"in_progress":9', 1)
        conn.execute(update(snapshots).where(snapshots.c.id == made).values(body=changed))


@pytest.mark.parametrize("already_cached", [False, True], ids=["never downloaded", "downloaded before"])
def test_a_stored_body_that_no_longer_matches_its_hash_is_never_served(briefing, client, already_cached):
    services, made, _body, report = briefing
    if already_cached:
        assert client.get(f"/briefings/{made}.xlsx").status_code == 200
    tamper_body(services, made)
    refused = client.get(f"/briefings/{made}.xlsx")
    assert refused.status_code == 500
    text = refused.get_data(as_text=True)
    assert f"snapshot {made}: its body does not match its hash {report.content_hash[:12]}" in text
    assert "not served" in text and "Content-Disposition" not in refused.headers
    assert cached_file(briefing, "xlsx").exists() is already_cached  # nothing rendered from the changed body


@pytest.mark.parametrize("tampered", ["file", "sidecar"])
def test_a_cached_file_changed_on_disk_is_detected_and_made_again(briefing, client, caplog, tampered):
    _services, made, _body, _report = briefing
    first = client.get(f"/briefings/{made}.xlsx").data
    path = cached_file(briefing, "xlsx")
    target = path if tampered == "file" else path.with_name(path.name + ".sha256")
    target.write_bytes(b"PK not the workbook that was made")
    with caplog.at_level(logging.WARNING, logger="dashboard.briefings.files"):
        served = client.get(f"/briefings/{made}.xlsx")
    assert served.status_code == 200 and served.data != b"PK not the workbook that was made"
    opens("xlsx", served.data)  # a good workbook, made again from the snapshot
    assert "does not match the sha256 recorded" in caplog.text
    recorded = path.with_name(path.name + ".sha256").read_text().split()[0]
    assert recorded == hashlib.sha256(served.data).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(first) > 0 and client.get(f"/briefings/{made}.xlsx").data == served.data  # and kept from then on


def test_a_cached_file_gone_from_disk_is_made_again(briefing, client):
    _services, made, _body, _report = briefing
    client.get(f"/briefings/{made}.html")
    cached_file(briefing, "html").unlink()
    again = client.get(f"/briefings/{made}.html")
    assert again.status_code == 200 and cached_file(briefing, "html").read_bytes() == again.data


@pytest.mark.parametrize(
    "path",
    ["/briefings/999.pdf", "/briefings/abc.xlsx", "/briefings/{made}.exe", "/briefings/{made}.PDF", "/briefings/0.csv"],
)
def test_unknown_snapshots_and_formats_are_not_found(briefing, client, path):
    services, made, _body, _report = briefing
    answer = client.get(path.format(made=made))
    assert answer.status_code == 404 and "Content-Disposition" not in answer.headers
    assert not (services.settings.data_dir / "briefings").exists() or not any(
        (services.settings.data_dir / "briefings").iterdir()
    )


def test_downloading_never_writes_the_store(briefing, client):
    services, made, _body, _report = briefing
    with services.store.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(snapshots)).scalar_one()
    assert client.get(f"/briefings/{made}.csv").status_code == 200
    with services.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(snapshots)).scalar_one() == before
    assert services.store.snapshots.pending() == []


def test_a_download_says_what_changed_since_the_previous_snapshot_of_its_period(briefing, client):
    from datetime import timedelta

    from dashboard.briefings.snapshot import take

    services, first, _body, _report = briefing
    later = take(services, "30d", services.clock.now() + timedelta(hours=1), "test")  # the same period, later
    html = client.get(f"/briefings/{later}.html").get_data(as_text=True)
    assert "Thay đổi so với bản chụp lúc 27/11/2019 15:00" in html  # the first one's as-of
    assert "Thay đổi so với bản chụp" not in client.get(f"/briefings/{first}.html").get_data(as_text=True)
