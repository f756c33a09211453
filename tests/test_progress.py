"""The CLI's progress: a bar on a terminal, whole lines in a log file or a pipe."""

from __future__ import annotations

import io

import pytest

from alignment.progress import BarProgress, LineProgress, terminal_progress


@pytest.fixture
def every_end(monkeypatch):
    """Stages here last microseconds: let each one's end be written, as a stage of a second or more is."""
    monkeypatch.setattr(LineProgress, "QUIET", 0.0)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _embed_in_steps(min_gap: float) -> str:
    """What a LineProgress writes for 1,000 sentences embedded ten at a time."""
    stream = io.StringIO()
    progress = LineProgress(stream, min_gap=min_gap)
    progress.start("embedding review sentences", 1_000)
    for _ in range(100):
        progress.advance(10)
    progress.finish()
    return stream.getvalue()


def test_line_progress_writes_a_whole_line_per_tenth_and_one_at_the_end(every_end):
    written = _embed_in_steps(min_gap=0)
    lines = written.splitlines()
    assert "\r" not in written
    assert len(lines) == 10  # 10% ... 90%, then the end
    assert lines[0].startswith("embedding review sentences: 100/1,000 (10%) in ")
    assert lines[-1].startswith("embedding review sentences: 1,000/1,000 done in ")
    assert lines[-1].endswith("/s")


def test_line_progress_writes_one_line_for_a_stage_done_in_one_step_and_nothing_after_finish(every_end):
    stream = io.StringIO()
    progress = LineProgress(stream)
    progress.start("reading", 3)
    progress.advance(3)
    progress.finish()
    progress.finish()  # a second finish, as the next start() does, writes nothing more
    progress.advance(5)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reading: 3/3 done in ")


def test_line_progress_says_a_stage_cut_short_stopped_not_done(every_end):
    stream = io.StringIO()
    progress = LineProgress(stream)
    progress.start("reading big.csv (kB)", 43_062)
    progress.advance(17_152)
    progress.finish()  # as an interrupted ingest's bar ends
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reading big.csv (kB): 17,152/43,062 stopped in ")


def test_line_progress_writes_only_the_last_line_of_a_stage_shorter_than_its_gap(every_end):
    lines = _embed_in_steps(min_gap=60).splitlines()
    assert len(lines) == 1 and lines[0].startswith("embedding review sentences: 1,000/1,000 done in ")


def test_line_progress_writes_nothing_for_a_stage_over_within_a_second():
    stream = io.StringIO()
    progress = LineProgress(stream)  # as the CLI makes it: a sweep re-reads cached vectors in no time
    progress.start("embedding review sentences", 7_941)
    progress.advance(7_941)
    progress.finish()
    assert stream.getvalue() == ""


def test_line_progress_skips_a_stage_under_its_minimum(every_end):
    stream = io.StringIO()
    progress = LineProgress(stream, min_total=100)
    progress.start("small", 5)
    progress.advance(5)
    progress.finish()
    assert stream.getvalue() == ""


def test_terminal_progress_draws_a_bar_only_on_a_terminal():
    assert isinstance(terminal_progress(_Terminal()), BarProgress)
    assert isinstance(terminal_progress(io.StringIO()), LineProgress)
