"""Progress of long jobs, for the command line and for the web.

One reporter object, ``Progress``, is handed to the work. The work says how much
there is (``total``, may stay unknown), moves on (``advance(n)``), and names its
stages (``stage("writing reports", total=n)``). The reporter decides what to show:

- on a terminal it redraws one line on stderr (a bar, the percent, done/total);
- otherwise (CI logs, cron mails) it writes a plain line every few seconds, at each
  stage and at the end, so a log shows the job moving without a line per row;
- for a web job it writes the numbers to a ``Job`` row (``samsyn.jobs``) that a
  page polls with htmx.

Every output is throttled: the work may call ``advance(1)`` for each of a million
rows; the cost is a clock read and an addition, a terminal redraw at most every
0.1 s, a log line every ``line_interval`` seconds and a database write every
``interval`` seconds (0.5 s by default).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, TextIO

BAR_WIDTH = 24
TTY_INTERVAL = 0.1


class JobLike(Protocol):
    """What the reporter needs of a persisted job (``samsyn.jobs.models.Job``)."""

    def record(self, **fields: Any) -> None: ...


_KEEP: Any = object()


def _is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """Progress of one job; see the module docstring.

    ``stream``: where the command line output goes (None: nowhere). ``tty``: force
    terminal (True) or log (False) drawing; by default asked of the stream.
    ``job``: a row to persist progress to (None: nothing persisted).
    """

    def __init__(
        self,
        total: int | None = None,
        *,
        label: str = "",
        unit: str = "",
        stream: TextIO | None = None,
        tty: bool | None = None,
        job: JobLike | None = None,
        interval: float = 0.5,
        line_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream
        self.tty = (
            _is_tty(stream) if (stream is not None and tty is None) else bool(tty)
        )
        self.job = job
        self.interval = interval
        self.line_interval = line_interval
        self.clock = clock
        self.done = 0
        self._total = total
        self.stage_name = ""
        self.message = ""
        self.finished = False
        self.failed = False
        self.started = clock()
        self._last_draw = -1e18
        self._last_line = -1e18
        self._last_save = -1e18
        self._drawn = False
        self.saves = 0  # database writes so far (tests and benchmarks read it)
        self.lines = 0  # plain lines written so far
        if job is not None:
            job.record(status="running", total=total, done=0)
            self.saves += 1
            self._last_save = clock()

    # --- what the work calls ----------------------------------------------------

    @property
    def total(self) -> int | None:
        return self._total

    @total.setter
    def total(self, value: int | None) -> None:
        self._total = value
        self._emit(force=True)

    def stage(self, name: str, total: int | None = _KEEP) -> None:
        """Start a named stage; with ``total``, its count starts again from 0."""
        self.stage_name = str(name)
        if total is not _KEEP:
            self._total = total
            self.done = 0
        self._emit(force=True, new_line=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._emit()

    def update(self, done: int, total: int | None = _KEEP) -> None:
        """Set the absolute count (and total) of the current stage.

        Reaching the total is always shown: a log then has each stage's last line.
        """
        self.done = done
        if total is not _KEEP:
            self._total = total
        complete = bool(self._total) and done >= self._total  # type: ignore[operator]
        self._emit(force=complete, new_line=complete)

    def note(self, message: str) -> None:
        """A short message shown with the progress (and always written to the log)."""
        self.message = str(message)
        self._emit(force=True, new_line=True)

    def __call__(self, stage: str, done: int, total: int) -> None:
        """The ``progress(stage, done, total)`` callback the importers take."""
        if stage != self.stage_name:
            self.stage_name = stage
            self.done, self._total = done, total
            self._emit(force=True, new_line=True)
        else:
            self.update(done, total)

    def finish(self, message: str = "", result_url: str = "") -> None:
        if self.finished:
            return
        self.finished = True
        if message:
            self.message = message
        if self._total is not None and self.done < self._total:
            self.done = self._total
        self._draw(final=True)
        if self.job is not None:
            self.job.record(
                status="done",
                done=self.done,
                total=self._total,
                stage=self.stage_name,
                message=self.message,
                result_url=result_url,
                finished=True,
            )
            self.saves += 1

    def fail(self, error: str) -> None:
        if self.finished:
            return
        self.finished = self.failed = True
        self.message = error
        self._draw(final=True)
        if self.job is not None:
            self.job.record(
                status="failed",
                done=self.done,
                total=self._total,
                stage=self.stage_name,
                error=error[:1000],
                finished=True,
            )
            self.saves += 1

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self.fail(str(exc) or type(exc).__name__)
        else:
            self.finish()

    # --- figures ------------------------------------------------------------------

    @property
    def percent(self) -> int | None:
        if not self._total:
            return None
        return max(0, min(100, int(100 * self.done / self._total)))

    def text(self) -> str:
        """``label: stage 450/1000 (45%)``, or ``stage 450`` when the total is unknown."""
        head = ": ".join(p for p in (self.label, self.stage_name) if p)
        unit = f" {self.unit}" if self.unit else ""
        if self._total:
            figures = f"{self.done}/{self._total}{unit} ({self.percent}%)"
        elif self.done:
            figures = f"{self.done}{unit}"
        else:
            figures = ""
        out = " ".join(p for p in (head, figures) if p)
        if self.message:
            out = f"{out} — {self.message}" if out else self.message
        return out

    # --- output -------------------------------------------------------------------

    def _emit(self, *, force: bool = False, new_line: bool = False) -> None:
        now = self.clock()
        if self.stream is not None:
            if self.tty:
                if force or now - self._last_draw >= TTY_INTERVAL:
                    self._draw()
            elif new_line or now - self._last_line >= self.line_interval:
                self._draw()
        if self.job is not None and (force or now - self._last_save >= self.interval):
            self._save(now)

    def _save(self, now: float) -> None:
        assert self.job is not None  # noqa: S101 - callers check
        self.job.record(
            done=self.done,
            total=self._total,
            stage=self.stage_name,
            message=self.message,
        )
        self.saves += 1
        self._last_save = now

    def _draw(self, *, final: bool = False) -> None:
        if self.stream is None:
            return
        now = self.clock()
        if self.tty:
            pct = self.percent
            if pct is not None:
                filled = BAR_WIDTH * pct // 100
                bar = "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "] "
            else:
                bar = ""
            line = "\r\x1b[2K" + bar + self.text()
            if final:
                line += f" ({now - self.started:.1f} s)\n"
            self.stream.write(line)
            self._drawn = True
        else:
            line = self.text()
            if final:
                line += f" ({'failed' if self.failed else 'done'} in {now - self.started:.1f} s)"
            self.stream.write(line + "\n")
            self.lines += 1
        self.stream.flush()
        self._last_draw = self._last_line = now


def for_command(
    command: Any, total: int | None = None, *, label: str = "", **kwargs: Any
) -> Progress:
    """A reporter writing to a management command's stderr (``self.stderr``).

    Django wraps the stream in an ``OutputWrapper``; the terminal test asks the
    stream underneath.
    """
    stream = getattr(command.stderr, "_out", command.stderr)
    return Progress(total, label=label, stream=stream, **kwargs)


class Null(Progress):
    """A reporter that shows nothing: the default for code called without one."""

    def __init__(self) -> None:
        super().__init__(None)


def null() -> Progress:
    return Null()
