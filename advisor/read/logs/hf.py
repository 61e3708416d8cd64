"""HF Trainer (console bar, dict lines, the `***** Running training *****` header, notebook
progress), axolotl, unsloth, TRL, ms-swift, and PyTorch Lightning's epoch bars.

tqdm prints `n/total [elapsed<remaining, rate]`; the rate is an EMA (alpha 0.3) and flips
between it/s and s/it; HF's bar counts optimizer steps; Lightning's counts batches of the
current epoch (log-formats.md sections 1-3).
"""

from __future__ import annotations

import re

from advisor.read.logs.fields import dhms, hms, integer, num, py_dict
from advisor.read.logs.runs import DT_RATE, EvalLine, LogReport
from advisor.read.logs.steps import Sample

# tqdm's bar as terminals, notebooks and log files leave it: the bar column may be missing
# (`label: 45% 450/1000 [...]`), the end cut off by the terminal's width or by a message
# printed over it (no `]`, the unit cut to `s/i`); a bar without a total counts `5it [...]`.
_BAR = re.compile(
    r"^(?P<label>[A-Za-z][\w .-]{0,40}?:)?\s{0,4}(?P<pct>\d{1,3})%(?:\|[^|]{0,400}\||\s)\s{0,4}"
    r"(?P<n>\d{1,12})/(?P<total>\d{1,12}|\?)\s{0,4}(?:\[(?P<elapsed>[\d:]{1,12})(?:<(?P<remaining>[\d:?]{1,12}))?"
    r"(?:,\s{0,4}(?:(?P<rate>\d{1,12}(?:\.\d{1,8})?|\?)\s?(?P<unit>s/it|it/s|s/ba|ba/s|s/i|s/|it/|it|s)?)?"
    r"(?P<post>[^\]]{0,400})(?P<close>\])?)?)?")
_BAR_NO_TOTAL = re.compile(
    r"^(?P<label>[A-Za-z][\w .-]{0,40}?:)?\s{0,4}(?P<n>\d{1,12})it \[(?P<elapsed>[\d:]{1,12})"
    r"(?:,\s{0,4}(?:(?P<rate>\d{1,12}(?:\.\d{1,8})?|\?)\s?(?P<unit>s/it|it/s|s/ba|ba/s|s/i|s/|it/|it|s)?)?"
    r"(?P<post>[^\]]{0,400})(?P<close>\])?)?")
# labels of the other bars a training screen carries: checkpoint writes, data preparation
_NOT_TRAINING = re.compile(r"shard|load|writ|sav|map|token|generat|download|fetch|eval|process|"
                           r"filter|convert|pack|upload|predict|test", re.I)
_NOTEBOOK = re.compile(
    r"^\[\s{0,8}(\d{1,12})/(\d{1,12}) ([\d:]{1,12}) < ([\d:]{1,12}), ([\d.]{1,20}) it/s(?:, (.{0,200}))?\]")
_HEADER = re.compile(r"^(Num examples|Num Epochs|Instantaneous batch size per device|"
                     r"Total train batch size \(w\. parallel, distributed & accumulation\)|"
                     r"Gradient Accumulation steps|Total optimization steps|"
                     r"Number of trainable parameters) = ([\d,]{1,20})$")
_UNSLOTH = re.compile(r"(Total steps|Batch size per device|Gradient accumulation steps|"
                      r"Num examples|Data Parallel GPUs) = ([\d,]{1,20})")
_HEADER_KEYS = {
    "Num examples": "num_examples", "Num Epochs": "num_epochs",
    "Instantaneous batch size per device": "batch_size",
    "Total train batch size (w. parallel, distributed & accumulation)": "total_batch_size",
    "Gradient Accumulation steps": "gradient_accumulation_steps",
    "Total optimization steps": "total_steps", "Number of trainable parameters": "params",
    "Total steps": "total_steps", "Batch size per device": "batch_size",
    "Gradient accumulation steps": "gradient_accumulation_steps", "Data Parallel GPUs": "num_gpus",
}


