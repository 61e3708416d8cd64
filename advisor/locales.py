"""The languages advisor answers in (a leaf, like errors.py: the conversation switches
between them, the renderer has a catalog for each)."""

from __future__ import annotations

from advisor.errors import AdvisorError

SUPPORTED = ("en", "es", "fr", "ar")


def check_locale(text: str) -> str:
    """'es', 'es_MX', 'fr-FR' -> the supported code; AdvisorError('unknown_lang') otherwise."""
    code = text.strip().lower().replace("-", "_").split("_")[0]
    if code not in SUPPORTED:
        raise AdvisorError("unknown_lang", lang=text.strip(), supported=list(SUPPORTED))
    return code
