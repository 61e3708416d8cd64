"""A conversation per locale through prompt_toolkit's pipe input: paste a log, ask in that
language, give max_iters in words, ask a what-if, /regen into the other three languages;
the numbers are the same everywhere and each answer is in the right language."""

import re

import pytest
from prompt_toolkit.output import DummyOutput

from advisor.shell.repl import make_session
from advisor.conversation import Conversation
from conftest import converse as _converse, numbers, plain

LOG = "\n".join(f"iter {i}: loss {4.2 - i / 1000:.4f}, time {400 + (i * 7) % 9:.2f}ms, mfu 12.50%"
                for i in range(0, 301, 10))

TURNS = {
    "en": ("how long until it finishes?", "it runs for 6000 iterations", "what if a step took 0.3 s?"),
    "es": ("¿cuánto tiempo le queda?", "son 6000 iteraciones", "¿y si cada paso tardara 0,3 s?"),
    "fr": ("combien de temps reste-t-il ?", "ce sont 6000 itérations", "et si un pas prenait 0,3 s ?"),
    "ar": ("كم من الوقت متبقٍ؟", "عدد التكرارات 6000", "ماذا لو استغرقت الخطوة 0.3 ثانية؟"),
}
# a word each answer in that language has, and that the others lack
MARK = {"en": re.compile(r"\b(remain|step)"), "es": re.compile(r"(pasos|quedan|restante)"),
        "fr": re.compile(r"(pas |reste|restant)"), "ar": re.compile(r"[\u0600-\u06ff]")}


def converse(know, keys, tmp_path, locale="en"):
    return _converse(know, keys, tmp_path, locale, charts=KEEP_CHARTS)


KEEP_CHARTS = False


@pytest.mark.parametrize("locale", ["en", "es", "fr", "ar"])
def test_a_conversation_in_each_language(know, tmp_path, locale):
    ask_eta, give_iters, whatif = TURNS[locale]
    others = [x for x in ("en", "es", "fr", "ar") if x != locale]
    keys = ("\x1b[200~" + LOG + "\x1b[201~\r" + ask_eta + "\r" + give_iters + "\r" + ask_eta + "\r"
            + whatif + "\r" + "".join(f"/regen {o}\r" for o in others) + "\x04")
    code, out, session = converse(know, keys, tmp_path, locale="en" if locale != "en" else "fr")
    assert code == 0
    _welcome, ack, need, noted, eta, *rest = out
    # the what-if answer, then the regenerated ones
    wif, regens = rest[0], rest[1:4]
    assert "nanoGPT" in ack
    assert "max_iters" in need                       # the first ETA question asks for it
    assert "6" in numbers(noted)[0] or "6000" in "".join(numbers(noted))
    assert session.store.get("max_iters").value == 6000
    assert session.locale == locale                   # answers follow the question's language
    for text, loc in [(eta, locale), (wif, locale)] + list(zip(regens, others)):
        body = plain(text)
        assert MARK[loc].search(body), (loc, body[:200])
        if loc != "ar":
            assert not re.search(r"[\u0600-\u06ff]", body)
    # regenerating never changes a number: the what-if answer in four languages
    assert all(sorted(numbers(r)) == sorted(numbers(wif)) for r in regens)
    assert "0,3" in plain(wif) or "0.3" in plain(wif)


def test_follow_ups_reuse_facts_and_undo_drops_the_last_message(know, tmp_path):
    keys = ("\x1b[200~" + LOG + "\x1b[201~\r" "max_iters = 6000\r" "/eta\r" "/undo\r" "/facts\r"
            "/undo\r" "/facts\r" "/undo\r" "\x04")
    code, out, session = converse(know, keys, tmp_path)
    assert code == 0
    _w, ack, noted, eta, undone, facts1, undone2, facts2, nothing = out
    assert "remain" in eta                 # the follow-up used the log and the fact given after it
    # /eta and /facts change nothing: /undo skips them and drops the last change
    assert "1 fact dropped" in plain(undone) and "max_iters" not in facts1.split("Settings")[-1]
    assert "31 step lines" in plain(facts1)
    assert "1 pasted block" in plain(undone2) and "step lines" not in plain(facts2)
    assert "Nothing to undo" in nothing
    assert session.store.get("max_iters") is None and not session.log.runs


