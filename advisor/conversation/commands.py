"""Slash commands: a registry of name -> handler (litecli's special-command style). The
questions' commands come from answers.registry; the ones here change the conversation's
state. The shell adds its own (/export, /paste, /quit) to the table it hands over."""

from __future__ import annotations

from typing import Callable, NamedTuple

from advisor.answers.answer import Answer, Output, Shown
from advisor.answers.registry import QUESTIONS, Question
from advisor.conversation.state import State
from advisor.errors import AdvisorError
from advisor.locales import SUPPORTED, check_locale
from advisor.read.values import split_assignment


class Command(NamedTuple):
    name: str
    handler: Callable[[State, str], list[Output]]
    args: tuple[str, ...] = ()      # completions for the argument
    snapshot: bool = True           # the state before it is kept for /undo (not for /undo itself)


def help_answer(table: dict) -> Answer:
    return Answer("help", {"commands": sorted(table)}, meta=True)


def _question(q: Question) -> Command:
    def handler(conv: State, arg: str) -> list[Output]:
        return [q.answer(conv.context(), arg)]
    return Command("/" + q.name, handler, q.args)


def _set(conv: State, arg: str) -> list[Output]:
    pair = split_assignment(arg) if arg else None
    if pair is None:
        raise AdvisorError("set_syntax", text=arg)
    return [Answer("set", {"fact": conv.set_fact(pair[0], pair[1], "repl")})]


def _lang(conv: State, arg: str) -> list[Output]:
    if arg:
        conv.locale = check_locale(arg)
        conv.locale_fixed = True
    return [Answer("lang", {"locale": conv.locale}, meta=True)]


def _regen(conv: State, arg: str) -> list[Output]:
    if conv.last_answer is None:
        raise AdvisorError("nothing_to_regen")
    return [Shown(conv.last_answer, check_locale(arg) if arg else conv.locale)]


def _reset(conv: State, arg: str) -> list[Output]:
    conv.reset()
    return [Answer("reset")]


def _undo(conv: State, arg: str) -> list[Output]:
    return [conv.undo()]


def _help(conv: State, arg: str) -> list[Output]:
    return [help_answer(conv.commands)]


COMMANDS: dict[str, Command] = {c.name: c for c in (
    *(_question(q) for q in QUESTIONS.values() if q.command),
    Command("/set", _set),
    Command("/lang", _lang, SUPPORTED),
    Command("/regen", _regen, SUPPORTED),
    Command("/reset", _reset),
    Command("/undo", _undo, snapshot=False),
    Command("/help", _help),
)}
