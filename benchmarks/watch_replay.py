"""`advisor watch` on recorded real runs, replayed at their real speed: a writer thread
appends each recorded chunk (stdout and stderr, as `train.py > log 2>&1` would) to a file
at its recorded second, while advisor's own watch loop follows the file. Every ETA watch
computes is kept with its wall time; the error is read at the first update at or past 25 %
and 50 % of the run, against the run's recorded end.

    python benchmarks/watch_replay.py [--half evaluation] [--only NAME ...] [--speed 1]

--speed above 1 replays faster: the clocks inside the text stay the recorded ones, so only
arrival times are scaled, and a watch that reads clocks of its own would be misjudged; the
acceptance figure is at speed 1. Runs are replayed two at a time (this machine has 2 cores).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "real_runs"))

import real_backtest as rb  # noqa: E402
from advisor.conversation import Conversation  # noqa: E402
from advisor.resources import data_dir  # noqa: E402
from advisor.shell.environment import Environment  # noqa: E402
from advisor.shell.knowledge import load_knowledge  # noqa: E402
from advisor.shell.watch import watch  # noqa: E402
from record import chunks  # noqa: E402


def replay(run: dict, know, speed: float) -> list[tuple[float, float, int]]:
    """(seconds since the start, remaining seconds, last step) of every ETA watch drew."""
    rows, _, _ = chunks(os.path.join(rb.DATA, run["file"]))
    seen: list[tuple[float, float, int]] = []
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.log")
        open(path, "w").close()
        t0 = time.monotonic()

        def write():
            with open(path, "a", encoding="utf-8") as fh:
                for t, _, text in rows:
                    delay = t / speed - (time.monotonic() - t0)
                    if delay > 0:
                        time.sleep(delay)
                    fh.write(text)
                    fh.flush()

        writer = threading.Thread(target=write)
        writer.start()

        def keep(answer, locale):
            if answer.error:
                errors.append(answer.data.get("code"))
            if answer.kind == "eta" and not answer.error:
                r = answer.data["eta"]
                seen.append(((time.monotonic() - t0) * speed, r.remaining_s, r.last_step))
            return ""

        conv = Conversation(know)
        if run["trainer"] in ("nanogpt", "lightning"):
            conv.set_fact("max_iters", str(rb.total_steps(run)), "backtest")
        env = Environment(stdin=io.StringIO(), stdout=io.StringIO(), stdout_isatty=False)
        polls = int(run["end_s"] / speed / 0.5) + 20
        watch(path, conv, env, interval=0.5, max_polls=polls, render=keep)
        writer.join()
    if errors:
        print(run["name"], "no ETA at", len(errors), "updates:", sorted(set(errors)), file=sys.stderr)
    return seen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", default="evaluation", choices=("evaluation", "calibration", "all"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--speed", type=float, default=1.0)
    a = ap.parse_args()
    know = load_knowledge(data_dir("knowledge"))
    runs = [r for r in rb.load_runs(a.half) if not a.only or r["name"] in a.only]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda r: (r, replay(r, know, a.speed)), runs))
    print(f"== advisor watch, replayed at {a.speed:g}x real speed: error of the live ETA")
    for run, seen in results:
        cells = []
        for f in (0.25, 0.50):
            hit = next(((t, rem) for t, rem, step in seen if step >= f * rb.total_steps(run)), None)
            if hit is None:
                cells.append(f"{int(f * 100)}%: -")
                continue
            truth = run["end_s"] - hit[0]
            cells.append(f"{int(f * 100)}%: {100 * (hit[1] / truth - 1):+6.1f} %")
        print(f"{run['name']:14s} " + "   ".join(cells) + f"   ({len(seen)} updates)")


if __name__ == "__main__":
    main()
