"""Score the log reader on the real public logs of tests/real_logs against their truth table
(tests/real_logs/truth.yaml, written by reading each log before any reader ran on it), next
to the reader of a baseline commit measured in the same run.

    python benchmarks/parse_corpus.py [--baseline REV] [--json] [--show-misses]

Four checks per excerpt: the trainer; the last step (exact or within 1); the seconds per
step at the end of the excerpt (within 15 %, or none where the log gives no time); the
total steps (the printed one, or none where the log prints none). The score is the share of
checks that hold; a check the truth leaves open (`~`) is not scored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "tests", "real_logs")
TRUTH = os.path.join(CORPUS, "truth.yaml")
BASELINE = "9935b31"          # main before issue 14's reader work: "today's reader"
CHECKS = ("trainer", "last_step", "sec_per_step", "total_steps")
TOLERANCE = 0.15


def slug(name: str | None) -> str | None:
    """A trainer's name as the corpus' folders spell it: 'HF Trainer' -> 'hf-trainer'."""
    if name is None:
        return None
    s = name.lower().replace(".", "").replace(" ", "-")
    return {"pytorch-lightning": "lightning"}.get(s, s)


def load_truth(path: str = TRUTH) -> list[dict]:
    if not os.path.exists(path):
        return []
    return yaml.safe_load(open(path, encoding="utf-8"))["logs"]


def read_entry(entry: dict) -> dict:
    """What the reader found in one excerpt: trainer, last step, seconds per step, total."""
    from advisor.read.logs.reader import read_text
    text = open(os.path.join(CORPUS, entry["file"]), encoding="utf-8", errors="replace").read()
    specs = _specs()
    rep = read_text(text, specs) if specs is not None else read_text(text)
    run = rep.main_run()
    if run is None or not run.samples:
        return {"trainer": slug(run.trainer) if run else None, "last_step": None,
                "sec_per_step": None, "total_steps": None}
    timed = [s.dt_s for s in run.samples if s.dt_s is not None and s.dt_s > 0]
    total = run.printed.get("total_steps")
    return {"trainer": slug(run.trainer), "last_step": run.samples[-1].iter,
            "sec_per_step": timed[-1] if timed else None,
            "total_steps": total[0] if total else None}


def _specs():
    """knowledge/trainers.yaml compiled, where this reader has it (a baseline may not)."""
    from advisor.resources import data_dir
    if not (data_dir("knowledge") / "trainers.yaml").exists():
        return None
    from advisor.shell.knowledge import load_knowledge
    return load_knowledge(data_dir("knowledge")).trainers


def check(entry: dict, found: dict) -> dict[str, bool]:
    """Which checks hold; a check whose truth is marked open ('~' in the table) is left out."""
    out = {}
    if entry.get("trainer"):
        out["trainer"] = found["trainer"] == entry["trainer"]
    want = entry.get("last_step")
    out["last_step"] = (found["last_step"] is None if want is None
                        else found["last_step"] is not None and abs(found["last_step"] - want) <= 1)
    want = entry.get("sec_per_step")
    got = found["sec_per_step"]
    out["sec_per_step"] = (got is None if want is None
                           else got is not None and abs(got / want - 1) <= TOLERANCE)
    want = entry.get("total_steps")
    out["total_steps"] = found["total_steps"] == want
    return {k: v for k, v in out.items() if entry.get("open") is None or k not in entry["open"]}


def score_all(entries: list[dict]) -> list[dict]:
    rows = []
    for entry in entries:
        try:
            found = read_entry(entry)
        except Exception as exc:          # the old reader may fail where the new one does not
            found = {"error": f"{type(exc).__name__}: {exc}"[:200], **{k: None for k in CHECKS}}
        rows.append({"file": entry["file"], "trainer": entry["trainer"], "found": found,
                     "checks": check(entry, found)})
    return rows


def baseline_rows(rev: str) -> list[dict] | None:
    """The same scoring with the reader of commit `rev`, in a subprocess on its sources."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", ROOT, "archive", rev, "advisor", "knowledge", "templates"],
                                 capture_output=True)
        if archive.returncode != 0:
            return None
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        proc = subprocess.run([sys.executable, __file__, "--json", "--here"], capture_output=True,
                              text=True, env=env, cwd=tmp)
        if proc.returncode != 0:
            return None
        return json.loads(proc.stdout)["rows"]


def table(rows: list[dict]) -> dict[str, tuple[int, int]]:
    """trainer -> (checks held, checks scored); 'all' for the whole corpus."""
    out: dict[str, list[int]] = {}
    for row in rows:
        for key in (row["trainer"], "all"):
            cell = out.setdefault(key, [0, 0])
            cell[0] += sum(row["checks"].values())
            cell[1] += len(row["checks"])
    return {k: (v[0], v[1]) for k, v in out.items()}


def by_check(rows: list[dict]) -> dict[str, tuple[int, int]]:
    out = {}
    for name in CHECKS:
        held = [r["checks"][name] for r in rows if name in r["checks"]]
        out[name] = (sum(held), len(held))
    return out


def report(rows: list[dict], old: list[dict] | None, rev: str, show_misses: bool) -> None:
    new_t, old_t = table(rows), table(old) if old else {}
    files = {r["trainer"]: set() for r in rows}
    for r in rows:
        files[r["trainer"]].add(r["file"])
    print(f"real-log corpus: {len(rows)} excerpts of {len(files)} trainers (tests/real_logs)")
    print(f"{'trainer':22s}{'logs':>5s}{'this reader':>16s}{'reader at ' + rev:>22s}")
    for trainer in sorted(files) + ["all"]:
        held, n = new_t[trainer]
        cell = f"{held}/{n} {100 * held / max(1, n):5.1f}%"
        o = old_t.get(trainer)
        ocell = f"{o[0]}/{o[1]} {100 * o[0] / max(1, o[1]):5.1f}%" if o else "-"
        count = len(rows) if trainer == "all" else len(files[trainer])
        print(f"{trainer:22s}{count:5d}{cell:>16s}{ocell:>22s}")
    print("by check:", ", ".join(f"{k} {h}/{n}" for k, (h, n) in by_check(rows).items()))
    if old:
        print(f"by check at {rev}:", ", ".join(f"{k} {h}/{n}" for k, (h, n) in by_check(old).items()))
    if show_misses:
        for r in rows:
            bad = [k for k, v in r["checks"].items() if not v]
            if bad:
                print(f"  miss {r['file']}: {', '.join(bad)}; read {r['found']}")


def main(argv: list[str]) -> int:
    rev = argv[argv.index("--baseline") + 1] if "--baseline" in argv else BASELINE
    if "--here" in argv:                  # the baseline's subprocess: import from PYTHONPATH
        sys.path.insert(0, os.environ["PYTHONPATH"])
    else:
        sys.path.insert(0, ROOT)
    rows = score_all(load_truth())
    if "--json" in argv:
        print(json.dumps({"rows": rows}))
        return 0
    report(rows, baseline_rows(rev), rev, "--show-misses" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
