"""The briefing as a Word file, read back with python-docx: Decree 30/2020/NĐ-CP's header (quốc hiệu, tiêu ngữ, the
date line), the league tables' cells, Times New Roman on A4 within the decree's margins, charts as pictures, what
changed when there is an earlier snapshot, the snapshot's hashes, and every text in NFC."""

from __future__ import annotations

import copy
import io
import unicodedata
from datetime import date

import docx
import pytest
from PIL import Image

from dashboard.briefings.render_docx import Issuer, default_issuer, document
from dashboard.briefings.report import report

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def paragraphs(doc):
    """Every paragraph: the body's, every table cell's (nested too), and the headers' and footers'."""

    def of(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from of(cell)

    yield from of(doc)
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            yield from of(part)


def text_of(doc) -> str:
    return "\n".join(p.text for p in paragraphs(doc))


def runs_with(doc, text: str):
    found = [run for p in paragraphs(doc) for run in p.runs if text in run.text]
    assert found, f"{text!r} is not in the document"
    return found


def league_cells(doc, unit: str) -> list[str]:
    """The cells of `unit`'s row in a league table (the tables whose header starts with the rank)."""
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if len(header) == 8:
            for row in table.rows[1:]:
                cells = [c.text for c in row.cells]
                if cells[2] == unit:
                    return cells
    raise AssertionError(f"{unit} is in no league table")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_the_header_has_the_quoc_hieu_tieu_ngu_issuer_and_date_line_of_decree_30(briefing):
    *_, made = briefing
    doc = read(document(made))
    left, right = doc.tables[0].cell(0, 0), doc.tables[0].cell(0, 1)
    assert [p.text for p in left.paragraphs] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH", "VĂN PHÒNG"]
    assert left.paragraphs[-1].runs[0].bold and not left.paragraphs[0].runs[0].bold
    assert [p.text for p in right.paragraphs] == [NATION, MOTTO]
    assert all(run.bold for run in runs_with(doc, NATION)) and NATION.upper() == NATION
    motto = runs_with(doc, MOTTO)
    assert all(run.bold and run.underline for run in motto)
    assert doc.tables[0].cell(1, 0).text == "Số: ……/BC-……"
    [dated] = runs_with(doc, "ngày 27 tháng 11 năm 2019")
    assert dated.text == "Thành phố Hồ Chí Minh, ngày 27 tháng 11 năm 2019" and dated.italic
    body = [p for p in doc.paragraphs if p.text]
    assert [body[0].text, body[1].text] == [
        "BÁO CÁO",
        "Tình hình giải quyết hồ sơ thủ tục hành chính, kỳ 30 ngày đến 15:00 27/11/2019",
    ]
    assert all(p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER and p.runs[0].bold for p in body[:2])


def test_the_issuer_number_and_date_are_parameters_and_days_below_ten_take_a_zero(briefing):
    *_, made = briefing
    issuer = Issuer(("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH"), "Sở Nội vụ", "Thành phố Hồ Chí Minh")
    doc = read(document(made, issuer=issuer, reference="15/BC-SNV", issued=date(2020, 2, 5)))
    assert doc.tables[0].cell(0, 0).paragraphs[-1].text == "SỞ NỘI VỤ"  # the issuing body in capitals
    assert doc.tables[0].cell(1, 0).text == "Số: 15/BC-SNV"
    assert doc.tables[0].cell(1, 1).text == "Thành phố Hồ Chí Minh, ngày 05 tháng 02 năm 2020"


def test_the_league_tables_cells(briefing):
    *_, made = briefing
    doc = read(document(made))
    header = ["Hạng", "Đồng hạng", "Đơn vị", "Điểm", "Đúng hạn", "Trực tuyến", "Đang giải quyết", "Quá hạn"]
    assert [c.text for c in next(t for t in doc.tables if len(t.columns) == 8).rows[0].cells] == header
    quan_3, quan_1 = league_cells(doc, "Quận 3"), league_cells(doc, "Quận 1")
    assert (quan_3[0], quan_3[1], quan_3[4], quan_3[7]) == ("2", "", "50,0%", "3")
    assert (quan_1[0], quan_1[4], quan_1[7]) == ("1", "90,0%", "0")
    assert league_cells(doc, "Sở Tư pháp")[0] == "1"
    assert league_cells(doc, "Quận 5")[0] == "—"  # no data: not ranked
    text = text_of(doc)
    assert "Đồng điểm (làm tròn 2 chữ số thập phân) thì đồng hạng." in text


def test_times_new_roman_13_pt_on_a4_within_decree_30s_margins(briefing):
    *_, made = briefing
    doc = read(document(made))
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and 13 <= normal.font.size.pt <= 14
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(docx.oxml.ns.qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    assert {run.font.name for p in paragraphs(doc) for run in p.runs} <= {None}  # no run overrides the font
    [section] = doc.sections
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    top, bottom, left, right = (round(m.mm, 1) for m in (section.top_margin, section.bottom_margin,
                                                          section.left_margin, section.right_margin))  # fmt: skip
    assert 20 <= top <= 25 and 20 <= bottom <= 25 and 30 <= left <= 35 and 15 <= right <= 20  # in twips: ±0.1 mm


def test_a_chart_given_becomes_an_inline_picture(briefing):
    *_, made = briefing
    assert len(read(document(made)).inline_shapes) == 0
    chart = png()
    doc = read(document(made, charts={"gauge": chart}))
    [shape] = doc.inline_shapes
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    assert doc.part.related_parts[blip.embed].blob == chart
    assert round(shape.width.mm) == 100


def test_units_needing_attention_sources_hashes_and_recipients(briefing):
    _, _, _, made = briefing
    text = text_of(read(document(made)))
    assert "3. Đơn vị cần quan tâm" in text
    assert "Quận 3 (hạng 2, Quận, huyện). Chưa đạt cam kết: Đúng hạn 50,0% (cam kết 98,0%)" in text
    assert "Báo động: 100,0% hồ sơ đang giải quyết đã quá hạn (ngưỡng 10,0%)." in text
    assert "4. Nguồn dữ liệu" in text and "Thay đổi so với" not in text  # no earlier snapshot: no section 4
    assert f"mã băm nội dung (sha256): {made.content_hash}" in text
    assert all(f"{name}: {digest}" in text for name, digest in made.computed_with.items())
    doc = read(document(made))
    [heading] = runs_with(doc, "Nơi nhận:")
    assert heading.bold and heading.italic
    assert doc.paragraphs[-1].text == "- Lưu: VT."


def test_what_changed_since_an_earlier_snapshot(briefing):
    _, _, body, made = briefing
    earlier = copy.deepcopy(body)
    earlier["as_of"] = "2019-11-20T15:00:00+07:00"
    earlier["city_figures"]["on_time"]["value"] = 0.7
    rows = {row["unit_key"]: row for row in earlier["leagues"]["district"]["rows"]}
    rows["quan-1"]["rank"], rows["quan-3"]["rank"] = 2, 1
    text = text_of(read(document(report(body, made.content_hash, earlier))))
    assert "4. Thay đổi so với bản chụp số liệu lúc 15:00 20/11/2019" in text
    assert "Quận 3: giảm 1 bậc (hạng 1 → 2)." in text and "Quận 1: tăng 1 bậc (hạng 2 → 1)." in text
    assert "+8,3 điểm %" in text  # 78,3% on time against 70,0%
    assert "5. Nguồn dữ liệu" in text


def test_english_gives_the_same_document_with_english_labels(briefing):
    *_, made = briefing
    doc = read(document(made, lang="en"))
    assert all(run.bold for run in runs_with(doc, "SOCIALIST REPUBLIC OF VIET NAM"))
    assert all(run.bold and run.underline for run in runs_with(doc, "Independence - Freedom - Happiness"))
    assert doc.tables[0].cell(1, 1).text == "Ho Chi Minh City, 27 November 2019"
    quan_3 = league_cells(doc, "District 3")
    assert (quan_3[0], quan_3[4]) == ("2", "50.0%")
    assert "Recipients:" in text_of(doc)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_text_is_nfc_even_from_decomposed_names(briefing, lang):
    _, _, body, made = briefing
    decomposed = copy.deepcopy(body)
    for figures in decomposed["kpis"]["units"]:
        figures["unit"]["name_vi"] = nfd(figures["unit"]["name_vi"])
    for league in decomposed["leagues"].values():
        for row in league["rows"]:
            row["name_vi"] = nfd(row["name_vi"])
    assert "Quận 3" not in str(decomposed["leagues"])  # the test's input is really decomposed
    vi = default_issuer("vi")
    issuer = Issuer(tuple(nfd(line) for line in vi.superior), nfd("Sở Tư pháp"), nfd(vi.place))
    doc = read(document(report(decomposed, made.content_hash), lang=lang, issuer=issuer))
    texts = [p.text for p in paragraphs(doc)]
    assert texts and all(text == unicodedata.normalize("NFC", text) for text in texts)
    assert doc.core_properties.subject == unicodedata.normalize("NFC", doc.core_properties.subject)
    assert doc.tables[0].cell(0, 0).paragraphs[-1].text == "SỞ TƯ PHÁP"
    if lang == "vi":
        assert league_cells(doc, "Quận 3")[0] == "2"


def test_a_unit_below_the_minimum_count_is_not_ranked_and_the_league_says_why(below_the_minimum):
    """Quận 3 (11 dossiers) and Sở Tư pháp (6) are below the 20 of service_index.yaml: no rank, no score, and under
    each league the league page's words; Quận 1 (20) is ranked."""
    *_, made = below_the_minimum
    doc = read(document(made))
    assert league_cells(doc, "Quận 1")[:4] == ["1", "", "Quận 1", "42,86"]
    assert league_cells(doc, "Quận 3")[:4] == ["—", "", "Quận 3", "—"]
    assert league_cells(doc, "Sở Tư pháp")[0] == "—"
    text = text_of(doc)
    assert "23 đơn vị chưa đủ số liệu trong kỳ nên chưa xếp hạng; hạng tính trong 1 đơn vị đủ số liệu." in text
    assert "Chưa đơn vị nào đủ số liệu trong kỳ để xếp hạng." in text
    assert "—: chưa xếp hạng (không có hoặc chưa đủ số liệu trong kỳ)." in text
