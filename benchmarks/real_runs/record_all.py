"""Record every run of matrix.py that has no recording yet, one after the other, and write
runs.yaml: settings, versions, contention events and the truth (arrival time of each
step's first line, and of the end). Needs the bench extra and a nanoGPT checkout.

    python benchmarks/real_runs/record_all.py [--python PY] [--only NAME ...]
    python benchmarks/real_runs/record_all.py --truth-only     # rebuild runs.yaml
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matrix  # noqa: E402
from record import Contention, record, truth  # noqa: E402

DATA = os.path.join(matrix.HERE, "data")
RUNS_YAML = os.path.join(matrix.HERE, "runs.yaml")


def versions(python: str) -> dict:
    code = ("import torch, transformers, lightning, sys; print(sys.version.split()[0], "
            "torch.__version__, transformers.__version__, lightning.__version__)")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True).stdout.split()
    nano = subprocess.run(["git", "--git-dir=/work/.mirror/karpathy+nanoGPT/repo", "rev-parse", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    keys = ("python", "torch", "transformers", "lightning")
    return {**dict(zip(keys, out)), "nanogpt_commit": nano or None,
            "machine": f"{os.cpu_count()} cores, {platform.machine()}"}


def entry(run: dict, path: str, step_re: str, vers: dict) -> dict:
    t = truth(path, step_re)
    steps = sorted(t["steps"].items())
    return {**{k: run[k] for k in ("name", "trainer", "split", "settings", "busy")},
            "versions": vers, "file": os.path.basename(path), "step_pattern": step_re,
            "exit": t["exit"], "end_s": t["end_s"],
            "events": [list(e) for e in t["events"]],
            "steps": [[k, round(v, 3)] for k, v in steps]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--truth-only", action="store_true")
    a = ap.parse_args()
    os.makedirs(DATA, exist_ok=True)
    old = {}
    if os.path.exists(RUNS_YAML):
        old = {r["name"]: r for r in yaml.safe_load(open(RUNS_YAML))["runs"]}
    vers = versions(a.python)
    done = []
    for run in matrix.runs():
        path = os.path.join(DATA, run["name"] + ".jsonl.gz")
        with tempfile.TemporaryDirectory() as out_dir:
            argv, cwd, step_re = matrix.command(run, a.python, out_dir)
            if not a.truth_only and not os.path.exists(path) and (not a.only or run["name"] in a.only):
                busy = run["busy"] or (None, None, 1)
                print(run["name"], " ".join(argv[1:]), flush=True)
                cwd_before = os.getcwd()
                os.chdir(cwd)
                try:
                    code = record(path + ".part", argv, step_re, Contention(*busy))
                finally:
                    os.chdir(cwd_before)
                os.replace(path + ".part", path)
                print(run["name"], "exit", code, flush=True)
        if os.path.exists(path):
            kept = old.get(run["name"], {}).get("versions", vers)
            done.append(entry(run, path, step_re, kept if os.path.exists(path) else vers))
            with open(RUNS_YAML + ".part", "w") as f:       # replaced whole: readers never see half
                f.write("# Recorded by benchmarks/real_runs/record_all.py; truth: arrival time (s) of\n"
                        "# each step's first line and of the process's end. Split by run.\n")
                yaml.safe_dump({"runs": done}, f, sort_keys=False, default_flow_style=None, width=100000)
            os.replace(RUNS_YAML + ".part", RUNS_YAML)
    return 0


if __name__ == "__main__":
    sys.exit(main())
