"""A source whose chunks take as long as a test says, on a timer that moves only when a chunk is read."""

from __future__ import annotations

from collections.abc import Callable

from data_sources.reader import SourceReader


class SlowReads:
    """The Ingestor's timer (seconds): reading the n-th chunk (0-based, over every pull) takes `seconds(n)`."""

    def __init__(self, monkeypatch, seconds: Callable[[int], float]) -> None:
        self.seconds = seconds
        self.now = 0.0
        self.chunks = 0
        original = SourceReader.read

        def read(reader, stream, watermark, chunk_size):
            for chunk in original(reader, stream, watermark, chunk_size):
                self.now += self.seconds(self.chunks)
                self.chunks += 1
                yield chunk

        monkeypatch.setattr(SourceReader, "read", read)

    def __call__(self) -> float:
        return self.now
