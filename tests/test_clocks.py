"""Issue 13: the clocks a screen carries (a progress bar's elapsed time), evaluation bars
kept apart from training, the ETA calibration file, and the real-run recorder (on a tiny
fake trainer: its output stamped on arrival, `\\r` kept, contention started and stopped by
pid)."""

from __future__ import annotations

import math
import os
import sys

import pytest

from advisor.answers.eta import eta_answer
from advisor.conversation import Conversation
from advisor.knowledge.build import calibration
from advisor.knowledge.model import EtaCalibration, KnowledgeError
from advisor.read import read_text
from conftest import FIXTURES, ROOT, run_cli

CLOCKS = FIXTURES / "clocks"
sys.path.insert(0, str(ROOT / "benchmarks" / "real_runs"))
from record import Contention, chunks, record, truth  # noqa: E402
from screen import Terminal, screen_at  # noqa: E402


def eta_of(know, name: str, **facts):
    conv = Conversation(know)
    conv.paste((CLOCKS / name).read_text(encoding="utf-8"))
    for key, value in facts.items():
        conv.set_fact(key, value, "test")
    return eta_answer(conv.context())


def test_hf_screen_eta_is_the_bar_clock_over_its_steps(know):
    """250/1800 after 00:24: 24 s / 250 steps, evaluations included, x 1,550 steps left;
    the eval bar (92/100) is not read as step 92 of a 100-step run."""
    a = eta_of(know, "hf_screen.log")
    r = a.data["eta"]
    assert (r.last_step, r.total_steps) == (250, 1800)
    assert r.remaining_s == pytest.approx(24 / 250 * 1550)
    assert r.clock_s == 24 and r.bar_rate_s == pytest.approx(1 / 11.78)
    assert a.data["notes"] == ["evals_in_clock"]
    assert a.data["printed_remaining_s"] == 131      # the bar's own '<02:11', shown beside


def test_lightning_screen_eta_from_the_epoch_bar_clock(know):
    r = eta_of(know, "lightning_screen.log", max_iters="2500").data["eta"]
    assert r.remaining_s == pytest.approx(62 / 1000 * 1500)


def test_the_clock_answer_names_the_clock_in_every_locale(know):
    path = str(CLOCKS / "hf_screen.log")
    text = run_cli(["eta", path, "--lang", "en"]).out
    assert "elapsed clock" in text and "inside the step time" in text
    for locale in ("es", "fr", "ar"):
        r = run_cli(["eta", path, "--lang", locale])
        assert r.code == 0 and "elapsed clock" not in r.out


def test_timed_evaluations_come_out_of_the_clock_and_go_on_their_schedule(know):
    """Written from a real HF 5.25 screen (benchmarks/real_runs hf-02): the evaluation at
    600 was lost under a bar redraw and log lines sit behind stale bar steps; the epochs
    place them: steps per epoch 100 / 0.02844, one evaluation every 0.08532 epochs = 300
    steps; two have run by step 750 (9 s of the 75 s clock), three remain (900, 1200, 1500)."""
    a = eta_of(know, "hf_evals_screen.log")
    r = a.data["eta"]
    assert r.eval_cost_source == "eval_runtime" and a.data["eval_interval"] == 300
    assert r.evals_remaining == 3 and r.eval_s == pytest.approx(4.499)
    assert r.sec_per_step == pytest.approx((75 - 2 * 4.499) / 750)
    assert r.remaining_s == pytest.approx(750 * r.sec_per_step + 3 * 4.499)
    assert a.data["notes"] == []
    given = eta_of(know, "hf_evals_screen.log", eval_interval="250").data["eta"]
    assert given.evals_remaining == 4      # 750's own (its line has not come), 1000, 1250, 1500


