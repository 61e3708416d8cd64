"""Golden answers per locale. The seed question of ../shared/seeds/000, 002 and 003: a single
`iter 100` line at 3995.11 ms, max_iters 6000, "how long until it finishes?". Regenerate
after a deliberate change with UPDATE_GOLDEN=1 and review the diff."""

import os

import pytest

from conftest import FIXTURES, SEED_LINE, run_cli

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
CASES = {
    "seed_eta": (["eta", "--set", "max_iters=6000"], SEED_LINE),
    "eval_heavy_cut_1000": (["eta"], None),
    # seed 001: "what will this nanoGPT run need?" on an RTX 4070
    "seed_plan": (["plan", "--set", "n_layer=12", "--set", "n_head=6", "--set", "n_embd=384",
                   "--set", "batch_size=16", "--set", "gradient_accumulation_steps=32",
                   "--set", "max_iters=20000", "--set", "gpu=NVIDIA GeForce RTX 4070",
                   "--set", "dataset_tokens=3.68e9", "--set", "price_kwh=0.15"], ""),
    # seed 004: "why did my new config get a higher MFU?", the two runs as logs
    "seed004_compare": (["compare", "seed004_a.log", "seed004_b.log"], ""),
    # the older of those runs on a 4070: what to change
    "seed004_advise": (["advise", "seed004_a.log", "--set", "gpu=4070"], ""),
}


def case_input(name):
    args, text = CASES[name]
    if text is None and name == "eval_heavy_cut_1000":
        lines = []
        for line in (FIXTURES / "nanogpt_eval_heavy.log").read_text().splitlines():
            lines.append(line)
            if line.startswith("iter 1000:"):
                break
        text = "\n".join(lines) + "\n"
    return args, text


@pytest.mark.parametrize("locale", ["en", "es", "fr", "ar"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, locale, monkeypatch):
    args, text = case_input(name)
    if name.startswith("seed004"):
        monkeypatch.chdir(FIXTURES / "compare")       # file names as a user types them
    r = run_cli(args + ["--lang", locale], text)
    assert r.code == 0
    path = os.path.join(GOLDEN, f"{name}.{locale}.txt")
    if os.environ.get("UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(r.out)
    with open(path, encoding="utf-8") as fh:
        assert r.out == fh.read()


@pytest.mark.parametrize("locale", ["es", "fr", "ar"])
def test_no_english_left_in_golden_answers(locale):
    """Identifiers (batch_size, nanoGPT, torch.compile) stay as they are; English prose does not."""
    import re
    english = {"the", "and", "with", "from", "remain", "remaining", "which", "would", "will", "your",
               "this", "that", "steps", "given", "default", "evaluation", "iterations", "about", "than"}
    for name in sorted(CASES):
        with open(os.path.join(GOLDEN, f"{name}.{locale}.txt"), encoding="utf-8") as fh:
            text = fh.read()
        words = {w.lower() for w in re.findall(r"(?<![\w./=-])[A-Za-z]+(?![\w./=(-])", text)}
        assert not words & english, (name, sorted(words & english))
