"""Real public logs in ../shared/logs, against the ground truth in ../shared/logs/SOURCES.md."""

import statistics

import pytest

from advisor.read import read_text as parse_text

from conftest import SHARED

LOGS = SHARED / "logs"
pytestmark = pytest.mark.skipif(not LOGS.is_dir(), reason="../shared/logs is not beside the checkout")


def read(rel):
    return parse_text((LOGS / rel).read_text(encoding="utf-8"))


def median_dt(run, after=0):
    return statistics.median(s.dt_s for s in run.samples if s.dt_s and s.iter > after)


def test_llmc_logfile_adamw():
    rep = read("llm.c/llmc_logfile_main_log_adamw_2024-06-06.log")
    run = rep.main_run()
    assert (run.trainer, run.variant) == ("llm.c", "logfile")
    assert [e.step for e in run.evals] == [0, 128, 256]          # val every 128 steps
    assert not any(s.dt_s for s in run.samples)                   # no timing in this format
    assert rep.n_ignored == 2                                     # the two EXCERPT GAP notes


def test_llmc_logfile_modded_baseline():
    run = read("llm.c/llmc_logfile_main_log_modded_nanogpt_baseline.log").main_run()
    assert run.variant == "logfile"
    assert [e.step for e in run.evals] == [0, 250]
    assert run.samples[-1].lr == 0.000219 and run.samples[-1].grad_norm == 0.78


def test_llmc_cpu_macbook():
    run = read("llm.c/train_gpt2_cpu_readme_macbook_m3.log").main_run()
    assert (run.trainer, run.variant, run.step_base) == ("llm.c", "train_gpt2_cpu", 0)
    assert run.samples[-1].iter == 39 and "total_steps" not in run.printed
    assert all(1.28 <= s.dt_s <= 1.46 for s in run.samples)
    assert run.printed["params"][0] == 124439808


def test_nanochat_d24_4xh100():
    rep = read("nanochat/speedrun_d24_4xH100_fp8_bf16_mfu_eta_interleaved.log")
    run = rep.main_run()
    assert (run.trainer, run.variant) == ("nanochat", "2026_bf16_mfu")
    assert run.printed["total_steps"][0] == 5568
    assert run.printed["tokens_per_step"][0] == 1_048_576
    assert run.printed["gradient_accumulation_steps"][0] == 8
    assert median_dt(run, after=0) == pytest.approx(2.13, abs=0.01)
    assert run.samples[0].dt_s == pytest.approx(137.48418)         # step 0: compile
    assert statistics.median(s.mfu for s in run.samples[1:]) == pytest.approx(59.3, abs=0.3)
    assert rep.system["world_size"][0] == 4 and rep.system["gpu"][0] == "NVIDIA H100 80GB HBM3"
    assert rep.n_ignored > 0                                      # rclone lines, banner...


def test_modded_nanogpt_sub3min():
    rep = read("modded-nanogpt/record_011625_sub3min_8xH100.log")
    run = rep.main_run()
    assert run.trainer == "modded-nanogpt" and run.printed["total_steps"][0] == 1385
    assert [e.step for e in run.evals][:2] == [0, 125]
    assert run.printed["warmup_steps"][0] == 10
    early = statistics.median(s.dt_s for s in run.samples if s.dt_s and s.iter < 100)
    assert early == pytest.approx(0.123, abs=0.002)
    assert run.printed["peak_memory_mib"][0] == 37653 and run.printed["reserved_memory_mib"][0] == 39236
    assert rep.system["gpu_count"][0] == 8


def test_modded_nanogpt_muon_train_loss_format():
    rep = read("modded-nanogpt/record_2024-10-10_muon_8xH100_train_loss_format.log")
    run = rep.main_run()
    assert run.variant == "2024_train_loss" and run.printed["total_steps"][0] == 6200
    assert median_dt(run) == pytest.approx(0.2135, abs=0.003)
    assert run.samples[1].loss == pytest.approx(8.6834)
    assert rep.system["gpu"][0] == "NVIDIA H100 80GB HBM3"


def test_shared_logs_give_answers_not_tracebacks():
    from conftest import run_cli
    for path in sorted(LOGS.glob("*/*.log")):
        r = run_cli(["eta", str(path), "--json"])
        assert r.code in (0, 2), path
        assert ("eta" in r.json) or r.json["error"] in ("no_step_times", "max_iters_missing")