def _hf_name(rep: LogReport) -> str:
    """One HF-family run per paste; its name says which wrapper printed it."""
    for name in ("ms-swift", "unsloth", "axolotl", "TRL", "HF Trainer"):
        if name in rep.runs:
            return name
    return "HF Trainer"


def _rename(rep: LogReport, new: str, n: int):
    old = next((k for k in ("HF Trainer", "TRL", "axolotl", "unsloth", "ms-swift") if k in rep.runs), None)
    if old and old != new and _RANK[new] > _RANK[old]:
        run = rep.runs.pop(old)
        run.trainer = new
        rep.runs[new] = run
    return rep.run(_hf_name(rep) if old else new, n)


_RANK = {"HF Trainer": 0, "TRL": 1, "axolotl": 2, "unsloth": 3, "ms-swift": 4}


def tqdm_bar(line: str, n: int, ts, rep: LogReport) -> bool:
    if "%" in line:
        m = _BAR.match(line)
        total = integer(m.group("total")) if m and m.group("total") != "?" else None
    elif "it [" in line:
        m, total = _BAR_NO_TOTAL.match(line), None
    else:
        return False
    if not m:
        return False
    label = (m.group("label") or "").rstrip(":").strip()
    step = int(m.group("n"))
    if step == 0 and total is None:
        return True                                    # a bar not started: 'Training: 0it [00:00, ?it/s]'
    dt = bar_seconds(num(m.group("rate")), m.group("unit"))
    if label.startswith("Validation") or label.startswith("Testing") or label.startswith("Predicting"):
        return True                                    # Lightning validation bar: eval progress
    if label.startswith("Epoch"):
        run = rep.run("PyTorch Lightning", n)
        run.variant = "tqdm"
        run.step_base = 1                              # a bar counts the batches done
        epoch = integer(label.split()[1]) if len(label.split()) > 1 else None
        run.record("epoch", epoch, n)
        run.record("batches_per_epoch", total, n)
        post = _postfix(m.group("post"))
        run.add(Sample(step, dt, num(post.get("loss") or post.get("train_loss")),
                                  None, n, ts))
    else:
        run = _rename(rep, "ms-swift", n) if label == "Train" else rep.run(_hf_name(rep), n)
        known = run.printed.get("total_steps")
        if label and label != "Train" and _NOT_TRAINING.search(label):
            return True                                # 'Writing model shards: 100%| 1/1 ...'
        if known and total is not None and known[0] != total:
            return True                                # HF's unlabelled evaluation bar
        if "train_runtime_s" in run.printed and not label:
            return True                                # a bar after the training summary
        run.step_base = 1
        run.record("total_steps", total, n)
        run.add(Sample(step, dt, None, None, n, ts))
    run.dt_kind = DT_RATE
    elapsed = hms(m.group("elapsed")) if m.group("elapsed") else None
    if elapsed and step > 0:                           # the bar's clock: evaluations included
        run.record("bar_clock", (step, elapsed, dt), n)
    if total is not None and m.group("remaining") and "?" not in m.group("remaining") and m.group("rate"):
        run.record("printed_remaining_s", hms(m.group("remaining")), n)
    rest = line[m.end():].strip()
    post = m.group("post") or ""
    if not m.group("close") and "{" in post:
        rest = post[post.index("{"):]   # the bar's end overwritten by a log line
    if rest.startswith("{"):            # a log line printed over the bar's (stdout beside stderr)
        hf_dict(rest, n, ts, rep)
    return True


def bar_seconds(rate: float | None, unit: str | None) -> float | None:
    """Seconds per step from tqdm's rate, whose unit flips between it/s and s/it (a unit
    cut by the terminal's width is read from what is left of it)."""
    if not rate or not unit:
        return None
    return rate if unit.startswith("s") else 1.0 / rate


def _postfix(text: str) -> dict[str, str]:
    out = {}
    for part in (text or "").split(","):
        k, _, v = part.partition("=")
        if v:
            out[k.strip()] = v.strip()
    return out


