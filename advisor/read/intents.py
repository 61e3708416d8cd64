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

from advisor.read.phrase_schema import check_tables
from advisor.read.units import parse_number

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
    punctuation: tuple[str, ...] = ()                  # characters only this language writes
    yes: frozenset[str] = frozenset()                  # answers that confirm


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
                           phrases(body.get("domain", [])), phrases(body.get("conditional", [])),
                           tuple(body.get("punctuation", [])),
                           frozenset(normalize(str(w)).strip() for w in body.get("confirm", [])))
    return out


def is_yes(text: str, tables: dict[str, Phrases], locale: str) -> bool:
    """A confirmation: 'y', 'oui', 'sí', 'نعم' (the locale's words, or English)."""
    word = normalize(text).strip().rstrip(".!")
    return any(word in tables[loc].yes for loc in (locale, "en") if loc in tables)


LANGUAGE_PUNCTUATION_WEIGHT = 3         # "¿" counts as much as three marker words


@dataclass
class Question:
    intent: str | None
    locale: str
    stated: list[tuple[str, float | str]] = field(default_factory=list)   # (key, value) pairs
    step_s: float | None = None          # a step time stated with its unit ("0,2 s/it")
    term: str | None = None              # for explain
    score: int = 0

    @property
    def says_nothing(self) -> bool:
        """No intent, no stated fact, no step time: nothing to answer."""
        return self.intent is None and not self.stated and self.step_s is None


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


def understand(text: str, tables: dict[str, Phrases], default_locale: str = "en",
               whatif_keys: frozenset[str] = frozenset()) -> Question | None:
    """The question's intent, language and stated facts; None when nothing in it is known.
    `whatif_keys`: the settings a hypothesis may try ("what if max_iters were 8000")."""
    words = tokens(text)
    if not words:
        return None
    locale, sc, matched = _language(text, words, tables, default_locale)
    ph = tables[locale]
    loose = locale == "ar"
    term = next((t for t, ps in ph.terms.items() for p in ps if _find(words, p, loose) >= 0), None)
    if term is None:
        sc.pop("explain", None)          # "what is" with nothing we can explain
    if not _about_training(words, ph, loose, term):
        sc = {k: v for k, v in sc.items() if k == "help"}
    intent = _top(sc)
    q = Question(intent, locale, score=sc.get(intent, 0) if intent else 0, term=term)
    _stated_facts(words, ph, q, loose=loose)
    q.intent = _hypothesis(words, ph, q, sc, whatif_keys)
    if q.intent != "explain":
        q.term = None
    if q.says_nothing:
        return Question(None, locale) if matched else None
    return q


def _language(text: str, words: list[str], tables: dict[str, Phrases], default_locale: str):
    """(locale, intent scores in it, whether anything matched): the language whose intent
    phrases and marker words match best; Arabic script decides at once; with only marker
    words, the current language unless another is clearly ahead."""
    arabic = bool(_ARABIC.search(text))
    candidates = ["ar"] if arabic and "ar" in tables else [loc for loc in tables if loc != "ar"]
    rows = []
    for loc in candidates:
        ph = tables[loc]
        loose = loc == "ar"
        sc = _scores(words, ph, loose)
        other = sum(1 for w in words if w in ph.markers) \
            + (LANGUAGE_PUNCTUATION_WEIGHT if any(c in text for c in ph.punctuation) else 0) \
            + sum(1 for k in ph.keys.values() for p in k if _find(words, p, loose) >= 0)
        rows.append((sum(sc.values()), other, loc, sc))
    if any(r[0] for r in rows):
        best = max(rows, key=lambda r: (r[0] + r[1], r[2] == default_locale))
    else:
        mine = next((r for r in rows if r[2] == default_locale), None)
        best = max(rows, key=lambda r: (r[1], r[2] == default_locale))
        if mine is not None and best[1] - mine[1] < 2:
            best = mine
    intent_score, marker_score, locale, sc = best
    return locale, sc, bool(intent_score + marker_score)


def _about_training(words, ph: Phrases, loose: bool, term: str | None) -> bool:
    """A term, a domain word or a setting's name says the question is about training;
    without one only help is left."""
    return bool(term) or any(_find(words, p, loose) >= 0 for p in ph.domain) \
        or any(_find(words, p, loose) >= 0 for k in ph.keys.values() for p in k)


def _top(scores: dict[str, int]) -> str | None:
    if not scores:
        return None
    top = max(scores.values())
    return next(i for i in PRIORITY if scores.get(i) == top)


def _hypothesis(words, ph: Phrases, q: Question, sc: dict[str, int], whatif_keys) -> str | None:
    """A hypothesis with a number to try is a what-if; a what-if phrase without one falls
    back to the next best intent."""
    hypothesis = "whatif" in sc or any(_find(words, p, False) >= 0 and (len(p) > 1 or p[0] in words)
                                       for p in ph.conditional)
    if hypothesis and (q.step_s is not None or any(k in whatif_keys for k, _ in q.stated)) \
            and q.intent not in ("fit", "compare"):
        return "whatif"
    if q.intent == "whatif" and q.step_s is None and not q.stated:
        return _top({k: v for k, v in sc.items() if k != "whatif"})
    return q.intent


def _stated_facts(words: list[str], ph: Phrases, q: Question, loose: bool) -> None:
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
        if key is not None and key not in {k for k, _ in q.stated}:
            q.stated.append((key, int(value) if value.is_integer() else value))
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
