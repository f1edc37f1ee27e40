"""Wall memory benchmark: the browser's JS heap while the wall rotates for a long time.

    python bench/wall_heap.py [--minutes 30] [--url URL] [--query "?dwell=2"] [--scale 0.02]

Without --url it starts the live demo (`python -m dashboard demo`: simulated sources pulled every 10 s, so
the data version changes and the wall re-renders all the time) on a free port in a temporary folder. Then
headless Chromium shows `<url>/wall<query>` at 1920×1080; the JS heap (`JSHeapUsedSize` from the
devtools `Performance.getMetrics`, after `HeapProfiler.collectGarbage`) is read at the start and every
minute. Prints start, end, growth % and the DOM node count; target: under 20 % growth. Exit status 1 over it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options

ROOT = Path(__file__).resolve().parents[1]
TARGET_GROWTH = 0.20
WARM_UP_S = 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long the wall rotates (default 30)")
    parser.add_argument("--url", help="a running server's base URL (default: start the demo)")
    parser.add_argument("--query", default="?dwell=2", help="the wall's URL query (default ?dwell=2)")
    parser.add_argument("--scale", type=float, default=0.02, help="the demo's load when it is started here")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples (default 60)")
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo(scale: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    folder = tempfile.mkdtemp(prefix="wall-heap-")
    command = [sys.executable, "-m", "dashboard", "--data-dir", folder, "demo", "--port", str(port)]
    command += ["--scale", str(scale), "--history-days", "30", "--start", "2019-11-27 08:00"]
    say(f"starting the demo in {folder} on port {port} …")
    log = open(Path(folder) / "demo.log", "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return server, url
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the demo stopped: see {folder}/demo.log") from None
            time.sleep(0.5)
    raise SystemExit("the demo did not answer within 5 minutes")


def browser() -> webdriver.Chrome:
    options = Options()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--disable-extensions",
        "--window-size=1920,1080",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    size = {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", size)
    driver.execute_cdp_cmd("Performance.enable", {})
    return driver


def heap(driver: webdriver.Chrome) -> dict[str, float]:
    """JS heap used (bytes) after a full garbage collection, with the DOM node and listener counts."""
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    metrics = {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
    return {"heap": metrics["JSHeapUsedSize"], "nodes": metrics["Nodes"], "listeners": metrics["JSEventListeners"]}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server, url = (None, args.url.rstrip("/")) if args.url else start_demo(args.scale)
    driver = browser()
    try:
        driver.get(f"{url}/wall{args.query}")
        driver.execute_script("window.__heapBenchMarker = 1")
        say(f"showing {url}/wall{args.query}; warming up {WARM_UP_S} s …")
        time.sleep(WARM_UP_S)
        start = heap(driver)
        say(
            f"  0.0 min  heap {start['heap'] / 2**20:7.2f} MiB  nodes {start['nodes']:6.0f}  listeners {start['listeners']:5.0f}"
        )
        began = time.monotonic()
        end = start
        while (elapsed := time.monotonic() - began) < args.minutes * 60:
            time.sleep(min(args.every, args.minutes * 60 - elapsed))
            end = heap(driver)
            minutes = (time.monotonic() - began) / 60
            say(
                f"{minutes:5.1f} min  heap {end['heap'] / 2**20:7.2f} MiB  nodes {end['nodes']:6.0f}  listeners {end['listeners']:5.0f}"
            )
        reloaded = driver.execute_script("return window.__heapBenchMarker !== 1")
        growth = end["heap"] / start["heap"] - 1
        say(f"\nafter {args.minutes:g} min of rotation ({args.query}):")
        say(f"  start {start['heap'] / 2**20:.2f} MiB, end {end['heap'] / 2**20:.2f} MiB, growth {growth:+.1%}")
        say(f"  DOM nodes {start['nodes']:.0f} → {end['nodes']:.0f}; page reloaded: {'yes' if reloaded else 'no'}")
        say(f"  target under {TARGET_GROWTH:.0%}: {'ok' if growth < TARGET_GROWTH else 'OVER'}")
        return 0 if growth < TARGET_GROWTH and not reloaded else 1
    finally:
        driver.quit()
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
