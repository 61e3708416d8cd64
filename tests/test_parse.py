from hypothesis import given, settings, strategies as st

from advisor.read import read_text as parse_text
from advisor.read.logs.clean import clean_line

LOG = """\
Overriding config with config/train_shakespeare_char.py:
eval_interval = 250
max_iters = 5000
tokens per iteration will be: 16,384
step 0: train loss 4.2874, val loss 4.2823
iter 0: loss 4.2654, time 29874.52ms, mfu -100.00%
iter 10: loss 3.2455, time 412.36ms, mfu 10.93%
step 250: train loss 1.9605, val loss 2.0622
saving checkpoint to out-shakespeare-char
iter 250: loss 1.9945, time 9214.77ms, mfu 9.97%
iter 260: loss 1.9683, time 410.58ms
"""


def test_nanogpt_lines():
    p = parse_text(LOG)
    run = p.runs["nanoGPT"]
    assert [(s.iter, round(s.dt_s, 5)) for s in run.samples] == [
        (0, 29.87452), (10, 0.41236), (250, 9.21477), (260, 0.41058)]
    assert run.samples[0].mfu == -100.0 and run.samples[-1].mfu is None
    assert [e.step for e in run.evals] == [0, 250] and run.evals[1].val_loss == 2.0622
    assert run.checkpoint_steps == [250]
    assert run.printed["tokens_per_step"] == (16384, 4)
    assert p.config_file == "config/train_shakespeare_char.py"
    assert [(a.name, a.value, a.lineno) for a in p.assignments] == [
        ("eval_interval", "250", 2), ("max_iters", "5000", 3)]


def test_override_lines_and_ignored_text():
    p = parse_text("Overriding: max_iters = 6000\nnumber of parameters: 10.65M\nhello there\n")
    assert [(a.name, a.value) for a in p.assignments] == [("max_iters", "6000")]
    assert p.n_ignored == 1                                   # "hello there"
    assert p.runs["nanoGPT"].printed["params"] == (10650000, 2)


def test_bad_times_are_reported_not_used():
    p = parse_text("iter 1: loss 4.0, time nanms, mfu 1.0%\niter 2: loss 4.0, time -5.0ms\n"
                   "iter 3: loss 4.0, time 0.00ms\niter 4: loss 4.0, time 400.00ms\n")
    assert p.bad_time_lines == [1, 2, 3]
    assert [s.iter for s in p.runs["nanoGPT"].samples] == [4]


def test_terminal_noise_is_removed():
    assert clean_line("\x1b[32miter 5: loss 1.0, time 3.00ms\x1b[0m") == "iter 5: loss 1.0, time 3.00ms"
    assert clean_line("old progress\rnew progress") == "new progress"
    assert clean_line("title\x1b]0;pwned\x07 text") == "title text"
    p = parse_text("> iter 7: loss 1.0, time 5.00ms\r\n```\n2026-11-23 10:00:00 iter 8: loss 1.0, time 5.00ms\n")
    assert [s.iter for s in p.runs["nanoGPT"].samples] == [7, 8]
    assert p.last_ts.isoformat() == "2026-11-23T10:00:00"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_parser_never_raises_on_arbitrary_text(text):
    parse_text(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_parser_never_raises_on_arbitrary_bytes(data):
    parse_text(data.decode("utf-8", errors="replace"))


junk_line = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80).filter(
    lambda s: "\n" not in s and "\r" not in s and not s.lstrip(">").lstrip().startswith(("iter ", "step "))
    and "\x0b" not in s and "\x0c" not in s and "\x1c" not in s and "\x1d" not in s
    and "\x1e" not in s and "\x85" not in s and "\u2028" not in s and "\u2029" not in s)


@settings(max_examples=100, deadline=None)
@given(st.lists(junk_line, max_size=20), st.randoms(use_true_random=False))
def test_junk_lines_leave_iterations_unchanged(junk, rnd):
    lines = LOG.splitlines()
    for j in junk:
        lines.insert(rnd.randrange(len(lines) + 1), j)
    base = [(s.iter, s.dt_s) for s in parse_text(LOG).runs["nanoGPT"].samples]
    got = parse_text("\n".join(lines)).runs["nanoGPT"].samples
    assert [(s.iter, s.dt_s) for s in got] == base
