import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from advisor.shell.repl import SlashCompleter
from advisor.conversation import Conversation

from conftest import converse, numbers, plain

PASTE = ("iter 100: loss 4.1000, time 3995.11ms, mfu 12.90%\n"
         "iter 101: loss 4.0990, time 3990.02ms, mfu 12.91%\n"
         "iter 102: loss 4.0981, time 4001.50ms, mfu 12.89%")


def test_conversation_paste_set_eta_lang_regen(know, tmp_path, monkeypatch):
    from advisor.compute import eta as eta_mod
    calls = []
    real = eta_mod.estimate
    monkeypatch.setattr(eta_mod, "estimate", lambda *a, **k: calls.append(1) or real(*a, **k))
    keys = ("\x1b[200~" + PASTE + "\x1b[201~\r"      # bracketed paste: one message
            "/set max_iters=6000\r"
            "/eta\r"
            "/lang ar\r"
            "/regen es\r"
            "/regen ar\r"
            "\x04")
    code, out, session = converse(know, keys, tmp_path)
    assert code == 0
    welcome, ack, setd, eta_en, lang, regen_es, regen_ar = out
    assert "nanoGPT" in ack and "3 step lines" in ack
    assert "6,000" in setd
    assert "remain" in eta_en
    assert session.locale == "ar" and "\u200f" in lang
    assert "horas" in regen_es and "ساعات" in regen_ar
    assert len(calls) == 1                              # regen never recomputes
    assert sorted(numbers(eta_en)) == sorted(numbers(regen_es)) == sorted(numbers(regen_ar))
    assert (tmp_path / "advisor" / "history").exists()


def test_ctrl_c_clears_and_ctrl_d_leaves(know, tmp_path):
    code, out, session = converse(know, "/set max_it\x03/set max_iters=10\r\x04", tmp_path)
    assert code == 0
    assert len(out) == 2 and "10" in out[1]
    assert session.store.get("max_iters").value == 10


def test_quit_command_and_errors_keep_state(know, tmp_path):
    code, out, session = converse(
        know, "/set max_iters=6000\r/set max_iters=oops\r/lang xx\r/bogus\r/quit\r", tmp_path)
    assert code == 0
    assert session.store.get("max_iters").value == 6000      # a bad value loses nothing
    assert "oops" in out[2] and "xx" in out[3] and "/bogus" in out[4]


def test_esc_enter_adds_a_newline(know, tmp_path):
    code, out, session = converse(
        know, "max_iters = 6000\x1b\reval_interval = 250\r\x04", tmp_path)
    assert session.store.get("max_iters").value == 6000
    assert session.store.get("eval_interval").value == 250


def test_example_gives_a_real_answer(know, tmp_path):
    code, out, session = converse(know, "/example\r\x04", tmp_path)
    text = plain(out[1])
    assert "remaining steps" in text and "4,700" in text
    assert not session.log.runs                         # the user's own facts are untouched


def test_welcome_says_what_to_paste(know, tmp_path):
    code, out, _ = converse(know, "\x04", tmp_path, locale="es")
    assert "/example" in out[0] and "iter 100" in out[0]


@pytest.mark.parametrize("text,expected", [
    ("/", None), ("/la", ["/lang"]), ("/re", ["/regen", "/reset"]),
    ("/lang a", ["ar"]), ("/regen ", ["en", "es", "fr", "ar"]), ("x /re", []),
    ("/eta x", []),
])
def test_slash_completion(text, expected):
    got = [c.text for c in SlashCompleter().get_completions(Document(text), CompleteEvent())]
    if expected is None:
        assert "/eta" in got and "/help" in got
    else:
        assert got == expected


def test_a_bug_does_not_end_the_conversation(know, tmp_path, monkeypatch):
    from advisor.conversation import COMMANDS, Command

    def bug(conv, arg):
        return 1 / 0
    monkeypatch.setitem(COMMANDS, "/facts", Command("/facts", bug))
    code, out, session = converse(know, "/set max_iters=6000\r/facts\r/set eval_interval=250\r\x04",
                                  tmp_path, crash_path=tmp_path / "crash.log")
    assert code == 0 and "bug" in out[2] and "ZeroDivisionError" in (tmp_path / "crash.log").read_text()
    assert session.store.get("max_iters").value == 6000
    assert session.store.get("eval_interval").value == 250


@pytest.mark.parametrize("locale,word", [("en", "facts"), ("es", "datos"), ("fr", "informations"),
                                         ("ar", "معلومات")])
def test_toolbar_counts_what_is_known(know, locale, word):
    from advisor.shell.repl import toolbar_text
    s = Conversation(know, locale)
    s.handle(PASTE + "\nmax_iters = 6000\neval_interval = 100000\nbatch_size = 8")
    text = toolbar_text(s)
    assert "3" in text and word in text and "/help" in text
