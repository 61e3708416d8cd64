"""One message -> its outputs: command lines run through the table the shell handed over,
questions in plain words are answered through the same registry as the commands, other
lines are pasted text. Each answer becomes "the last answer" (for /regen) as soon as it is
given; the state before the message is kept for /undo; the message joins the transcript."""

from __future__ import annotations

import difflib

from advisor.answers.answer import Answer, Output
from advisor.answers.registry import QUESTIONS
from advisor.conversation.commands import help_answer
from advisor.conversation.state import State
from advisor.errors import AdvisorError
from advisor.read.gpus import find
from advisor.read.intents import Question, understand
from advisor.read.message import CommandLine, command_line, set_commands_aside, split_questions

NOT_QUESTION_ECHO = 120      # characters of a not-understood question echoed back
COMMAND_ECHO = 80            # characters of a command line found in a paste, echoed back
COMMANDS_SHOWN = 5


def handle(conv: State, text: str, typed: bool = True) -> list[Output]:
    """One message. A slash command runs only when it is the whole message and was typed
    (`typed`: the shell says the keyboard wrote it, not a paste or a pipe); a command line
    inside any other message is data: it is set aside, not run, and the answer says so."""
    single = command_line(text) if typed and "\n" not in text.strip() else None
    cmd = conv.commands.get(single.name) if single else None
    snap = conv.snapshot() if cmd is None or cmd.snapshot else None
    outputs: list[Output] = []
    if single is not None:
        _give(conv, outputs, run_command(conv, single))
    else:
        _data(conv, outputs, text)
    if snap is not None and conv.undo_stack and conv.undo_stack[-1] is snap and conv.unchanged_since(snap):
        conv.undo_stack.pop()          # nothing changed: /undo goes further back
    conv.transcript.append((text, outputs, conv.locale))
    return outputs


def _give(conv: State, outputs: list[Output], new: list[Output]) -> None:
    for out in new:
        if isinstance(out, Answer) and not out.error and not out.meta:
            conv.last_answer = out
    outputs.extend(new)


def _data(conv: State, outputs: list[Output], text: str) -> None:
    """Pasted or piped text: questions at its edges, log lines and settings between them;
    command lines are never run."""
    before = len(outputs)
    commands, lines = set_commands_aside(text)
    if any(line.strip() for line in lines):
        _chunk(conv, outputs, lines)
    if commands:
        outputs.append(Answer("commands_not_run", {
            "commands": [(c.name + " " + c.arg).strip()[:COMMAND_ECHO] for c in commands[:COMMANDS_SHOWN]],
            "count": len(commands)}, meta=True, error=len(outputs) == before))   # all it held


def _chunk(conv: State, outputs: list[Output], lines: list[str]) -> None:
    know = conv.knowledge
    before, body, after = split_questions(lines, know.phrases, conv.locale, know.whatif_keys)
    if any(line.strip() for line in body):          # the pasted lines first: a question at the
        _give(conv, outputs, [conv.paste("\n".join(body))])   # top is about them too
    for q in before + after:
        _give(conv, outputs, ask(conv, q))


def run_command(conv: State, line: CommandLine) -> list[Output]:
    cmd = conv.commands.get(line.name)
    if cmd is None:
        return [Answer.from_error(AdvisorError(
            "unknown_command", command=line.name,
            suggestions=difflib.get_close_matches(line.name, list(conv.commands), n=2)))]
    try:
        return cmd.handler(conv, line.arg)
    except AdvisorError as exc:
        return [Answer.from_error(exc)]


def ask(conv: State, text: str) -> list[Output]:
    know = conv.knowledge
    q = understand(text, know.phrases, conv.locale, know.whatif_keys)
    if q is not None and not conv.locale_fixed:
        conv.locale = q.locale
    if q is None or q.says_nothing or (q.intent == "explain" and q.term is None):
        return [Answer("not_question", {"text": text.strip()[:NOT_QUESTION_ECHO]}, error=True)]
    try:
        return _answer(conv, q, text)
    except AdvisorError as exc:
        return [Answer.from_error(exc)]


def _answer(conv: State, q: Question, text: str) -> list[Output]:
    if q.intent == "whatif":
        return [_whatif(conv, q)]
    out: list[Output] = []
    for key, value in q.stated:            # stated facts are kept, as with /set
        fact = conv.set_fact(key, str(value), "question")
        if q.intent is None:
            out.append(Answer("set", {"fact": fact}))
    if q.intent is None:
        return out + ([_whatif(conv, q)] if q.step_s is not None else [])
    if q.intent == "fit" and conv.store.get("gpu") is None:
        gpu = find(text, conv.knowledge.gpus)     # "will it fit on a 4070?"
        if gpu is not None:
            conv.set_fact("gpu", gpu.display_name, "question")
    ctx = conv.context()
    if q.intent == "help":
        return out + [help_answer(conv.commands)]
    return out + [QUESTIONS[q.intent].answer(ctx, q.term or "")]


def _whatif(conv: State, q: Question) -> Answer:
    ctx = conv.context()
    whatif = QUESTIONS["whatif"].answer
    if q.step_s is not None:
        return whatif(ctx, f"sec_per_step={q.step_s!r}")
    for key, value in q.stated:
        if key in conv.knowledge.whatif_keys:
            return whatif(ctx, f"{key}={value}")
    raise AdvisorError("whatif_syntax", text="")
