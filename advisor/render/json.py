"""An answer as the one JSON object `--json` prints: the locale, the rendered text (or the
error code and message), every fact the answer rests on, and the answer's own numbers, one
serializer per answer kind (README: JSON contract)."""

from __future__ import annotations

import json
import re
from typing import Callable

from advisor.answers.answer import Answer
from advisor.compute.context import Context
from advisor.read.facts import Fact, Source

GIB = 2 ** 30
# written as \uXXXX escapes, so that no C1 control, bidi override or embedding reaches a
# terminal that shows the JSON (json.dumps escapes C0 controls already; the isolates and
# marks of Arabic answers stay as they are); a parser reads the same text either way
_UNSAFE = re.compile("[\x7f-\x9f\u061c\u2028\u2029\u202a-\u202e\ufeff]")


def facts_of(answer: Answer, ctx: Context) -> list[Fact]:
    """Everything the answer rests on: what was used (defaults included) and what is known,
    and the last step of the run it is about."""
    seen, out = set(), []
    for f in list(answer.data.get("used", [])) + list(ctx.facts.facts.values()):
        if f.key not in seen:
            seen.add(f.key)
            out.append(f)
    run = ctx.main_run()
    if run is not None and run.samples:
        last = run.samples[-1]
        out.append(Fact("last_step", last.iter, Source.LOG, "log", last.lineno))
    return out


def to_json(answer: Answer, locale: str, text: str, facts: list[Fact]) -> str:
    return dumps(json_object(answer, locale, text, facts))


def dumps(obj: dict) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False, indent=2))


def json_object(answer: Answer, locale: str, text: str, facts: list[Fact]) -> dict:
    obj: dict = {"locale": locale}
    if answer.error:
        obj.update(error=answer.data.get("code", answer.kind), message=text)
    else:
        obj["answer"] = text
    obj["facts"] = [f.as_json() for f in facts]
    serializer = SERIALIZERS.get(answer.kind)
    if serializer is not None:
        obj.update(serializer(answer.data))
    return obj


def _eta(d: dict) -> dict:
    eta, gap = d["eta"].as_json(), d["gap"]
    eta.update({"since_last_line_s": gap.since_last_s if gap else None,
                "remaining_from_now_s": gap.left_s if gap else None,
                "status": gap.status if gap else None})
    return {"eta": eta, "run": d["run"]}


def _whatif(d: dict) -> dict:
    alt = d["alt"].as_json()
    return {"eta": d["base"].as_json(),
            "whatif": {"key": d["key"], "value": d["value"], "delta_s": d["delta_s"],
                       **{k: alt[k] for k in ("remaining_s", "low_s", "high_s", "steps_s", "evals_s",
                                              "finish_at")}}}


def _plan(d: dict) -> dict:
    c, p = d["compute"], d["params"]
    out = {"params_reported": p.reported, "params_total": p.total,
           "tokens_per_iter": c.tokens_per_iter, "tokens": c.tokens, "epochs": c.epochs,
           "tokens_per_param": c.tokens_per_param, "flops_per_token": c.flops_per_token,
           "flops_6n": c.flops_6n, "flops": c.flops, "gpu": d["gpu"].name if d["gpu"] else None}
    if d["gpu"] is not None:
        out.update(peak_tflops=d.get("peak_tflops"), peak_kind=d.get("peak_kind"),
                   times=[{"mfu": m, "sec_per_iter": s, "total_s": t} for m, s, t in d["times"]],
                   measured=d["measured"], memory=_memory(d["memory"]), energy=d["energy"])
    return {"plan": out}


def _memory(mem: dict) -> dict:
    return {"process_gib": mem["peak"].process / GIB, "allocated_gib": mem["peak"].allocated / GIB,
            "first_iteration_gib": mem["first"].process / GIB,
            "usable_gib": mem["usable_gib"], "verdict": mem["verdict"],
            "largest_batch": mem["largest_batch"], "gradient_accumulation_steps": mem["accumulation"]}


def _fit(d: dict) -> dict:
    return {"fit": {"memory": _memory(d["memory"]), "gpu": d["gpu"].name}}


def _compare(d: dict) -> dict:
    keys = ("label", "trainer", "sec_per_step", "tokens_per_iter", "tokens_per_s", "micro_s", "mfu",
            "mfu_printed", "params", "flops_per_token", "total_s")
    out = {side: {k: d[side][k] for k in keys} for side in ("a", "b")}
    for side in ("a", "b"):
        curve = d[side]["curve"]
        out[side]["val_losses"] = [{"step": p[0], "tokens": p[1], "elapsed_s": p[2], "val_loss": p[3]}
                                   for p in curve.points] if curve else []
    out["differences"] = {k: [a[0], b[0]] for k, a, b in d["diff"]}
    out.update({k: d[k] for k in ("tokens_ratio", "step_ratio", "flops_ratio", "mfu_kind", "mfu_a",
                                  "mfu_b", "mfu_ratio")})
    et = d["equal_tokens"]
    out["equal_tokens"] = {"tokens": et["tokens"], "val_a": et["a"][3], "val_b": et["b"][3]} if et else None
    out["time_to_loss"] = d["to_loss"]
    return {"compare": out}


def _advise(d: dict) -> dict:
    return {"advice": [{"id": i["id"], "severity": i["severity"], "source": i["source"],
                        "gain": i["gain"], "checks": i["checks"],
                        "assumed": [f.as_json() for f in i["assumed"]]} for i in d["advice"]],
            "checked_quiet": d["quiet"], "not_checked": d["unchecked"], "signals": d["s"]}


def _facts(d: dict) -> dict:
    return {"runs": d["runs"], "system": d["system"]}


SERIALIZERS: dict[str, Callable[[dict], dict]] = {
    "eta": _eta, "whatif": _whatif, "plan": _plan, "fit": _fit, "compare": _compare,
    "advise": _advise, "facts": _facts,
}
