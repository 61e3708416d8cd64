"""The interactive loop (prompt_toolkit). No logic here: Session.handle does the work.

Multi-line pastes arrive as one message through bracketed paste; Esc-Enter inserts a
newline; Ctrl-C clears the input; Ctrl-D or /quit leaves."""

from __future__ import annotations

from typing import Callable

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings

from advisor.answers import Answer
from advisor.environment import Environment
from advisor.paths import history_file, state_dir
from advisor.render import render
from advisor.commands import COMMANDS
from advisor.session import Session


class SlashCompleter(Completer):
    """Complete `/la` -> `/lang`, `/lang a` -> `ar`, `/set max` -> `max_iters=`, only at
    the start of the input."""

    def __init__(self, keys=(), whatif=()):
        self.keys = tuple(sorted(keys))
        self.whatif = tuple(sorted(whatif))

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        text = document.text_before_cursor
        if not text.startswith("/") or "\n" in text:
            return
        if " " not in text:
            for name in sorted(COMMANDS):
                if name.startswith(text.lower()):
                    yield Completion(name, start_position=-len(text))
            return
        name, _, arg = text.partition(" ")
        cmd = COMMANDS.get(name.lower())
        if cmd is None or " " in arg or "=" in arg:
            return
        values = {"/set": tuple(k + "=" for k in self.keys),
                  "/whatif": tuple(k + "=" for k in self.whatif)}.get(cmd.name, cmd.args)
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


def toolbar_text(session: Session) -> str:
    """The bottom line: language, how much is known, the keys to remember."""
    steps = sum(len(r.samples) for r in session.log.runs.values())
    data = {"locale": session.locale, "facts": len(session.store.facts), "steps": steps}
    return render(Answer("toolbar", data), session.locale).replace("\u200f", "")


def make_session(environ, input=None, output=None, session: Session | None = None) -> PromptSession:
    """Ctrl-R searches the history (prompt_toolkit's Emacs bindings); NO_COLOR (no-color.org)
    turns every colour off, the toolbar's included."""
    from prompt_toolkit.output import ColorDepth
    from advisor.session import WHATIF_KEYS
    keys = session.knowledge.keys if session is not None else ()
    return PromptSession(
        history=make_history(environ),
        auto_suggest=AutoSuggestFromHistory(),
        bottom_toolbar=(lambda: toolbar_text(session)) if session is not None else None,
        completer=SlashCompleter(keys, ("sec_per_step", *WHATIF_KEYS)),
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
        if line.strip() == ".":
            break
        lines.append(line)
    return "\n".join(lines)


def extras(answer: Answer, session: Session, width: int) -> list[Answer]:
    """What the terminal adds under an answer: the export it asked for, a step-time chart."""
    if answer.kind == "export":
        from advisor import export
        return [export.carry_out(answer, session)]
    if answer.kind == "eta":
        from advisor.chart import step_chart
        chart = step_chart(session.log.main_run(), answer.data["eta"], width)
        if chart:
            return [answer, Answer("chart", chart)]
    return [answer]


def run_repl(prompt: PromptSession, session: Session, write: Callable[[str], None]) -> int:
    write(render(Answer("welcome"), session.locale) + "\n")
    while True:
        try:
            text = prompt.prompt("> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if not text.strip():
            continue
        if text.strip().lower() == "/paste":
            write(render(Answer("paste_hint"), session.locale) + "\n")
            text = read_paste(prompt)
            if not text.strip():
                continue
        quit_now = False
        try:
            answers = session.handle(text)
            width = prompt.output.get_size().columns
            answers = [x for a in answers for x in extras(a, session, width)]
        except Exception:   # a bug must not end the conversation or lose its facts
            answers = [Answer("error", {"code": "internal", "report": report_crash()},
                              error=True)]
        for answer in answers:
            if answer.kind == "quit":
                quit_now = True
            locale = answer.data["locale"] if answer.kind == "regen" else session.locale
            write(render(answer, locale) + "\n\n")
        if quit_now:
            break
    return 0


_crash_file = None


def report_crash() -> str:
    """Append the current traceback to the crash file; return where it went."""
    import traceback
    path = _crash_file
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc() + "\n")
        return str(path)
    except (OSError, TypeError):
        return ""


def run_repl_from_env(session: Session, env: Environment) -> int:
    global _crash_file
    _crash_file = state_dir(env.environ) / "crash.log"
    prompt = make_session(env.environ, session=session)

    def write(text: str) -> None:
        env.stdout.write(text)
        env.stdout.flush()

    return run_repl(prompt, session, write)
