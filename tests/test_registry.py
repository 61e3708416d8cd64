"""One table decides which question a name runs: the intent recognized in plain words, the
/command and the `advisor NAME` subcommand all come from answers.registry."""

import subprocess
import sys

import pytest

from advisor.answers.registry import QUESTIONS
from advisor.conversation import COMMANDS
from advisor.read.phrase_schema import INTENTS
from advisor.shell.cli import build_parser
from conftest import ROOT, SEED_LINE, run_cli


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_every_question_names_a_function_that_exists(name):
    assert callable(QUESTIONS[name].answer)


def test_every_intent_but_help_is_a_question_and_every_question_command_is_a_command():
    assert set(INTENTS) - {"help"} <= set(QUESTIONS)
    assert {"/" + q.name for q in QUESTIONS.values() if q.command} <= set(COMMANDS)


def test_cli_subcommands_are_the_registrys():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == {q.name for q in QUESTIONS.values() if q.cli} | {"watch"}


@pytest.mark.parametrize("locale,word", [("en", "fine-tuning"), ("es", "ajuste fino"),
                                         ("fr", "affinage"), ("ar", "ضبط دقيق")])
def test_trainer_variants_are_named_in_the_users_language(locale, word):
    r = run_cli(["facts", "--lang", locale], (ROOT / "tests/fixtures/trainers/litgpt_finetune.log")
                .read_text(encoding="utf-8"))
    assert r.code == 0 and word in r.out, r.out[:300]


@pytest.mark.parametrize("locale,word", [("en", "bug"), ("es", "fallo"), ("fr", "bogue"), ("ar", "خلل")])
def test_a_bug_in_batch_mode_is_one_localized_line_and_exit_1(tmp_path, locale, word):
    code = ("import sys; import advisor.answers.eta as e\n"
            "def boom(*a, **k): raise RuntimeError('x')\n"
            "e.eta_answer = boom\n"
            "sys.argv = ['advisor', 'eta', '--set', 'max_iters=6000']\n"
            "from advisor.shell.cli import entry_point; entry_point()\n")
    env = {"LANG": {"en": "C", "es": "es_ES.UTF-8", "fr": "fr_FR.UTF-8", "ar": "ar_EG.UTF-8"}[locale],
           "XDG_STATE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], input=SEED_LINE, capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=env)
    assert proc.returncode == 1
    assert word in proc.stderr and "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert "RuntimeError" in (tmp_path / "advisor" / "crash.log").read_text()
