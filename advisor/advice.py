"""The advise question: the session's facts -> signals -> rules -> a ranked Answer (pure).

Every item carries the numbers its template shows (the signals) and the facts it assumed;
rules that could not be checked say which facts would let them run."""

from __future__ import annotations

from advisor import rules as rules_mod
from advisor import signals as signals_mod
from advisor.answers import Answer
from advisor.errors import AdvisorError

# What a user can give so that a missing signal can be computed.
_NEEDS = (
    (("mem_", "batch_suggested", "accum_suggested"),
     ("gpu", "n_layer", "n_embd", "batch_size", "gradient_accumulation_steps")),
    (("mfu_printed",), ("log",)),
    (("mfu", "step_at_typical"), ("gpu", "n_layer", "n_embd", "log")),
    (("gpu", "peak_tflops", "bf16_fix", "tf32_speedup"), ("gpu",)),
    (("params", "flops_per_token", "tokens_per_iter", "micro_tokens", "lr_"), ("n_layer", "n_embd")),
    (("epochs", "dataset_tokens"), ("dataset_tokens",)),
    (("steps_remaining", "remaining_s", "evals_remaining", "eval_saved", "stall_saved"), ("max_iters", "log")),
)


def needs(name: str) -> tuple[str, ...]:
    for prefixes, keys in _NEEDS:
        if name.startswith(prefixes):
            return keys
    return ("log",)


def advise_answer(session) -> Answer:
    if session.log.main_run() is None and not session.store.facts and not session.log.system:
        raise AdvisorError("advise_empty")
    sig = signals_mod.gather(session)
    values = {k: s.value for k, s in sig.items()}
    outcomes = rules_mod.run(session.knowledge.rules, values)
    items, quiet, unchecked = [], [], []
    run = session.log.main_run()
    has_steps = run is not None and len(run.samples) > 0
    for o in outcomes:
        if o.state == "fired":
            assumed = {}
            for name in o.rule.names | o.rule.shows:
                for f in sig[name].assumed if name in sig else ():
                    assumed.setdefault(f.key, f)
            items.append({"id": o.rule.id, "advice": o.rule.advice, "severity": o.rule.severity,
                          "source": o.rule.source, "gain": o.gain,
                          "checks": {c.id: c.state for c in o.checks},
                          "assumed": sorted(assumed.values(), key=lambda f: f.key)})
        elif o.state == "silent":
            quiet.append(o.rule.id)
        else:
            wanted = {k for n in o.missing for k in needs(n)}
            keys = sorted(k for k in wanted if k == "log" or session.store.get(k) is None) or sorted(wanted)
            if "log" in keys and has_steps:       # a log is there: it says too little for this rule
                keys = [k if k != "log" else "more_lines" for k in keys]
            unchecked.append({"id": o.rule.id, "needs": keys})
    return Answer("advise", {"advice": items, "quiet": quiet, "unchecked": unchecked, "s": values,
                             "used": [f for sg in sig.values() for f in sg.inputs]}, question=True)
