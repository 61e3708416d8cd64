"""Facts: typed values with their provenance, and the rules for turning user text into them."""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable

from advisor.errors import AdvisorError
from advisor.read.values import NotLiteral, loose_value


class Source(str, Enum):
    LOG = "log"          # read from a pasted or given log
    USER = "user"        # given by the user (/set, --set, `key = value`, a config file)
    DEFAULT = "default"  # a preset default (nanoGPT's train.py)
    DERIVED = "derived"  # computed from other facts


@dataclass(frozen=True)
class KeySpec:
    name: str
    type: str                       # int | float | bool | str | datetime
    min: float | None = None
    max: float | None = None
    default: object = None
    has_default: bool = False
    aliases: tuple[str, ...] = ()
    whatif: bool = False            # /whatif may change it for one answer


@dataclass(frozen=True)
class Fact:
    key: str
    value: object
    source: Source
    origin: str = ""        # how: cli (--set), repl (/set), paste, log, default, eval_lines, iter_lines
    line: int | None = None  # line of the pasted text or file it came from
    file: str | None = None

    def as_json(self) -> dict:
        value = self.value.isoformat() if isinstance(self.value, _dt.datetime) else self.value
        out = {"key": self.key, "value": value, "source": self.source.value, "origin": self.origin}
        if self.line is not None:
            out["line"] = self.line
        if self.file is not None:
            out["file"] = self.file
        return out


@dataclass(frozen=True)
class Override:
    """A fact given twice with different values: the later one wins, and answers say so."""

    key: str
    old: Fact
    new: Fact


@dataclass
class FactStore:
    facts: dict[str, Fact] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)

    def put(self, fact: Fact) -> None:
        old = self.facts.get(fact.key)
        if old is not None and old.value != fact.value:
            self.overrides.append(Override(fact.key, old, fact))
        self.facts[fact.key] = fact

    def get(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def copy(self) -> "FactStore":
        return FactStore(dict(self.facts), list(self.overrides))


MAX_ECHO = 80                # characters of a refused value echoed back
_GROUPED_INT = re.compile(r"^[+-]?\d{1,3}([,_ ]\d{3})+$")
# a decimal comma: one comma, not followed by exactly three digits (1,500 is a grouping)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,(?:\d{1,2}|\d{4,})$")


def canonical_key(name: str, specs: dict[str, KeySpec], aliases: dict[str, str]) -> str | None:
    name = name.strip().lower().replace("-", "_")
    if name in specs:
        return name
    return aliases.get(name)


def parse_fact(name: str, raw: str, specs: dict[str, KeySpec], aliases: dict[str, str],
               now: Callable[[], _dt.datetime], origin: str, line: int | None = None,
               file: str | None = None, source: Source = Source.USER) -> Fact:
    """A fact from a name and a value as the user typed them (`/set`, `--set`, `key = value`
    in a paste, a question): the name through the aliases, the value read as data (never
    run) and checked against its key; `now` for a time means the clock."""
    key = canonical_key(name, specs, aliases)
    if key is None:
        raise AdvisorError("unknown_key", key=name, suggestions=[])
    spec = specs[key]
    text = raw.strip()
    if spec.type == "datetime" and text.lower() in ("now", "'now'", '"now"'):
        value = now()
    else:
        try:
            value = coerce(spec, loose_value(text), raw=text)
        except NotLiteral:
            raise AdvisorError("bad_value", key=key, value=text[:MAX_ECHO], reason="code") from None
    return Fact(key, value, source, origin, line, file)


def suggest_keys(name: str, specs: dict[str, KeySpec], aliases: dict[str, str]) -> list[str]:
    """Keys spelled like `name`, for the message that says it is unknown (computed only for a
    name the user typed: a log's unknown `word: value` lines are chatter, never suggested)."""
    return difflib.get_close_matches(name.lower(), list(specs) + list(aliases), n=3)


def coerce(spec: KeySpec, value, raw: str = ""):
    """Check and convert a value for a key; AdvisorError('bad_value') when it cannot be."""

    shown = (raw or str(value))[:MAX_ECHO]

    def bad(reason: str):
        return AdvisorError("bad_value", key=spec.name, value=shown, reason=reason)

    t = spec.type
    if t == "int":
        if isinstance(value, str) and _GROUPED_INT.match(value.strip()):
            value = int(re.sub(r"[,_ ]", "", value))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("int")
    elif t == "float":
        if isinstance(value, str) and _DECIMAL_COMMA.match(value.strip()):
            value = float(value.strip().replace(",", "."))     # 0,15 written the French way
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("number")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise bad("number")
    elif t == "bool":
        if not isinstance(value, bool):
            if value in (0, 1):
                value = bool(value)
            else:
                raise bad("bool")
    elif t == "str":
        if isinstance(value, bool) or value is None:
            raise bad("text")
        value = str(value)
    elif t == "datetime":
        if not isinstance(value, _dt.datetime):
            try:
                value = _dt.datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise bad("datetime") from None
    if t in ("int", "float") and not in_range(spec, value):
        raise AdvisorError("bad_value", key=spec.name, value=shown, reason="range",
                           low=spec.min, high=spec.max)
    return value


def in_range(spec: KeySpec, value: float) -> bool:
    """The one check of a number against its key's range (knowledge/keys.yaml min, max)."""
    return (spec.min is None or value >= spec.min) and (spec.max is None or value <= spec.max)
