"""One fixture per trainer, written by us from each trainer's print statements
(tests/fixtures/trainers/), and what advisor must read from it."""

import statistics

import pytest

from advisor.answers.eta import eta_answer
from advisor.read import read_text as parse_text
from advisor.conversation import Conversation

from conftest import FIXTURES

T = FIXTURES / "trainers"

# file: (trainer, variant or None, distinct steps, last step, total steps, median s/step)
EXPECTED = {
    "nanogpt.log": ("nanoGPT", "train_py", 6, 50, None, 3.3065),
    "nanogpt_old.log": ("nanoGPT", "train_py_no_mfu", 6, 5, None, 0.035155),
    "llmc_cuda.log": ("llm.c", "train_gpt2cu", 5, 5, 18865, 0.3022),
    "llmc_cpu.log": ("llm.c", "train_gpt2_cpu", 4, 3, None, 1.3301),
    "llmc_logfile.log": ("llm.c", "logfile", 3, 2, None, None),
    "nanochat_2025.log": ("nanochat", "2025_mfu", 5, 4, 21400, 0.4896),
    "nanochat_2026.log": ("nanochat", "2026_bf16_mfu", 3, 13, 2100, 0.4903),
    "modded_2025.log": ("modded-nanogpt", "train_time_step_avg", 8, 15, 1750, 0.098),
    "modded_2024.log": ("modded-nanogpt", "2024_train_loss", 5, 14, 3000, 0.213),
    "hf_trainer.log": ("HF Trainer", "trainer", 4, 260, 873, 4.23),
    "hf_notebook.log": ("HF Trainer", "notebook", 1, 22, 290, 8.3333),
    "axolotl.log": ("axolotl", None, 1, 12, 290, 5.28),
    "unsloth.log": ("unsloth", None, 2, 4, 60, 6.855),
    "trl.log": ("TRL", None, 1, 5, 500, 2.0),
    "ms_swift.log": ("ms-swift", None, 1, 145, 250250, 1.81),
    "lightning.log": ("PyTorch Lightning", "tqdm", 2, 932, None, 0.0362),
    "litgpt_pretrain.log": ("LitGPT", "pretrain", 3, 610140, None, 0.1122),
    "litgpt_finetune.log": ("LitGPT", "finetune", 3, 12, None, 0.0457),
    "torchtitan.log": ("torchtitan", None, 4, 10, 3000, 2.3333),
    "megatron_lm.log": ("Megatron-LM", None, 2, 43, 100, 5.4421),
    "megatron_ds.log": ("Megatron-DeepSpeed", None, 2, 121, 143051, 4.2495),
    "neox.log": ("GPT-NeoX", None, 2, 35, 10000, 4.1027),
    "deepspeed.log": ("DeepSpeed", None, 3, 35, None, 7.165),
    "autoresearch.log": ("autoresearch", None, 4, 4, None, 0.3115),
}


