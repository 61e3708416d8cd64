"""XDG locations. History is state: $XDG_STATE_HOME/advisor/history."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping


def state_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_STATE_HOME") or str(Path(environ.get("HOME", "~")).expanduser()
                                                 / ".local" / "state")
    return Path(base) / "advisor"


def history_file(environ: Mapping[str, str]) -> Path:
    return state_dir(environ) / "history"


def cache_dir(environ: Mapping[str, str]) -> Path | None:
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "advisor"
    if environ.get("HOME"):
        return Path(environ["HOME"]) / ".cache" / "advisor"
    return None
