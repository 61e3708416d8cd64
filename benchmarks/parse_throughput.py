"""Parse throughput on a generated log, against a bare `for line in f` loop measured in
the same run. Prints lines/s, the ratio, and peak RSS of each (each in its own process).
Not a pass/fail test.

    python benchmarks/parse_throughput.py [--mb 100] [--kind nanogpt|mixed]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import resource, sys, time
path, mode = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if mode == "bare":
    n = 0
    with open(path, "rb") as f:
        for line in f:
            n += 1
else:
    from advisor.read import read_stream
    with open(path, "rb") as f:
        rep = read_stream(f)
    n = rep.n_lines
el = time.perf_counter() - t
print(n, el, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def generate(path: str, mb: int, kind: str) -> None:
    rng = random.Random(0)
    target = mb * 1024 * 1024
    size, it = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while size < target:
            lines = []
            if it % 250 == 0:
                lines.append(f"step {it}: train loss {4 - it * 1e-6:.4f}, val loss {4.1 - it * 1e-6:.4f}")
                lines.append("saving checkpoint to out")
            if kind == "mixed" and it % 7 == 0:
                lines.append(f"[rank0]: step {it:05d}/99999 (1.00%) | loss: 3.2 | lrm: 1.00 | dt: 2123.74ms "
                             f"| tok/sec: 493,740 | bf16_mfu: 59.60 | epoch: 1 | total time: 10.34m")
            lines.append(f"iter {it}: loss {4 - it * 1e-6:.4f}, time {400 + rng.gauss(0, 5):.2f}ms, mfu 11.00%")
            text = "\n".join(lines) + "\n"
            f.write(text)
            size += len(text)
            it += 1


def measure(path: str, mode: str) -> tuple[int, float, int]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", CHILD, path, mode], capture_output=True, text=True,
                         check=True, cwd=root, env={**os.environ, "PYTHONPATH": root})
    n, el, rss = out.stdout.split()
    return int(n), float(el), int(rss)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--kind", choices=["nanogpt", "mixed"], default="nanogpt")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.log")
        t = time.perf_counter()
        generate(path, args.mb, args.kind)
        print(f"generated {os.path.getsize(path) / 2**20:.0f} MiB ({args.kind}) in {time.perf_counter() - t:.1f} s")
        bare = measure(path, "bare")
        ours = measure(path, "advisor")
        for name, (n, el, rss) in (("bare for-line loop", bare), ("advisor read_stream", ours)):
            print(f"{name:22s} {n:>10,d} lines {el:7.2f} s {n / el:>12,.0f} lines/s  peak RSS {rss:4d} MiB")
        print(f"speed ratio advisor/bare: {bare[1] / ours[1]:.3f} (target >= 0.5); "
              f"peak RSS {ours[2]} MiB (target < 200)")


if __name__ == "__main__":
    main()
