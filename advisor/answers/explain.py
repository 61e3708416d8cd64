"""/explain: the plan's formulas with the user's numbers and the constants the code uses,
or one term (MFU, tokens per iteration, ...) explained with the user's numbers (pure)."""

from __future__ import annotations

from advisor.answers.answer import Answer
from advisor.answers.facts import term_answer
from advisor.answers.plan import plan_answer
from advisor.answers.registry import TERMS
from advisor.compute import memory, sizing
from advisor.compute.context import Context
from advisor.errors import AdvisorError

# other spellings of a term's name, as typed after /explain
TERM_SPELLINGS = {"warm_up": "warmup", "gradient_accumulation_steps": "gradient_accumulation",
                  "tokens_per_iteration": "tokens_per_iter"}


def term_name(text: str) -> str:
    """'warm-up' -> 'warmup'; AdvisorError('unknown_term') for a term not explained."""
    term = text.strip().lower().replace("-", "_")
    term = TERM_SPELLINGS.get(term, term)
    if term not in TERMS:
        raise AdvisorError("unknown_term", term=text.strip(), terms=list(TERMS))
    return term


def explain_answer(ctx: Context, arg: str = "") -> Answer:
    if arg.strip():
        return term_answer(ctx, term_name(arg))
    plan = plan_answer(ctx)
    consts = {"k_eager": memory.K_EAGER, "k_compile": memory.K_COMPILE, "k_fp32": memory.K_FP32,
              "kce_eager": memory.K_CE_EAGER, "kce_compile": memory.K_CE_COMPILE,
              "kce_fp32": memory.K_CE_FP32, "frag": memory.FRAGMENTATION,
              "ctx_gib": memory.CUDA_CONTEXT / memory.GIB, "a100": sizing.A100_BF16_TFLOPS,
              "draw_low": sizing.DRAW_LOW, "draw_high": sizing.DRAW_HIGH}
    return Answer("explain", {**plan.data, "consts": consts}, question=True)
