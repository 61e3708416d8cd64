"""Record a real training run: start the trainer, stamp every chunk of its stdout and
stderr on arrival (seconds since the start, `\\r` kept), optionally inject contention
(busy processes started when a given step is printed, stopped by their pid at another),
and write the chunks as gzipped JSON lines next to the truth the backtest needs.

    python benchmarks/real_runs/record.py OUT.jsonl.gz --step-re 'iter (\\d+):' \\
        [--busy-from 300 --busy-to 600 --busy-procs 1] -- python train.py ...

Each line of OUT is [seconds, "o" | "e", text]; the last line is
["end", seconds, exit code]. `truth()` reads it back: the arrival of each step's first
line and of the end.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time

BUSY = "while True: pass"


class Contention:
    """Busy processes started at one step and stopped by their pid at a later one."""

    def __init__(self, start_step: int | None, stop_step: int | None, procs: int):
        self.start_step, self.stop_step, self.procs = start_step, stop_step, procs
        self.pids: list[subprocess.Popen] = []
        self.events: list[tuple[str, float, int]] = []

    def at_step(self, step: int, t: float) -> None:
        if self.start_step is not None and not self.pids and not self.events and step >= self.start_step:
            self.pids = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(self.procs)]
            self.events.append(("busy_start", t, step))
        elif self.pids and self.stop_step is not None and step >= self.stop_step:
            self.stop(t, step)

    def stop(self, t: float, step: int) -> None:
        for p in self.pids:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
        if self.pids:
            self.events.append(("busy_stop", t, step))
        self.pids = []


def record(out_path: str, cmd: list[str], step_re: str, contention: Contention,
           env: dict | None = None) -> int:
    pattern = re.compile(step_re)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    sel = selectors.DefaultSelector()
    decoders = {}
    for name, pipe in (("o", proc.stdout), ("e", proc.stderr)):
        sel.register(pipe, selectors.EVENT_READ, name)
        decoders[name] = codecs.getincrementaldecoder("utf-8")(errors="replace")
    tails = {"o": "", "e": ""}
    open_pipes = 2
    with gzip.open(out_path, "wt", encoding="utf-8") as out:
        while open_pipes:
            for key, _ in sel.select():
                data = os.read(key.fileobj.fileno(), 65536)
                t = time.monotonic() - t0
                name = key.data
                if not data:
                    sel.unregister(key.fileobj)
                    open_pipes -= 1
                    continue
                text = decoders[name].decode(data)
                out.write(json.dumps([round(t, 4), name, text]) + "\n")
                # steps seen so far (for contention): whole pieces between \r and \n
                pieces = re.split(r"[\r\n]", tails[name] + text)
                tails[name] = pieces.pop()
                for piece in pieces:
                    m = pattern.search(piece)
                    if m:
                        contention.at_step(int(m.group(1)), t)
        code = proc.wait()
        t_end = time.monotonic() - t0
        contention.stop(t_end, -1)
        for ev in contention.events:
            out.write(json.dumps(list(ev)) + "\n")
        out.write(json.dumps(["end", round(t_end, 4), code]) + "\n")
    return code


def chunks(path: str):
    """(seconds, stream, text) of each recorded chunk, and the closing events."""
    events, end = [], None
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row[0] == "end":
                end = (row[1], row[2])
            elif isinstance(row[0], str):
                events.append(row)
            else:
                out.append(tuple(row))
    return out, events, end


def truth(path: str, step_re: str) -> dict:
    """Arrival time of the first piece that shows each step, and of the end."""
    pattern = re.compile(step_re)
    rows, events, end = chunks(path)
    seen: dict[int, float] = {}
    tails = {"o": "", "e": ""}
    for t, name, text in rows:
        pieces = re.split(r"[\r\n]", tails[name] + text)
        tails[name] = pieces.pop()
        for piece in pieces:
            for m in pattern.finditer(piece):
                seen.setdefault(int(m.group(1)), t)
    return {"steps": seen, "end_s": end[0] if end else None, "exit": end[1] if end else None,
            "events": events}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--step-re", required=True)
    ap.add_argument("--busy-from", type=int)
    ap.add_argument("--busy-to", type=int)
    ap.add_argument("--busy-procs", type=int, default=1)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    return record(args.out, cmd, args.step_re, Contention(args.busy_from, args.busy_to, args.busy_procs))


if __name__ == "__main__":
    sys.exit(main())
