"""Catalogs and locale choice. `.po` files are the single source of truth: they are compiled
in memory when first needed (about 6 ms for a few hundred messages), so a checkout, an
editable install and a wheel behave the same and no binary .mo is committed."""

from __future__ import annotations

import functools
import io
from typing import Mapping

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from advisor.locales import SUPPORTED
from advisor.resources import data_dir


@functools.cache
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    if locale not in SUPPORTED:
        raise ValueError(f"unsupported locale {locale!r}")
    po = data_dir("locales") / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)      # fuzzy entries are skipped, as msgfmt does
    buf.seek(0)
    return Translations(fp=buf, domain="messages")


def locale_from_env(environ: Mapping[str, str]) -> str:
    """LC_ALL, then LC_MESSAGES, then LANG (POSIX order; LANGUAGE is a list of fallbacks
    we do not need). Anything we do not support falls back to English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if not value:
            continue
        tag = value.split(".")[0].split("@")[0]
        if tag in ("C", "POSIX"):
            return "en"
        return negotiate_locale([tag, tag.split("_")[0]], list(SUPPORTED)) or "en"
    return "en"


