"""Where a bug's traceback goes: appended to the crash log, never shown on the terminal."""

from __future__ import annotations

from pathlib import Path


def report_crash(path: Path | None) -> str:
    """Append the current traceback to the crash file; return where it went ('' if nowhere)."""
    import traceback       # lazy: only a crash needs it (about 10 ms of start-up otherwise)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc() + "\n")
        return str(path)
    except (OSError, TypeError, AttributeError):
        return ""
