"""The time-left answers: the ETA of the run a context is about, and the ETA again with
one thing changed (a what-if), from the same measurement (pure)."""

from __future__ import annotations

from advisor.answers.answer import Answer
from advisor.answers.summary import read_summary, run_summary
from advisor.compute.context import Context
from advisor.compute.eta_inputs import UNSEEN_EVALS_PRIOR, last_line_gap, measure
from advisor.errors import AdvisorError
from advisor.read.facts import canonical_key, parse_fact
from advisor.read.units import step_seconds
from advisor.read.values import split_assignment

STEP_TIME_NAMES = ("sec_per_step", "s_per_step", "step_time", "dt")   # /whatif sec_per_step=0.2


def eta_answer(ctx: Context, arg: str = "") -> Answer:
    m = measure(ctx)
    keys = {f.key for f in m.shaped_by}
    return Answer("eta", {
        "eta": m.result,
        "gap": last_line_gap(ctx, m.run, m.result),
        "run": run_summary(m.run),
        "used": list(m.shaped_by),
        "overrides": [o for o in ctx.facts.overrides if o.key in keys],
        "notes": list(m.notes),
        "bad_time_lines": ctx.log.bad_time_lines,
        "eval_interval": m.eval_interval,
        "eval_iters": m.eval_iters,
        "read": read_summary(ctx.log, m.run),
        "unseen_evals_prior": UNSEEN_EVALS_PRIOR,
        "printed_remaining_s": _printed_remaining(m.run),
    }, question=True)


def _printed_remaining(run) -> float | None:
    """The remaining time the trainer itself printed on the run's last step line."""
    value = run.printed.get("printed_remaining_s")
    if value is None or value[0] is None or value[1] < run.samples[-1].lineno:
        return None
    return float(value[0])


def whatif_answer(ctx: Context, arg: str) -> Answer:
    """The ETA again with one thing changed: another step time, max_iters, eval_interval,
    ... Nothing the user gave is changed: the other value lives in a context of its own."""
    pair = split_assignment(arg) if arg else None
    if pair is None:
        raise AdvisorError("whatif_syntax", text=arg)
    name, raw = pair
    base = measure(ctx).result
    if name.strip().lower() in STEP_TIME_NAMES:
        seconds = step_seconds(raw)
        if seconds is None:
            raise AdvisorError("bad_value", key="sec_per_step", value=raw, reason="number")
        key, value, alt = "sec_per_step", seconds, measure(ctx, sec_per_step=seconds).result
    else:
        know = ctx.knowledge
        allowed = ["sec_per_step"] + sorted(know.whatif_keys)
        if canonical_key(name, know.keys, know.aliases) not in know.whatif_keys:
            raise AdvisorError("whatif_key", key=name, allowed=allowed)
        fact = parse_fact(name, raw, know.keys, know.aliases, ctx.clock, "whatif")
        key, value, alt = fact.key, fact.value, measure(ctx.with_facts(fact)).result
    return Answer("whatif", {"key": key, "value": value, "base": base, "alt": alt,
                             "delta_s": alt.remaining_s - base.remaining_s}, question=True)
