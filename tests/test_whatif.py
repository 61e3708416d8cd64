import pytest

from advisor.conversation import Conversation
from advisor.read.units import step_seconds

from conftest import SEED_LINE, run_cli


@pytest.mark.parametrize("text,seconds", [
    ("0.2", 0.2), ("0,2", 0.2), ("0.2s", 0.2), ("200ms", 0.2), ("0.2 s/it", 0.2), ("5 it/s", 0.2),
    ("0", None), ("-1", None), ("fast", None), ("nan", None),
])
def test_step_seconds(text, seconds):
    got = step_seconds(text)
    assert got == (pytest.approx(seconds) if seconds is not None else None)


def seeded(know):
    s = Conversation(know)
    s.handle(SEED_LINE + "max_iters = 6000\neval_interval = 100000")
    return s


def test_whatif_step_time_is_exact_and_changes_nothing_given(know):
    s = seeded(know)
    [a] = s.handle("/whatif sec_per_step=0.2")
    assert a.data["alt"].remaining_s == pytest.approx(5900 * 0.2)
    assert a.data["delta_s"] == pytest.approx(5900 * 0.2 - 23571.149)
    assert s.store.get("max_iters").value == 6000


def test_whatif_on_a_setting_leaves_the_setting_alone(know):
    s = seeded(know)
    [a] = s.handle("/whatif max_iters=8000")
    assert a.data["alt"].steps_remaining == 7900 and a.data["base"].steps_remaining == 5900
    assert s.store.get("max_iters").value == 6000 and not s.store.overrides
    [b] = s.handle("/whatif eval_interval=1000")
    assert b.data["alt"].evals_remaining == 6 and b.data["alt"].eval_cost_source == "prior"


@pytest.mark.parametrize("text,code", [("/whatif", "whatif_syntax"), ("/whatif lr=3", "whatif_key"),
                                       ("/whatif sec_per_step=fast", "bad_value")])
def test_whatif_errors(know, text, code):
    [a] = seeded(know).handle(text)
    assert a.error and a.data["code"] == code


def test_whatif_from_the_command_line():
    r = run_cli(["eta", "--set", "max_iters=6000", "--set", "eval_interval=100000",
                 "--whatif", "sec_per_step=0.2", "--json"], SEED_LINE)
    assert r.code == 0
    assert r.json["whatif"]["remaining_s"] == pytest.approx(1180.0)
    assert r.json["eta"]["remaining_s"] == pytest.approx(23571.149)
    r = run_cli(["eta", "--set", "max_iters=6000", "--whatif", "sec_per_step=0.2", "--lang", "es"], SEED_LINE)
    assert r.code == 0 and "0,2" in r.out


@pytest.mark.parametrize("locale", ["en", "es", "fr", "ar"])
def test_whatif_and_last_line_age_render_in_every_locale(locale):
    import re
    ts_log = "".join(f"2026-11-23 10:00:{i:02d} iter {i}: loss 4.0, time 1000.00ms, mfu 10.00%\n"
                     for i in range(1, 20))
    runs = [
        run_cli(["eta", "--set", "max_iters=6000", "--whatif", "sec_per_step=0,2", "--lang", locale], SEED_LINE),
        run_cli(["eta", "--set", "max_iters=6000", "--whatif", "max_iters=8000", "--lang", locale], SEED_LINE),
        run_cli(["eta", "--set", "max_iters=6000", "--whatif", "lr=3", "--lang", locale], SEED_LINE),
    ] + [run_cli(["eta", "--set", "max_iters=1000", "--set", "eval_interval=100000",
                  "--set", f"now=2026-11-23T{t}", "--lang", locale], ts_log)
         for t in ("10:01:00", "10:09:00", "13:00:00")]
    assert [r.code for r in runs] == [0, 0, 2, 0, 0, 0]
    if locale == "ar":
        for r in runs:
            assert re.findall(r"[A-Za-z]+", re.sub("\u2066[^\u2069]*\u2069", "", r.out)) == []
    statuses = [r.out for r in runs[3:]]
    assert len(set(statuses)) == 3          # running, silent, overdue read differently
