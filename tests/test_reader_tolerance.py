"""The reader on text as real terminals, notebooks and log files leave it (issue 14's list of
misses on real public logs). The lines here are written by us after those logs' shapes."""

import pytest

from advisor.read.logs.reader import read_lines, read_text


def main(text):
    rep = read_text(text)
    return rep, rep.main_run()


def test_a_bar_cut_by_the_terminal_is_read_and_does_not_swallow_the_next():
    rep, run = main("Epoch 0:  10%|█         | 10/100 [00:05<00:45,  2.00it/s, loss=2.3, v_num=0]\n"
                    "Epoch 0:  20%|██        | 20/100 [00:10<00:40,  2.00it/s, loss=2.1, v_\n"
                    "Epoch 0:  30%|███       | 30/100 [00:15<00:35,  2.00it/s, loss=2.0, v_\n")
    assert [s.iter for s in run.samples] == [10, 20, 30]
    assert run.samples[-1].dt_s == pytest.approx(0.5)


@pytest.mark.parametrize("end, dt", [("16.8s/i", 16.8), ("16.8s/", 16.8), ("3.5it/", 1 / 3.5),
                                     ("3.5it", 1 / 3.5), ("3.5", None)])
def test_a_unit_cut_short_is_read_from_what_is_left(end, dt):
    _, run = main(f" 40%|████      | 40/100 [11:12<16:48, {end}\n")
    assert run.samples[-1].iter == 40
    assert run.samples[-1].dt_s == (pytest.approx(dt) if dt else None)


def test_a_bar_without_its_bar_column():
    _, run = main("train: 45% 450/1000 [01:00<01:13, 7.50it/s]\n")
    assert run.samples[-1].iter == 450 and run.printed["total_steps"][0] == 1000
    assert run.samples[-1].dt_s == pytest.approx(1 / 7.5)


def test_a_bar_without_a_total_has_a_rate_and_no_remaining_time():
    _, run = main("5it [01:24, 16.8s/it]\n6it [01:41, 16.9s/it]\n")
    assert run.samples[-1].iter == 6 and run.samples[-1].dt_s == pytest.approx(16.9)
    assert "total_steps" not in run.printed and "printed_remaining_s" not in run.printed


def test_the_last_line_held_back_as_a_cut_bar_is_read_at_the_end():
    _, run = main(" 10%|█         | 10/100 [00:05<00:45,  2.00it/s]\n 20%|██        | 20/100 [00:10<00:4")
    assert run.samples[-1].iter == 20
    rep = read_lines([" 10%|█         | 10/100 [00:05<00:45,  2.00it/s]", " 20%|██   | 20/100 [00:10<00:4"])
    assert rep.main_run().samples[-1].iter == 20


def test_a_notebook_bar_split_over_two_lines_is_joined():
    _, run = main("Epoch 1: 100%|██████████| 938/938 [00:12<00:00, 76.39it/s,\nloss=0.123, v_num=1]\n")
    assert run.samples[-1].iter == 938 and run.samples[-1].loss == pytest.approx(0.123)


def test_a_bar_not_started_makes_no_run():
    rep, run = main("Training: 0it [00:00, ?it/s]\n"
                    "Epoch 0:  10%|█         | 10/100 [00:05<00:45,  2.00it/s, loss=2.3]\n")
    assert list(rep.runs) == ["PyTorch Lightning"]


def test_a_bar_after_the_training_summary_is_not_training():
    _, run = main(" 99%|█████████▉| 99/100 [01:39<00:01,  1.00it/s]\n"
                  "100%|██████████| 100/100 [01:40<00:00,  1.00it/s]\n"
                  "{'train_runtime': 100.5, 'train_samples_per_second': 8.0, 'train_steps_per_second': 1.0,"
                  " 'train_loss': 2.0, 'epoch': 1.0}\n"
                  " 30%|███       | 3/10 [00:01<00:02,  3.00it/s]\n")
    assert run.samples[-1].iter == 100 and run.samples[-1].dt_s == pytest.approx(1.0)


def test_hf_logging_prefix_is_stripped():
    _, run = main("[INFO|trainer.py:1786] 2023-06-21 10:00:01,234 >> ***** Running training *****\n"
                  "[INFO|trainer.py:1792] 2023-06-21 10:00:01,235 >>   Total optimization steps = 375\n")
    assert run.trainer == "HF Trainer" and run.printed["total_steps"][0] == 375


def test_a_python_config_echo_is_no_llmc_table_and_no_gpu():
    rep, run = main("device = 'cuda'\niter 0: loss 4.2, time 1200.00ms, mfu -100.00%\n"
                    "iter 10: loss 3.2, time 100.00ms, mfu 10.00%\n")
    assert list(rep.runs) == ["nanoGPT"] and "gpu" not in rep.system
    rep, _ = main("| device                | NVIDIA H100 80GB HBM3                              |\n")
    assert rep.system["gpu"][0] == "NVIDIA H100 80GB HBM3"


def test_a_step_printed_again_keeps_its_newest_time():
    _, run = main(" 10%|█         | 10/100 [00:05<00:45,  2.00it/s]\n 10%|█         | 10/100 [00:06<00:45,  1.60it/s]\n")
    assert len(run.samples) == 1 and run.samples[-1].dt_s == pytest.approx(1 / 1.6)


def test_deepspeed_engine_progress_and_old_timer_lines():
    _, run = main("[2023-05-01 10:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=10, skipped=0, lr=[9.99e-05], mom=[(0.9, 0.95)]\n"
                  "[2023-05-01 10:00:10,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=20, skipped=1, lr=[9.98e-05], mom=[(0.9, 0.95)]\n")
    assert run.trainer == "DeepSpeed" and run.samples[-1].iter == 20
    assert run.samples[-1].dt_s == pytest.approx(1.0) and run.printed["skipped_steps"][0] == 1
    _, run = main("0/10, SamplesPerSec=12.5\n0/20, SamplesPerSec=12.7\n")
    assert run.trainer == "DeepSpeed" and run.samples[-1].iter == 20


def test_torchtitan_before_2025_prints_wps():
    _, run = main("step: 10  loss:  7.9  memory: 30.1GiB(38.2%)  wps: 5,123  mfu: 30.1%\n")
    assert run.trainer == "torchtitan" and run.samples[-1].tok_s == 5123


@pytest.mark.parametrize("line", [
    "iter 40 step 10: loss 3.9010, iter time: 45.12ms (optimizer.step)",
    "iter 40 | step 10: loss 3.9010, iter time: 45.12 ms (optimizer.step)",
    "Ep 1 | iter 40 | step 10: loss 3.9010, iter time: 45.12 ms",
    "Epoch 1 | iter 40 step 10 | loss train: 3.901, val: n/a | iter time: 45.12 ms (step)",
])
def test_litgpt_generations(line):
    _, run = main(line + "\n")
    assert run.trainer == "LitGPT" and run.samples[-1].iter == 10
    assert run.samples[-1].dt_s == pytest.approx(0.04512)
