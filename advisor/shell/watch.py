"""`advisor watch LOGFILE`: follow a growing log (like `tail -f`, surviving truncation and
rotation) and redraw the ETA, its range and a small chart of recent step times.

Sleeps between polls (no busy waiting); redraws in place with ANSI only when stdout is a
terminal, prints one plain answer per update otherwise. Ends when the run reaches its last
step, or on Ctrl-C.
"""

from __future__ import annotations

import io
import os
import time
from typing import Callable

from advisor.answers.answer import Answer
from advisor.answers.eta import eta_answer
from advisor.conversation import Conversation
from advisor.errors import AdvisorError
from advisor.read import read_stream
from advisor.read.logs import LogReport
from advisor.render import Renderer
from advisor.render.chart import sparkline
from advisor.shell.environment import Environment

CLEAR = "\x1b[H\x1b[2J"
CHART_STEPS = 40


class Follower:
    """Reads what was appended to a file since the last call; starts over when the file
    was truncated or replaced (log rotation)."""

    def __init__(self, path: str):
        self.path = path
        self.offset = 0
        self.inode = None
        self.rest = b""

    def read_new(self) -> tuple[bytes, bool]:
        """(complete new lines, whether the file started over)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return b"", False
        restarted = False
        if self.inode is not None and (st.st_ino != self.inode or st.st_size < self.offset):
            self.offset, self.rest, restarted = 0, b"", True
        self.inode = st.st_ino
        if st.st_size == self.offset:
            return b"", restarted
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            data = fh.read()
        self.offset += len(data)
        data = self.rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            self.rest = data
            return b"", restarted
        self.rest = data[cut + 1:]
        return data[:cut + 1], restarted


def watch(path: str, conv: Conversation, env: Environment, interval: float = 1.0,
          sleep: Callable[[float], None] = time.sleep, max_polls: int | None = None,
          render=Renderer()) -> int:
    if not os.path.exists(path):
        env.stdout.write(render(Answer.from_error(AdvisorError("read_error", file=path)),
                                conv.locale) + "\n")
        return 2
    follower = Follower(path)
    polls = 0
    try:
        while max_polls is None or polls < max_polls:
            polls += 1
            data, restarted = follower.read_new()
            if restarted:
                conv.log = LogReport()
            if data:
                conv.add_report(read_stream(io.BytesIO(data)), origin="log", file=path)
                done = _draw(conv, env, path, render)
                if done:
                    return 0
            sleep(interval)
    except KeyboardInterrupt:
        return 0
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
