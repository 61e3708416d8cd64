"""Python syntax read, never run: the one place pasted text goes through `ast.parse`."""

from __future__ import annotations

import ast
import warnings


def parse_expression(text: str) -> ast.Expression | None:
    """The expression's tree, or None when it is not one. Python's own warnings about the
    text (`SyntaxWarning: invalid decimal literal` on `1_000x`) are about the user's paste,
    not for stderr: they are silenced here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
