"""The interactive loop (prompt_toolkit). No logic here: the conversation handles each
message; the loop shows the answers and carries out what the shell's own commands ask.

Multi-line pastes arrive as one message through bracketed paste; Esc-Enter inserts a
newline; Ctrl-C clears the input; Ctrl-D or /quit leaves."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import ColorDepth

from advisor.answers.answer import Answer, Export, PasteMode, Quit
from advisor.compute.eta_result import EtaResult
from advisor.conversation import Conversation
from advisor.render import Renderer, shown_as
from advisor.render.chart import step_chart
from advisor.shell.crash import report_crash
from advisor.read.intents import is_yes
from advisor.shell.effects import carry_out_export, command_table, export_needs_confirmation
from advisor.shell.environment import Environment, renderer_for
from advisor.shell.paths import crash_file, history_file

PASTE_END = "."


class SlashCompleter(Completer):
    """Complete `/la` -> `/lang`, `/lang a` -> `ar`, `/set max` -> `max_iters=`, only at
    the start of the input. `commands`: the table handed to the conversation; `keys` and
    `whatif`: the keys /set and /whatif take."""

    def __init__(self, commands=None, keys=(), whatif=()):
        table = command_table() if commands is None else commands
        self.values = {name: tuple(cmd.args) for name, cmd in table.items()}
        if "/set" in self.values:
            self.values["/set"] = tuple(k + "=" for k in sorted(keys))
        if "/whatif" in self.values:
            self.values["/whatif"] = tuple(k + "=" for k in sorted(whatif))

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        text = document.text_before_cursor
        if not text.startswith("/") or "\n" in text:
            return
        if " " not in text:
            for name in sorted(self.values):
                if name.startswith(text.lower()):
                    yield Completion(name, start_position=-len(text))
            return
        name, _, arg = text.partition(" ")
        values = self.values.get(name.lower())
        if values is None or " " in arg or "=" in arg:
            return
        for value in values:
            if value.startswith(arg.lower()):
                yield Completion(value, start_position=-len(arg))


class Typing:
    """Whether the message being edited was pasted (bracketed paste): a pasted message is
    data, and a slash command in it never runs."""

    def __init__(self):
        self.pasted = False


def key_bindings(typing: Typing | None = None) -> KeyBindings:
    kb = KeyBindings()

    @kb.add("escape", "enter")
    def _newline(event):
        event.current_buffer.insert_text("\n")

    @kb.add(Keys.BracketedPaste)
    def _paste(event):
        if typing is not None:
            typing.pasted = True
        event.current_buffer.insert_text(event.data.replace("\r\n", "\n").replace("\r", "\n"))

    return kb


def make_history(environ) -> History:
    """The history keeps every message, pastes included: readable by this user alone (the
    folder 0700, the file 0600, made so and made so again if they were not)."""
    path = history_file(environ)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600))
        os.chmod(path, 0o600)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def toolbar_text(conv: Conversation, render=Renderer()) -> str:
    """The bottom line: language, how much is known, the keys to remember."""
    steps = sum(len(r.samples) for r in conv.log.runs.values())
    data = {"locale": conv.locale, "facts": len(conv.store.facts), "steps": steps}
    return render(Answer("toolbar", data), conv.locale).replace("\u200f", "")


class Prompt(PromptSession):
    """prompt_toolkit's session, and whether the message it read was pasted."""

    def __init__(self, *args, typing: Typing, **kwargs):
        super().__init__(*args, **kwargs)
        self.typing = typing

    def read(self, message: str) -> tuple[str, bool]:
        """(the text, whether it was typed rather than pasted)."""
        self.typing.pasted = False
        text = self.prompt(message)
        return text, not self.typing.pasted


def make_session(environ, input=None, output=None, conv: Conversation | None = None,
                 render=Renderer()) -> Prompt:
    """Ctrl-R searches the history (prompt_toolkit's Emacs bindings); NO_COLOR (no-color.org)
    turns every colour off, the toolbar's included."""
    know = conv.knowledge if conv is not None else None
    typing = Typing()
    return Prompt(
        typing=typing,
        history=make_history(environ),
        auto_suggest=AutoSuggestFromHistory(),
        bottom_toolbar=(lambda: toolbar_text(conv, render)) if conv is not None else None,
        completer=SlashCompleter(conv.commands if conv is not None else None,
                                 know.keys if know else (),
                                 ("sec_per_step", *know.whatif_keys) if know else ()),
        key_bindings=key_bindings(typing),
        multiline=False,
        enable_history_search=False,
        color_depth=ColorDepth.MONOCHROME if environ.get("NO_COLOR") else None,
        input=input,
        output=output,
    )


