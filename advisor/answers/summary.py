"""What was read of one trainer's run, as plain data for answers and JSON."""

from __future__ import annotations

from advisor.read.logs import Run, steps_summary


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
