"""Two runs side by side: seed 004's question, configs, the verdict agreeing with the table."""

import pytest
from hypothesis import given, settings, strategies as st

from advisor.answers.answer import Answer
from advisor.compute.compare import Curve, compare
from advisor.render import render
from advisor.conversation import Conversation
from conftest import FIXTURES, plain, run_cli

SEED = FIXTURES / "compare"
A, B = str(SEED / "seed004_a.log"), str(SEED / "seed004_b.log")


def test_seed_004_numbers():
    r = run_cli(["compare", A, B, "--json"])
    assert r.code == 0
    c = r.json["compare"]
    # 524,288 tokens every ~3.905 s against every ~9.34 s
    assert c["a"]["tokens_per_iter"] == c["b"]["tokens_per_iter"] == 524288
    assert c["a"]["tokens_per_s"] == pytest.approx(134_000, rel=0.01)
    assert c["b"]["tokens_per_s"] == pytest.approx(56_000, rel=0.01)
    assert 1 / c["tokens_ratio"] == pytest.approx(2.4, abs=0.05)
    assert c["a"]["micro_s"] == pytest.approx(3.905 / 32, rel=0.01)
    assert c["b"]["micro_s"] == pytest.approx(9.34 / 64, rel=0.01)
    # MFU as printed (both against an A100), explained by FLOPs per token
    assert c["mfu_kind"] == "printed_a100"
    assert (c["mfu_a"], c["mfu_b"]) == (pytest.approx(0.129, abs=0.001), pytest.approx(0.154, abs=0.001))
    assert c["flops_ratio"] == pytest.approx(854.77 / 299.98, rel=1e-3)
    assert c["flops_ratio"] * c["tokens_ratio"] == pytest.approx(c["mfu_ratio"], rel=0.01)
    assert c["differences"]["n_embd"] == [384, 768]
    assert c["differences"]["learning_rate"] == [0.001, 0.0003]
    # val loss at equal tokens (step 500 = 262,144,000 tokens) and time to the same loss
    assert c["equal_tokens"] == {"tokens": 262_144_000, "val_a": 5.5328, "val_b": 5.5194}
    t = c["time_to_loss"]
    assert t["loss"] == 5.5194 and t["b_exact"] and not t["a_exact"]
    assert t["ratio"] == pytest.approx(t["b_s"] / t["a_s"]) and t["ratio"] > 2


def test_seed_004_verdict_in_words():
    text = plain(run_cli(["compare", A, B]).out)
    assert "B processes 2.39× fewer tokens per second than A (56,131 against 134,248)" in text
    assert "B uses the GPU better: MFU 15.4% against 12.9%" in text
    assert "costs 2.85× the FLOPs of A's and takes 2.39× the time, so B's MFU is 1.19× A's" in text
    assert "B's validation loss is 0.0134 lower" in text
    assert "Per hour of training, A is ahead" in text
    assert "depends on the loss each reaches per hour" in text


@pytest.mark.parametrize("locale", ["es", "fr", "ar"])
def test_numbers_are_the_same_in_every_language(locale):
    from conftest import numbers
    en = run_cli(["compare", A, B, "--lang", "en"]).out
    other = run_cli(["compare", A, B, "--lang", locale]).out
    assert sorted(numbers(en)) == sorted(numbers(other))


def test_without_val_losses_it_says_what_it_needs(tmp_path):
    for name, src in (("a.log", A), ("b.log", B)):
        lines = [ln for ln in open(src) if not ln.startswith("step ")]
        (tmp_path / name).write_text("".join(lines))
    r = run_cli(["compare", str(tmp_path / "a.log"), str(tmp_path / "b.log")])
    assert r.code == 0
    assert "paste both runs' evaluation lines" in plain(r.out)
    assert "validation loss at" not in r.out


def test_two_configs_and_one_of_each(tmp_path):
    (tmp_path / "small.py").write_text("n_layer = 6\nn_head = 6\nn_embd = 384\nbatch_size = 32\n"
                                       "gradient_accumulation_steps = 4\nblock_size = 256\n")
    (tmp_path / "big.py").write_text("n_layer = 12\nn_head = 12\nn_embd = 768\nbatch_size = 8\n"
                                     "gradient_accumulation_steps = 16\nblock_size = 256\n")
    r = run_cli(["compare", str(tmp_path / "small.py"), str(tmp_path / "big.py"), "--json"])
    assert r.code == 0
    c = r.json["compare"]
    assert c["a"]["tokens_per_iter"] == c["b"]["tokens_per_iter"] == 32768
    assert c["a"]["sec_per_step"] is None and c["tokens_ratio"] is None
    assert c["flops_ratio"] > 3
    assert "n_embd" in c["differences"]
    r = run_cli(["compare", str(tmp_path / "small.py"), A])
    assert r.code == 0 and "—" in r.out


