"""XDG locations. History and the crash log are state ($XDG_STATE_HOME/advisor); compiled
templates are a cache ($XDG_CACHE_HOME/advisor/templates)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping


def state_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_STATE_HOME") or str(Path(environ.get("HOME", "~")).expanduser()
                                                 / ".local" / "state")
    return Path(base) / "advisor"


def history_file(environ: Mapping[str, str]) -> Path:
    return state_dir(environ) / "history"


def crash_file(environ: Mapping[str, str]) -> Path:
    return state_dir(environ) / "crash.log"


def cache_dir(environ: Mapping[str, str]) -> Path | None:
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "advisor"
    if environ.get("HOME"):
        return Path(environ["HOME"]) / ".cache" / "advisor"
    return None


def cache_key_file(environ: Mapping[str, str]) -> Path:
    """The template cache's key lives with the state, not beside the cache it vouches for."""
    return state_dir(environ) / "template-cache.key"


def template_cache(environ: Mapping[str, str]) -> Path | None:
    base = cache_dir(environ)
    return base / "templates" if base is not None else None
