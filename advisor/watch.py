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

from advisor.answers import Answer
from advisor.environment import Environment
from advisor.errors import AdvisorError
from advisor.logs import read_stream
from advisor.render import render
from advisor.session import Session

BARS = "▁▂▃▄▅▆▇█"
CLEAR = "\x1b[H\x1b[2J"


def sparkline(values: list[float], width: int = 40) -> str:
    """Recent step times as block characters, lowest to highest."""
    values = [v for v in values if v is not None][-width:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return "".join(BARS[min(len(BARS) - 1, int((v - lo) / span * (len(BARS) - 1) + 0.5))] for v in values)


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


def watch(path: str, session: Session, env: Environment, interval: float = 1.0,
          sleep: Callable[[float], None] = time.sleep, max_polls: int | None = None) -> int:
    if not os.path.exists(path):
        env.stdout.write(render(Answer.from_error(AdvisorError("read_error", file=path)),
                                session.locale) + "\n")
        return 2
    follower = Follower(path)
    polls = 0
    try:
        while max_polls is None or polls < max_polls:
            polls += 1
            data, restarted = follower.read_new()
            if restarted:
                session.log = type(session.log)()
            if data:
                session.add_report(read_stream(io.BytesIO(data)), origin="log", file=path)
                done = _draw(session, env, path)
                if done:
                    return 0
            sleep(interval)
    except KeyboardInterrupt:
        return 0
    return 0


def _draw(session: Session, env: Environment, path: str) -> bool:
    try:
        answer = session.eta()
    except AdvisorError as exc:
        answer = Answer.from_error(exc)
    header = render(Answer("watch", {"file": path, "at": session.clock()}), session.locale)
    body = render(answer, session.locale)
    run = session.log.main_run()
    chart = sparkline([s.dt_s for s in run.samples[-40:]]) if run is not None else ""
    text = header + "\n\n" + body + ("\n\n" + chart if chart else "") + "\n"
    if env.stdout_isatty:
        env.stdout.write(CLEAR + text)
    else:
        env.stdout.write(text + "\n")
    env.stdout.flush()
    return not answer.error and answer.data["eta"].steps_remaining == 0
