"""The interactive loop (prompt_toolkit). No logic here: the conversation handles each
message; the loop shows the answers and carries out what the shell's own commands ask.

Multi-line pastes arrive as one message through bracketed paste; Esc-Enter inserts a
newline; Ctrl-C clears the input; Ctrl-D or /quit leaves."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.output import ColorDepth

from advisor.answers.answer import Answer, Export, PasteMode, Quit
from advisor.compute.eta_result import EtaResult
from advisor.conversation import Conversation
from advisor.render import Renderer, shown_as
from advisor.render.chart import step_chart
from advisor.shell.crash import report_crash
from advisor.shell.effects import carry_out_export, command_table
from advisor.shell.environment import Environment
from advisor.shell.paths import crash_file, history_file, template_cache

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


def key_bindings() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("escape", "enter")
    def _newline(event):
        event.current_buffer.insert_text("\n")

    return kb


def make_history(environ) -> History:
    path = history_file(environ)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def toolbar_text(conv: Conversation, render=Renderer()) -> str:
    """The bottom line: language, how much is known, the keys to remember."""
    steps = sum(len(r.samples) for r in conv.log.runs.values())
    data = {"locale": conv.locale, "facts": len(conv.store.facts), "steps": steps}
    return render(Answer("toolbar", data), conv.locale).replace("\u200f", "")


def make_session(environ, input=None, output=None, conv: Conversation | None = None,
                 render=Renderer()) -> PromptSession:
    """Ctrl-R searches the history (prompt_toolkit's Emacs bindings); NO_COLOR (no-color.org)
    turns every colour off, the toolbar's included."""
    know = conv.knowledge if conv is not None else None
    return PromptSession(
        history=make_history(environ),
        auto_suggest=AutoSuggestFromHistory(),
        bottom_toolbar=(lambda: toolbar_text(conv, render)) if conv is not None else None,
        completer=SlashCompleter(conv.commands if conv is not None else None,
                                 know.keys if know else (),
                                 ("sec_per_step", *know.whatif_keys) if know else ()),
        key_bindings=key_bindings(),
        multiline=False,
        enable_history_search=False,
        color_depth=ColorDepth.MONOCHROME if environ.get("NO_COLOR") else None,
        input=input,
        output=output,
    )


def read_paste(prompt: PromptSession) -> str:
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


def run_repl(prompt: PromptSession, conv: Conversation, write: Callable[[str], None],
             render=Renderer(), crash_path: Path | None = None) -> int:
    write(render(Answer("welcome"), conv.locale) + "\n")
    while True:
        try:
            text = prompt.prompt("> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if text.strip() and not _turn(prompt, conv, text, write, render, crash_path):
            break
    return 0


def _turn(prompt, conv: Conversation, text: str, write, render, crash_path) -> bool:
    """One message and what it asks; False when the conversation ends."""
    try:
        outputs = conv.handle(text)
    except Exception:   # a bug must not end the conversation or lose its facts
        outputs = [_crashed(crash_path)]
    width = prompt.output.get_size().columns
    for out in outputs:
        if isinstance(out, Quit):
            write(render(Answer("quit"), conv.locale) + "\n\n")
            return False
        if isinstance(out, PasteMode):
            pasted = read_paste(prompt)
            if pasted.strip() and not _turn(prompt, conv, pasted, write, render, crash_path):
                return False
            continue
        try:
            if isinstance(out, Export):
                out = carry_out_export(out, conv, render)
            shown = [shown_as(x, conv.locale) for x in
                     (with_chart(out, conv, width) if isinstance(out, Answer) else [out])]
            text_out = [render(*x) for x in shown if x is not None]
        except Exception:
            text_out = [render(_crashed(crash_path), conv.locale)]
        for t in text_out:
            write(t + "\n\n")
    return True


def _crashed(crash_path: Path | None) -> Answer:
    return Answer("error", {"code": "internal", "report": report_crash(crash_path)}, error=True)


def run_repl_from_env(conv: Conversation, env: Environment) -> int:
    render = Renderer(template_cache(env.environ))
    prompt = make_session(env.environ, conv=conv, render=render)

    def write(text: str) -> None:
        env.stdout.write(text)
        env.stdout.flush()

    return run_repl(prompt, conv, write, render, crash_file(env.environ))
