"""Backtest of advisor's ETA against the estimators progress bars and chat models use.
With --real: on the runs recorded with real trainers (benchmarks/real_backtest.py), the only
figures the README quotes. Without: a unit-level check on SYNTHETIC nanoGPT runs with exact truth (benchmarks/synthetic.py) and on real logs in
../shared/logs. Cuts at 5, 10, 25, 50, 75 % of each run plus adversarial cuts (right after
an evaluation, right before one, inside the first eval interval, right after a stall).
Prints, per cut: median absolute % error, P90 absolute % error, coverage of advisor's range,
and for advisor the stability of the predicted finish time. Not a pass/fail test.

    python benchmarks/eta_backtest.py --real [--half evaluation|calibration|all]
    python benchmarks/eta_backtest.py --calibrate-real knowledge/eta_calibration.yaml
    python benchmarks/eta_backtest.py [--runs 40]          # synthetic, unit-level
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))



from advisor.answers.eta import eta_answer  # noqa: E402
from advisor.compute.eta import estimate  # noqa: E402
from advisor.compute.eta_result import EtaConfig  # noqa: E402
from advisor.resources import data_dir  # noqa: E402
from advisor.read import read_text  # noqa: E402
from advisor.shell.knowledge import load_knowledge  # noqa: E402
from synthetic import SynthRun, make_run  # noqa: E402

FRACTIONS = (0.05, 0.10, 0.25, 0.50, 0.75)


def cuts(run: SynthRun) -> dict[str, int]:
    """Cut points as timeline positions (the last logged line at or before each point)."""
    L, E, M = run.log_interval, run.eval_interval, run.max_iters
    logged = [p for p in range(len(run.dt)) if run.iters[p] % L == 0]
    last_pos = {}
    for p in logged:                       # after a resume, the newest position of an iteration
        last_pos[run.iters[p]] = p

    def at(k):                             # the last logged line at or before iteration k
        k = max(0, min(M, k))
        k -= k % L
        return last_pos[k]

    out = {f"{int(f * 100)}%": at(int(f * M)) for f in FRACTIONS}
    mid = (M // 2) // E * E
    out["after-eval"] = at(mid)
    out["before-eval"] = at(mid + E - 1) if mid + E - 1 <= M else at(mid - 1)
    out["first-interval"] = at(E // 2) if E // 2 >= 3 * L else at(E - 1)
    base = statistics.median(run.dt[1:200])
    big = [p for p in range(1, len(run.dt)) if run.iters[p] % E and run.dt[p] > 4 * base
           and run.iters[p] == run.iters[p - 1] + 1 and run.iters[p] + L <= M]
    if big:
        out["after-stall"] = at(run.iters[big[len(big) // 2]] + L)
    return out


def baselines(samples, remaining: int, run: SynthRun, cut: int) -> dict[str, float]:
    dts = [s.dt_s for s in samples]
    L = run.log_interval
    out = {"last x rem": dts[-1] * remaining, "mean x rem": statistics.fmean(dts) * remaining}
    ema_dn = ema_dt = 0.0
    calls = 0
    for d in dts[1:]:                       # tqdm: EMA of dn and dt per display update
        calls += 1
        ema_dn = 0.3 * L + 0.7 * ema_dn
        ema_dt = 0.3 * (L * d) + 0.7 * ema_dt
    if calls:
        corr = 1 - 0.7 ** calls
        out["tqdm EMA"] = (ema_dt / corr) / (ema_dn / corr) * remaining
    out["cumulative avg"] = run.elapsed_until(cut) / (cut + 1) * remaining
    t_end, acc, n_it = run.elapsed_until(cut), 0.0, 0   # rich: 30 s of wall time
    for k in range(cut, -1, -1):
        acc += run.dt[k]
        n_it += 1
        if acc >= 30:
            break
    out["rich 30 s"] = acc / max(1, n_it) * remaining if t_end else float("nan")
    out["median 1000"] = statistics.median(dts[-1000:]) * remaining
    return out


def evaluate(runs: list[SynthRun], calibration=None):
    rows: dict[str, dict[str, list]] = {}
    for run in runs:
        finishes = []
        for label, cut in cuts(run).items():
            text = "\n".join(run.lines_until(cut))
            samples = read_text(text).runs["nanoGPT"].samples
            evals = [e.step for e in read_text(text).runs["nanoGPT"].evals]
            truth = run.truth_after(cut)
            if truth <= 0 or len(samples) < 2:
                continue
            try:
                r = estimate(samples[-20000:], EtaConfig(run.max_iters, run.eval_interval,
                                                           run.eval_iters, run.gas), evals,
                             calibration=calibration)
            except Exception as exc:   # an estimator failure is a result, not a crash
                print("estimate failed", run.name, label, exc)
                continue
            rem = run.max_iters - run.iters[cut]
            row = rows.setdefault(label, {})
            if run.shift_at is not None and run.iters[cut] >= run.shift_at + run.max_iters // 10:
                rows.setdefault("warning", {}).setdefault("fired", []).append("level_shift" in r.flags)
            row.setdefault("advisor", []).append(r.remaining_s / truth - 1)
            row.setdefault("covered", []).append(r.low_s <= truth <= r.high_s)
            if label.endswith("%"):
                finishes.append(run.elapsed_until(cut) + r.remaining_s)
            for name, value in baselines(samples, rem, run, cut).items():
                row.setdefault(name, []).append(value / truth - 1)
        if len(finishes) > 1:
            total = run.elapsed_until(run.max_iters)
            rows.setdefault("stability", {}).setdefault("advisor", []).append(
                statistics.pstdev(finishes) / total)
    return rows


def pct(xs, q):
    xs = sorted(abs(x) for x in xs)
    return 100 * xs[min(len(xs) - 1, int(q * len(xs)))]


def report(title: str, rows) -> None:
    print(f"\n== {title}: |error| median / P90 in %, advisor's range coverage")
    names = ["advisor", "last x rem", "mean x rem", "tqdm EMA", "cumulative avg", "rich 30 s", "median 1000"]
    print(f"{'cut':16s}" + "".join(f"{n:>18s}" for n in names) + f"{'coverage':>10s}")
    for label, row in rows.items():
        if label in ("stability", "warning"):
            continue
        cells = "".join(f"{pct(row[n], .5):8.1f} /{pct(row[n], .9):7.1f}" if n in row else f"{'-':>18s}"
                        for n in names)
        cov = 100 * sum(row["covered"]) / len(row["covered"])
        print(f"{label:16s}{cells}{cov:9.0f}%")
    if "warning" in rows:
        fired = rows["warning"]["fired"]
        print(f"level-shift warning on cuts at least 10 % of the run past the shift: "
              f"{100 * sum(fired) / len(fired):.0f} % of {len(fired)}")
    if "stability" in rows:
        st = rows["stability"]["advisor"]
        print(f"finish-time stability (std across cuts / run length), median: {100 * statistics.median(st):.2f} %")


def real_logs() -> None:
    """modded-nanogpt records in ../shared/logs: the timer excludes validation, and the
    last line gives the total train time, so the truth at a cut is total - train_time(cut).
    advisor's generic ETA (steps left x step time, evaluations not counted) is compared with
    the cumulative average the log itself prints (step_avg) and with the last step time."""
    import re
    from advisor.conversation import Conversation
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..",
                        "shared", "logs", "modded-nanogpt")
    if not os.path.isdir(root):
        print("\n(../shared/logs not found: real-log section skipped)")
        return
    know = load_knowledge(data_dir("knowledge"))
    print("\n== real logs (modded-nanogpt records): |error| in % at each cut")
    for name in sorted(os.listdir(root)):
        lines = open(os.path.join(root, name), encoding="utf-8").read().splitlines()
        timed = [(i, int(m.group(1)), float(m.group(2)), float(m.group(3)) if m.group(3) != "nan" else None)
                 for i, line in enumerate(lines)
                 for m in [re.match(r"step:(\d+)/\d+ (?:train_loss:\S+ )?train_time:(\d+)ms step_avg:(\S+?)ms", line)]
                 if m]
        total_ms = timed[-1][2]
        errors = {"advisor": [], "step_avg x rem": [], "last x rem": []}
        for k, (i, step, t_ms, avg) in enumerate(timed):
            if step < 20 or step >= timed[-1][1] or avg is None:
                continue
            s = Conversation(know)
            s.paste("\n".join(lines[:i + 1]))
            try:
                r = eta_answer(s.context()).data["eta"]
            except Exception:
                continue
            truth = (total_ms - t_ms) / 1000
            rem = r.steps_remaining
            prev = timed[k - 1]
            last = (t_ms - prev[2]) / 1000 / max(1, step - prev[1]) if prev[1] < step else None
            errors["advisor"].append(r.remaining_s / truth - 1)
            errors["step_avg x rem"].append(avg / 1000 * rem / truth - 1)
            if last:
                errors["last x rem"].append(last * rem / truth - 1)
        cells = "  ".join(f"{n}: {pct(v, .5):.1f} / {pct(v, .9):.1f} (n={len(v)})" for n, v in errors.items() if v)
        print(f"{name[:48]:48s} {cells}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--real", action="store_true", help="backtest on the recorded real runs")
    ap.add_argument("--half", default="evaluation", choices=("evaluation", "calibration", "all"))
    ap.add_argument("--calibrate-real", metavar="YAML", help="fit the ETA range on the calibration half")
    ap.add_argument("--choose-level", action="store_true", help="score the level methods on the calibration half")
    args = ap.parse_args()
    if args.real or args.calibrate_real or args.choose_level:
        import real_backtest
        if args.calibrate_real:
            real_backtest.calibrate(args.calibrate_real)
        elif args.choose_level:
            real_backtest.choose_level()
        else:
            real_backtest.main(args.half)
        return
    cal = load_knowledge(data_dir("knowledge")).eta_calibration
    for scenario in ("stationary", "drift", "stalls", "resume", "shift"):
        runs = [make_run(seed, scenario) for seed in range(args.runs)]
        report(f"SYNTHETIC {scenario} ({len(runs)} generated runs; not a measure of real accuracy)",
               evaluate(runs, cal))
    real_logs()


if __name__ == "__main__":
    main()
