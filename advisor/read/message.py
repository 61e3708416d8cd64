"""A message as typed or pasted -> its parts: slash-command lines, questions in plain
words, and pasted text (log lines, `key = value` settings) between them (pure)."""

from __future__ import annotations

from typing import NamedTuple

from advisor.read.intents import Phrases, Question, understand
from advisor.read.logs import read_text

MAX_QUESTION = 300          # characters: a longer line is log text, not a question
EDGE = 3                    # questions are looked for in the first and last lines of a paste


class CommandLine(NamedTuple):
    name: str               # "/eta", lower case
    arg: str


def command_line(line: str) -> CommandLine | None:
    """`/set max_iters=6000` -> CommandLine('/set', 'max_iters=6000'); None for other text."""
    name, _, arg = line.strip().partition(" ")
    word = name.lower()
    if word.startswith("/") and len(word) > 1 and word[1:].isalpha():
        return CommandLine(word, arg.strip())
    return None


def lines_of(text: str) -> list[str]:
    """A message's lines, cut at newlines only: a carriage return, U+0085 or U+2028 inside a
    line is part of it (a terminal does not start a new line there, so neither do we)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def set_commands_aside(text: str) -> tuple[list[CommandLine], list[str]]:
    """The message's command lines (never run from data) and its other lines, in order and
    together: a command line between two log lines does not cut the log in two."""
    commands: list[CommandLine] = []
    data: list[str] = []
    for line in lines_of(text):
        cmd = command_line(line)
        if cmd is None:
            data.append(line)
        else:
            commands.append(cmd)
    return commands, data


def is_log_text(text: str) -> bool:
    """Whether the log reader recognizes anything in this text (a step, a setting, ...)."""
    rep = read_text(text)
    return bool(rep.runs or rep.assignments or rep.system or rep.bad_time_lines or rep.config_file)


def _question(line: str, tables: dict[str, Phrases], locale: str, whatif_keys) -> Question | None:
    text = line.strip()
    if not text or len(text) > MAX_QUESTION or is_log_text(text):
        return None
    q = understand(text, tables, locale, whatif_keys)
    if q is None or q.says_nothing:
        return None
    return q


def split_questions(lines: list[str], tables: dict[str, Phrases], locale: str,
                    whatif_keys=frozenset()) -> tuple[list[str], list[str], list[str]]:
    """(questions before the pasted lines, the pasted lines, questions after them). A
    message that is one short line, not a log line, in words of a known language is a
    question even when no intent is clear: it gets the help for questions."""
    content = [ln for ln in lines if ln.strip()]
    if len(content) == 1 and len(content[0]) <= MAX_QUESTION and not is_log_text(content[0]):
        if content[0].rstrip().endswith(("?", "؟")) \
                or understand(content[0], tables, locale, whatif_keys) is not None:
            return [content[0]], [], []
    start, before = edge_questions(lines, tables, locale, whatif_keys)
    end, after = edge_questions(lines[start:], tables, locale, whatif_keys, from_end=True)
    return before, lines[start:len(lines) - end], after


def edge_questions(lines: list[str], tables: dict[str, Phrases], locale: str, whatif_keys=frozenset(),
                   from_end: bool = False) -> tuple[int, list[str]]:
    """(how many lines at the start, or the end, are blank or questions, the questions):
    up to EDGE questions, in their order."""
    order = range(len(lines) - 1, -1, -1) if from_end else range(len(lines))
    taken, questions = 0, []
    for i in order:
        line = lines[i]
        if line.strip():
            if len(questions) >= EDGE or not _question(line, tables, locale, whatif_keys):
                break
            questions.append(line)
        taken += 1
    return taken, questions[::-1] if from_end else questions

