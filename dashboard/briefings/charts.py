"""Plotly figures to PNG for the PDF and Word briefings: kaleido in a worker process of its own, its Chromium
server started once and kept for every figure of the request, with a time-out after which the worker and its
browser are killed (never inside the writer's heartbeat: the writer's job waits on this process, nothing else).

Every PNG is checked before it is used (`check_marks`): its figure has data, and its plot area holds enough
pixels unlike the background — a blank or half-drawn chart is an error naming the chart, never a page.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.core.errors import InputError

DEFAULT_TIMEOUT_S = 60.0
MIN_MARKS = 0.004  # of the plot area's pixels that differ from the background
MARK_CONTRAST = 16  # a pixel is a mark when its grey-level difference from the background reaches this


class RenderError(InputError):
    """A chart could not be drawn in time, or was drawn blank: the briefing is not accepted."""


@dataclass(frozen=True)
class Chart:
    figure: dict[str, Any]
    width: int
    height: int


def _worker(charts: dict[str, Chart], scale: float, conn: Any) -> None:  # pragma: no cover (a child process)
    os.setpgrp()  # its own process group: a time-out kills the browser with it
    try:
        import kaleido

        kaleido.start_sync_server(mathjax=False)
        try:
            out = {
                name: kaleido.calc_fig_sync(
                    chart.figure, opts={"format": "png", "width": chart.width, "height": chart.height, "scale": scale}
                )
                for name, chart in charts.items()
            }
        finally:
            kaleido.stop_sync_server()
        conn.send(("ok", out))
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def render(
    charts: Mapping[str, Chart], *, scale: float = 2.0, timeout_s: float = DEFAULT_TIMEOUT_S
) -> dict[str, bytes]:
    """PNG bytes of every chart, drawn in one worker process within `timeout_s`, each checked for marks."""
    if not charts:
        return {}
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(dict(charts), scale, child), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(timeout_s):
            raise RenderError(f"the charts were not drawn within {timeout_s:g} s (kaleido): {', '.join(charts)}")
        status, payload = parent.recv()
    except EOFError:
        raise RenderError("the chart worker died before answering (kaleido or Chromium crashed)") from None
    finally:
        _stop(process)
        parent.close()
    if status != "ok":
        raise RenderError(f"the charts could not be drawn: {payload}")
    for name, png in payload.items():
        check_marks(name, charts[name].figure, png)
    return dict(payload)


def _stop(process: Any) -> None:
    process.join(5)
    if process.is_alive() and process.pid:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.join(5)


def has_data(figure: Mapping[str, Any]) -> bool:
    """Some trace carries values (x, y, values, lat, or a gauge's value)."""
    for trace in figure.get("data", ()):
        for key in ("x", "y", "values", "lat", "z"):
            if len(trace.get(key) or ()) > 0:
                return True
        if trace.get("type") == "indicator" and trace.get("value") is not None:
            return True
    return False


def check_marks(name: str, figure: Mapping[str, Any], png: bytes) -> None:
    """RenderError unless the figure has data and its PNG's plot area (inside the margins) holds marks."""
    from PIL import Image, ImageChops

    if not has_data(figure):
        raise RenderError(f"chart {name!r}: the figure has no data to draw")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    margin = figure.get("layout", {}).get("margin", {})
    scale_x = width / max(1, figure.get("layout", {}).get("width") or width)
    left = int((margin.get("l") or 0) * scale_x)
    right = width - int((margin.get("r") or 0) * scale_x)
    top = int((margin.get("t") or 0) * scale_x)
    bottom = height - int((margin.get("b") or 0) * scale_x)
    area = image.crop((left, top, max(left + 1, right), max(top + 1, bottom)))
    background = Image.new("RGB", area.size, image.getpixel((1, 1)))
    histogram = ImageChops.difference(area, background).convert("L").histogram()
    total, differ = sum(histogram), sum(histogram[MARK_CONTRAST:])
    if differ < MIN_MARKS * total:
        share = differ / max(1, total)
        raise RenderError(f"chart {name!r} drew blank: {share:.2%} of its plot area marked, {MIN_MARKS:.1%} needed")
