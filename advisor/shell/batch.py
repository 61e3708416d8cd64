"""Batch mode: files or standard input -> the conversation -> one answer printed (text or
one JSON object). prompt_toolkit is never started here."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from advisor.answers.answer import Answer, Export, Output, Shown
from advisor.answers.registry import QUESTIONS
from advisor.conversation import Conversation
from advisor.errors import AdvisorError
from advisor.read import read_stream
from advisor.read.values import split_assignment
from advisor.render import Renderer, shown_as
from advisor.shell.effects import carry_out_export
from advisor.shell.environment import Environment
from advisor.shell.stream import MAX_READ, MESSAGE_MAX, handle_stream

NOT_SHOWN = ("ack",)                   # a batch answer is the question's, not the acknowledgement


@dataclass
class Printer:
    """Writes answers to stdout: rendered text, or one JSON object each."""
    env: Environment
    render: Renderer
    conv: Conversation
    as_json: bool = False

    def answer(self, answer: Answer, locale: str | None = None) -> None:
        self.answers([(answer, locale or self.conv.locale)])

    def answers(self, shown: list[tuple[Answer, str]]) -> None:
        """Text: each answer, a blank line between them. JSON: one object whatever the count,
        the main answer's, with the others in `also`, in order."""
        if not shown:
            return
        if not self.as_json:
            self.env.stdout.write("\n\n".join(self.render(a, loc) for a, loc in shown) + "\n")
            return
        from advisor.render.json import dumps, facts_of, json_object  # lazy: only --json needs it
        ctx = self.conv.context()
        objects = [json_object(a, loc, self.render(a, loc), facts_of(a, ctx)) for a, loc in shown]
        main = objects.pop(main_answer([a for a, _ in shown]))
        if objects:
            main["also"] = objects
        self.env.stdout.write(dumps(main) + "\n")


def main_answer(answers: list[Answer]) -> int:
    """Which answer a --json reader gets at the top: the last answer to a question, else the
    last that is not about the conversation itself (a notice, the language), else the last
    that is not an error, else the first error."""
    for wanted in (lambda a: a.question and not a.error, lambda a: not a.error and not a.meta,
                   lambda a: not a.error):
        found = [i for i, a in enumerate(answers) if wanted(a)]
        if found:
            return found[-1]
    return 0


def apply_sets(conv: Conversation, sets: list[str]) -> None:
    """--set KEY=VALUE, in order: the command line has the last word over the log."""
    for item in sets:
        pair = split_assignment(item)
        if pair is None:
            raise AdvisorError("set_syntax", text=item)
        conv.set_fact(pair[0], pair[1], "cli")


def readable_log(mode: int) -> bool:
    """A regular file, or a pipe (`advisor eta <(zcat train.log.gz)`); never a device."""
    return stat.S_ISREG(mode) or stat.S_ISFIFO(mode)


def read_sources(env: Environment, conv: Conversation, files: list[str]) -> bool:
    """Read the files (or stdin) as streams, in bounded memory; whether any had text."""
    seen_text = False
    for name in files or [None]:
        try:
            if name is None:
                rep = read_stream(env.stdin_binary(), limit=MAX_READ, specs=conv.knowledge.trainers)
            else:
                with open(name, "rb") as fh:
                    if not readable_log(os.fstat(fh.fileno()).st_mode):
                        raise AdvisorError("not_a_file", file=name)
                    rep = read_stream(fh, limit=MAX_READ, specs=conv.knowledge.trainers)
        except IsADirectoryError:
            raise AdvisorError("not_a_file", file=name) from None
        except OSError:
            raise AdvisorError("read_error", file=name or "-") from None
        seen_text = seen_text or rep.n_content > 0
        conv.add_report(rep, origin="paste" if name is None else "log", file=name)
    return seen_text


def question(env: Environment, conv: Conversation, printer: Printer, name: str, files: list[str],
             sets: list[str], whatif: str | None = None) -> int:
    """`advisor NAME [FILE ...]`: the registry's question NAME about what was read."""
    q = QUESTIONS[name]
    if not files and env.stdin_isatty and not q.settings_suffice:
        raise AdvisorError("empty_input")
    seen_text = read_sources(env, conv, files) if files or not env.stdin_isatty else False
    if not (seen_text or q.settings_suffice):
        raise AdvisorError("empty_input")
    apply_sets(conv, sets)
    ctx = conv.context()
    answer = QUESTIONS["whatif"].answer(ctx, whatif) if whatif else q.answer(ctx, "")
    printer.answer(answer)
    return 0


def compare(env: Environment, conv: Conversation, printer: Printer, files: list[str],
            sets: list[str]) -> int:
    """Two logs or configs, each read on its own; --set holds for both."""
    if len(files) != 2:
        raise AdvisorError("compare_needs_two", have=len(files))
    sides = []
    for name in files:
        one = Conversation(conv.knowledge, conv.locale, conv.clock)
        read_sources(env, one, [name])
        apply_sets(one, sets)
        sides.append(one.context())
    from advisor.answers.compare import compare_runs     # lazy: only `compare A B` needs it
    printer.answer(compare_runs(sides[0], sides[1], labels=tuple(files)))
    return 0


def message(env: Environment, conv: Conversation, printer: Printer, export: str | None = None) -> int:
    """stdin is not a terminal: read it as one message, print its answers; `export`: then
    write the conversation to that new Markdown file (--export FILE.md)."""
    stdin = env.stdin_binary()
    first = stdin.read(MESSAGE_MAX + 1)
    if not first.strip():
        raise AdvisorError("empty_input")
    if len(first) > MESSAGE_MAX:
        outputs = handle_stream(conv, first, stdin)
    else:
        outputs = conv.handle(first.decode("utf-8", errors="replace"), typed=False)
    shown = _shown(conv, outputs, printer.render)
    if export is not None:
        shown.append((carry_out_export(Export(export, len(conv.transcript)), conv, printer.render),
                      conv.locale))
    printer.answers(shown)
    return 2 if any(a.error for a, _ in shown) else 0


def _shown(conv: Conversation, outputs: list[Output], render) -> list[tuple[Answer, str]]:
    """What a batch message shows: its answers (an export carried out), and the time left
    when it was a paste with no question."""
    outputs = [carry_out_export(o, conv, render) if isinstance(o, Export) else o for o in outputs]
    answers = [a for a in outputs if isinstance(a, Answer)]
    pasted = any(a.kind in ("ack", "not_understood") for a in answers)
    shown = [s for s in (shown_as(o, conv.locale) for o in outputs)
             if s is not None and s[0].kind not in NOT_SHOWN]
    asked = any(a.question for a in answers) or any(isinstance(o, Shown) for o in outputs)
    if pasted and not asked:
        try:
            shown.append((QUESTIONS["eta"].answer(conv.context(), ""), conv.locale))
        except AdvisorError as exc:           # "not understood" already says what is missing
            if not (exc.code == "no_iterations" and any(a.kind == "not_understood" for a in answers)):
                shown.append((Answer.from_error(exc), conv.locale))
    return shown
