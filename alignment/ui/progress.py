"""A Progress (alignment.progress protocol) drawn with st.progress: stage, counts, rate and time left."""

from __future__ import annotations

import time
from typing import Any


class StreamlitProgress:
    """Shows each stage as a progress bar with "done of total" counts inside a Streamlit container."""

    def __init__(self, container: Any, min_interval: float = 0.2) -> None:
        self._container = container
        self._min_interval = min_interval
        self._bar: Any = None
        self._stage = ""
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._shown = 0.0

    def start(self, stage: str, total: int) -> None:
        """Open a bar for the stage."""
        self._stage, self._total, self._done = stage, max(0, total), 0
        self._started = self._shown = time.perf_counter()
        self._bar = self._container.progress(0.0, text=self._text())

    def advance(self, done: int) -> None:
        """Move the bar on by ``done`` units (redrawn at most every ``min_interval`` seconds)."""
        self._done += done
        now = time.perf_counter()
        if self._bar is not None and (now - self._shown >= self._min_interval or self._done >= self._total):
            self._shown = now
            self._bar.progress(self._fraction(), text=self._text())

    def finish(self) -> None:
        """Mark the stage done, or where it stopped when it was cut short."""
        if self._bar is not None:
            elapsed = time.perf_counter() - self._started
            if self._done < self._total:
                text = f"{self._stage}: stopped at {self._done:,} of {self._total:,} after {elapsed:.1f} s"
                self._bar.progress(self._fraction(), text=text)
            else:
                self._bar.progress(1.0, text=f"{self._stage}: {self._total:,} of {self._total:,} in {elapsed:.1f} s")
            self._bar = None

    def _fraction(self) -> float:
        return 1.0 if self._total == 0 else min(1.0, self._done / self._total)

    def _text(self) -> str:
        text = f"{self._stage}: {self._done:,} of {self._total:,}"
        elapsed = time.perf_counter() - self._started
        if self._done and elapsed > 0.5 and self._done < self._total:
            rate = self._done / elapsed
            text += f" ({rate:,.0f}/s, about {(self._total - self._done) / rate:.0f} s left)"
        return text
