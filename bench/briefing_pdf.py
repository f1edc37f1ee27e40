"""Briefing PDF benchmark: the citywide PDF of a snapshot, for the 2019 city (24 districts and its departments) and
the 2025 city (168 wards and communes and today's departments), from the demo's simulated databases.

    python bench/briefing_pdf.py [--scale 0.05] [--history-days 30]

For each city: the snapshot (its figures from the store), the PDF's charts (kaleido in its worker process) and its
layout (fpdf2), in seconds, with the whole PDF against a baseline measured in the same run — the layout alone,
without charts — as a ratio; the peak memory (this process and, separately, the chart worker and its Chromium);
the PDF's pages and size; and the offline HTML's size. Targets: the whole PDF ≤ 10 s, peak ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import demo  # noqa: E402
from dashboard.briefings.charts import render  # noqa: E402
from dashboard.briefings.render_html import page  # noqa: E402
from dashboard.briefings.render_pdf import chart_specs, pdf_bytes  # noqa: E402
from dashboard.briefings.report import report  # noqa: E402
from dashboard.briefings.snapshot import load, take  # noqa: E402
from dashboard.core.clock import CITY_TZ, SystemClock  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from data_sources.demo import demo_start_default  # noqa: E402

TARGET_S, TARGET_MB = 10.0, 1024.0


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def city(era: str, folder: Path, scale: float, history_days: int, out: Path | None = None) -> None:
    start = (
        datetime(2019, 11, 27, 15, 0, tzinfo=CITY_TZ)
        if era == "2019"
        else demo_start_default(SystemClock().now(), "2025")
    )
    base = Settings(data_dir=folder)
    simulated = demo.simulator(base, scale=scale, seed=2019, era=era, start=start)  # type: ignore[arg-type]
    prepared = demo.prepare(base, simulated, start, history_days=history_days)
    services = prepared.services
    started = time.perf_counter()
    made = take(services, "lw", services.clock.now(), "bench")  # live: the demo clock has run on since the pull
    snapshot_s = time.perf_counter() - started
    meta = services.store.snapshots.meta(made) or {}
    briefing = report(load(services, made), meta["content_hash"])
    started = time.perf_counter()
    baseline = pdf_bytes(briefing, "vi")
    layout_s = time.perf_counter() - started
    started = time.perf_counter()
    charts = render(chart_specs(briefing, "vi"))
    charts_s = time.perf_counter() - started
    started = time.perf_counter()
    pdf = pdf_bytes(briefing, "vi", charts)
    whole_s = charts_s + time.perf_counter() - started
    html = page(briefing, "vi")
    if out is not None:  # to look at them: pdftoppm -png -r 60 out/briefing-2019.pdf page
        out.mkdir(parents=True, exist_ok=True)
        (out / f"briefing-{era}.pdf").write_bytes(pdf)
        (out / f"briefing-{era}.html").write_text(html, "utf-8")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    units = sum(len(league.rows) for league in briefing.leagues)
    print(f"\n{era} city: {len(services.sources)} sources, {units} units in {len(briefing.leagues)} leagues, "
          f"{services.store.count('dossiers'):,} dossiers")  # fmt: skip
    print(f"  snapshot (figures from the store)   {snapshot_s:7.2f} s")
    print(f"  PDF layout alone (baseline)         {layout_s:7.2f} s   {len(baseline) / 1024:8.0f} KB")
    print(f"  PDF charts (kaleido worker)         {charts_s:7.2f} s   {len(charts)} charts")
    print(f"  whole PDF                           {whole_s:7.2f} s   {len(pdf) / 1024:8.0f} KB, {pages} pages"
          f"   ×{whole_s / max(layout_s, 1e-9):.1f} the baseline   target ≤ {TARGET_S:g} s: "
          f"{'met' if whole_s <= TARGET_S else 'MISSED'}")  # fmt: skip
    print(f"  offline HTML                        {len(html.encode('utf-8')) / 1024:8.0f} KB")
    simulated.close()
    services.store.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="share of the city's load (default 0.05)")
    parser.add_argument("--history-days", type=int, default=30, help="days of history (default 30)")
    parser.add_argument("--out", type=Path, help="write each city's PDF and HTML into this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for era in ("2019", "2025"):
            city(era, Path(tmp) / era, args.scale, args.history_days, args.out)
    self_mb, children_mb = peak_mb(resource.RUSAGE_SELF), peak_mb(resource.RUSAGE_CHILDREN)
    verdict = "met" if max(self_mb, children_mb) <= TARGET_MB else "MISSED"
    print(f"\npeak memory: this process {self_mb:,.0f} MB, chart worker and Chromium {children_mb:,.0f} MB (largest "
          f"child); target ≤ {TARGET_MB:,.0f} MB each: {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
