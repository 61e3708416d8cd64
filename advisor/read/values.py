"""Values written by users: `key = value` lines, `--set key=value`, config-file assignments.

A pasted config is data. Python-looking values are read with the `ast` module and only
literals and simple arithmetic on numbers are accepted; nothing is ever executed.
"""

from __future__ import annotations

import ast
import math
import re

from advisor.read.syntax import parse_expression

MAX_LINE = 2000          # longer assignment lines are not parsed at all
MAX_ABS = 1e30           # arithmetic results beyond this are refused
MAX_STR = 1000
MAX_EXPONENT = 64
MAX_POWER_BASE = 1e6

_ASSIGN = re.compile(r"^(?:--)?[\"']?([A-Za-z_][A-Za-z0-9_.\-]{0,80})[\"']?\s*(=|:)\s*(.*)$")
_GROUPED = re.compile(r"^[+-]?\d+(,\d+)+$")   # 6,000 or 0,15 is a number, not a tuple
_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)+$")   # hyphenated names
_BOOL_WORDS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


class NotLiteral(ValueError):
    """The text is not a literal or simple arithmetic."""


def _number(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise NotLiteral("not a number")
    if isinstance(x, float) and math.isfinite(x) and abs(x) > MAX_ABS:
        raise NotLiteral("too large")
    if isinstance(x, int) and abs(x) > MAX_ABS:
        raise NotLiteral("too large")
    return x


_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


def _power(a, b):
    result = a ** b
    if isinstance(result, complex):                 # (-8) ** 0.5
        raise NotLiteral("not a real number")
    return result


def _eval(node):
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, str):
            if len(v) > MAX_STR:
                raise NotLiteral("string too long")
            return v
        if v is None or isinstance(v, bool):
            return v
        return _number(v)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _number(_eval(node.operand))
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            if len(left) + len(right) > MAX_STR:
                raise NotLiteral("string too long")
            return left + right
        left, right = _number(left), _number(right)
        if isinstance(node.op, ast.Pow):     # bounded before it runs: |base| <= 1e6, |exponent| <= 64
            if abs(right) > MAX_EXPONENT or abs(left) > MAX_POWER_BASE:
                raise NotLiteral("power too large")
            op = _power
        else:
            op = _BINOPS.get(type(node.op))
        if op is None:
            raise NotLiteral("operator not allowed")
        try:
            return _number(op(left, right))
        except (ZeroDivisionError, OverflowError) as exc:
            raise NotLiteral(str(exc)) from None
    raise NotLiteral(type(node).__name__)


def literal(text: str):
    """Evaluate a Python literal or simple arithmetic (`5 * 8`, `6e-4`, `'gpt2'`)."""
    text = text.strip()
    if not text or len(text) > MAX_LINE:
        raise NotLiteral("empty or too long")
    tree = parse_expression(text)
    if tree is None:
        raise NotLiteral("syntax")
    try:
        return _eval(tree.body)
    except RecursionError:
        raise NotLiteral("too deep") from None


def loose_value(text: str):
    """A value as a user types it: a literal if it is one, else a word or phrase.

    `6000` -> 6000, `5*8` -> 40, `true` -> True, `NVIDIA GeForce RTX 4070` -> that text.
    Text that is a Python expression but not a literal (`str(time.time())`) raises
    NotLiteral: it is reported as not understood, never kept as text or run.
    """
    text = text.strip()
    if text.endswith(","):
        text = text[:-1].rstrip()
    try:
        return literal(text)
    except NotLiteral:
        pass
    if _WORD.match(text):
        return text                    # gpt2-medium, shakespeare-char, llm.c: a word, not arithmetic
    tree = parse_expression(text) if len(text) <= MAX_LINE else None
    if tree is not None and not _plain_name(tree.body) and not _GROUPED.match(text):
        raise NotLiteral("code")      # a call, a subscript, a list...: Python we will not run
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    word = text.lower()
    if word in _BOOL_WORDS:
        return _BOOL_WORDS[word]
    return text


def _plain_name(node) -> bool:
    """`gpt2`, `llm.c`, `torch.bfloat16`: a (dotted) name is a word, read as text."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def split_assignment(line: str):
    """`max_iters = 6000`, `max_iters=6000`, `--max_iters=6000`, `max_iters: 6000`
    -> (name, value text); None when the line is not an assignment."""
    if len(line) > MAX_LINE:
        return None
    m = _ASSIGN.match(line.strip())
    if not m:
        return None
    name, sep, rest = m.groups()
    if sep == "=" and rest.startswith("="):  # `a == b` is a comparison
        return None
    rest = rest.split(" #", 1)[0].strip()
    if not rest:
        return None
    return name, rest
