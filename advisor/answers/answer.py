"""Answers are locale-neutral: a template name and the numbers and facts it shows.
Rendering the same Answer in another locale never recomputes anything.

Besides answers, a message can ask the shell to do something; those requests are values of
their own (Shown, Quit, Export, PasteMode), never template names the shell must recognize."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from advisor.errors import AdvisorError


@dataclass(frozen=True)
class Answer:
    kind: str                       # template name under templates/ (without .j2)
    data: dict = field(default_factory=dict)
    error: bool = False
    question: bool = False          # answers a question (eta, facts), as opposed to an ack
    meta: bool = False              # about the conversation itself (language, help): /regen skips it

    @classmethod
    def from_error(cls, exc: AdvisorError) -> "Answer":
        return cls("error", {"code": exc.code, **exc.params}, error=True)


class Shown(NamedTuple):
    """An answer given before, shown again in another locale (/regen): same numbers."""
    answer: Answer
    locale: str


class Quit:
    """Leave the conversation."""
    __slots__ = ()


class Export(NamedTuple):
    """Write the conversation so far to `path` (the shell writes it, then says so)."""
    path: str
    turns: int


class PasteMode:
    """Collect the next lines, until a lone '.', as one message (terminals without
    bracketed paste)."""
    __slots__ = ()


Effect = Shown | Quit | Export | PasteMode
Output = Answer | Effect
