"""Writing the conversation to a file without surprises: a Markdown file name, never `..`,
never through a symbolic link, never onto a device, a FIFO or a directory, never over an
existing file unless the user confirmed it, and atomically (a temporary file in the same
folder, then a rename), so that a reader never sees half a file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from advisor.errors import AdvisorError

SUFFIXES = (".md", ".markdown")


def check_target(path: str) -> bool:
    """Whether `path` exists already (a regular file); AdvisorError('export_path') with the
    reason when it must not be written at all."""
    def refuse(reason: str):
        return AdvisorError("export_path", path=path.replace("\x00", "\ufffd"), reason=reason)

    if not path or "\x00" in path:
        raise refuse("nul")
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        raise refuse("suffix")
    if ".." in p.parts:
        raise refuse("parent")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise refuse("folder")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        raise refuse("folder") from None
    if stat.S_ISLNK(st.st_mode):
        raise refuse("symlink")
    if not stat.S_ISREG(st.st_mode):
        raise refuse("special")
    return True


def write_atomically(path: str, text: str, overwrite: bool) -> None:
    """Write `text` to `path`; without `overwrite` an existing file is never replaced, even
    one that appeared meanwhile (AdvisorError('export_exists')). OSError on failure."""
    if check_target(path) and not overwrite:
        raise AdvisorError("export_exists", path=path)
    folder = str(Path(path).parent) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".advisor-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if overwrite:
            os.replace(tmp, path)      # replaces a link itself, never what it points to
        else:
            try:
                os.link(tmp, path)     # fails if the name exists: never clobbers
            except FileExistsError:
                raise AdvisorError("export_exists", path=path) from None
            os.unlink(tmp)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
