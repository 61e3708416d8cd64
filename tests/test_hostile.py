"""Hostile lines: every pattern is anchored with bounded repeats, so reading stays linear.
A generous bound (seconds for megabytes) catches catastrophic backtracking, which would
take minutes, without being a speed benchmark."""

import time

import pytest

from advisor.read import read_text as parse_text

HOSTILE = [
    "step " + "0" * 200_000,
    "iter 1: loss " + "1," * 100_000,
    "iter 1: loss 4.1, time " + "9" * 200_000 + "ms",
    "|" * 200_000,
    "%|" * 100_000 + "[",
    " 10%|" + "#" * 100_000 + "| 10/100 [00:10<01:30, " + "1" * 100_000,
    "\x1b]" + "a" * 200_000,
    "{'loss': " + "[" * 100_000,
    "[rank0]:" * 50_000,
    "2026-11-23 10:00:00 " * 20_000,
    "step:" + "1/2 " * 50_000,
    "a = " + "(" * 100_000,
    "x" + " ." * 100_000 + " 1",
    "iteration " + " " * 100_000 + "1/ 2 |",
]


@pytest.mark.parametrize("line", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_line_is_read_in_linear_time(line):
    start = time.perf_counter()
    parse_text((line + "\n") * 5)
    assert time.perf_counter() - start < 10
