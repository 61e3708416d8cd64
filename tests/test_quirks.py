"""The traps of log-formats.md section 2, one test each."""

import math

from advisor.answers.eta import eta_answer
from advisor.read import read_text as parse_text
from advisor.conversation import Conversation

NANO = "iter {i}: loss 4.1000, time 400.00ms, mfu 10.00%"
CHAT = ("step {i:05d}/02100 (0.50%) | loss: 8.37 | lrm: 0.30 | dt: 491.75ms | tok/sec: 1,066,170 | "
        "bf16_mfu: 51.63 | epoch: 1 pq: 0 rg: 24 | total time: 0.01m | eta: 17.1m")
from conftest import typed


def steps(text, trainer="nanoGPT"):
    return [s.iter for s in parse_text(text).runs[trainer].samples]


def test_ansi_escapes_and_carriage_return_updates_keep_the_last_state():
    bar = "\x1b[32m 10%|#         | 10/100 [00:10<01:30,  1.00it/s]\x1b[0m"
    text = " 0%|          | 0/100 [00:00<?, ?it/s]\r" + bar.replace("10/100", "5/100") + "\r" + bar + "\n"
    run = parse_text(text).runs["HF Trainer"]
    assert run.samples[-1].iter == 10 and run.printed["total_steps"][0] == 100


def test_escape_remnants():
    assert steps("^[[32m" + NANO.format(i=1) + "^[[0m\n") == [1]
    assert steps("old line#015" + NANO.format(i=2) + "\n") == [2]
    assert steps("#033[A" + NANO.format(i=3) + "\n") == [3]


def test_timestamps_and_prefixes():
    lines = [
        "[rank0]: " + NANO.format(i=1),
        "2026-11-23 10:00:00,123 - train - INFO - " + NANO.format(i=2),
        "[2026-11-23 10:00:01] " + NANO.format(i=3),
        "(RayTrainWorker pid=1234, ip=10.0.0.1) " + NANO.format(i=4),
        "447.5s\t314\t" + NANO.format(i=5),
        "[1,mpirank:0,algo-1]<stdout>:" + NANO.format(i=6),
        "INFO:__main__:" + NANO.format(i=7),
    ]
    rep = parse_text("\n".join(lines))
    assert steps("\n".join(lines)) == [1, 2, 3, 4, 5, 6, 7]
    assert rep.runs["nanoGPT"].samples[1].ts.isoformat() == "2026-11-23T10:00:00.123000"


def test_other_programs_lines_interleaved():
    text = "\n".join([NANO.format(i=1), "Copying directory /a -> remote:/b",
                      "WARNING: using slow attention", NANO.format(i=2),
                      "+-----------------------------------------+", NANO.format(i=3)])
    rep = parse_text(text)
    assert steps(text) == [1, 2, 3] and rep.n_ignored == 3


def test_same_line_printed_by_every_rank():
    text = "\n".join(f"[rank{r}]: " + NANO.format(i=i) for i in (1, 2) for r in range(4))
    run = parse_text(text).runs["nanoGPT"]
    assert [s.iter for s in run.samples] == [1, 2] and run.duplicates == 6


def test_resume_is_reported_and_newest_segment_used(know):
    text = "\n".join([NANO.format(i=i) for i in range(100, 140)]
                     + ["iter 120: loss 4.1, time 25000.00ms, mfu -100.00%"]
                     + [NANO.format(i=i).replace("400.00", "500.00") for i in range(121, 160)])
    s = Conversation(know)
    [ack] = s.handle(text + "\nmax_iters = 1000\neval_interval = 100000")
    assert ack.data["runs"][0]["resumes"] == [120]
    r = eta_answer(s.context()).data["eta"]
    assert "resumed" in r.flags and abs(r.sec_per_step - 0.5) < 1e-9


def test_progress_bar_split_across_lines():
    text = " 30%|###       | 260/873 [22:24<43:01,\n  4.21s/it]\n"
    run = parse_text(text).runs["HF Trainer"]
    assert run.samples[-1].iter == 260 and abs(run.samples[-1].dt_s - 4.21) < 1e-9


def test_markdown_quoting_fences_and_comment_prefixes():
    text = "\n".join(["```", "> " + NANO.format(i=1), "> > " + NANO.format(i=2),
                      "# " + NANO.format(i=3), "```text", "# max_iters = 10", "```"])
    rep = parse_text(text)
    assert steps(text) == [1, 2, 3]
    assert rep.assignments == []            # a commented-out setting is not a setting


def test_elisions():
    text = "\n".join([NANO.format(i=1), "...", "<snip>", "[...]", "… ", "... ...",
                      "... (truncated) ...", NANO.format(i=50)])
    rep = parse_text(text)
    assert steps(text) == [1, 50] and rep.n_ignored == 6


def test_two_trainers_in_one_paste(know):
    text = "\n".join([NANO.format(i=i) for i in range(1, 4)] + [CHAT.format(i=i) for i in range(10, 20)])
    s = Conversation(know)
    [ack] = s.handle(text)
    assert {r["trainer"] for r in ack.data["runs"]} == {"nanoGPT", "nanochat"}
    assert s.log.main_run().trainer == "nanochat"              # the larger one by default
    typed(s, "/set trainer=nanoGPT", "/set max_iters=100")
    assert eta_answer(s.context()).data["run"]["trainer"] == "nanoGPT"          # the one asked about


def test_crlf_and_tabs():
    text = NANO.format(i=1) + "\r\n" + NANO.format(i=2).replace(", ", ",\t") + "\r\n"
    assert steps(text) == [1, 2]
    assert steps("\t" + NANO.format(i=3) + "\r\n") == [3]


def test_nan_and_inf_losses_are_kept_as_such():
    text = "iter 1: loss nan, time 400.00ms, mfu 10.00%\niter 2: loss inf, time 400.00ms, mfu 10.00%\n"
    run = parse_text(text).runs["nanoGPT"]
    assert math.isnan(run.samples[0].loss) and math.isinf(run.samples[1].loss)
    chat = parse_text(CHAT.format(i=5).replace("loss: 8.37", "loss: nan")).runs["nanochat"]
    assert math.isnan(chat.samples[0].loss)
