import datetime as dt

import pytest

from advisor.answers.eta import eta_answer
from advisor.errors import AdvisorError
from advisor.compute.eta import estimate
from advisor.compute.eta_result import EtaConfig
from advisor.compute.eta_stats import evals_between, newest_segment
from advisor.read.logs.steps import Sample as IterLine
from advisor.read import read_text as parse_text

from conftest import FIXTURES


def cfg(max_iters=5000, eval_interval=250, eval_iters=200, gas=40, gpus=1, eval_only=False):
    return EtaConfig(max_iters, eval_interval, eval_iters, gas, gpus, eval_only)


def it(i, ms, mfu=10.0):
    return IterLine(i, ms / 1000, 1.0, mfu, i + 1)


def test_single_seed_line_is_exact():
    r = estimate([it(100, 3995.11)], cfg(6000, 100000))
    assert r.steps_remaining == 5900
    assert r.steps_s == pytest.approx(23571.149)
    assert r.remaining_s == r.steps_s and r.evals_remaining == 0
    assert r.low_s < r.remaining_s < r.high_s
    assert "few_samples" in r.flags


def cut_fixture(last_iter):
    lines = []
    for line in (FIXTURES / "nanogpt_eval_heavy.log").read_text().splitlines():
        lines.append(line)
        if line.startswith(f"iter {last_iter}:"):
            break
    return "\n".join(lines)


def truth_after(last_iter):
    run = parse_text((FIXTURES / "nanogpt_eval_heavy.log").read_text()).runs["nanoGPT"]
    return sum(s.dt_s for s in run.samples if s.iter > last_iter)


def test_eval_heavy_fixture_cut_at_1000():
    run = parse_text(cut_fixture(1000)).runs["nanoGPT"]
    r = estimate(run.samples, cfg(5000, 250), [e.step for e in run.evals])
    warm = [e for e in r.excluded if e.reason == "warmup"]
    assert warm and warm[0].iters == (0,)
    assert r.evals_remaining == 16                       # 1250, 1500, ..., 5000
    assert r.eval_cost_source == "observed"
    truth = truth_after(1000)
    assert abs(r.remaining_s - truth) / truth < 0.02
    assert r.low_s <= truth <= r.high_s


@pytest.mark.parametrize("cut", [300, 1240, 2600, 3800, 4990])
def test_eval_heavy_fixture_other_cuts(cut):
    run = parse_text(cut_fixture(cut)).runs["nanoGPT"]
    r = estimate(run.samples, cfg(5000, 250), [e.step for e in run.evals])
    truth = truth_after(cut)
    assert r.low_s <= truth <= r.high_s
    if cut <= 3800:   # near the end one evaluation's own noise is a large share of what is left
        assert abs(r.remaining_s - truth) / truth < 0.03


def test_max_iters_below_last_iteration():
    with pytest.raises(AdvisorError) as e:
        estimate([it(100, 400)], cfg(50))
    assert e.value.code == "max_iters_below_last" and e.value.params["last"] == 100


def test_no_samples():
    with pytest.raises(AdvisorError) as e:
        estimate([], cfg())
    assert e.value.code == "no_iterations"


def test_only_iteration_zero_asks_for_more():
    with pytest.raises(AdvisorError) as e:
        estimate([it(0, 30000, -100)], cfg())
    assert e.value.code == "only_warmup"


def test_finished_run():
    r = estimate([it(4999, 400), it(5000, 9000)], cfg(5000, 250))
    assert r.steps_remaining == 0 and r.evals_remaining == 0 and r.remaining_s == 0


def test_evals_between_counts_final_eval_when_divisible():
    assert evals_between(1000, 5000, 250) == 16
    assert evals_between(1000, 4999, 250) == 15
    assert evals_between(0, 100, 250) == 0
    assert evals_between(5000, 5000, 250) == 0


def test_eval_interval_beyond_max_iters_has_no_eval_left():
    r = estimate([it(i, 400) for i in range(1, 40)], cfg(100, 2000))
    assert r.evals_remaining == 0


