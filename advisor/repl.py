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
    """Complete `/la` -> `/lang`, and `/lang a` -> `ar`, only at the start of the input."""

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
        if cmd is None or " " in arg:
            return
        for value in cmd.args:
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
    return PromptSession(
        history=make_history(environ),
        auto_suggest=AutoSuggestFromHistory(),
        bottom_toolbar=(lambda: toolbar_text(session)) if session is not None else None,
        completer=SlashCompleter(),
        key_bindings=key_bindings(),
        multiline=False,
        enable_history_search=False,
        input=input,
        output=output,
    )


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
        quit_now = False
        try:
            answers = session.handle(text)
        except Exception:   # a bug must not end the conversation or lose its facts
            answers = [Answer("error", {"code": "internal", "report": report_crash()},
                              error=True)]
        for answer in answers:
            if answer.kind == "quit":
                quit_now = True
            write(render(answer, session.locale) + "\n\n")
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
