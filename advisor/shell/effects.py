"""The shell's own commands (/export, /paste, /quit), added to the table it hands the
conversation (litecli's register_special_commands), and how the shell carries out what they
ask for: the core never writes a file."""

from __future__ import annotations

from advisor.answers.answer import Answer, Export, Output, PasteMode, Quit
from advisor.conversation import COMMANDS, Command, State
from advisor.errors import AdvisorError
from advisor.shell.export_file import check_target, write_atomically


def _export(conv: State, arg: str) -> list[Output]:
    path = arg.strip()
    if not path:
        raise AdvisorError("export_syntax")
    return [Export(path, len(conv.transcript))]


def _paste(conv: State, arg: str) -> list[Output]:
    return [Answer("paste_hint"), PasteMode()]


def _quit(conv: State, arg: str) -> list[Output]:
    return [Quit()]


SHELL_COMMANDS = {c.name: c for c in (Command("/export", _export), Command("/paste", _paste),
                                      Command("/quit", _quit))}


def command_table() -> dict[str, Command]:
    """The conversation's commands and the shell's."""
    return {**COMMANDS, **SHELL_COMMANDS}


def carry_out_export(request: Export, conv: State, render, overwrite: bool = False) -> Answer:
    """Write the conversation as Markdown; the answer says where, or why it could not."""
    from advisor.render.markdown import to_markdown    # lazy: only /export needs it
    try:
        write_atomically(request.path, to_markdown(conv.transcript, render), overwrite)
    except AdvisorError as exc:
        return Answer.from_error(exc)
    except OSError:
        return Answer("error", {"code": "export_failed", "path": request.path}, error=True)
    return Answer("export", {"path": request.path, "turns": request.turns})


def export_needs_confirmation(request: Export) -> bool | Answer:
    """True when the file exists (the REPL asks before replacing it); the error answer when
    the path must not be written; False when it can be."""
    try:
        return check_target(request.path)
    except AdvisorError as exc:
        return Answer.from_error(exc)
