"""Fuzz: N mutated real logs through the whole program, in process (issue 15).

Each case is a real log (../shared/logs and tests/fixtures) with a few hostile edits
(tests/mutations.py), piped to `advisor [eta|advise|plan|facts|compare] --lang L [--json]
[--set k=v]`. A failure is an exception escaping `main`, an exit other than 0 or 2, not
exactly one JSON object under --json, or a terminal control / bidi override character in the
output. Also reported: the slowest case (the bar is 5 s) and the process's peak memory (the
bar is 100 MB). Not a pass/fail timer: it prints the figures; a failing case prints its seed,
so that `--seed S --n 1 --show` reproduces it.

    python benchmarks/fuzz.py --n 10000
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from advisor.shell.cli import main  # noqa: E402
from advisor.shell.environment import Environment  # noqa: E402
from advisor.shell.knowledge import data_dir, load_knowledge  # noqa: E402
from mutations import conversation_problems, corrupt_bytes, invocation, mutate, problems, seed_logs  # noqa: E402

SLOW_S = 5.0
PEAK_MIB = 100


def peak_mib() -> int:
    """This process's peak resident memory (VmHWM), in MiB."""
    with open("/proc/self/status") as fh:
        for row in fh:
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) // 1024
    return -1


def run_case(seed: int, seeds: list[str], folder: str, know):
    """One case: (arguments, seconds, exit code or None, problems found, output). Three in
    ten are a conversation (the paste, then typed commands), the others a batch run."""
    rng = random.Random(seed)
    text = mutate(rng, seeds)
    if rng.random() < 0.3:
        start = time.perf_counter()
        try:
            found = conversation_problems(know, rng, text)
        except Exception:             # noqa: BLE001
            found = ["exception: " + traceback.format_exc().strip().splitlines()[-1]]
        return ["(conversation)"], time.perf_counter() - start, "conversation", found, traceback.format_exc()
    args = invocation(rng)
    if args[0] == "compare":
        paths = []
        for side, body in (("a", text), ("b", mutate(rng, seeds))):
            paths.append(os.path.join(folder, f"{side}.log"))
            with open(paths[-1], "w", encoding="utf-8", errors="surrogatepass") as fh:
                fh.write(body)
        args[1:1] = paths
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        data = corrupt_bytes(rng, data)
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    out = io.StringIO()
    env = Environment(stdin=stdin, stdout=out, stderr=io.StringIO(), stdin_isatty=False,
                      stdout_isatty=False, environ={"LANG": "C", "HOME": folder})
    start, code = time.perf_counter(), None
    try:
        code = main(args, env)
        found = problems(args, code, out.getvalue())
    except Exception:                 # noqa: BLE001 - the point: anything escaping is a failure
        found = ["exception: " + traceback.format_exc().strip().splitlines()[-1]]
        out.write(traceback.format_exc())
    return args, time.perf_counter() - start, code, found, out.getvalue()


def main_fuzz() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="first case's seed")
    parser.add_argument("--show", action="store_true", help="print each case's output")
    opts = parser.parse_args()
    seeds, know = seed_logs(), load_knowledge(data_dir("knowledge"))
    failures, slowest, total, exits = [], (0.0, None), 0.0, {}
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(opts.seed, opts.seed + opts.n):
            args, took, code, found, out = run_case(seed, seeds, folder, know)
            total += took
            exits[code] = exits.get(code, 0) + 1
            if took > slowest[0]:
                slowest = (took, seed)
            if found or took > SLOW_S:
                failures.append((seed, args, found or [f"{took:.1f} s"]))
                print(f"seed {seed}: advisor {' '.join(args)}: {'; '.join(failures[-1][2])}")
            if opts.show:
                print(out)
    peak = peak_mib()
    print(f"cases {opts.n} from {len(seeds)} real logs and fixtures; failures {len(failures)}; "
          f"slowest {slowest[0]:.2f} s (seed {slowest[1]}); mean {1000 * total / max(opts.n, 1):.0f} ms; "
          f"peak memory {peak} MiB (bars: {SLOW_S:g} s, {PEAK_MIB} MiB); exit codes "
          + ", ".join(f"{k}: {v}" for k, v in sorted(exits.items(), key=str)))
    return 1 if failures or peak >= PEAK_MIB else 0


if __name__ == "__main__":
    sys.exit(main_fuzz())