def test_bad_input(tmp_path):
    r = run_cli(["compare", A])
    assert r.code == 2 and "needs two runs" in r.out
    r = run_cli(["compare", A, str(tmp_path / "nope.log"), "--lang", "es"])
    assert r.code == 2 and "Traceback" not in r.out
    (tmp_path / "empty.log").write_text("hello\n")
    r = run_cli(["compare", A, str(tmp_path / "empty.log")])
    assert r.code == 2 and "nothing to compare" in r.out


def test_repl_compares_the_last_two_pastes(know):
    s = Conversation(know, "en")
    (err,) = s.handle("/compare")
    assert err.error and err.data["code"] == "compare_needs_two"
    s.handle("/set gpu=4070")
    s.handle(open(A).read())
    s.handle(open(B).read())
    (ans,) = s.handle("/compare")
    assert ans.kind == "compare"
    # the GPU given with /set holds for both: MFU against the 4070's own peak
    assert ans.data["mfu_kind"] == "gpu"
    assert ans.data["mfu_ratio"] == pytest.approx(0.154 / 0.129, rel=0.01)
    assert ans.data["a"]["settings"]["n_embd"] == (384, "log")
    (regen,) = s.handle("/regen fr")
    assert "B" in render(regen.answer, regen.locale)


def _side(sps, tokens, flops, mfu):
    return {"label": "x", "s": {}, "trainer": "nanoGPT", "settings": {k: (None, "unknown") for k in
            __import__("advisor.compute.compare", fromlist=["DIFF_KEYS"]).DIFF_KEYS},
            "tokens_per_iter": tokens, "sec_per_step": sps, "tokens_per_s": tokens / sps,
            "micro_s": sps, "mfu": mfu, "mfu_printed": None, "mfu_printed_a100": None, "params": 1e8,
            "flops_per_token": flops, "curve": Curve(((0, 0.0, 0.0, 11.0), (100, 1e6 * 100, 100 * sps, 5.0))),
            "total_s": None}


@settings(max_examples=60, deadline=None)
@given(st.floats(0.05, 20), st.floats(0.05, 20), st.sampled_from([16384, 524288]),
       st.floats(1e8, 2e9), st.floats(1e8, 2e9))
def test_every_verdict_sentence_agrees_with_the_table(spa, spb, tokens, fa, fb):
    a, b = _side(spa, tokens, fa, 0.3), _side(spb, tokens, fb, 0.3 * (fb / fa) * (spa / spb))
    d = compare(a, b)
    text = plain(render(Answer("compare", d), "en"))
    r = d["tokens_ratio"]
    if r < 0.95:
        assert "B processes" in text and "fewer tokens per second" in text
    elif r > 1.05:
        assert "more tokens per second" in text
    else:
        assert "about as many tokens" in text
    m = d["mfu_ratio"]
    if m > 1.05:
        assert "B uses the GPU better" in text
    elif m < 0.95:
        assert "B uses the GPU less well" in text
    assert d["mfu_ratio_explained"] == pytest.approx(m, rel=1e-9)
    t = d["to_loss"]
    if t["ratio"] > 1.05:
        assert "A is ahead" in text
    elif t["ratio"] < 0.95:
        assert "B is ahead" in text


def test_two_real_logs_from_shared():
    from conftest import SHARED
    logs = SHARED / "logs" / "modded-nanogpt"
    a = logs / "record_2024-10-10_muon_8xH100_train_loss_format.log"
    b = logs / "record_011625_sub3min_8xH100.log"
    if not (a.exists() and b.exists()):
        pytest.skip("../shared/logs is not beside the checkout")
    r = run_cli(["compare", str(a), str(b), "--json"])
    assert r.code == 0
    c = r.json["compare"]
    # SOURCES.md: about 213.5 ms and 123 ms per step
    assert c["a"]["sec_per_step"] == pytest.approx(0.2135, rel=0.05)
    assert c["b"]["sec_per_step"] < c["a"]["sec_per_step"]
    assert c["a"]["micro_s"] is None            # no accumulation given or printed: not guessed
    assert c["time_to_loss"]["ratio"] < 1        # the newer record reaches the same loss sooner
