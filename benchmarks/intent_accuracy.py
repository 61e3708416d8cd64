"""How well questions in plain words are recognized, on phrasings the phrase tables were never
tuned on (benchmarks/heldout/*.yaml, written by people who saw neither the tables nor the
test phrasings). Prints, per locale, the share recognized (intent, and the question's own
language) next to two baselines measured in the same run: the most common intent for every
question, and the English tables alone applied to every language.

    python benchmarks/intent_accuracy.py [--show-misses]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.read.intents import understand  # noqa: E402
from advisor.resources import data_dir  # noqa: E402
from advisor.shell.knowledge import load_knowledge  # noqa: E402


def correct(q, intent, locale) -> bool:
    if intent == "off_topic":
        return q is None or q.intent in (None, "help")
    if q is None or q.intent != intent or q.locale != locale:
        return False
    if intent == "explain":
        return q.term is not None
    if intent == "whatif":
        return q.step_s is not None or bool(q.stated)
    return True


def main(show: bool) -> None:
    know = load_knowledge(data_dir("knowledge"))
    tables, whatif = know.phrases, know.whatif_keys
    english_only = {"en": tables["en"]}
    print(f"{'locale':6} {'n':>4} {'advisor':>8} {'majority':>9} {'en tables':>10} {'advisor/en tables':>18}")
    for path in sorted((ROOT / "benchmarks" / "heldout").glob("*.yaml")):
        loc = path.stem
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases = [(i, q) for i, qs in doc["intents"].items() for q in qs] + [("off_topic", q) for q in doc["off_topic"]]
        ours = [correct(understand(q, tables, "en", whatif), i, loc) for i, q in cases]
        majority = [i == "eta" for i, _ in cases]
        en = [correct(understand(q, english_only, "en", whatif), i, "en" if loc == "en" else loc) for i, q in cases]
        a, m, e = (sum(x) / len(cases) for x in (ours, majority, en))
        ratio = f"{a / e:.2f}x" if e else "inf"
        print(f"{loc:6} {len(cases):>4} {a:>8.1%} {m:>9.1%} {e:>10.1%} {ratio:>18}")
        if show:
            for ok, (i, q) in zip(ours, cases):
                if not ok:
                    r = understand(q, tables, "en", whatif)
                    print(f"    miss {i:9} {q!r} -> {(r.intent, r.locale) if r else None}")


if __name__ == "__main__":
    main("--show-misses" in sys.argv)
