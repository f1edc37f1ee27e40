"""The briefing PDF, made from a snapshot's report alone: its text (pdftotext) has the right numbers, names with
diacritics and the period; every page turned into a PNG has ink on it; the charts are drawn by kaleido in a
worker process with a time-out and each is checked for marks before the PDF is accepted."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from dashboard.briefings.charts import Chart, RenderError, check_marks, render
from dashboard.briefings.render_pdf import pdf_bytes

BAR = {"data": [{"type": "bar", "x": ["Quận 1", "Quận 3"], "y": [90, 50]}],
       "layout": {"width": 500, "height": 300, "margin": {"l": 40, "r": 10, "t": 10, "b": 30}}}  # fmt: skip


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    need("pdftotext")
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_says_the_right_numbers_names_and_period(briefing, tmp_path):
    _services, _made, _body, report = briefing
    text = pdf_text(pdf_bytes(report, "vi"), tmp_path)
    assert unicodedata.normalize("NFC", text) == text
    flat = " ".join(text.split())  # lines wrap where the page ends them
    assert "Báo cáo giao ban cải cách hành chính TP. Hồ Chí Minh" in flat
    assert "Kỳ báo cáo: 30 ngày (00:00 29/10/2019 – 15:00 27/11/2019)" in flat
    assert f"sha256 {report.content_hash}" in flat
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "1 Quận 1 42,86 90,0% 0,0% 0 0" in lines  # rank, unit, score, on time, online, in progress, overdue
    assert "2 Quận 3 23,81 50,0% 0,0% 3 3" in lines
    assert "1 Sở Tư pháp 47,62 100,0% 0,0% 1 1" in lines
    assert "Đơn vị cần chú ý" in flat and "Báo động: 100,0% hồ sơ đang giải quyết đã quá hạn (ngưỡng 10,0%)" in flat
    assert "Chưa có bản chụp trước để so sánh." in flat


def test_every_page_has_ink(briefing, tmp_path):
    need("pdftoppm")
    _services, _made, _body, report = briefing
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf_bytes(report, "en"))
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 6  # cover, city, two leagues, attention, a unit, what changed
    for page in pages:
        image = Image.open(page).convert("L")
        inked = sum(ImageChops.invert(image).histogram()[40:])
        assert inked > 0.002 * image.width * image.height, page.name


def test_charts_are_drawn_in_a_worker_and_checked_for_marks():
    [png] = render({"bar": Chart(BAR, 500, 300)}, scale=1).values()
    assert png.startswith(b"\x89PNG") and Image.open(__import__("io").BytesIO(png)).size == (500, 300)
    empty = {**BAR, "data": [{"type": "bar", "x": [], "y": []}]}
    with pytest.raises(RenderError, match="chart 'empty': the figure has no data"):
        check_marks("empty", empty, png)
    off_axis = {**BAR, "layout": {**BAR["layout"], "yaxis": {"range": [1000, 2000]}, "xaxis": {"visible": False}}}
    with pytest.raises(RenderError, match="chart 'off' drew blank"):
        render({"off": Chart(off_axis, 500, 300)}, scale=1)
    with pytest.raises(RenderError, match="not drawn within 0.01 s"):
        render({"bar": Chart(BAR, 500, 300)}, timeout_s=0.01)


def test_the_whole_briefing_draws_its_charts_and_lays_them_out(briefing, tmp_path):
    from dashboard.briefings.render_pdf import briefing_pdf, chart_specs

    _services, _made, _body, report = briefing
    assert sorted(chart_specs(report, "vi")) == ["gauge", "league-department", "league-district", "map"]
    pdf = briefing_pdf(report, "vi")
    (tmp_path / "out.pdf").write_bytes(pdf)
    need("pdfimages")
    listed = subprocess.run(["pdfimages", "-list", str(tmp_path / "out.pdf")], capture_output=True, text=True).stdout
    images = [line.split() for line in listed.splitlines()[2:] if line.strip()]
    assert [row[2] for row in images].count("image") == 4  # the four charts, embedded once (and their alpha masks)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "2 Quận 3 23,81 50,0% 0,0% 3 3" in text
    import os

    if os.environ.get("BRIEFING_PDF_OUT"):  # to look at it: BRIEFING_PDF_OUT=/tmp/briefing.pdf pytest …
        Path(os.environ["BRIEFING_PDF_OUT"]).write_bytes(pdf)
