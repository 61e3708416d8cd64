"""What the advice rules can see: named facts computed from a context (pure), each with the
facts it rests on, so an answer can say which were assumed (nanoGPT's defaults) rather than
given or read. The names are in names.py; the log, model and GPU halves in log.py, size.py
and gpu.py."""

from __future__ import annotations

from advisor.advise.signals.gpu import gpu_signals
from advisor.advise.signals.log import log_signals
from advisor.advise.signals.names import CONFIG_KEYS, Signal, Signals, log_fact
from advisor.advise.signals.size import size_signals
from advisor.compute.context import Context


def gather(ctx: Context) -> dict[str, Signal]:
    out = Signals()
    oom = ctx.log.system.get("oom")                                 # anything pasted so far
    out.put("oom_seen", oom is not None)
    if oom is not None:
        out.put("oom_line", oom[1], log_fact("oom", oom[0], oom[1]))
    for key in CONFIG_KEYS:
        fact = ctx.resolve(key)
        if fact is not None:
            out.put(key, fact.value, fact)
    given = [ctx.given(k) for k in ("batch_size", "gradient_accumulation_steps")]
    out.put("batch_given", all(f is not None for f in given), *[f for f in given if f])
    run = ctx.main_run()
    if run is not None:
        out.put("trainer", run.trainer, log_fact("trainer", run.trainer, run.first_line))
        log_signals(ctx, run, out)
    size_signals(ctx, run, out)
    gpu_signals(ctx, run, out)
    return dict(out)
