"""Slash commands: a registry of name -> handler (litecli's special-command style).
Each handler takes the session and the argument text and returns answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from advisor.answers import Answer
from advisor.errors import AdvisorError
from advisor.facts import FactStore
from advisor.logs import LogReport
from advisor.session import LOCALES, Session
from advisor.values import split_assignment


@dataclass
class Command:
    name: str
    handler: Callable[["Session", str], list[Answer]]
    args: tuple[str, ...] = ()      # completions for the argument


COMMANDS: dict[str, Command] = {}


def command(name: str, args: tuple[str, ...] = ()):
    def register(fn):
        COMMANDS[name] = Command(name, fn, args)
        return fn
    return register


def is_command(line: str) -> bool:
    word = line.strip().split(" ", 1)[0].lower()
    return word.startswith("/") and len(word) > 1 and word[1:].isalpha()


# ---- the commands ------------------------------------------------------------------------
@command("/eta")
def _eta(s: Session, arg: str) -> list[Answer]:
    return [s.eta()]


@command("/plan")
def _plan(s: Session, arg: str) -> list[Answer]:
    from advisor.planner import plan_answer
    return [plan_answer(s)]


@command("/advise")
def _advise(s: Session, arg: str) -> list[Answer]:
    from advisor.advice import advise_answer
    return [advise_answer(s)]


@command("/compare")
def _compare(s: Session, arg: str) -> list[Answer]:
    return [s.compare()]


TERMS = ("mfu", "tokens_per_iter", "gradient_accumulation", "warmup", "eval_interval")


@command("/explain", args=TERMS)
def _explain(s: Session, arg: str) -> list[Answer]:
    if arg:
        from advisor.questions import term_answer
        term = arg.strip().lower().replace("-", "_")
        term = {"warm_up": "warmup", "gradient_accumulation_steps": "gradient_accumulation",
                "tokens_per_iteration": "tokens_per_iter"}.get(term, term)
        if term not in TERMS:
            raise AdvisorError("unknown_term", term=arg.strip(), terms=list(TERMS))
        return [term_answer(s, term)]
    last = s.last_answer
    if last is None or last.kind != "plan":
        from advisor.planner import plan_answer
        last = plan_answer(s)
    from advisor import memory, plan
    consts = {"k_eager": memory.K_EAGER, "k_compile": memory.K_COMPILE, "k_fp32": memory.K_FP32,
              "kce_eager": memory.K_CE_EAGER, "kce_compile": memory.K_CE_COMPILE,
              "kce_fp32": memory.K_CE_FP32, "frag": memory.FRAGMENTATION,
              "ctx_gib": memory.CUDA_CONTEXT / memory.GIB, "a100": plan.A100_BF16_TFLOPS,
              "draw_low": 0.7, "draw_high": 0.9}
    return [Answer("explain", {**last.data, "consts": consts}, question=True)]


@command("/whatif")
def _whatif(s: Session, arg: str) -> list[Answer]:
    return [s.whatif(arg)]


@command("/set")
def _set(s: Session, arg: str) -> list[Answer]:
    pair = split_assignment(arg) if arg else None
    if pair is None:
        raise AdvisorError("set_syntax", text=arg)
    fact = s.set_fact(pair[0], pair[1], "repl")
    return [Answer("set", {"fact": fact})]


@command("/lang", args=LOCALES)
def _lang(s: Session, arg: str) -> list[Answer]:
    if arg:
        s.locale = check_locale(arg)
        s.locale_fixed = True
    return [Answer("lang", {"locale": s.locale})]


@command("/regen", args=LOCALES)
def _regen(s: Session, arg: str) -> list[Answer]:
    if s.last_answer is None:
        raise AdvisorError("nothing_to_regen")
    locale = check_locale(arg) if arg else s.locale
    return [Answer("regen", {"answer": s.last_answer, "locale": locale})]


@command("/facts")
def _facts(s: Session, arg: str) -> list[Answer]:
    return [s.facts_answer()]


@command("/example")
def _example(s: Session, arg: str) -> list[Answer]:
    ex = next(iter(s.knowledge.examples.values()))
    scratch = Session(s.knowledge, s.locale, s.clock)
    scratch.paste(ex.paste)
    answer = scratch.eta()
    lines = [line for line in ex.paste.splitlines() if line.strip()]
    return [Answer("example", {"paste_head": lines[:3] + ["..."] + lines[-3:],
                               "lines": len(lines), "answer": answer}, question=True)]


@command("/reset")
def _reset(s: Session, arg: str) -> list[Answer]:
    s.store = FactStore()
    s.log = LogReport()
    s.pastes = []
    s.reports = []
    s.last_answer = None
    return [Answer("reset")]


@command("/undo")
def _undo(s: Session, arg: str) -> list[Answer]:
    return [s.undo()]


@command("/export")
def _export(s: Session, arg: str) -> list[Answer]:
    """The shell writes the file (the core never does): this says where."""
    path = arg.strip()
    if not path:
        raise AdvisorError("export_syntax")
    return [Answer("export", {"path": path, "turns": len(s.transcript)})]


@command("/paste")
def _paste(s: Session, arg: str) -> list[Answer]:
    """In the REPL, /paste collects lines until a lone '.'; elsewhere there is nothing to do."""
    return [Answer("paste_hint")]


@command("/help")
def _help(s: Session, arg: str) -> list[Answer]:
    return [Answer("help", {"commands": sorted(COMMANDS)})]


@command("/quit")
def _quit(s: Session, arg: str) -> list[Answer]:
    return [Answer("quit")]


def check_locale(text: str) -> str:
    code = text.strip().lower().replace("-", "_").split("_")[0]
    if code not in LOCALES:
        raise AdvisorError("unknown_lang", lang=text.strip(), supported=list(LOCALES))
    return code
