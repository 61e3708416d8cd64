"""Parameters, tokens and FLOPs against nanoGPT's own numbers and seed 001's run."""

import pytest
from hypothesis import given, strategies as st

from advisor.errors import AdvisorError
from advisor.compute.sizing import Shape, compute, params

GPT2 = Shape(n_layer=12, n_head=12, n_embd=768, block_size=1024, vocab_size=50257, bias=False)
SEED_001 = Shape(n_layer=12, n_head=6, n_embd=384, block_size=1024, vocab_size=50304, bias=False)


def test_gpt2_matches_nanogpt_transformer_sizing():
    assert params(GPT2).total == 124_337_664
    assert params(Shape(12, 12, 768, 1024, 50304)).total == 124_373_760      # padded vocab


def test_gpt2_with_bias_matches_the_huggingface_count():
    # GPT-2 124M as published (biases, V=50257): 124,439,808 (llm.c prints this too)
    assert params(Shape(12, 12, 768, 1024, 50257, bias=True)).total == 124_439_808


def test_seed_001_run():
    p = params(SEED_001)
    assert p.reported == 40_560_000                       # nanoGPT prints 40.56M
    c = compute(SEED_001, batch_size=16, gradient_accumulation_steps=32, max_iters=20000,
                dataset_tokens=3.68e9)
    assert c.tokens_per_iter == 524_288
    assert c.tokens == 10_485_760_000
    assert c.epochs == pytest.approx(2.85, abs=0.005)
    assert c.flops_6n == pytest.approx(2.55e18, rel=0.002)   # not 2.55e15
    assert c.flops == pytest.approx(3.15e18, rel=0.002)
    assert c.tokens_per_param == pytest.approx(258.5, abs=0.1)


@pytest.mark.parametrize("shape,reason", [
    (Shape(12, 7, 768, 1024, 50257), "heads"),
    (Shape(0, 12, 768, 1024, 50257), "positive"),
    (Shape(12, 12, -768, 1024, 50257), "positive"),
])
def test_impossible_shapes_are_refused(shape, reason):
    with pytest.raises(AdvisorError) as e:
        params(shape)
    assert e.value.code == "bad_config" and e.value.params["reason"] == reason


@given(st.integers(1, 48), st.integers(1, 16), st.integers(1, 64), st.integers(1, 4096),
       st.integers(1, 100_000), st.booleans())
def test_parameter_count_is_the_sum_of_its_parts(n_layer, n_head, head_dim, block, vocab, bias):
    shape = Shape(n_layer, n_head, n_head * head_dim, block, vocab, bias)
    p = params(shape)
    c = shape.n_embd
    assert p.total == p.wte + p.wpe + p.layers + p.ln_f
    assert p.per_layer == 12 * c * c + (13 * c if bias else 2 * c)
    assert p.reported == p.total - block * c


def test_presets_reproduce_the_gpt2_sizes(know):
    # published sizes of the OpenAI GPT-2 checkpoints (bias, V=50257)
    expected = {"gpt2": 124_439_808, "gpt2-medium": 354_823_168, "gpt2-large": 774_030_080,
                "gpt2-xl": 1_557_611_200}
    for name, total in expected.items():
        cfg = know.models[name]["config"]
        shape = Shape(cfg["n_layer"], cfg["n_head"], cfg["n_embd"], cfg["block_size"],
                      cfg["vocab_size"], cfg["bias"])
        assert params(shape).total == total, name
    assert know.models["baby-gpt"]["name"] == "shakespeare-char"


def test_datasets_by_name_and_alias(know):
    assert know.datasets["owt"]["train_tokens"] == 9_035_582_198
    assert know.datasets["shakespeare-char"]["train_tokens"] == 1_003_854
    assert know.datasets["fineweb-edu"]["exact"] is False
    assert all(row["source"] for row in know.datasets.values())


def test_time_mfu_and_energy_for_seed_001_on_a_4070(know):
    from advisor.read.gpus import find
    from advisor.compute.sizing import Hardware, energy_kwh, mfu, mfu_from_nanogpt, peak_tflops, seconds_per_iter
    gpu = find("NVIDIA GeForce RTX 4070", know.gpus)
    peak, kind = peak_tflops(gpu, "bfloat16")
    assert kind == "bf16" and peak == gpu.bf16_tflops
    hw = Hardware(peak, 1, gpu.tdp_w)
    c = compute(SEED_001, 16, 32, 20000)
    f_iter = c.flops_per_token * c.tokens_per_iter
    s = seconds_per_iter(f_iter, 0.3, hw)
    assert mfu(f_iter, s, hw) == pytest.approx(0.3)
    # seed 004: nanoGPT printed 12.9 % (against 312 TFLOPS) for ~3.9 s per iteration
    assert mfu_from_nanogpt(12.9, hw) == pytest.approx(0.129 * 312 / peak)
    assert energy_kwh(3600, hw, 1.0) == pytest.approx(gpu.tdp_w / 1000)


def test_bf16_on_a_t4_is_emulated(know):
    from advisor.read.gpus import find
    from advisor.compute.sizing import peak_tflops
    t4 = find("Tesla T4", know.gpus)
    peak, kind = peak_tflops(t4, "bfloat16")
    assert kind == "bf16_emulated" and peak == t4.fp16_tflops
