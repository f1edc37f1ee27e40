"""In headless Chromium: the overview's in-progress number changes by itself when new data is pulled."""

from __future__ import annotations

import pytest

from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.web.app import create_app
from layouts.ids import OverviewIds, ShellIds
from tests.factories import SourceDB, dossier
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser


def test_the_overview_updates_when_a_pull_lands(chromium, dash_duo, tmp_path, clock):
    source_db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    source = SourceConfig(name="quan-1", unit="quan-1", url=source_db.url, profile="motcua_v1", interval=60)
    settings = Settings(data_dir=tmp_path, refresh_ms=500, safety_lag_s=0)
    services = Services.build(settings, clock)
    assert services.store.hold_lease("tests").acquire()
    services.sources = [source]
    ingestor = Ingestor(services.store, clock, settings)
    source_db.insert("dossiers", dossier("D1"), dossier("D2"))
    ingestor.pull(source)

    start_signed_in(dash_duo, create_app(services))
    dash_duo.wait_for_text_to_equal(f"#{OverviewIds.IN_PROGRESS}", "2", timeout=10)
    assert dash_duo.find_element(f"#{ShellIds.AS_OF}").text == "Số liệu lúc 09:00 27/11/2019"
    assert "Nguồn dữ liệu: 1 / 1 bình thường" in dash_duo.find_element(f"#{OverviewIds.SOURCES}").text

    source_db.insert("dossiers", dossier("D3"))
    ingestor.pull(source)
    dash_duo.wait_for_text_to_equal(f"#{OverviewIds.IN_PROGRESS}", "3", timeout=10)

    dash_duo.find_element(f"#{ShellIds.LANG_EN}").click()
    dash_duo.wait_for_text_to_equal(f"#{ShellIds.AS_OF}", "Data as of 09:00 27/11/2019", timeout=10)
    assert dash_duo.find_element(f"#{OverviewIds.IN_PROGRESS}").text == "3"
    assert dash_duo.get_logs() == []
    services.store.dispose()
    source_db.dispose()
