"""Small, total helpers to read numbers the way trainers print them."""

from __future__ import annotations

import ast
import math
import re

from advisor.read.syntax import parse_expression

_NUM = re.compile(r"^[+-]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def num(text) -> float | None:
    """'1,075,511' -> 1075511.0, '1.825991E+00' -> 1.825991, 'nan' -> nan, '3.41' (quoted)
    -> 3.41; anything else -> None. Never raises."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        try:
            return float(text)
        except OverflowError:          # an integer of hundreds of digits: no usable number
            return None
    s = str(text).strip().strip("'\"")
    if not s or len(s) > 40:
        return None
    low = s.lower()
    if low in ("nan", "+nan", "-nan"):
        return math.nan
    if low in ("inf", "+inf", "infinity"):
        return math.inf
    if low in ("-inf", "-infinity"):
        return -math.inf
    if not _NUM.match(s):
        return None
    try:
        return float(s.replace(",", "").replace("_", ""))
    except ValueError:
        return None


def integer(text) -> int | None:
    v = num(text)
    if v is None or not math.isfinite(v) or v != int(v):
        return None
    return int(v)


def ms_or_s(text: str) -> float | None:
    """'2122.75ms' -> 2.12275, '4.21s' -> 4.21, '112.20 ms' -> 0.1122 (seconds)."""
    s = text.strip()
    if s.endswith("ms"):
        v = num(s[:-2])
        return v / 1000 if v is not None else None
    if s.endswith("s"):
        return num(s[:-1])
    return None


def segments(text: str, sep: str = "|") -> dict[str, str]:
    """'loss: 3.2 | dt: 21ms | tok/sec: 1,000' -> {'loss': '3.2', 'dt': '21ms', 'tok/sec': '1,000'}
    Also 'key value' segments (llm.c: 'norm 16.3'). Keys are lower-cased."""
    out: dict[str, str] = {}
    for part in text.split(sep):
        part = part.strip()
        if not part:
            continue
        if ":" in part:
            k, _, v = part.partition(":")
        else:
            k, _, v = part.rpartition(" ")
        k = k.strip().lower()
        if k:
            out[k] = v.strip()
    return out


def py_dict(text: str) -> dict | None:
    """A printed Python dict of numbers and strings ({'loss': 1.02, 'epoch': 0.89}), read
    with ast (never evaluated). None if it is anything else."""
    if len(text) > 5000 or not text.startswith("{") or not text.endswith("}"):
        return None
    tree = parse_expression(text)
    if tree is None:
        return None
    node = tree.body
    if not isinstance(node, ast.Dict):
        return None
    out = {}
    for k, v in zip(node.keys, node.values):
        if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
            return None
        if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub) and isinstance(v.operand, ast.Constant):
            val = v.operand.value
            if isinstance(val, (int, float)) and not isinstance(val, bool):
                out[k.value] = -val
                continue
        if isinstance(v, ast.Constant) and isinstance(v.value, (int, float, str)):
            out[k.value] = v.value
        elif isinstance(v, ast.Name) and v.id in ("nan", "inf"):
            out[k.value] = float(v.id)
    return out


_DHMS = re.compile(r"^(?:(\d{1,9})d)?\s?(?:(\d{1,9})h)?\s?(?:(\d{1,9})m)?\s?(?:(\d{1,9})s)?$")


def dhms(text: str) -> float | None:
    """ms-swift's '472d 8h 9m 53s', '9m 53s', '53s' -> seconds; anything else None."""
    m = _DHMS.match(text.strip())
    if not m or not any(m.groups()):
        return None
    d, h, mi, s = (int(g or 0) for g in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + float(s)


def hms(text: str) -> float | None:
    """'1:02:03' -> 3723.0, '38:04' -> 2284.0, '125:26:43' -> hours not wrapped."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return None
    total = 0.0
    for p in parts:
        total = total * 60 + int(p)
    return total