def test_every_fixture_is_listed():
    assert sorted(p.name for p in T.glob("*.log")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_trainer_is_recognized_with_its_facts(name):
    trainer, variant, steps, last, total, median = EXPECTED[name]
    rep = parse_text((T / name).read_text(encoding="utf-8"))
    run = rep.main_run()
    assert run.trainer == trainer
    if variant:
        assert run.variant == variant
    assert len({s.iter for s in run.samples}) == steps
    assert run.samples[-1].iter == last
    assert run.printed.get("total_steps", (None,))[0] == total
    times = [s.dt_s for s in run.samples if s.dt_s]
    if median is None:
        assert not times
    else:
        assert statistics.median(times) == pytest.approx(median, rel=1e-3)


def test_trainer_specific_meanings():
    chat = parse_text((T / "nanochat_2025.log").read_text()).runs["nanochat"]
    assert chat.mfu_peak == "h100_bf16"
    assert chat.printed["tokens_per_step"][0] == 524288
    llmc = parse_text((T / "llmc_cuda.log").read_text()).runs["llm.c"]
    assert llmc.step_base == 1 and llmc.samples[0].mfu == -100.0
    assert llmc.samples[1].tok_s == 1734963 and llmc.samples[1].grad_norm == 15.7104
    lit = parse_text((T / "litgpt_finetune.log").read_text()).runs["LitGPT"]
    assert lit.dt_kind == "micro-batch" and lit.printed["micro_batches_per_step"][0] == 4
    mega = parse_text((T / "megatron_lm.log").read_text()).runs["Megatron-LM"]
    assert mega.dt_kind == "average" and mega.samples[-1].loss == pytest.approx(1.825991)
    assert mega.evals[0].step == 50 and mega.printed["peak_memory_mib"][0] == 52231.9
    modded = parse_text((T / "modded_2025.log").read_text()).runs["modded-nanogpt"]
    assert all(s.dt_s is None for s in modded.samples if s.iter <= 11)   # untimed warm-up
    assert modded.printed["warmup_steps"][0] == 10
    swift = parse_text((T / "ms_swift.log").read_text()).runs["ms-swift"]
    assert swift.printed["printed_remaining"][0] == "472d 8h 9m 53s"
    hf = parse_text((T / "hf_trainer.log").read_text()).runs["HF Trainer"]
    assert hf.printed["gradient_accumulation_steps"][0] == 4 and hf.printed["last_loss"][0] == 1.0226
    assert hf.evals[0].val_loss == 1.8113


def test_nanogpt_eta_uses_the_config_dump(know):
    s = Conversation(know)
    s.paste((T / "nanogpt.log").read_text(encoding="utf-8"))
    assert eta_answer(s.context()).data["eta"].steps_remaining == 600000 - 50


@pytest.mark.parametrize("name", ["hf_trainer.log", "unsloth.log", "neox.log", "llmc_cuda.log",
                                  "torchtitan.log", "megatron_ds.log"])
def test_eta_for_trainers_with_a_printed_total(know, name):
    """1-based trainers: step N of T printed means T - N steps remain."""
    s = Conversation(know)
    s.paste((T / name).read_text(encoding="utf-8"))
    answer = eta_answer(s.context())
    run = s.log.main_run()
    assert answer.data["eta"].steps_remaining == run.printed["total_steps"][0] - run.samples[-1].iter
    # a progress bar's elapsed clock runs through the evaluations (taken out and put on their
    # schedule when the trainer timed them); a step timer does not
    clock = "bar_clock" in run.printed
    timed = answer.data["eta"].eval_cost_source == "eval_runtime"
    assert answer.data["notes"] == ([] if timed else ["evals_in_clock"] if clock else ["evals_not_counted"])
    assert timed == (name == "hf_trainer.log")     # the one of these whose evaluations print eval_runtime
    assert clock == (name in ("hf_trainer.log", "unsloth.log"))


def test_eta_for_a_zero_based_trainer(know):
    s = Conversation(know)
    s.paste((T / "nanochat_2026.log").read_text(encoding="utf-8"))
    r = eta_answer(s.context()).data["eta"]
    assert r.steps_remaining == 2100 - 14                     # steps 0..2099; 13 is done


def test_litgpt_step_time_is_micro_batches_times_accumulation(know):
    s = Conversation(know)
    s.paste((T / "litgpt_finetune.log").read_text(encoding="utf-8"))
    s.set_fact("max_iters", "100", "repl")
    r = eta_answer(s.context()).data["eta"]
    assert r.sec_per_step == pytest.approx(4 * statistics.fmean([0.04512, 0.0459, 0.04573]), rel=0.02)


def test_log_without_times_says_so(know):
    from advisor.errors import AdvisorError
    s = Conversation(know)
    s.paste((T / "llmc_logfile.log").read_text(encoding="utf-8"))
    with pytest.raises(AdvisorError) as e:
        eta_answer(s.context())
    assert e.value.code == "no_step_times"


@pytest.mark.parametrize("locale", ["en", "es", "fr", "ar"])
def test_every_fixture_renders_in_every_locale(locale):
    """facts and eta for every trainer, in every language: no template error (a plural
    count that is not a number, a missing placeholder...) and no English left in Arabic."""
    import re
    from conftest import run_cli
    for path in sorted(T.glob("*.log")):
        for question in (["facts"], ["eta", "--set", "max_iters=1000000"]):
            r = run_cli(question + [str(path), "--lang", locale])
            assert r.code in (0, 2), (path.name, r.out)
            if locale == "ar":
                outside = re.sub("\u2066[^\u2069]*\u2069", "", r.out)
                assert re.findall(r"[A-Za-z]+", outside) == [], (path.name, question)


from hypothesis import given, settings, strategies as st  # noqa: E402

_JUNK = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60).filter(
    lambda s: not any(w in s for w in ("iter", "step", "Step", "%|", "=", ":", "{", "[", "|", "...", "…", "<snip>"))
    and not s.lstrip(" >#").startswith(("s", "e", "E", "v", "T", "H", "G", "C", "P", "D", "N")))
_SPLICED = ["nanochat_2026.log", "llmc_cuda.log", "megatron_lm.log", "torchtitan.log", "modded_2025.log"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_SPLICED), st.lists(_JUNK, max_size=12), st.randoms(use_true_random=False))
def test_junk_lines_spliced_into_a_log_leave_its_facts_unchanged(name, junk, rnd):
    lines = (T / name).read_text(encoding="utf-8").splitlines()
    for j in junk:
        lines.insert(rnd.randrange(1, len(lines) + 1), j)
    base = parse_text((T / name).read_text(encoding="utf-8")).main_run()
    got = parse_text("\n".join(lines)).main_run()
    assert got.trainer == base.trainer
    assert [(s.iter, s.loss, s.dt_s) for s in got.samples] == [(s.iter, s.loss, s.dt_s) for s in base.samples]
    assert {k: v[0] for k, v in got.printed.items()} == {k: v[0] for k, v in base.printed.items()}
