"""Questions in plain words: 22 phrasings per intent per locale and 22 off-topic ones, written
without looking at knowledge/phrases.yaml; numbers in each locale's notation; the answers."""

from pathlib import Path

import pytest
import yaml
from babel.numbers import format_decimal
from hypothesis import given, settings, strategies as st

from advisor.read.intents import understand
from advisor.read.phrase_schema import INTENTS
from advisor.read.units import parse_number
from advisor.conversation import Conversation
from conftest import plain

PHRASINGS = {loc: yaml.safe_load((Path(__file__).parent / "phrasings" / f"{loc}.yaml").read_text(encoding="utf-8"))
             for loc in ("en", "es", "fr", "ar")}
CASES = [(loc, intent, q) for loc, d in PHRASINGS.items() for intent, qs in d["intents"].items() for q in qs]
TERMS = {"mfu", "tokens_per_iter", "gradient_accumulation", "warmup", "eval_interval"}


def test_there_are_at_least_20_phrasings_per_intent_per_locale():
    for loc, d in PHRASINGS.items():
        assert set(d["intents"]) == set(INTENTS)
        assert all(len(qs) >= 20 for qs in d["intents"].values()), loc
        assert len(d["off_topic"]) >= 20


@pytest.mark.parametrize("locale, intent, question", CASES)
def test_each_phrasing_is_recognized(know, locale, intent, question):
    # from an English conversation the language switches to the question's; the intent is
    # the same whatever language the conversation was in before
    for before in ("en", "fr"):
        q = understand(question, know.phrases, before, know.whatif_keys)
        assert q is not None and q.intent == intent, (q, before)
        if before == "en":
            assert q.locale == locale, q
        if intent == "explain":
            assert q.term in TERMS
        if intent == "whatif":
            assert q.step_s is not None or q.stated


@pytest.mark.parametrize("locale, question", [(loc, q) for loc, d in PHRASINGS.items() for q in d["off_topic"]])
def test_off_topic_questions_get_the_help_answer(know, locale, question):
    s = Conversation(know, "en")
    answers = s.handle(question)
    assert [a.kind for a in answers] in (["not_question"], ["help"], ["not_understood"])
    assert not s.store.facts and not s.log.runs


@pytest.mark.parametrize("text, locale, facts, step_s", [
    ("son 6000 iteraciones", "es", [("max_iters", 6000)], None),
    ("son 6.000 iteraciones", "es", [("max_iters", 6000)], None),
    ("it runs for 6,000 iterations", "en", [("max_iters", 6000)], None),
    ("max_iters is 6000", "en", [("max_iters", 6000)], None),
    ("ce sont 6 000 itérations", "fr", [("max_iters", 6000)], None),
    ("عدد التكرارات ٦٠٠٠", "ar", [("max_iters", 6000)], None),
    ("will batch_size 16 fit on my 4070?", "en", [("batch_size", 16)], None),
    ("¿cabe batch 8 con contexto de 2048?", "es", [("batch_size", 8), ("block_size", 2048)], None),
    ("et si ça passe à 0,2 s/itération ?", "fr", [], 0.2),
    ("what if steps took 200 ms", "en", [], 0.2),
    ("what if it ran at 5 it/s", "en", [], 0.2),
    ("¿y si cada paso tardara 0,35 segundos?", "es", [], 0.35),
    ("ماذا لو استغرقت الخطوة ٠٫٢ ثانية؟", "ar", [], 0.2),
])
def test_numbers_and_settings_in_the_question(know, text, locale, facts, step_s):
    q = understand(text, know.phrases, "en", know.whatif_keys)
    assert q.locale == locale and q.stated == facts
    assert q.step_s == pytest.approx(step_s) if step_s is not None else q.step_s is None


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["en", "es", "fr"]), st.decimals(min_value=0, max_value=10 ** 7, places=3,
                                                       allow_nan=False, allow_infinity=False))
def test_numbers_written_the_locale_way_read_back(locale, value):
    text = format_decimal(value, format="#,##0.###", locale=locale)
    if locale == "en" and "," in text and "." not in text and len(text.split(",")[-1]) == 3:
        pass            # 1,234 is a thousand and more in English, as written
    got = parse_number(text, locale)
    assert got == pytest.approx(float(value), rel=1e-9), text


def test_a_question_is_answered_in_its_own_language_unless_lang_fixed_it(know):
    s = Conversation(know, "en")
    s.handle("iter 100: loss 4.1000, time 3995.11ms, mfu 12.90%\nmax_iters = 6000")
    (a,) = s.handle("¿cuánto tiempo le queda?")
    assert a.kind == "eta" and s.locale == "es"
    s.handle("/lang fr")
    (a,) = s.handle("how long until it finishes?")
    assert a.kind == "eta" and s.locale == "fr"


def test_questions_around_a_paste_are_answered_after_it_is_read(know):
    s = Conversation(know, "en")
    text = "iter 100: loss 4.1000, time 3995.11ms, mfu 12.90%\niter 110: loss 4.0, time 3990.00ms, mfu 12.91%\n" \
           "max_iters = 6000\nhow long until it finishes?"
    kinds = [a.kind for a in s.handle(text)]
    assert kinds == ["ack", "eta"]


def test_fit_question_uses_the_gpu_and_batch_it_names(know):
    s = Conversation(know, "en")
    (a,) = s.handle("will batch_size 16 fit on my 4070?")
    assert a.kind == "fit"
    assert s.store.get("batch_size").value == 16 and "4070" in s.store.get("gpu").value
    text = plain(__import__("advisor.render", fromlist=["render"]).render(a, "en"))
    assert "RTX 4070" in text and "Assumptions" in text


def test_explain_uses_the_users_numbers(know):
    s = Conversation(know, "en")
    s.handle("gradient_accumulation_steps = 32\nbatch_size = 16\nblock_size = 1024")
    (a,) = s.handle("what is gradient accumulation?")
    from advisor.render import render
    assert a.kind == "term" and "32 micro-batches of 16" in plain(render(a, "en"))


def test_fit_question_in_json(tmp_path):
    from conftest import run_cli
    r = run_cli(["--json"], "will batch_size 16 fit on my 4070?\n")
    assert r.code == 0 and r.json["fit"]["gpu"] == "rtx_4070"
    assert r.json["fit"]["memory"]["verdict"] in ("fits", "tight", "will_not_fit")
