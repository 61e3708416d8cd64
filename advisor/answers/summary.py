"""What was read of one trainer's run, and what of the input was not read whole, as plain
data for answers and JSON."""

from __future__ import annotations

from advisor.read.logs import LogReport, Run, steps_summary
from advisor.read.logs.reader import MAX_LINE


def run_summary(run: Run) -> dict:
    return {
        "trainer": run.trainer, "variant": run.variant, "dt_kind": run.dt_kind,
        "step_base": run.step_base, "mfu_peak": run.mfu_peak,
        "samples": len(run.samples), "evals": len(run.evals),
        "checkpoints": len(run.checkpoint_steps),
        "first_line": run.first_line, "last_line": run.last_line,
        "facts": {k: v[0] for k, v in run.printed.items()},
        **steps_summary(run),
    }


def read_summary(log: LogReport, run: Run | None) -> dict:
    """What of the input was not read whole, for the answer to say: a stream cut at its
    cap, overlong lines read by their end, older step lines set aside."""
    return {"limit": log.read_limit, "truncated": log.n_truncated, "max_line": MAX_LINE,
            "set_aside": run.samples.dropped if run is not None else 0,
            "kept": run.samples.cap if run is not None else 0}
