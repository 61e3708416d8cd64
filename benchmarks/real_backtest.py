"""Backtest of the ETA on runs recorded by benchmarks/real_runs (real trainers on this
machine, not a generator). Each run is cut when the first line of the step at 10, 25, 50
and 75 % of its total arrived; the terminal screen at that second (benchmarks/real_runs/
screen.py) is pasted into advisor as a user would paste it, without timestamps; nanoGPT's
and Lightning's max_iters are given (nanoGPT prints none; a Lightning bar counts an epoch). The truth is the end of the process minus
the cut's second. Runs are split by run into a calibration and an evaluation half.

    python benchmarks/eta_backtest.py --real [--half evaluation|calibration|all]
    python benchmarks/eta_backtest.py --calibrate-real knowledge/eta_calibration.yaml
"""

from __future__ import annotations

import math
import os
import re
import statistics
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "real_runs"))

from advisor.answers.eta import eta_answer  # noqa: E402
from advisor.conversation import Conversation  # noqa: E402
from advisor.errors import AdvisorError  # noqa: E402
from advisor.resources import data_dir  # noqa: E402
from advisor.shell.knowledge import load_knowledge  # noqa: E402
from record import chunks  # noqa: E402
from screen import screen_at  # noqa: E402

FRACTIONS = (0.10, 0.25, 0.50, 0.75)
RUNS_YAML = os.path.join(HERE, "real_runs", "runs.yaml")
DATA = os.path.join(HERE, "real_runs", "data")
_BAR_CLOCK = re.compile(r"(\d+)/(\d+) \[([\d:]+)<([\d:]+),\s*([\d.]+)(it/s|s/it)")
_NANO_DT = re.compile(r"^iter (\d+): loss \S+, time ([\d.]+)ms", re.M)


def load_runs(half: str = "evaluation") -> list[dict]:
    if not os.path.exists(RUNS_YAML):
        return []
    runs = yaml.safe_load(open(RUNS_YAML, encoding="utf-8"))["runs"]
    return [r for r in runs if r["exit"] == 0 and (half == "all" or r["split"] == half)]


def total_steps(run: dict) -> int:
    s = run["settings"]
    return s.get("max_iters") or s["max_steps"]


def hms(text: str) -> float:
    out = 0.0
    for part in text.split(":"):
        out = out * 60 + int(part)
    return out


def cut_points(run: dict):
    """(fraction, step, second) of each cut: the first step at or past the fraction."""
    steps = run["steps"]
    total = total_steps(run)
    for f in FRACTIONS:
        for step, t in steps:
            if step >= f * total:
                yield f, step, t
                break


def advisor_eta(know, run: dict, screen: str):
    conv = Conversation(know)
    conv.paste(screen)
    if run["trainer"] in ("nanogpt", "lightning"):   # no log line gives the run's max steps
        conv.set_fact("max_iters", str(total_steps(run)), "backtest")
    return eta_answer(conv.context()).data["eta"]


def baselines(run: dict, screen: str, step: int, elapsed: float) -> dict[str, float]:
    """What other estimators would say at the cut, in seconds remaining."""
    rem = total_steps(run) - step
    out = {"elapsed / steps": elapsed / max(1, step) * rem}
    if run["trainer"] == "nanogpt":
        dts = [float(m.group(2)) / 1000 for m in _NANO_DT.finditer(screen)]
        out["last x rem"] = dts[-1] * rem
        out["mean x rem"] = statistics.fmean(dts[1:] or dts) * rem
        out["median 10"] = statistics.median(dts[-10:]) * rem
        ema = None                 # tqdm's EMA (smoothing 0.3) over each printed step time
        for d in dts[1:]:
            ema = d if ema is None else 0.3 * d + 0.7 * ema
        out["tqdm EMA"] = (ema or dts[-1]) * rem
    else:
        bars = [m for m in _BAR_CLOCK.finditer(screen) if int(m.group(2)) == total_steps(run)]
        if bars:
            last = bars[-1]
            rate = float(last.group(5))
            sec = rate if last.group(6) == "s/it" else 1 / rate
            out["last x rem"] = sec * rem              # the bar's smoothed rate
            out["own ETA"] = hms(last.group(4))          # tqdm's printed remaining time
            out["elapsed / steps"] = hms(last.group(3)) / max(1, int(last.group(1))) * rem
    return out


