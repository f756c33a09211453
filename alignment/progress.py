"""Progress reporting for long stages; the CLI shows a bar on stderr, the app its own widget."""

from __future__ import annotations

import sys
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    """Receives stage starts and advances; implementations must be cheap to call often."""

    def start(self, stage: str, total: int) -> None:
        """A stage with ``total`` units of work begins."""
        ...

    def advance(self, done: int) -> None:
        """``done`` more units of the current stage are finished."""
        ...

    def finish(self) -> None:
        """The current stage is over."""
        ...


class SilentProgress:
    """Progress that shows nothing."""

    def start(self, stage: str, total: int) -> None:
        """Ignore the stage."""

    def advance(self, done: int) -> None:
        """Ignore the advance."""

    def finish(self) -> None:
        """Ignore the end."""


class BarProgress:
    """A tqdm bar per stage on stderr: counts, rate and ETA."""

    def __init__(self, stream: TextIO | None = None, min_total: int = 1) -> None:
        self.stream = stream or sys.stderr
        self.min_total = min_total
        self._bar: Any = None

    def start(self, stage: str, total: int) -> None:
        """Open a bar for the stage (closing any previous one)."""
        from tqdm import tqdm

        self.finish()
        if total >= self.min_total:
            self._bar = tqdm(
                total=total,
                desc=stage,
                unit="it",
                file=self.stream,
                dynamic_ncols=True,
                mininterval=0.5,
                bar_format="{desc}: {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]",
            )

    def advance(self, done: int) -> None:
        """Move the bar on."""
        if self._bar is not None:
            self._bar.update(done)

    def finish(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