def test_prior_eval_cost_when_no_eval_seen():
    # hand-computed: mu = 0.4 s, eval = 2*200/(3*(40/1)) * 0.4 = 1.3333 s; evals 250..1000 = 4
    r = estimate([it(i, 400) for i in range(1, 41)], cfg(1000, 250))
    assert r.eval_cost_source == "prior"
    assert r.eval_s == pytest.approx(2 * 200 / (3 * 40) * 0.4)
    assert r.evals_remaining == 4
    assert r.remaining_s == pytest.approx(960 * 0.4 + 4 * r.eval_s)
    # DDP: gradient_accumulation_steps is global and divided by the world size
    r8 = estimate([it(i, 400) for i in range(1, 41)], cfg(1000, 250, gas=40, gpus=8))
    assert r8.eval_s == pytest.approx(2 * 200 / (3 * 5) * 0.4)


def test_last_line_is_an_eval_without_its_iteration():
    # eval 250 is done (step 250 line seen), training step 250 pending
    r = estimate([it(i, 400) for i in range(200, 250)], cfg(1000, 250), eval_steps=[250])
    assert r.steps_remaining == 1000 - 249
    assert r.evals_remaining == 3                       # 500, 750, 1000


def test_resume_keeps_newest_segment():
    samples = [it(i, 400) for i in range(0, 50)] + [it(40, 20000, -100)] + [it(i, 500) for i in range(41, 90)]
    seg, resumed = newest_segment(samples)
    assert resumed and seg[0].iter == 40
    r = estimate(samples, cfg(1000, 250))
    assert "resumed" in r.flags and r.sec_per_step == pytest.approx(0.5)
    assert [e.iters for e in r.excluded if e.reason == "warmup"] == [(40,)]


def test_stall_is_not_an_eval():
    samples = [it(i, 400) for i in range(1, 200)]
    samples[120] = it(121, 309000)
    r = estimate(samples, cfg(1000, 250))
    assert [e.iters for e in r.excluded if e.reason == "stall"] == [(121,)]
    assert r.sec_per_step == pytest.approx(0.4)
    assert r.stall_s > 0


def test_finish_time_from_anchor():
    anchor = dt.datetime(2026, 11, 23, 12, 0, 0)
    r = estimate([it(100, 3995.11)], cfg(6000, 100000), anchor=anchor)
    assert r.finish_at == anchor + dt.timedelta(seconds=23571.149)
    assert r.low_at < r.finish_at < r.high_at


def test_duplicated_lines_count_once():
    samples = [it(i, 400) for i in range(1, 40)]
    r1 = estimate(samples, cfg(1000, 250))
    r2 = estimate(samples + samples[-10:], cfg(1000, 250))
    assert r1.remaining_s == pytest.approx(r2.remaining_s)


def test_gap_status_hand_computed():
    from advisor.compute.eta_result import gap
    r = estimate([it(i, 400) for i in range(1, 41)], cfg(1000, 100000))   # 960 x 0.4 = 384 s
    assert r.remaining_s == pytest.approx(384)
    g = gap(r, 100, 0.4)
    assert g.status == "running" and g.left_s == pytest.approx(284)
    assert gap(r, 350, 0.4).status == "silent"            # > max(3 x 0.4 s, 300 s)
    assert gap(r, r.high_s + 1, 0.4).status == "overdue"
    assert gap(r, 10**6, 0.4).left_s == 0


def test_timestamped_log_counts_from_now(know):
    from advisor.conversation import Conversation
    lines = [f"2026-11-23 10:00:{i:02d} iter {i}: loss 4.0, time 1000.00ms, mfu 10.00%" for i in range(1, 41)]
    s = Conversation(know, clock=lambda: dt.datetime(2026, 11, 23, 10, 1, 40))
    s.handle("\n".join(lines) + "\nmax_iters = 1000\neval_interval = 100000")
    a = eta_answer(s.context())
    g = a.data["gap"]
    assert g.since_last_s == 60 and g.status == "running"
    assert g.left_s == pytest.approx(960 * 1.0 - 60)
    assert a.data["eta"].finish_at == dt.datetime(2026, 11, 23, 10, 0, 40) + dt.timedelta(seconds=960)
    s.set_fact("now", "2026-11-23T13:00:00", "repl")        # three hours later: overdue
    assert eta_answer(s.context()).data["gap"].status == "overdue"
    s.set_fact("now", "2026-11-23T10:08:00", "repl")        # 7 min of silence, lines every 1 s
    assert eta_answer(s.context()).data["gap"].status == "silent"