def evaluate(runs: list[dict], know, residuals: list | None = None):
    rows: dict[tuple[str, str], dict[str, list]] = {}
    for run in runs:
        rows_of_run, _, _ = chunks(os.path.join(DATA, run["file"]))
        for f, step, t in cut_points(run):
            truth = run["end_s"] - t
            screen = screen_at(rows_of_run, t)
            row = rows.setdefault((run["trainer"], f"{int(f * 100)}%"), {})
            try:
                r = advisor_eta(know, run, screen)
            except AdvisorError as exc:
                row.setdefault("failed", []).append(f"{run['name']}: {exc.code}")
                continue
            row.setdefault("advisor", []).append(r.remaining_s / truth - 1)
            row.setdefault("covered", []).append(r.low_s <= truth <= r.high_s)
            if residuals is not None:
                residuals.append(dict(run=run["name"], trainer=run["trainer"], fraction=f,
                                      log_ratio=math.log(truth / r.remaining_s),
                                      spread=r.rel_band, flags=list(r.flags)))
            first_t = run["steps"][0][1]
            for name, value in baselines(run, screen, step, t - first_t).items():
                row.setdefault(name, []).append(value / truth - 1)
    return rows


def pct(xs, q):
    xs = sorted(abs(x) for x in xs)
    return 100 * xs[min(len(xs) - 1, int(q * len(xs)))]


NAMES = ["advisor", "last x rem", "mean x rem", "median 10", "tqdm EMA", "elapsed / steps", "own ETA"]


def report(rows, title: str) -> None:
    print(f"\n== {title}: |error| median / P90 in %, advisor's 80 % range coverage")
    print(f"{'trainer, cut':18s}" + "".join(f"{n:>17s}" for n in NAMES) + f"{'coverage':>10s}{'n':>4s}")
    for (trainer, label), row in sorted(rows.items()):
        cells = "".join(f"{pct(row[n], .5):7.1f} /{pct(row[n], .9):6.1f}  " if row.get(n) else f"{'-':>17s}"
                        for n in NAMES)
        cov = row.get("covered") or [False]
        print(f"{trainer + ' ' + label:18s}{cells}{100 * sum(cov) / len(cov):9.0f}%{len(cov):4d}")
        for failure in row.get("failed", []):
            print(f"    no estimate: {failure}")
    by_trainer: dict[str, dict[str, list]] = {}
    for (trainer, _), row in rows.items():
        for k, v in row.items():
            by_trainer.setdefault(trainer, {}).setdefault(k, []).extend(v)
    for trainer, row in sorted(by_trainer.items()):
        cells = "".join(f"{pct(row[n], .5):7.1f} /{pct(row[n], .9):6.1f}  " if row.get(n) else f"{'-':>17s}"
                        for n in NAMES)
        cov = row.get("covered") or [False]
        print(f"{trainer + ' all':18s}{cells}{100 * sum(cov) / len(cov):9.0f}%{len(cov):4d}")


def main(half: str = "evaluation") -> None:
    runs = load_runs(half)
    if not runs:
        print(f"no recorded runs in {RUNS_YAML}: record them with benchmarks/real_runs/record_all.py")
        return
    know = load_knowledge(data_dir("knowledge"))
    names = ", ".join(r["name"] for r in runs)
    report(evaluate(runs, know), f"real runs, {half} half ({len(runs)} runs: {names})")




CALIBRATION_CUTS = tuple(round(0.05 * k, 2) for k in range(1, 20))   # 5 %, 10 %, ... 95 %


