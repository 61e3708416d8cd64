"""Text -> what a training log and a pasted config say (pure). See advisor/logs/."""

from __future__ import annotations

from advisor.logs import LogReport, read_text
from advisor.logs.clean import clean_line

__all__ = ["clean_line", "parse_text"]


def parse_text(text: str) -> LogReport:
    return read_text(text)