def read_paste(prompt: Prompt) -> str:
    """/paste: lines until a lone '.' or Ctrl-D, for terminals without bracketed paste."""
    lines = []
    while True:
        try:
            line = prompt.prompt("… ")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip() == PASTE_END:
            break
        lines.append(line)
    return "\n".join(lines)


def with_chart(answer: Answer, conv: Conversation, width: int) -> list[Answer]:
    """What the terminal adds under an ETA answer: a step-time chart, when it is wide enough."""
    result = answer.data.get("eta") if answer.kind == "eta" else None
    if isinstance(result, EtaResult):
        chart = step_chart(conv.context().main_run(), result, width)
        if chart:
            return [answer, Answer("chart", chart)]
    return [answer]


def run_repl(prompt: Prompt, conv: Conversation, write: Callable[[str], None],
             render=Renderer(), crash_path: Path | None = None) -> int:
    write(render(Answer("welcome"), conv.locale) + "\n")
    while True:
        try:
            text, typed = prompt.read("> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if text.strip() and not _turn(prompt, conv, text, typed, write, render, crash_path):
            break
    return 0


def _turn(prompt, conv: Conversation, text: str, typed: bool, write, render, crash_path) -> bool:
    """One message and what it asks; False when the conversation ends."""
    before = conv.undo_stack[-1] if conv.undo_stack else None
    try:
        outputs = conv.handle(text, typed)
    except KeyboardInterrupt:   # Ctrl-C cancels this answer; the conversation goes on as it was
        if conv.undo_stack and conv.undo_stack[-1] is not before:
            conv.undo()
        outputs = [Answer("cancelled")]
    except Exception:   # a bug must not end the conversation or lose its facts
        outputs = [_crashed(crash_path)]
    width = prompt.output.get_size().columns
    for out in outputs:
        if isinstance(out, Quit):
            write(render(Answer("quit"), conv.locale) + "\n\n")
            return False
        if isinstance(out, PasteMode):
            pasted = read_paste(prompt)
            if pasted.strip() and not _turn(prompt, conv, pasted, False, write, render, crash_path):
                return False
            continue
        try:
            if isinstance(out, Export):
                out = _export(prompt, conv, out, render)
            shown = [shown_as(x, conv.locale) for x in
                     (with_chart(out, conv, width) if isinstance(out, Answer) else [out])]
            text_out = [render(*x) for x in shown if x is not None]
        except Exception:
            text_out = [render(_crashed(crash_path), conv.locale)]
        try:
            for t in text_out:
                write(t + "\n\n")
        except KeyboardInterrupt:
            write("\n" + render(Answer("cancelled"), conv.locale) + "\n\n")
    return True


def _export(prompt: Prompt, conv: Conversation, request: Export, render) -> Answer:
    """/export: a file that exists is replaced only when the user says yes."""
    check = export_needs_confirmation(request)
    if isinstance(check, Answer):
        return check
    if check:
        question = render(Answer("export_confirm", {"path": request.path}), conv.locale)
        try:
            reply = prompt.prompt(question + " ")
        except (EOFError, KeyboardInterrupt):
            reply = ""
        if not is_yes(reply, conv.knowledge.phrases, conv.locale):
            return Answer("export_kept", {"path": request.path})
    return carry_out_export(request, conv, render, overwrite=check)


def _crashed(crash_path: Path | None) -> Answer:
    return Answer("error", {"code": "internal", "report": report_crash(crash_path)}, error=True)


def run_repl_from_env(conv: Conversation, env: Environment) -> int:
    render = renderer_for(env.environ)
    prompt = make_session(env.environ, conv=conv, render=render)

    def write(text: str) -> None:
        env.stdout.write(text)
        env.stdout.flush()

    return run_repl(prompt, conv, write, render, crash_file(env.environ))
