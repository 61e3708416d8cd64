"""Peak memory against the worked example and the public OOM reports in
shared/reference/memory-compute.md (sections 4.3 and 5.6)."""

import pytest

from advisor.compute.memory import GIB, Setup, accumulation_for, largest_batch, peak, verdict
from advisor.compute.sizing import Shape

GPT2_PAD = Shape(12, 12, 768, 1024, 50304)           # nanoGPT's default model, padded vocab


def test_worked_example_gpt2_eager():
    p = peak(Setup(GPT2_PAD, batch_size=12, gradient_accumulation_steps=40, compile=False))
    assert p.weights + p.grads + p.adamw == pytest.approx(1.85 * GIB, rel=0.01)
    assert p.casts == pytest.approx(0.23 * GIB, rel=0.02)
    assert p.activations == pytest.approx(3.80 * GIB, rel=0.03)
    assert p.logits == pytest.approx(8.06 * GIB, rel=0.01)
    assert p.allocated == pytest.approx(14.0 * GIB, rel=0.02)
    assert p.process == pytest.approx(15.2 * GIB, rel=0.02)
    ga1 = peak(Setup(GPT2_PAD, 12, 1, compile=False))
    assert ga1.allocated == pytest.approx(13.5 * GIB, rel=0.02)


def test_worked_example_gpt2_compiled():
    p = peak(Setup(GPT2_PAD, batch_size=12, gradient_accumulation_steps=40, compile=True))
    assert p.allocated == pytest.approx(6.7 * GIB, rel=0.05)


@pytest.mark.parametrize("batch,failing_mib", [(2, 394), (4, 786), (32, 6.14 * 1024)])
def test_oom_reports_name_the_fp32_logits(batch, failing_mib):
    # the allocation that failed in nanoGPT#88 and #61 is one fp32 B x T x V tensor
    assert 4 * batch * 1024 * 50304 / 1024 ** 2 == pytest.approx(failing_mib, rel=0.005)


def test_oom_report_b32_on_a_16gb_gpu_is_a_will_not_fit():
    # nanoGPT#88: --batch_size=32 --compile=False on a 16 GB GPU ran out of memory
    p = peak(Setup(GPT2_PAD, batch_size=32, gradient_accumulation_steps=40, compile=False))
    assert verdict(p.process, 16) == "will_not_fit"


def test_first_iteration_has_no_adamw_state_yet():
    steady = peak(Setup(GPT2_PAD, 12, 40, compile=False))
    first = peak(Setup(GPT2_PAD, 12, 40, compile=False, first_iteration=True))
    assert steady.allocated - first.allocated == pytest.approx(8 * 124_373_760)


def test_math_attention_and_dropout_cost_more():
    base = peak(Setup(GPT2_PAD, 4, 1))
    assert peak(Setup(GPT2_PAD, 4, 1, flash=False)).activations > base.activations
    assert peak(Setup(GPT2_PAD, 4, 1, dropout=0.1)).activations > base.activations


def test_largest_batch_and_accumulation_keep_tokens_per_iteration():
    s = Setup(Shape(12, 6, 384, 1024, 50304), batch_size=16, gradient_accumulation_steps=32,
              compile=False)
    b = largest_batch(s, usable_gib=11.6)                 # an RTX 4070 as torch reports it
    assert 1 <= b < 16                                   # eager B=16 does not fit on 12 GB
    assert verdict(peak(Setup(s.shape, b, 32, compile=False)).process, 11.6) == "fits"
    assert verdict(peak(Setup(s.shape, b + 1, 32, compile=False)).process, 11.6) != "fits"
    ga = accumulation_for(16 * 1024 * 32, b, 1024)
    assert b * 1024 * ga >= 524_288


@pytest.mark.parametrize("name,setup,reported_gib", [
    # nanochat d24 on 4x H100 80GB (SOURCES.md): depth 24, width 1536, 12 heads, 16 x 2048
    # tokens per rank, 8 accumulation steps, vocab 32768, compiled: "Peak memory 54256.65MiB"
    ("nanochat d24", Setup(Shape(24, 12, 1536, 2048, 32768), 16, 8, compile=True), 54256.65 / 1024),
    # modded-nanogpt sub-3-min record on 8x H100: 12 layers, width 768, 64 x 1024 tokens per
    # GPU per step, vocab 50304: "peak memory allocated: 37653 MiB"
    ("modded-nanogpt", Setup(Shape(12, 6, 768, 64 * 1024, 50304), 1, 1, compile=True), 37653 / 1024),
])
def test_reported_peaks_on_h100_agree_with_the_verdict(name, setup, reported_gib):
    """Both runs fit on an 80 GB H100, and the model says so. Their architectures differ
    from nanoGPT's (value embeddings, FP8, FlexAttention), so the totals are only within
    35 % (under: 22 % and 25 %): the calibration benchmark of issue 6 is still to come."""
    p = peak(setup)
    assert verdict(p.process, 79.1) == "fits"
    assert p.allocated / GIB == pytest.approx(reported_gib, rel=0.35)
