"""The shape of knowledge/phrases.yaml, checked at start (cheap); intents.py builds the
tables from it the first time a question needs them."""

from __future__ import annotations

INTENTS = ("eta", "plan", "fit", "advise", "compare", "whatif", "explain", "help")


def check_tables(doc) -> None:
    """The shape of knowledge/phrases.yaml, checked at start (cheap); the tables are built
    the first time a question needs them."""
    if not isinstance(doc, dict) or not isinstance(doc.get("locales"), dict) or not doc.get("source"):
        raise ValueError("phrases: needs `source` and `locales`")
    for loc, body in doc["locales"].items():
        if not isinstance(body, dict) or any(not isinstance(k, str) for k in body):
            raise ValueError(f"phrases {loc}: needs a mapping with named sections")
        unknown = set(body.get("intents") or {}) - set(INTENTS)
        if unknown:
            raise ValueError(f"phrases {loc}: unknown intents {sorted(unknown)}")
        for section in ("intents", "keys", "terms", "units"):
            for name, items in (body.get(section) or {}).items():
                if not isinstance(items, list) or not items:
                    raise ValueError(f"phrases {loc}: {section}.{name} needs a list")
        for section in ("markers", "domain", "conditional", "punctuation", "confirm"):
            if not isinstance(body.get(section, []), list):
                raise ValueError(f"phrases {loc}: {section} needs a list")
            if any(isinstance(w, bool) for w in body.get(section, [])):
                raise ValueError(f"phrases {loc}: {section} has a yes/no YAML read as a boolean: quote it")
