"""`advisor watch LOGFILE`: follow a growing log (like `tail -f`, surviving truncation and
rotation, or a FIFO as it is written) and redraw the ETA, its range and a small chart of
recent step times.

Each poll reads only the bytes added since the last one, in blocks, and the run's state is
kept between polls in bounded memory (the reader keeps the newest steps). Sleeps between
polls (no busy waiting); redraws in place with ANSI only when stdout is a terminal, prints
one plain answer per update otherwise. Ends when the run reaches its last step, when a FIFO
is closed, or on Ctrl-C (exit 130).
"""

from __future__ import annotations

import io
import math
import os
import stat
import time
from typing import Callable, Iterator

from advisor.answers.answer import Answer
from advisor.answers.eta import eta_answer
from advisor.conversation import Conversation
from advisor.errors import AdvisorError
from advisor.read import read_stream
from advisor.read.logs import LogReport
from advisor.read.logs.reader import BLOCK, MAX_LINE
from advisor.render import Renderer
from advisor.render.chart import sparkline
from advisor.shell.environment import Environment

CLEAR = "\x1b[H\x1b[2J"
CHART_STEPS = 40
MIN_INTERVAL_S, MAX_INTERVAL_S = 0.1, 3600.0
INTERRUPTED = 130


class Follower:
    """The complete lines appended to a regular file since the last call, in blocks; starts
    over when the file was truncated or replaced (log rotation)."""

    def __init__(self, path: str):
        self.path = path
        self.offset = 0
        self.inode = None

    def new_blocks(self) -> tuple[list[bytes] | Iterator[bytes], bool]:
        """(blocks of complete new lines, whether the file started over)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return [], False
        restarted = False
        if self.inode is not None and (st.st_ino != self.inode or st.st_size < self.offset):
            self.offset, restarted = 0, True
        self.inode = st.st_ino
        if st.st_size == self.offset:
            return [], restarted
        return self._blocks(st.st_size), restarted

    def _blocks(self, size: int) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            while self.offset < size:
                data = fh.read(min(BLOCK, size - self.offset))
                if not data:
                    return
                cut = data.rfind(b"\n")
                if cut < 0:
                    if len(data) < BLOCK and self.offset + len(data) >= size:
                        return                       # half a line at the end: wait for the rest
                    self.offset += len(data)         # a line longer than a block: its end is read
                    yield data[-MAX_LINE:]
                    continue
                self.offset += cut + 1
                fh.seek(self.offset)
                yield data[:cut + 1]

    def read_new(self) -> tuple[bytes, bool]:
        """All complete new lines at once (small files, tests)."""
        blocks, restarted = self.new_blocks()
        return b"".join(blocks), restarted


class FifoFollower:
    """The lines written to a FIFO so far, read without blocking; `closed` once a writer has
    come and gone."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.rest = b""
        self.closed = False
        self.heard = False         # a writer has written: its end of file ends the watch

    def new_blocks(self) -> tuple[list[bytes], bool]:
        blocks = []
        while True:
            try:
                data = os.read(self.fd, BLOCK)
            except BlockingIOError:
                break
            if not data:                 # no writer now: gone if one was there, else not yet come
                self.closed = self.heard
                break
            self.heard = True
            data = self.rest + data
            cut = data.rfind(b"\n")
            self.rest = data[cut + 1:][-MAX_LINE:]
            if cut >= 0:
                blocks.append(data[:cut + 1])
        if self.closed and self.rest:
            blocks.append(self.rest + b"\n")
            self.rest = b""
        return blocks, False


def _source(path: str):
    """A follower for `path`, or AdvisorError: a folder, a device or a missing file is refused."""
    try:
        st = os.stat(path)
    except OSError:
        raise AdvisorError("read_error", file=path) from None
    if stat.S_ISFIFO(st.st_mode):
        return FifoFollower(path)
    if not stat.S_ISREG(st.st_mode):
        raise AdvisorError("not_a_file", file=path)
    return Follower(path)


def check_interval(seconds: float) -> float:
    if not (math.isfinite(seconds) and MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S):
        raise AdvisorError("bad_value", key="--interval", value=str(seconds), reason="range",
                           low=MIN_INTERVAL_S, high=MAX_INTERVAL_S)
    return seconds


def watch(path: str, conv: Conversation, env: Environment, interval: float = 1.0,
          sleep: Callable[[float], None] = time.sleep, max_polls: int | None = None,
          render=Renderer()) -> int:
    try:
        follower = _source(path)
    except AdvisorError as exc:
        env.stdout.write(render(Answer.from_error(exc), conv.locale) + "\n")
        return 2
    polls = 0
    try:
        while max_polls is None or polls < max_polls:
            polls += 1
            blocks, restarted = follower.new_blocks()
            if restarted:
                conv.log = LogReport()
            fresh = False
            for block in blocks:
                conv.add_report(read_stream(io.BytesIO(block), known=conv.log,
                                                specs=conv.knowledge.trainers), origin="log",
                                file=path, keep=False)
                fresh = True
            if fresh and _draw(conv, env, path, render):
                return 0
            if getattr(follower, "closed", False):
                return 0
            sleep(interval)
    except KeyboardInterrupt:
        return INTERRUPTED
    return 0


def _draw(conv: Conversation, env: Environment, path: str, render) -> bool:
    ctx = conv.context()
    try:
        answer = eta_answer(ctx)
    except AdvisorError as exc:
        answer = Answer.from_error(exc)
    header = render(Answer("watch", {"file": path, "at": conv.clock()}), conv.locale)
    body = render(answer, conv.locale)
    run = ctx.main_run()
    chart = sparkline([s.dt_s for s in run.samples[-CHART_STEPS:]]) if run is not None else ""
    text = header + "\n\n" + body + ("\n\n" + chart if chart else "") + "\n"
    if env.stdout_isatty:
        env.stdout.write(CLEAR + text)
    else:
        env.stdout.write(text + "\n")
    env.stdout.flush()
    return not answer.error and answer.data["eta"].steps_remaining == 0