def notebook(line: str, n: int, ts, rep: LogReport) -> bool:
    if not line.startswith("["):
        return False
    m = _NOTEBOOK.match(line)
    if not m:
        return False
    run = rep.run(_hf_name(rep), n)
    run.variant, run.dt_kind, run.step_base = "notebook", DT_RATE, 1
    run.record("total_steps", int(m.group(2)), n)
    run.record("printed_remaining_s", hms(m.group(4)), n)
    rate = num(m.group(5))
    run.add(Sample(int(m.group(1)), 1.0 / rate if rate else None, None, None, n, ts))
    return True


def hf_dict(line: str, n: int, ts, rep: LogReport) -> bool:
    if not (line.startswith("{") and line.endswith("}")):
        return False
    d = py_dict(line)
    if not d:
        return False
    if "num_tokens" in d or "mean_token_accuracy" in d:
        run = _rename(rep, "TRL", n)
    elif "global_step/max_steps" in d:
        run = _rename(rep, "ms-swift", n)
    elif any(k.startswith("memory/") for k in d):
        run = _rename(rep, "axolotl", n)
    else:
        run = rep.run(_hf_name(rep), n)
    run.step_base = 1
    if "global_step/max_steps" in d:
        done, _, total = str(d["global_step/max_steps"]).partition("/")
        run.record("total_steps", integer(total), n)
        # train_speed(iter/s) averages evaluations in: the bar's rate is the step time
        run.record("train_speed_with_evals", num(d.get("train_speed(iter/s)")), n)
        run.add(Sample(integer(done) or 0, None,
                                  num(d.get("loss")), None, n, ts, None,
                                  num(d.get("learning_rate")), num(d.get("grad_norm"))))
        if "remaining_time" in d:
            run.record("printed_remaining", str(d["remaining_time"]), n)
            run.record("printed_remaining_s", dhms(str(d["remaining_time"])), n)
        if "memory(GiB)" in d:
            run.record("memory_gib", num(d["memory(GiB)"]), n)
        return True
    if "eval_loss" in d:
        step = run.samples[-1].iter if run.samples else 0
        run.evals.append(EvalLine(step, None, num(d["eval_loss"]), n, num(d.get("eval_runtime")),
                                  num(d.get("epoch"))))
        return True
    if "train_runtime" in d:
        run.record("train_runtime_s", num(d["train_runtime"]), n)
        run.record("train_steps_per_second", num(d.get("train_steps_per_second")), n)
        return True
    if "loss" in d:
        run.record("last_epoch", num(d.get("epoch")), n)
        if run.samples and num(d.get("epoch")):
            # steps per epoch, to place the evaluations: a screen can only have lost bar
            # updates before a log line (the bar reaches a step before its line prints), so
            # the largest ratio is the truest
            ratio = run.samples[-1].iter / num(d["epoch"])
            if ratio > run.printed.get("steps_per_epoch", (0.0, 0))[0]:
                run.record("steps_per_epoch", ratio, n)
        run.record("last_loss", num(d["loss"]), n)
        run.record("last_lr", num(d.get("learning_rate")), n)
        run.record("last_grad_norm", num(d.get("grad_norm")), n)
        if "num_tokens" in d:
            run.record("num_tokens", num(d["num_tokens"]), n)
        for k, v in d.items():
            if k.startswith("memory/"):
                run.record(k, num(v), n)
        return True
    return False


def hf_header(line: str, n: int, ts, rep: LogReport) -> bool:
    if line.startswith("***** Running training"):
        rep.run(_hf_name(rep), n).variant = "trainer"
        return True
    m = _HEADER.match(line)
    if m:
        rep.run(_hf_name(rep), n).record(_HEADER_KEYS[m.group(1)], integer(m.group(2)), n)
        return True
    if " = " in line and ("Total steps" in line or "Batch size per device" in line
                          or "Data Parallel GPUs" in line):
        found = _UNSLOTH.findall(line)
        if not found:
            return False
        run = _rename(rep, "unsloth", n)
        for key, value in found:
            run.record(_HEADER_KEYS[key], integer(value), n)
        return True
    return False


FORMATS = [tqdm_bar, notebook, hf_dict, hf_header]