def residuals_of(runs: list[dict], know) -> list[dict]:
    """log(truth / advisor's point) at every 5 % of each run, with the run's stage and
    history (as the estimator sees them)."""
    from advisor.knowledge.model import EtaCalibration
    bare = _without_calibration(know, EtaCalibration())
    out = []
    for run in runs:
        rows_of_run, _, _ = chunks(os.path.join(DATA, run["file"]))
        total = total_steps(run)
        for f in CALIBRATION_CUTS:
            hit = next(((s, t) for s, t in run["steps"] if s >= f * total), None)
            if hit is None or run["end_s"] - hit[1] <= 0:
                continue
            try:
                r = advisor_eta(bare, run, screen_at(rows_of_run, hit[1]))
            except AdvisorError:
                continue
            out.append(dict(run=run["name"], trainer=run["trainer"], done=r.last_step / r.total_steps,
                            clock=r.clock_s is not None, spread=r.rel_band,
                            log_ratio=math.log((run["end_s"] - hit[1]) / r.remaining_s)))
    return out


def _without_calibration(know, empty):
    import dataclasses
    return dataclasses.replace(know, eta_calibration=empty)


def quantile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    pos = p * (len(xs) - 1)
    lo = int(pos)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (pos - lo)


MIN_BUCKET = 8


def calibrate(path: str) -> None:
    """Fit the 80 % range on the calibration half: per stage and history, the 10th and 90th
    percentiles of log(truth / point), widened to hold 0; a bucket with fewer than
    MIN_BUCKET residuals takes its history's pooled quantiles."""
    from advisor.compute.eta_stats import STAGES, calibration_bucket
    runs = load_runs("calibration")
    know = load_knowledge(data_dir("knowledge"))
    res = residuals_of(runs, know)
    steps = sorted(r["spread"] for r in res if not r["clock"])
    split = round(quantile(steps, 0.5), 4) if steps else 0.05
    groups: dict[str, list[float]] = {}
    pooled: dict[str, list[float]] = {}
    for r in res:
        history = "clock" if r["clock"] else ("variable" if r["spread"] > split else "steady")
        groups.setdefault(calibration_bucket(r["done"], history), []).append(r["log_ratio"])
        pooled.setdefault(history, []).append(r["log_ratio"])

    def band(xs):
        return [round(min(0.0, quantile(xs, 0.10)), 4), round(max(0.0, quantile(xs, 0.90)), 4)]

    buckets = {}
    for history, xs in sorted(pooled.items()):
        for _, stage in STAGES:
            key = f"{stage}/{history}"
            own = groups.get(key, [])
            buckets[key] = band(own if len(own) >= MIN_BUCKET else xs)
            print(f"{key:20s} n={len(own):3d} {'own' if len(own) >= MIN_BUCKET else 'pooled':6s} {buckets[key]}")
    doc = {"source": "benchmarks/eta_backtest.py --calibrate-real: residuals log(truth / estimate) at "
                     "every 5 % of the calibration half of benchmarks/real_runs (real trainers, this "
                     f"2-core machine), {len(res)} cuts",
           "spread_split": split, "runs": [r["name"] for r in runs], "buckets": buckets}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# 80 % ETA range: 10th and 90th percentiles of log(truth / estimate), per bucket\n"
                 "# (stage of the run / steady, variable or clock history), from real recorded runs.\n"
                 "# Regenerate with\n"
                 "#   python benchmarks/eta_backtest.py --calibrate-real knowledge/eta_calibration.yaml\n")
        yaml.safe_dump(doc, fh, sort_keys=False)


def choose_level() -> None:
    """The level method of advisor.compute.eta, scored on the calibration half only."""
    from advisor.compute import eta
    runs = [r for r in load_runs("calibration") if r["trainer"] == "nanogpt"]
    know = load_knowledge(data_dir("knowledge"))
    for method in ("mean_window", "median_level"):
        eta.LEVEL_METHOD = method
        res = residuals_of(runs, know)
        errs = [abs(math.exp(-r["log_ratio"]) - 1) for r in res]
        print(f"{method:14s} median |error| {100 * quantile(errs, 0.5):5.1f} %  "
              f"P90 {100 * quantile(errs, 0.9):5.1f} %  ({len(errs)} cuts of {len(runs)} runs)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "evaluation")
