"""/healthz and /metrics: what an operator's probes read, from the real store."""

from __future__ import annotations

from dashboard.core.settings import Settings
from dashboard.services import Services
from dashboard.store import Store
from dashboard.web.app import create_app
from tests.factories import dossier
from tests.signin import signed_client


def test_healthz_says_ok_once_the_writer_holds_its_lease_and_every_source_is_fresh(app, services, pull, source_db):
    client = signed_client(app)
    before = client.get("/healthz")
    assert before.status_code == 200
    assert before.get_json()["status"] == "degraded" and before.get_json()["sources"] == {"never": 1}
    source_db.insert("dossiers", dossier("A"))
    pull()
    body = client.get("/healthz").get_json()
    assert (body["status"], body["store"], body["sources"]) == ("ok", "ok", {"ok": 1})
    assert (body["writer"]["holder"], body["writer"]["token"], body["writer"]["live"]) == ("tests", 1, True)
    assert body["data_version"] == services.store.data_version()[0] == 1
    services.store.lease.release()  # the writer stops: nobody writes, the figures will age
    body = client.get("/healthz").get_json()
    assert (body["status"], body["writer"]) == ("degraded", None)


def test_healthz_is_503_when_the_store_does_not_answer(tmp_path, clock):
    settings = Settings(data_dir=tmp_path, store_url="postgresql+psycopg://nobody@127.0.0.1:9/none")
    services = Services(settings=settings, store=Store(settings.resolved_store_url), clock=clock)
    response = signed_client(create_app(services)).get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "down" and response.get_json()["store"].startswith("unreachable")
    metrics = signed_client(create_app(services)).get("/metrics").get_data(as_text=True)
    assert "cchc_store_up 0.0" in metrics


def test_metrics_are_the_stores_own_figures(app, services, pull, source_db):
    source_db.insert("dossiers", dossier("A"), dossier("B"), dossier("BAD", unit="quan-99"))
    pull()
    text = signed_client(app).get("/metrics").get_data(as_text=True)
    labels = 'profile="motcua_v1",source="quan-1",unit="quan-1"'
    for line in (
        "cchc_store_up 1.0",
        "cchc_data_version 1.0",
        "cchc_writer_lease_live 1.0",
        "cchc_writer_lease_token 1.0",
        f"cchc_source_ok{{{labels}}} 1.0",
        f"cchc_source_lag_seconds{{{labels}}} 0.0",
        f"cchc_source_rows_held{{{labels}}} 2.0",
        f"cchc_source_rows_read{{{labels}}} 3.0",
        f"cchc_source_rows_rejected{{{labels}}} 1.0",
        f"cchc_source_consecutive_failures{{{labels}}} 0.0",
    ):
        assert line in text.splitlines(), line
