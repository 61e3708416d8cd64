"""Where the data directories live: inside an installed wheel, or beside the checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the directory `name` (locales, templates, knowledge).

    An installed wheel carries them under advisor/_data/; a checkout or an editable
    install (whose `advisor` package is the checkout's) has them at the repository top.
    """
    packaged = _PKG / "_data" / name
    return packaged if packaged.is_dir() else _PKG.parent / name