def test_export_writes_markdown_with_what_was_shown(know, tmp_path):
    target = tmp_path / "notes.md"
    keys = ("\x1b[200~" + LOG + "\x1b[201~\r" "/set max_iters=6000\r" "/eta\r" "/lang es\r" "/regen fr\r"
            f"/export {target}\r" "\x04")
    code, out, session = converse(know, keys, tmp_path)
    assert code == 0
    assert "notes.md" in out[-1] and str(len(session.transcript) - 1) in plain(out[-1])
    md = target.read_text(encoding="utf-8")
    assert md.startswith("# advisor: ")             # the title, in the language of the last message
    assert "iter 300: loss" in md and "/set max_iters=6000" in md
    eta_en = next(x for x in out if "remain" in x)
    assert eta_en.strip() in md                       # the English answer as shown
    assert "restant" in md or "reste" in md           # the French regen, in French
    assert "\x1b" not in md


def test_export_failure_is_an_answer_not_a_crash(know, tmp_path):
    code, out, session = converse(know, f"/export {tmp_path}/missing/dir/notes.md\r\x04", tmp_path)
    assert code == 0 and "nothing was written" in out[-1]


def test_export_strips_terminal_control_sequences(know, tmp_path):
    target = tmp_path / "n.md"
    keys = "\x1b[200~iter 1: loss 4.0, time 100.00ms, mfu 1.00%\x1b]0;pwned\x07\x1b[201~\r" + f"/export {target}\r\x04"
    converse(know, keys, tmp_path)
    assert "\x1b" not in target.read_text() and "\x07" not in target.read_text()


def test_paste_fallback_collects_lines_until_a_dot(know, tmp_path):
    keys = "/paste\r" + "\r".join(LOG.splitlines()[:5]) + "\r.\r" "/facts\r\x04"
    code, out, session = converse(know, keys, tmp_path)
    assert code == 0
    assert "single ." in plain(out[1])
    assert "5 step lines" in plain(out[2])
    assert len(session.log.main_run().samples) == 5


def test_an_eta_answer_gets_a_chart_on_a_wide_terminal(know, tmp_path, monkeypatch):
    monkeypatch.setattr(__import__(__name__), "KEEP_CHARTS", True)
    keys = "\x1b[200~" + LOG + "\x1b[201~\r/set max_iters=6000\r/eta\r\x04"
    code, out, session = converse(know, keys, tmp_path)          # DummyOutput: 80 columns
    chart = out[-1]
    assert "Step times" in chart and any(c in chart for c in "▁▂▃▄▅▆▇█")
    assert "w" in chart.splitlines()[1]                          # iteration 0 marked as warm-up


def test_no_chart_on_a_narrow_terminal(know):
    from advisor.shell.repl import with_chart
    s = Conversation(know, "en")
    s.handle(LOG + "\nmax_iters = 6000")
    (eta,) = s.handle("/eta")
    assert [a.kind for a in with_chart(eta, s, 50)] == ["eta"]
    assert [a.kind for a in with_chart(eta, s, 100)] == ["eta", "chart"]


def test_no_color_turns_colour_off(tmp_path):
    from prompt_toolkit.output import ColorDepth
    plain_session = make_session({"XDG_STATE_HOME": str(tmp_path), "NO_COLOR": "1"}, output=DummyOutput())
    assert plain_session.color_depth == ColorDepth.MONOCHROME
    default = make_session({"XDG_STATE_HOME": str(tmp_path)}, output=DummyOutput())
    assert default.color_depth is None


def test_ctrl_r_searches_history(tmp_path):
    from prompt_toolkit.enums import EditingMode
    from prompt_toolkit.key_binding.defaults import load_key_bindings
    from prompt_toolkit.keys import Keys
    prompt = make_session({"XDG_STATE_HOME": str(tmp_path)}, output=DummyOutput())
    assert prompt.editing_mode == EditingMode.EMACS
    names = {b.handler.__name__ for b in load_key_bindings().get_bindings_for_keys((Keys.ControlR,))}
    assert "reverse_incremental_search" in names


def test_completion_of_commands_and_their_arguments(know):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    from advisor.shell.repl import SlashCompleter
    c = SlashCompleter(None, know.keys, ("sec_per_step", *know.whatif_keys))

    def done(text):
        return [x.text for x in c.get_completions(Document(text), CompleteEvent())]
    assert "/undo" in done("/u") and "/export" in done("/ex") and "/advise" in done("/ad")
    assert done("/set max_i") == ["max_iters="]
    assert "sec_per_step=" in done("/whatif s")
    assert done("/explain m") == ["mfu"]
    assert done("/set max_iters=6") == []
    assert done("hello /se") == []