@pytest.mark.parametrize("last, total, seen, expected", [
    (750, 1500, 600.0, (3, 2)),     # 900, 1200, 1500 to come
    (750, 1450, 600.0, (3, 2)),     # 900, 1200, and the final one at 1450 (off the schedule)
    (900, 1500, 600.0, (3, 2)),     # the line of 900's own evaluation has not come yet
    (900, 1500, 900.0, (2, 3)),
    (1500, 1500, 1200.0, (0, 5)),
])
def test_remaining_evaluations_on_the_schedule(last, total, seen, expected):
    from advisor.compute.eta_clock import BarClock, TimedEvals, remaining_evals
    bar = BarClock(last, 100.0, last, total, None)
    assert remaining_evals(bar, TimedEvals([4.5], 300.0, seen, at_end=True)) == expected


def test_an_eval_bar_does_not_replace_the_training_total():
    rep = read_text((CLOCKS / "hf_screen.log").read_text(encoding="utf-8"))
    run = rep.main_run()
    assert run.printed["total_steps"][0] == 1800
    assert run.printed["bar_clock"][0][:2] == (250, 24.0)
    assert list(run.samples.iters) == [250]


def test_a_bar_whose_clock_is_still_at_zero_gives_no_clock():
    run = read_text("  0%|          | 1/1800 [00:00<?, 11.78it/s]\n").main_run()
    assert "bar_clock" not in run.printed and list(run.samples.iters) == [1]


def test_a_step_timer_log_widens_its_high_end_for_unseen_evaluations(know):
    conv = Conversation(know)
    conv.paste("step:10/100 train_time:1000ms step_avg:100.00ms\n"
               + "".join(f"step:{i}/100 train_time:{100 * i}ms step_avg:100.00ms\n" for i in range(11, 41)))
    a = eta_answer(conv.context())
    r = a.data["eta"]
    assert a.data["notes"] == ["evals_not_counted"] and "evals_unseen" in r.flags
    assert r.high_s >= r.remaining_s * (1 + a.data["unseen_evals_prior"]) - 1e-9


TRAINERS = FIXTURES / "trainers"


@pytest.mark.parametrize("fixture, seconds", [
    ("litgpt_pretrain.log", 114.0),            # 'remaining time: 0:01:54'
    ("nanochat_2026.log", 17.1 * 60),          # '| eta: 17.1m'
    ("ms_swift.log", ((472 * 24 + 8) * 60 + 9) * 60 + 53.0),   # 'remaining_time': '472d 8h 9m 53s'
])
def test_the_trainers_own_remaining_time_is_read(fixture, seconds):
    run = read_text((TRAINERS / fixture).read_text(encoding="utf-8")).main_run()
    assert run.printed["printed_remaining_s"][0] == pytest.approx(seconds)


def test_the_answer_shows_the_trainers_remaining_beside_its_own(know):
    conv = Conversation(know)
    conv.paste((TRAINERS / "nanochat_2026.log").read_text(encoding="utf-8"))
    a = eta_answer(conv.context())
    assert a.data["printed_remaining_s"] == pytest.approx(17.1 * 60)
    # a remaining time printed on an older line than the last step is not the trainer's now
    conv = Conversation(know)
    conv.paste((TRAINERS / "nanochat_2026.log").read_text(encoding="utf-8") +
               "step 00014/02100 (0.67%) | loss: 7.9 | lrm: 0.35 | dt: 490.30ms | tok/sec: 1,069,320 | "
               "bf16_mfu: 51.71 | epoch: 1 pq: 0 rg: 28 | total time: 0.02m\n")
    assert eta_answer(conv.context()).data["printed_remaining_s"] is None


def test_calibration_file_is_validated():
    good = calibration({"source": "x", "spread_split": 0.04, "runs": ["a"],
                        "buckets": {"0-20/steady": [-0.1, 0.2]}}, "f")
    assert good == EtaCalibration({"0-20/steady": (-0.1, 0.2)}, 0.04, ("a",))
    for bad in ({"source": "x", "buckets": {"k": [0.1, 0.2]}},          # range misses the point
                {"source": "x", "buckets": {}, "spread_split": 2},
                {"source": "x", "buckets": {}, "runs": "a"},
                {"buckets": {}}):
        with pytest.raises(KnowledgeError):
            calibration(bad, "f")


