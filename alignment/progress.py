"""Progress reporting for long stages; the CLI shows a bar on stderr (a line per tenth when stderr is a log
file or a pipe), the app its own widget."""

from __future__ import annotations

import sys
import time
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


class LineProgress:
    """A line per tenth of each stage (at most one per ``min_gap`` seconds), and one when it ends, for a
    stream that is not a terminal.

    Why: a bar redraws itself with carriage returns, which a terminal overwrites but a log file or a pipe
    keeps, so a batch run's log held one line of hundreds of redraws (embedding 126,261 sentences wrote
    about 500). Each line here is whole: what, how far, how long, how fast; a stage of a few seconds
    writes only its last, and one of under a second none.
    """

    STEPS = 10
    QUIET = 1.0  # seconds: a stage over sooner, with nothing written yet, writes nothing

    def __init__(self, stream: TextIO | None = None, min_total: int = 1, min_gap: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.min_total = min_total
        self.min_gap = min_gap
        self._stage: str | None = None
        self._total = self._done = self._shown = 0
        self._started = self._last = 0.0

    def start(self, stage: str, total: int) -> None:
        """Begin a stage (ending any previous one); a stage under ``min_total`` units is not shown."""
        self.finish()
        if total >= self.min_total:
            self._stage, self._total, self._done, self._shown = stage, total, 0, 0
            self._started = self._last = time.perf_counter()

    def advance(self, done: int) -> None:
        """Count ``done`` more units; write a line when a new tenth of the stage is reached."""
        if self._stage is None:
            return
        self._done += done
        step = min(self._done * self.STEPS // max(self._total, 1), self.STEPS - 1)
        now = time.perf_counter()
        # the end gets finish()'s line
        if step > self._shown and self._done < self._total and now - self._last >= self.min_gap:
            self._shown, self._last = step, now
            self._write(f"{self._done:,}/{self._total:,} ({100 * self._done // self._total}%)")

    def finish(self) -> None:
        """Write the stage's last line, unless the stage was over within a second and wrote nothing before
        (vectors read from a cache: a sweep of settings reads the same sentences again for each)."""
        if self._stage is not None:
            if self._shown or time.perf_counter() - self._started >= self.QUIET:
                # Cut short (interrupted, or failed), it says so: "done" would claim the whole stage.
                ended = "done" if self._done >= self._total else "stopped"
                self._write(f"{self._done:,}/{self._total:,} {ended}")
            self._stage = None

    def _write(self, where: str) -> None:
        elapsed = time.perf_counter() - self._started
        rate = f", {self._done / elapsed:,.0f}/s" if elapsed > 0 and self._done else ""
        self.stream.write(f"{self._stage}: {where} in {_duration(elapsed)}{rate}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    """The elapsed time as a person reads it: "4.2 s", "3 min 07 s"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def terminal_progress(stream: TextIO | None = None) -> BarProgress | LineProgress:
    """The CLI's progress on ``stream`` (stderr by default): a bar on a terminal, whole lines elsewhere."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return BarProgress(stream) if callable(isatty) and isatty() else LineProgress(stream)
