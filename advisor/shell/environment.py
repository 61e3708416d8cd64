"""What the shell needs from the outside world, in one object tests can replace
(httpie's Environment): streams, TTY flags, environment variables, the clock."""

from __future__ import annotations

import datetime as _dt
import io
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Mapping, TextIO

from advisor.render import Renderer
from advisor.render.cache import secret
from advisor.shell.paths import cache_key_file, template_cache


@dataclass
class Environment:
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin_isatty: bool | None = None
    stdout_isatty: bool | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Callable[[], _dt.datetime] = field(
        default_factory=lambda: (lambda: _dt.datetime.now().astimezone()))

    def __post_init__(self):
        if self.stdin_isatty is None:
            self.stdin_isatty = _isatty(self.stdin)
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)

    def stdin_binary(self):
        """Standard input as a binary file object (a text stream in tests is encoded; a
        closed standard input reads as empty)."""
        if self.stdin is None:
            return io.BytesIO()
        buf = getattr(self.stdin, "buffer", None)
        if buf is not None:
            return buf
        return io.BytesIO(self.stdin.read().encode("utf-8", "surrogateescape"))

    def read_stdin_bytes(self, limit: int = -1) -> bytes:
        return self.stdin_binary().read(limit)


def renderer_for(environ: Mapping[str, str]) -> Renderer:
    """The renderer with the user's template cache and its key."""
    folder = template_cache(environ)
    return Renderer(folder, secret(cache_key_file(environ)) if folder is not None else None)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