def test_shipped_calibration_names_its_real_runs(know):
    cal = know.eta_calibration
    assert cal.runs and all(name.split("-")[0] in ("nanogpt", "hf", "lightning") for name in cal.runs)
    assert set(cal.runs) <= _runs_of_half("calibration")


def _runs_of_half(half: str) -> set[str]:
    import yaml
    doc = yaml.safe_load((ROOT / "benchmarks" / "real_runs" / "runs.yaml").read_text(encoding="utf-8"))
    return {r["name"] for r in doc["runs"] if r["split"] == half}


def test_a_calibrated_bucket_sets_the_range(know):
    """The range is the bucket's quantiles around the point, whatever the spread."""
    import dataclasses
    cal = EtaCalibration({f"{s}/clock": (-0.5, 0.25) for s in ("0-20", "20-40", "40-60", "60-100")})
    conv = Conversation(dataclasses.replace(know, eta_calibration=cal))
    conv.paste((CLOCKS / "hf_screen.log").read_text(encoding="utf-8"))
    r = eta_answer(conv.context()).data["eta"]
    assert "calibrated" in r.flags
    assert (r.low_s, r.high_s) == pytest.approx((r.remaining_s * math.exp(-0.5), r.remaining_s * math.exp(0.25)))


def test_terminal_keeps_what_a_screen_shows():
    term = Terminal()
    term.write("a\n 10%|# | 1/10\r 20%|## | 2/10\n\x1b[Aoverwritten\nend\x1b[0m")
    assert term.text() == "a\noverwritten/10\nend"     # only what was written over changes


FAKE_TRAINER = r"""
import sys, time
for i in range(6):
    print(f"iter {i}: loss 1.0, time 20.00ms, mfu 1.00%", flush=True)
    sys.stderr.write(f"\r{i}/6 [bar]"); sys.stderr.flush()
    time.sleep(0.15)
"""


def test_recorder_stamps_chunks_keeps_cr_and_stops_contention_by_pid(tmp_path):
    out = str(tmp_path / "run.jsonl.gz")
    busy = Contention(2, 4, 1)
    code = record(out, [sys.executable, "-c", FAKE_TRAINER], r"^iter (\d+):", busy)
    assert code == 0
    rows, events, end = chunks(out)
    times = [t for t, _, _ in rows]
    assert times == sorted(times) and end[1] == 0 and end[0] >= times[-1]
    assert any("\r" in text for _, stream, text in rows if stream == "e")
    assert [e[0] for e in events] == ["busy_start", "busy_stop"]
    assert [e[2] for e in events] == [2, 4]
    t = truth(out, r"^iter (\d+):")
    assert sorted(t["steps"]) == list(range(6)) and t["steps"][5] >= t["steps"][0] + 0.5
    assert "iter 3: loss 1.0" in screen_at(rows, t["steps"][3])
    assert "iter 4:" not in screen_at(rows, t["steps"][3])


def test_contention_processes_are_gone_after_the_stop(tmp_path):
    busy = Contention(0, None, 1)
    record(str(tmp_path / "r.jsonl.gz"), [sys.executable, "-c", FAKE_TRAINER], r"^iter (\d+):", busy)
    pid = busy.events and busy.events[0]
    assert pid and not busy.pids                   # stopped at the end of the run
    assert [e[0] for e in busy.events] == ["busy_start", "busy_stop"]


def test_recorded_runs_are_split_by_run():
    import yaml
    path = ROOT / "benchmarks" / "real_runs" / "runs.yaml"
    runs = yaml.safe_load(path.read_text(encoding="utf-8"))["runs"]
    assert {r["split"] for r in runs} == {"calibration", "evaluation"}
    assert len({r["name"] for r in runs}) == len(runs)
    for r in runs:
        assert os.path.exists(ROOT / "benchmarks" / "real_runs" / "data" / r["file"])
