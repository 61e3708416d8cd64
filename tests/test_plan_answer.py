"""The plan question end to end (seed 001's run and bad configs)."""

import pytest

from conftest import run_cli, typed

SEED_001 = ["plan", "--set", "n_layer=12", "--set", "n_head=6", "--set", "n_embd=384",
            "--set", "vocab_size=50304", "--set", "bias=False", "--set", "batch_size=16",
            "--set", "block_size=1024", "--set", "gradient_accumulation_steps=32",
            "--set", "max_iters=20000", "--set", "gpu=NVIDIA GeForce RTX 4070",
            "--set", "dataset_tokens=3.68e9", "--set", "price_kwh=0.15"]


def test_seed_001_plan_numbers():
    r = run_cli(SEED_001 + ["--json"])
    assert r.code == 0
    p = r.json["plan"]
    assert p["params_reported"] == 40_560_000
    assert p["tokens_per_iter"] == 524_288 and p["tokens"] == 10_485_760_000
    assert p["epochs"] == pytest.approx(2.85, abs=0.005)
    assert p["flops_6n"] == pytest.approx(2.55e18, rel=0.002)
    assert p["flops"] == pytest.approx(3.15e18, rel=0.002)
    assert p["gpu"] == "rtx_4070" and len(p["times"]) == 4
    assert p["memory"]["verdict"] in ("fits", "tight", "will_not_fit")
    assert p["energy"]["kwh"] > 0 and p["energy"]["cost"] == pytest.approx(p["energy"]["kwh"] * 0.15)


def test_eager_seed_001_does_not_fit_a_12gb_card_and_says_what_does():
    r = run_cli(SEED_001 + ["--set", "compile=False", "--json"])
    mem = r.json["plan"]["memory"]
    assert mem["verdict"] == "will_not_fit"
    assert 1 <= mem["largest_batch"] < 16
    assert mem["largest_batch"] * 1024 * mem["gradient_accumulation_steps"] >= 524_288


def test_gpt2_preset_without_bias_gives_nanogpts_count():
    r = run_cli(["plan", "--set", "model=gpt2", "--set", "bias=False", "--set", "max_iters=1",
                 "--json"])
    assert r.code == 0 and r.json["plan"]["params_total"] == 124_337_664


@pytest.mark.parametrize("args,code", [
    (["--set", "n_embd=100", "--set", "n_head=12", "--set", "max_iters=10"], "bad_config"),
    (["--set", "n_layer=0", "--set", "max_iters=10"], "bad_value"),
    (["--set", "num_gpus=0", "--set", "max_iters=10"], "bad_value"),
    (["--set", "model=gpt2"], "plan_missing"),
    (["--set", "model=gpt9", "--set", "max_iters=10"], "unknown_model"),
    (["--set", "max_iters=10", "--set", "gpu=RTX 9999"], "unknown_gpu"),
])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_impossible_plans_get_a_localized_error(args, code, lang):
    r = run_cli(["plan", "--json", "--lang", lang] + args)
    assert r.code == 2 and r.json["error"] == code and r.json["message"]


def test_plan_in_the_conversation(know):
    from advisor.conversation import Conversation
    s = Conversation(know)
    [a] = typed(s, "/set model=shakespeare-char", "/plan")[-1:]
    assert a.kind == "plan" and a.data["params"].reported == 10_646_784


def test_a_measured_time_impossible_for_the_assumed_model_is_not_called_an_mfu():
    from conftest import FIXTURES
    r = run_cli(["plan", str(FIXTURES / "nanogpt_eval_heavy.log"), "--set", "gpu=4070", "--json"])
    measured = r.json["plan"]["measured"]
    assert measured["mfu"] > 1                     # defaults (GPT-2 124M) vs a 0.4 s step
    assert "%" not in r.json["answer"].split("measured in your log")[1].split("\n")[0]


def test_a_gpu_outside_the_table_can_be_described():
    r = run_cli(["plan", "--set", "model=gpt2", "--set", "max_iters=1000", "--set", "gpu=Radeon RX 7900 XTX",
                 "--set", "gpu_tflops=122.8", "--set", "gpu_memory_gib=24", "--json"])
    assert r.code == 0
    p = r.json["plan"]
    assert p["gpu"] == "custom" and p["peak_tflops"] == 122.8 and p["memory"]["usable_gib"] < 24
    assert p["energy"] is None                    # no power given: no energy estimate


@pytest.mark.parametrize("locale", ["en", "es", "fr", "ar"])
def test_explain_shows_the_formulas_with_the_users_numbers(know, locale):
    import re
    from advisor.render import render
    from advisor.conversation import Conversation
    s = Conversation(know, locale)
    answers = typed(s, "/set model=shakespeare-char", "/plan", "/explain")
    explain = answers[-1]
    assert explain.kind == "explain"
    text = render(explain, locale)
    assert "10,745,088" in text or "10.745.088" in text or "10 745 088" in text.replace("\u202f", " ")
    assert "6·N + 12·L·C·T" in text
    if locale == "ar":
        assert re.findall(r"[A-Za-z]+", re.sub("\u2066[^\u2069]*\u2069", "", text)) == []


def test_block_size_beyond_a_pretrained_model_is_refused():
    r = run_cli(["plan", "--set", "model=gpt2", "--set", "block_size=2048", "--set", "max_iters=10", "--json"])
    assert r.code == 2 and r.json["error"] == "bad_config" and "1,024" in r.json["message"]
    r = run_cli(["plan", "--set", "model=shakespeare-char", "--set", "block_size=2048", "--json"])
    assert r.code == 0                              # trained from scratch: any context
