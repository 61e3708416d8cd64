"""Free-text questions -> an intent, the question's language and the facts it states (pure).

The phrase tables are data (knowledge/phrases.yaml), one per locale. Text and phrases are
normalized the same way (case, accents, Arabic letter variants and diacritics, digits), then
each intent scores the words of the phrases found; the language is the one whose phrases and
marker words match best (Arabic script decides at once). Numbers are read in the question's
own notation: 0,2 and 0.2; 6.000 is six thousand in es and fr, 6,000 in en."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

INTENTS = ("eta", "plan", "fit", "advise", "compare", "whatif", "explain", "help")
PRIORITY = ("whatif", "compare", "fit", "explain", "advise", "plan", "eta", "help")

_AR_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
_AR_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
                         "٫": ".", "٬": "", "؟": "?", "،": ",", "؛": ";",
                         **{chr(0x660 + i): str(i) for i in range(10)},
                         **{chr(0x6f0 + i): str(i) for i in range(10)}})
_ARABIC = re.compile("[\u0600-\u06ff]")
_TOKEN = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*|[a-z_\u0600-\u06ff][a-z0-9_\u0600-\u06ff/-]*")
_NUMBER = re.compile(r"^\d+(?:[.,\u00a0\u202f ]\d+)*$")


def normalize(text: str) -> str:
    """Lower case, no accents or Arabic diacritics, one spelling per Arabic letter."""
    text = _AR_DIACRITICS.sub("", text.casefold().translate(_AR_MAP))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("’", " ").replace("`", " ").replace("'", " ")      # l'heure -> l heure


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(str(text)))


def parse_number(token: str, locale: str) -> float | None:
    """'0,2' and '0.2' -> 0.2; '6.000' (es/fr) and '6,000' (en) -> 6000; '6 000' -> 6000."""
    t = token.replace("\u00a0", " ").replace("\u202f", " ")
    if " " in t:                                        # 6 000 or 1 000,5 (fr)
        if not re.fullmatch(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", t):
            return None
        m = re.fullmatch(r"([\d ]+)(?:[.,](\d+))?", t)
        return float(m.group(1).replace(" ", "") + ("." + m.group(2) if m.group(2) else ""))
    group, dec = (",", ".") if locale in ("en", "ar") else (".", ",")
    m = re.fullmatch(r"(\d{1,3}(?:" + re.escape(group) + r"\d{3})+)" + re.escape(dec) + r"(\d+)", t)
    if m:                                               # 1,000.5 (en) or 1.000,5 (es, fr)
        return float(m.group(1).replace(group, "") + "." + m.group(2))
    if re.fullmatch(r"\d{1,3}(?:" + re.escape(group) + r"\d{3})+", t):
        return float(t.replace(group, ""))
    if t.count(dec) == 1 and t.count(group) == 0:
        return float(t.replace(dec, "."))
    if t.count(group) == 1 and t.count(dec) == 0:       # 0.2 in fr, 0,2 in en: read as decimal
        return float(t.replace(group, "."))
    if t.isdigit():
        return float(t)
    return None


@dataclass(frozen=True)
class Phrases:
    """One locale's tables, normalized: intent -> phrases (as token tuples), and so on."""
    locale: str
    intents: dict[str, tuple[tuple[str, ...], ...]]
    markers: frozenset[str]
    keys: dict[str, tuple[tuple[str, ...], ...]]       # fact key -> words that name it
    terms: dict[str, tuple[tuple[str, ...], ...]]      # explainable term -> words
    units: dict[str, tuple[str, ...]]                  # s | ms | s/it | it/s -> unit words
    domain: tuple[tuple[str, ...], ...] = ()           # words that say the question is about training
    conditional: tuple[tuple[str, ...], ...] = ()      # "if", "si", "لو", "en vez de": a hypothesis