def test_level_shift_is_detected_and_only_the_new_level_used():
    samples = [it(i, 100) for i in range(1, 400)] + [it(i, 250) for i in range(400, 800)]
    r = estimate(samples, cfg(2000, 100000))
    assert "level_shift" in r.flags and 380 <= r.shift_at <= 480
    assert r.shift_ratio == pytest.approx(2.5)
    assert r.sec_per_step == pytest.approx(0.25)


def test_drift_is_followed_then_held():
    # step time rising linearly from 100 ms by 0.05 ms per iteration over iterations 1..600
    samples = [it(i, 100 + 0.05 * i) for i in range(1, 601)]
    r = estimate(samples, cfg(2000, 100000))
    assert "slower" in r.flags and r.trend_rel > 0
    flat = 1400 * samples[-1].dt_s
    assert r.steps_s > flat                           # it keeps rising for a while...
    # ...for as long again as it was observed (599 iterations), then holds
    beta, level = 0.05e-3, samples[-1].dt_s
    expected = 1400 * level + beta * (599 * 600 / 2 + (1400 - 599) * 599)
    assert r.steps_s == pytest.approx(expected, rel=0.01)


def test_noise_is_not_a_trend():
    import random
    rng = random.Random(3)
    samples = [it(i, 100 * (1 + rng.gauss(0, 0.03))) for i in range(1, 600)]
    r = estimate(samples, cfg(2000, 100000))
    assert r.trend_rel is None and "level_shift" not in r.flags


def test_eval_only_counts_no_evaluation():
    r = estimate([it(i, 400) for i in range(1, 41)], cfg(1000, 250, eval_only=True))
    assert r.evals_remaining == 0 and r.evals_s == 0


def test_eval_iterations_not_logged_fall_back_to_the_prior():
    # log_interval 70 does not divide eval_interval 250: no eval iteration printed before 1750
    samples = [it(i, 400) for i in range(70, 1200, 70)]
    r = estimate(samples, cfg(2000, 250))
    assert r.eval_cost_source == "prior" and "eval_prior" in r.flags
    assert r.evals_remaining == 4                                   # 1250, 1500, 1750, 2000


def test_mfu_minus_100_marks_a_process_start_after_a_resume():
    samples = [it(i, 400) for i in range(200, 260)] + [it(i, 30000 if i == 250 else 400, -100.0)
                                                       for i in range(250, 255)]
    samples += [it(i, 400) for i in range(255, 300)]
    r = estimate(samples, cfg(1000, 100000))
    assert "resumed" in r.flags
    assert [e.iters for e in r.excluded if e.reason == "warmup"] == [(250,)]
    assert r.sec_per_step == pytest.approx(0.4)


def test_cpu_log_without_a_total_asks_for_it(know):
    from advisor.errors import AdvisorError
    from advisor.conversation import Conversation
    s = Conversation(know)
    s.paste("step 0: train loss 5.356189 (took 1452.121000 ms)\nstep 1: train loss 4.301069 (took 1288.673000 ms)\n")
    with pytest.raises(AdvisorError) as e:
        eta_answer(s.context())
    assert e.value.code == "max_iters_missing"
    s.set_fact("max_iters", "40", "repl")
    r = eta_answer(s.context()).data["eta"]
    assert r.steps_remaining == 39 - 1                               # steps 0..39, 1 is done


def test_a_recent_level_shift_is_not_mistaken_for_stalls():
    # 600 iterations at 100 ms, then 150 at 200 ms: the new level is the minority
    samples = [it(i, 100) for i in range(1, 601)] + [it(i, 200) for i in range(601, 751)]
    r = estimate(samples, cfg(2000, 100000))
    assert "level_shift" in r.flags
    assert not [e for e in r.excluded if e.reason == "stall"]
    assert r.sec_per_step == pytest.approx(0.2)
    assert r.remaining_s == pytest.approx(1250 * 0.2)
