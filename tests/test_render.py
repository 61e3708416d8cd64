import re

from conftest import SEED_LINE, run_cli


def test_compiled_template_cache_is_per_locale(tmp_path):
    """Jinja folds "max_iters"|code at compile time; a cache shared across locales would
    serve English-compiled code (no bidi isolates) to Arabic."""
    env = {"LANG": "C", "XDG_CACHE_HOME": str(tmp_path)}
    run_cli(["eta", "--set", "max_iters=6000", "--lang", "en"], SEED_LINE, environ=env)
    r = run_cli(["eta", "--set", "max_iters=6000", "--lang", "ar"], SEED_LINE, environ=env)
    assert (tmp_path / "advisor" / "templates" / "ar").is_dir()
    outside = re.sub("\u2066[^\u2069]*\u2069", "", r.out)
    assert re.findall(r"[A-Za-z]+", outside) == []


def test_pasted_control_sequences_are_not_echoed(session):
    from advisor.render import render
    answers = session.handle("/set gpu=\x1b]0;pwned\x07RTX\x1b[2J")
    text = render(answers[0], "en")
    assert "\x1b" not in text and "\x07" not in text
