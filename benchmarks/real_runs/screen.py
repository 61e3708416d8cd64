"""What a terminal shows of a recorded run at a given second, as a user would copy it: the
chunks of stdout and stderr in arrival order, with `\\r` returning to the line's start,
`ESC[A` moving up a line (tqdm's nested bars) and other escape sequences dropped."""

from __future__ import annotations

import re

_ESC = re.compile(r"\x1b\[(\d*)([A-Za-z])")


class Terminal:
    def __init__(self):
        self.rows: list[list[str]] = [[]]
        self.row = self.col = 0

    def write(self, text: str) -> None:
        pos = 0
        for m in _ESC.finditer(text):
            self._plain(text[pos:m.start()])
            if m.group(2) == "A":
                self.row = max(0, self.row - int(m.group(1) or 1))
            pos = m.end()
        self._plain(text[pos:])

    def _plain(self, text: str) -> None:
        for part in re.split(r"(\r|\n)", text):
            if part == "\r":
                self.col = 0
            elif part == "\n":
                self.row += 1
                self.col = 0
                if self.row == len(self.rows):
                    self.rows.append([])
            elif part:
                line = self.rows[self.row]
                if len(line) < self.col:
                    line.extend(" " * (self.col - len(line)))
                line[self.col:self.col + len(part)] = list(part)
                self.col += len(part)

    def text(self) -> str:
        return "\n".join("".join(r).rstrip() for r in self.rows)


def screen_at(chunks, t_cut: float) -> str:
    """The terminal's whole scrollback once every chunk that arrived by t_cut is written."""
    term = Terminal()
    for t, _stream, text in chunks:
        if t > t_cut:
            break
        term.write(text)
    return term.text()