def check_tables(doc) -> None:
    """The shape of knowledge/phrases.yaml, checked at start (cheap); the tables are built
    the first time a question needs them."""
    if not isinstance(doc, dict) or not isinstance(doc.get("locales"), dict) or not doc.get("source"):
        raise ValueError("phrases: needs `source` and `locales`")
    for loc, body in doc["locales"].items():
        if not isinstance(body, dict):
            raise ValueError(f"phrases {loc}: needs a mapping")
        unknown = set(body.get("intents") or {}) - set(INTENTS)
        if unknown:
            raise ValueError(f"phrases {loc}: unknown intents {sorted(unknown)}")
        for section in ("intents", "keys", "terms", "units"):
            for name, items in (body.get(section) or {}).items():
                if not isinstance(items, list) or not items:
                    raise ValueError(f"phrases {loc}: {section}.{name} needs a list")
        for section in ("markers", "domain", "conditional"):
            if not isinstance(body.get(section, []), list):
                raise ValueError(f"phrases {loc}: {section} needs a list")


def load_tables(doc) -> dict[str, Phrases]:
    """Validate and normalize knowledge/phrases.yaml (already parsed)."""
    check_tables(doc)
    out = {}
    for loc, body in doc["locales"].items():
        def table(d):
            out_t = {}
            for k, v in (d or {}).items():
                toks = (tuple(tokens(p)) for p in v)
                out_t[k] = tuple(t for t in toks if t)
            return out_t

        def phrases(items):
            return tuple(t for t in (tuple(tokens(w)) for w in items) if t)

        out[loc] = Phrases(loc, table(body.get("intents")),
                           frozenset(t for w in body.get("markers", []) for t in tokens(w)),
                           table(body.get("keys")), table(body.get("terms")),
                           {u: tuple(normalize(str(w)) for w in ws) for u, ws in (body.get("units") or {}).items()},
                           phrases(body.get("domain", [])), phrases(body.get("conditional", [])))
    return out


@dataclass
class Question:
    intent: str | None
    locale: str
    facts: list[tuple[str, float | str]] = field(default_factory=list)   # (key, value) stated
    step_s: float | None = None          # a step time stated with its unit ("0,2 s/it")
    term: str | None = None              # for explain
    score: int = 0


def _find(words: list[str], phrase: tuple[str, ...], loose: bool) -> int:
    """Index where `phrase` starts in `words` (a word may carry a suffix: 'iteraciones'
    matches 'iteracion'; in Arabic also a prefix: 'والوقت' matches 'الوقت'), else -1."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        ok = True
        for j, p in enumerate(phrase):
            w = words[i + j]
            if not (w == p or (len(p) >= 4 and w.startswith(p)) or (loose and len(p) >= 3 and p in w)):
                ok = False
                break
        if ok:
            return i
    return -1


def _scores(words, ph: Phrases, loose: bool) -> dict[str, int]:
    out = {}
    for intent, phrases in ph.intents.items():
        s = sum(len(p) for p in phrases if _find(words, p, loose) >= 0)
        if s:
            out[intent] = s
    return out


def understand(text: str, tables: dict[str, Phrases], default_locale: str = "en") -> Question | None:
    """The question's intent, language and stated facts; None when nothing in it is known."""
    words = tokens(text)
    if not words:
        return None
    arabic = bool(_ARABIC.search(text))
    candidates = ["ar"] if arabic and "ar" in tables else [loc for loc in tables if loc != "ar"]
    rows = []
    for loc in candidates:
        ph = tables[loc]
        sc = _scores(words, ph, loose=loc == "ar")
        other = sum(1 for w in words if w in ph.markers) + (3 if loc == "es" and ("¿" in text or "¡" in text) else 0) \
            + sum(1 for k in ph.keys.values() for p in k if _find(words, p, loc == "ar") >= 0)
        rows.append((sum(sc.values()), other, loc, sc))
    if any(r[0] for r in rows):          # the language whose intent phrases match best
        best = max(rows, key=lambda r: (r[0] + r[1], r[2] == default_locale))
    else:                                # only marker words: the current language unless clearly not
        mine = next((r for r in rows if r[2] == default_locale), None)
        best = max(rows, key=lambda r: (r[1], r[2] == default_locale))
        if mine is not None and best[1] - mine[1] < 2:
            best = mine
    best = ((best[0] + best[1],), best[2], best[3])
    (_, locale, sc) = best
    ph = tables[locale]
    loose = locale == "ar"
    term = next((t for t, ps in ph.terms.items() for p in ps if _find(words, p, loose) >= 0), None)
    if term is None:
        sc.pop("explain", None)          # "what is" with nothing we can explain
    about = bool(term) or any(_find(words, p, loose) >= 0 for p in ph.domain) \
        or any(_find(words, p, loose) >= 0 for k in ph.keys.values() for p in k)
    if not about:                        # nothing says it is about training: only help is left
        sc = {k: v for k, v in sc.items() if k == "help"}
    intent = None
    if sc:
        top = max(sc.values())
        intent = next(i for i in PRIORITY if sc.get(i) == top)
    q = Question(intent, locale, score=sc.get(intent, 0) if intent else 0, term=term)
    _facts(words, ph, q, loose=loose)
    hypothesis = "whatif" in sc or any(_find(words, p, False) >= 0 and (len(p) > 1 or p[0] in words)
                                       for p in ph.conditional)
    from_keys = {"max_iters", "eval_interval", "eval_iters", "gradient_accumulation_steps", "num_gpus"}
    if hypothesis and (q.step_s is not None or any(k in from_keys for k, _ in q.facts)) \
            and q.intent not in ("fit", "compare"):
        q.intent = "whatif"              # a hypothesis with a number to try
    elif q.intent == "whatif" and q.step_s is None and not q.facts:
        rest = {k: v for k, v in sc.items() if k != "whatif"}
        q.intent = next((i for i in PRIORITY if rest and rest.get(i) == max(rest.values())), None)
    if q.intent != "explain":
        q.term = None
    if q.intent is None and q.facts == [] and q.step_s is None:
        return Question(None, locale) if best[0][0] else None
    return q


