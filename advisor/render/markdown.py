"""The conversation as Markdown, each answer in the language it was shown in (pure: the
shell writes the file). Pasted text is quoted in fenced blocks, without terminal control
sequences."""

from __future__ import annotations

import re
from typing import Callable

from advisor.answers.answer import Answer
from advisor.read.logs.clean import strip_terminal
from advisor.render.text import render, shown_as

FENCE = "````"
LIMIT_LINES = 40             # a longer message is shown by its head and tail
_TICKS = re.compile(r"`+")


def fence_for(lines: list[str]) -> str:
    """A fence longer than any run of backticks in the quoted text, so that no pasted line
    can close it and turn the rest into Markdown of the paster's choosing."""
    longest = max((len(m.group()) for line in lines for m in _TICKS.finditer(line)), default=0)
    return "`" * max(len(FENCE), longest + 1)


def to_markdown(transcript, render_fn: Callable[[Answer, str], str] = render,
                limit_lines: int = LIMIT_LINES) -> str:
    """`transcript`: (message, outputs, locale) per message, as the conversation keeps it."""
    locale = transcript[-1][2] if transcript else "en"
    out = ["# " + render_fn(Answer("export_title"), locale), ""]
    for text, outputs, locale in transcript:
        lines = strip_terminal(text).splitlines()
        if len(lines) > limit_lines:
            lines = lines[: limit_lines // 2] + ["…"] + lines[-limit_lines // 2:]
        fence = fence_for(lines)
        out += [fence, *lines, fence, ""]
        for output in outputs:
            shown = shown_as(output, locale)
            if shown is not None:
                out += [render_fn(*shown), ""]
    return "\n".join(out).rstrip() + "\n"
