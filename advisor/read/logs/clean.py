"""Turn a physical line of pasted text into what the trainer printed.

Handles: carriage-return progress updates (keep the last state), ANSI escapes and their
printed remnants (`^[`, `#033[A`, `#015`), control and bidi-override characters, markdown
quoting and fences, and the prefixes other programs put in front of a line: timestamps,
logging formats, `[rank0]:`, `[titan]`, MPI and Ray worker tags, Kaggle cell timers.
All regular expressions are anchored and linear: no nested quantifiers.
"""

from __future__ import annotations

import datetime as _dt
import re

# The one definition of what must not reach a terminal from pasted text: escape sequences
# (CSI, OSC, two-character), C0 and C1 control characters but tab and newline, and the
# characters that reorder or hide text (bidi marks, embeddings, overrides, isolates; BOM).
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI = re.compile(r"[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
# what a renderer's own output may hold (its isolates) but an interpolated value may not
BIDI_OVERRIDES = re.compile(r"[\u200e\u200f\u061c\u202a-\u202e\ufeff]")
_CONTROL = re.compile(CONTROL.pattern[:-1] + BIDI.pattern[1:])


def strip_terminal(text: str) -> str:
    """Pasted text as it may be echoed into a file: escape sequences and control
    characters removed (bidi characters are the renderer's to place)."""
    return CONTROL.sub("", ANSI.sub("", text))
_REMNANTS = (("#015", "\r"), ("#033", "\x1b"), ("^[", "\x1b"), ("^M", "\r"))

_TS = r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?"
_PREFIXES = [
    re.compile(r"^\[titan\]\s*"),
    re.compile(r"^\[rank\d{1,5}\]:?\s*"),
    re.compile(r"^\[Rank \d{1,5}\]\s*"),                                       # DeepSpeed
    re.compile(r"^\[\d{1,5},mpirank:\d{1,5}[^\]]{0,80}\]<std(?:out|err)>:\s*"),
    re.compile(r"^\((?:RayTrainWorker|TorchTrainer|\w{1,40}) pid=\d{1,10}(?:, ip=[\d.]{1,40})?\)\s*"),
    re.compile(r"^\d{1,7}(?:\.\d{1,3})?s\t\d{1,9}\t"),                      # Kaggle cell timer
    re.compile(r"^\[(?:INFO|WARNING|ERROR|DEBUG)\]\s*(?:\[[^\]]{1,80}\]\s*)?"),  # DeepSpeed
    re.compile(r"^\[(?:INFO|WARNING|ERROR|DEBUG)\|[^\]]{1,80}\]\s*"),      # HF: [INFO|trainer.py:1786]
    re.compile(r"^>>\s+"),                                                     # ... date >> text
    re.compile(r"^(?:INFO|WARNING|ERROR|DEBUG)(?::\S{0,80}:|\s*[-:|])\s*"),
    re.compile(r"^\S{1,80} - (?:INFO|WARNING|ERROR|DEBUG) - "),                 # logger - LEVEL -
    re.compile(r"^(?:INFO|WARNING|ERROR|DEBUG) - "),
]
_QUOTES = re.compile(r"^>[>\s]*")
_TS_PREFIX = re.compile(r"^\[?" + _TS + r"\]?(?:\s*[-|:]\s*|\s+|$)")


def replace_remnants(raw: str) -> str:
    """Escape sequences that a logger printed as text (`^[`, `#033`, `#015`, `^M`) become
    the characters they stand for, so that they are handled like real ones."""
    if "#0" in raw or "^" in raw:
        for old, new in _REMNANTS:
            raw = raw.replace(old, new)
    return raw


def clean_line(raw: str) -> str:
    """The text a terminal would show for one physical line."""
    raw = replace_remnants(raw)
    if "\r" in raw:
        parts = [p for p in raw.split("\r") if p.strip()]
        raw = parts[-1] if parts else ""
    if "\x1b" in raw:
        raw = ANSI.sub("", raw)
    raw = _CONTROL.sub("", raw)
    return raw.strip()


def _timestamp(m: re.Match) -> _dt.datetime | None:
    date, time, frac, tz = m.groups()
    text = f"{date}T{time}" + (f".{frac.ljust(6, '0')}" if frac else "")
    if tz:
        text += "+00:00" if tz == "Z" else (tz if ":" in tz else tz[:3] + ":" + tz[3:])
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def unwrap(line: str) -> tuple[str, _dt.datetime | None, bool]:
    """Strip quoting and prefixes. Returns (text, timestamp or None, was_commented)."""
    commented = False
    if line.startswith(">"):                  # Markdown quoting, however deep
        line = _QUOTES.sub("", line, count=1)
    if line.startswith("# ") and not line.startswith("# -"):
        line, commented = line[2:].lstrip(), True
    ts = None
    for _ in range(4):
        before = line
        m = _TS_PREFIX.match(line)
        if m:
            ts = _timestamp(m) or ts
            line = line[m.end():]
        for rx in _PREFIXES:
            m = rx.match(line)
            if m:
                line = line[m.end():]
        if line == before:
            break
    return line.strip(), ts, commented
