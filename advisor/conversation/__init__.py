"""conversation: the state that lasts between messages (state.py), the commands that change
it (commands.py), and the one way a message is handled (dispatch.py). No I/O."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.answers.answer import Output
from advisor.conversation.commands import COMMANDS, Command
from advisor.conversation.state import Snapshot, State

__all__ = ["COMMANDS", "Command", "Conversation", "Snapshot", "State"]


@dataclass
class Conversation(State):
    """The state plus handle(text). Without a command table of its own it uses the
    conversation's commands; the shell hands over that table with its own commands added."""

    def __post_init__(self):
        if not self.commands:
            self.commands = dict(COMMANDS)

    def handle(self, text: str, typed: bool = True) -> list[Output]:
        """`typed`: the keyboard wrote it (a slash command runs only then, alone on its line)."""
        from advisor.conversation import dispatch  # lazy: `advisor eta FILE` handles no message
        return dispatch.handle(self, text, typed)
