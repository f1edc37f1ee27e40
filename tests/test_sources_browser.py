"""In headless Chromium: the sources page names a down source's error and retry, hides its password, and
leads from a rejected-row count to the rows with their reason and raw values."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.auth.roles import ADMIN
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from layouts.ids import AuditIds, ShellIds, SourcesIds
from tests.factories import SourceDB, dossier
from tests.netfaults import closed_port
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser
PASSWORD = "Pw-down-4f9c"


def test_a_down_source_and_the_rejected_rows_of_another(chromium, dash_duo, tmp_path, clock):
    good_db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    mixed_db = SourceDB(f"sqlite:///{tmp_path / 'quan-5.sqlite'}")
    good_db.insert("dossiers", dossier("D1"))
    mixed_db.insert("dossiers", dossier("D2", unit="774"), dossier("BAD-1", unit="774", procedure="XX-99"))
    down_url = f"postgresql+psycopg://reader:{PASSWORD}@127.0.0.1:{closed_port()}/motcua"
    sources = [
        SourceConfig(name="quan-1", unit="quan-1", url=good_db.url, profile="motcua_v1"),
        SourceConfig(name="quan-3", unit="quan-3", url=down_url, profile="motcua_v1"),
        SourceConfig(name="quan-5", unit="quan-5", url=mixed_db.url, profile="motcua_v1"),
    ]
    settings = Settings(data_dir=tmp_path, refresh_ms=500, safety_lag_s=0, retry_base_s=30)
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    services.sources = sources
    ingestor = Ingestor(services.store, clock, settings)
    for source in sources:
        ingestor.pull(source)

    start_signed_in(dash_duo, create_app(services), ADMIN, path="/sources")  # who manages them sees raw values
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/sources")
    dash_duo.wait_for_contains_text(f"#{SourcesIds.SUMMARY}", "Nguồn cập nhật đúng hạn: 2 / 3", timeout=10)
    down = dash_duo.find_element(f"#{SourcesIds.TABLE} tr.is-error").text
    assert "quan-3" in down and "Lỗi" in down and "Máy chủ nguồn không nhận kết nối" in down
    assert "09:00 27/11/2019" in down and "1 lần lỗi liên tiếp" in down  # retry 30 s after 09:00
    assert PASSWORD not in dash_duo.driver.page_source

    dash_duo.driver.set_window_size(1400, 600)  # a short window, so the rejected rows must be scrolled to
    link = dash_duo.find_element(f"#{SourcesIds.TABLE} a.pulse-rejected-link")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link)
    link.click()
    dash_duo.wait_for_contains_text(f"#{SourcesIds.REJECTED}", "unknown procedure 'XX-99'", timeout=10)
    rejected = dash_duo.find_element(f"#{SourcesIds.REJECTED}")
    assert "BAD-1" in rejected.text and "procedure_code\nXX-99" in rejected.text
    assert dash_duo.find_element(".pulse-raw-pair.is-rejected").text == "procedure_code\nXX-99"
    assert "source=quan-5" in dash_duo.driver.current_url
    assert PASSWORD not in dash_duo.driver.page_source
    scrolled_to_rejected = f"""
        const top = document.getElementById('{SourcesIds.REJECTED_SECTION}').getBoundingClientRect().top + scrollY;
        const end = document.documentElement.scrollHeight - innerHeight;
        return Math.abs(scrollY - Math.min(top, end)) < 2 && scrollY > 0;"""
    WebDriverWait(dash_duo.driver, 5).until(lambda driver: driver.execute_script(scrolled_to_rejected))

    dash_duo.driver.execute_script(
        'window.scrollTo({top: 0, behavior: "instant"})'
    )  # back up to the header's page links
    assert not dash_duo.driver.find_elements("css selector", f"#{ShellIds.NAV_OVERVIEW}")  # an admin: no figures
    dash_duo.find_element(f"#{ShellIds.NAV_AUDIT}").click()  # but the audit log
    dash_duo.wait_for_contains_text(f"#{AuditIds.TABLE}", "Thay đổi tài khoản", timeout=10)  # its own account
    dash_duo.driver.get(f"{dash_duo.server_url}/?lang=vi")  # the overview, asked for by its address
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "Không có quyền xem trang này" in d.page_source)
    services.store.dispose()
    good_db.dispose()
    mixed_db.dispose()
