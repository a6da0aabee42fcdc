"""The progress reporter: throttling, terminal and log output, unknown totals."""

from __future__ import annotations

import io
from typing import Any

from samsyn.lib.progress import Progress, for_command


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeJob:
    def __init__(self) -> None:
        self.writes: list[dict[str, Any]] = []

    def record(self, **fields: Any) -> None:
        self.writes.append(fields)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_job_is_written_at_most_every_interval_not_per_row():
    clock, job = Clock(), FakeJob()
    p = Progress(100_000, job=job, interval=0.5, clock=clock)
    assert job.writes == [{"status": "running", "total": 100_000, "done": 0}]
    for _ in range(100_000):
        p.advance()
        clock.now += 0.00002  # two seconds for the whole run
    # Two seconds at one write per half second: three or four besides the first.
    assert 4 <= len(job.writes) <= 5
    writes = len(job.writes)
    assert job.writes[-1]["done"] <= 100_000
    p.finish(result_url="/done/")
    last = job.writes[-1]
    assert last["status"] == "done" and last["done"] == 100_000 and last["finished"]
    assert last["result_url"] == "/done/"
    assert p.saves == writes + 1


def test_a_stage_is_written_at_once_and_restarts_the_count():
    clock, job = Clock(), FakeJob()
    p = Progress(10, job=job, clock=clock)
    p.advance(10)
    p.stage("writing", total=3)
    assert job.writes[-1]["stage"] == "writing"
    assert (job.writes[-1]["done"], job.writes[-1]["total"]) == (0, 3)
    p.stage("saving")  # keeps the count and total
    assert (p.done, p.total) == (0, 3)


def test_log_output_is_a_line_every_few_seconds_and_at_each_stage():
    clock, out = Clock(), io.StringIO()
    p = Progress(
        1000, stream=out, tty=False, line_interval=5.0, clock=clock, unit="rows"
    )
    p.stage("checked")
    for _ in range(1000):
        p.advance()
        clock.now += 0.02  # 20 s in all
    p.finish()
    lines = out.getvalue().splitlines()
    # The stage line, one every 5 s (4), the final line: no line per row.
    assert 5 <= len(lines) <= 7
    assert lines[0] == "checked 0/1000 rows (0%)"
    assert lines[-1].startswith("checked 1000/1000 rows (100%) (done in 20.0 s)")
    assert "\r" not in out.getvalue()


def test_a_terminal_gets_a_redrawn_bar_and_one_newline_at_the_end():
    clock, out = Clock(), io.StringIO()
    p = Progress(200, stream=out, tty=True, clock=clock, label="demo")
    for _ in range(200):
        p.advance()
        clock.now += 0.01
    p.finish()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "\r" in text
    # Redrawn at most every 0.1 s over 2 s, not 200 times.
    assert 10 <= text.count("\r") <= 25
    assert "[########################] demo 200/200 (100%)" in text


def test_the_terminal_is_detected_from_the_stream():
    assert Progress(stream=Tty()).tty is True
    assert Progress(stream=io.StringIO()).tty is False


def test_an_unknown_total_shows_the_count_and_no_percent():
    clock, out = Clock(), io.StringIO()
    p = Progress(stream=out, tty=False, clock=clock, unit="events")
    p.stage("reading")
    p.advance(42)
    assert p.percent is None
    assert p.text() == "reading 42 events"
    p.finish()
    assert out.getvalue().splitlines()[-1].startswith("reading 42 events (done")


def test_the_importers_callback_form_works():
    clock, out = Clock(), io.StringIO()
    p = Progress(stream=out, tty=False, clock=clock, unit="rows")
    p("checked", 100, 500)
    p("checked", 200, 500)  # throttled: the same second
    p("updated", 5, 10)
    lines = out.getvalue().splitlines()
    assert lines == ["checked 100/500 rows (20%)", "updated 5/10 rows (50%)"]


def test_an_exception_marks_the_job_failed_and_is_not_swallowed():
    job = FakeJob()
    try:
        with Progress(3, job=job) as p:
            p.advance()
            raise ValueError("bad row")
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the exception was swallowed")
    assert job.writes[-1]["status"] == "failed"
    assert job.writes[-1]["error"] == "bad row"


def test_for_command_writes_under_djangos_output_wrapper():
    from django.core.management.base import OutputWrapper

    class Cmd:
        stderr = OutputWrapper(io.StringIO())

    p = for_command(Cmd(), 2, unit="rows")
    p.stage("x")
    p.finish()
    text = Cmd.stderr._out.getvalue()
    assert text.splitlines()[0] == "x 0/2 rows (0%)"