def _facts(words: list[str], ph: Phrases, q: Question, loose: bool) -> None:
    """Numbers next to a word that names a setting ('6000 iteraciones', 'batch_size 16',
    'max_iters is 6000'), and a number with a time unit ('0,2 s/it', '200 ms')."""
    used = set()
    for i, w in enumerate(words):
        if not _NUMBER.match(w):
            continue
        value = parse_number(w, ph.locale)
        if value is None:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        after2 = " ".join(words[i + 1:i + 3])
        unit = next((u for u, ws in ph.units.items()
                     for x in ws if x and (after == x or after2 == x or after.startswith(x + "/"))), None)
        if unit is not None and value > 0:
            q.step_s = value / 1000 if unit == "ms" else (1 / value if unit == "it/s" else value)
            used.add(i)
            continue
        key = _key_near(words, i, ph, loose)
        if key is not None and key not in {k for k, _ in q.facts}:
            q.facts.append((key, int(value) if value.is_integer() else value))
            used.add(i)


def _key_near(words, i, ph: Phrases, loose: bool) -> str | None:
    """The setting named right before the number ('batch 8', 'max_iters=6000'), else right
    after it (up to 2 words on: '6000 iteraciones'), else up to 3 words back ('max_iters is
    6000', 'el batch_size a 16')."""
    for key, phrases in ph.keys.items():
        for p in phrases:
            if i >= len(p) and _find(words[i - len(p):i], p, loose) == 0:
                return key
    best = None
    for key, phrases in ph.keys.items():
        for p in phrases:
            after = _find(words[i + 1:i + 3 + len(p)], p, loose)
            if after >= 0 and (best is None or after < best[0]):
                best = (after, key)
    if best is not None:
        return best[1]
    near = None
    for key, phrases in ph.keys.items():
        for p in phrases:
            lo = max(0, i - 3 - len(p))
            before = _find(words[lo:i], p, loose)
            if before >= 0:
                distance = i - (lo + before)
                if near is None or distance < near[0]:
                    near = (distance, key)
    return near[1] if near else None
