import pytest
from hypothesis import given, strategies as st

from advisor.read.values import NotLiteral, literal, loose_value, split_assignment


@pytest.mark.parametrize("text,value", [
    ("6000", 6000), ("5 * 8", 40), ("6e-4", 6e-4), ("'gpt2'", "gpt2"), ("True", True),
    ("-3", -3), ("2 ** 10", 1024), ("'ft-' + 'x'", "ft-x"), ("600_000", 600000),
])
def test_literals_and_simple_arithmetic(text, value):
    assert literal(text) == value


@pytest.mark.parametrize("text", [
    '__import__("os").system("echo hacked")', "open('/etc/passwd').read()",
    "'ft-' + str(time.time())", "9 ** 9 ** 9", "[1, 2]", "lambda: 1", "x", "1 / 0",
    "(" * 500 + "1" + ")" * 500, "10 ** 400",
])
def test_anything_else_is_refused_and_nothing_runs(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotLiteral):
        literal(text)


def test_loose_values_as_users_type_them():
    assert loose_value("NVIDIA GeForce RTX 4070") == "NVIDIA GeForce RTX 4070"
    assert loose_value("true") is True and loose_value("off") is False
    assert loose_value("6,000") == "6,000"     # grouping is resolved by the key's type


@pytest.mark.parametrize("line,pair", [
    ("max_iters = 6000", ("max_iters", "6000")),
    ("max_iters=6000", ("max_iters", "6000")),
    ("--max_iters=6000", ("max_iters", "6000")),
    ("max_iters: 6000", ("max_iters", "6000")),
    ("eval_interval = 250 # every 250", ("eval_interval", "250")),
    ("a == b", None), ("iter 100: loss 4.1", None), ("no separator", None),
])
def test_split_assignment(line, pair):
    assert split_assignment(line) == pair


@given(st.text(max_size=300))
def test_literal_never_raises_anything_but_notliteral(text):
    try:
        literal(text)
    except NotLiteral:
        pass


@pytest.mark.parametrize("text", ["str(time.time())", "__import__('os').system('x')",
                                  "open('f')", "[1, 2]", "a[0]"])
def test_loose_values_refuse_code(text):
    with pytest.raises(NotLiteral):
        loose_value(text)


def test_loose_values_keep_plain_words():
    assert loose_value("gpt2") == "gpt2"
    assert loose_value("a100-40gb") == "a100-40gb"
    assert loose_value("2026-11-23T14:05") == "2026-11-23T14:05"
    assert loose_value("llm.c") == "llm.c" and loose_value("torch.bfloat16") == "torch.bfloat16"
