"""Answers are locale-neutral: a template name and the numbers and facts it shows.
Rendering the same Answer in another locale never recomputes anything."""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.errors import AdvisorError


@dataclass(frozen=True)
class Answer:
    kind: str                       # template name under templates/ (without .j2)
    data: dict = field(default_factory=dict)
    error: bool = False
    question: bool = False          # answers a question (eta, facts), as opposed to an ack

    @classmethod
    def from_error(cls, exc: AdvisorError) -> "Answer":
        return cls("error", {"code": exc.code, **exc.params}, error=True)
