"""Property tests over mutated real logs (issue 15): whatever a paste holds, advisor answers
with exit 0 or 2, one JSON object under --json, nothing that drives the terminal, and never
a traceback. The mutations (tests/mutations.py) start from the real public logs in
../shared/logs and the trainer fixtures; benchmarks/fuzz.py runs 10,000 of them."""

import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.read import read_stream, read_text
from advisor.shell.cli import main
from advisor.shell.environment import Environment
from mutations import conversation_problems, corrupt_bytes, invocation, mutate, problems, seed_logs

SEEDS = seed_logs()
CASES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(args: list[str], data: bytes, home) -> tuple[int, str]:
    out = io.StringIO()
    env = Environment(stdin=io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"), stdout=out,
                      stderr=io.StringIO(), stdin_isatty=False, stdout_isatty=False,
                      environ={"LANG": "C", "HOME": str(home)})
    return main(args, env), out.getvalue()


def test_the_seeds_include_the_shared_real_logs():
    assert len(SEEDS) >= 25
    assert any("modded" in s or "step:" in s for s in SEEDS)


@CASES
@given(st.randoms(use_true_random=False))
def test_any_mutated_log_gets_an_answer_or_a_message(tmp_path_factory, rng):
    text = mutate(rng, SEEDS)
    args = [a for a in invocation(rng) if a != "compare"]     # compare needs files: below
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        data = corrupt_bytes(rng, data)
    code, out = run(args, data, tmp_path_factory.mktemp("home"))
    assert problems(args, code, out) == [], (args, text[:300])


@CASES
@given(st.randoms(use_true_random=False))
def test_two_mutated_logs_compare_or_say_why_not(tmp_path_factory, rng):
    home = tmp_path_factory.mktemp("home")
    paths = []
    for side in "ab":
        paths.append(home / f"{side}.log")
        paths[-1].write_bytes(mutate(rng, SEEDS).encode("utf-8", "surrogatepass"))
    args = ["compare", *map(str, paths), "--lang", rng.choice(["en", "es", "fr", "ar"])]
    args += ["--json"] if rng.random() < 0.5 else []
    code, out = run(args, b"", home)
    assert problems(args, code, out) == [], args


@CASES
@given(st.randoms(use_true_random=False))
def test_a_conversation_about_a_mutated_log_never_breaks(know, rng):
    """The paste, then typed commands with odd arguments (/set, /whatif, /regen, /explain)."""
    assert conversation_problems(know, rng, mutate(rng, SEEDS)) == []


@CASES
@given(st.randoms(use_true_random=False))
def test_a_stream_and_a_text_read_the_same_steps(rng):
    """The block reader (files, stdin) and the text reader (a paste) agree on any input."""
    text = mutate(rng, SEEDS)
    stream = read_stream(io.BytesIO(text.encode("utf-8", "surrogatepass")))
    whole = read_text(text)
    assert steps_of(stream) == steps_of(whole)


# damaged step lines the fuzzer found (shrunk): the columnar fast path of the block
# reader took them while the line path refused them
DAMAGED_STEP_LINES = [
    "iter 1: loss 3.0838 time 3307.41ms, mfu 1.00%",      # a comma missing
    "iter 2: loss 2.1000, time\u064a 3307.41ms, mfu 1.00%",
    "iter 3: loss 2ime 8567.46ms, mfu 1.00%",
    "iter 275\u12e7: loss 2.8867, time 398.15ms, mfu 12.56%",
    "iter 4: loss " + "9" * 60 + ", time 398.15ms, mfu 12.56%",  # a value past 40 chars
    "iter -1: loss 2.8867, time 398.15ms, mfu 12.56%",
    "iter -0: loss 9.2471, time 3302.17ms, mfu 39.22%",
]


@pytest.mark.parametrize("damaged", DAMAGED_STEP_LINES)
@pytest.mark.parametrize("after", ["", "saving checkpoint to out", "iter 5000: loss 1.8190, time 8648.58ms, mfu 0.58%"])
def test_a_damaged_step_line_is_read_alike_from_a_stream_and_a_text(damaged, after):
    text = damaged + "\n" + after
    stream = read_stream(io.BytesIO(text.encode("utf-8")))
    assert steps_of(stream) == steps_of(read_text(text))


def steps_of(rep) -> dict:
    return {name: (list(run.samples.iters), list(run.samples.dts))
            for name, run in rep.runs.items()}


@pytest.mark.parametrize("seed", range(3))
def test_mutations_are_reproducible_from_their_seed(seed):
    assert mutate(random.Random(seed), SEEDS) == mutate(random.Random(seed), SEEDS)
