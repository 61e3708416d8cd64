import os
import random
import re
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT, SEED_LINE, plain, run_cli

SEED_ARGS = ["eta", "--set", "max_iters=6000", "--set", "eval_interval=100000"]


def test_seed_eta_json_contract():
    r = run_cli(SEED_ARGS + ["--json"], SEED_LINE)
    assert r.code == 0
    obj = r.json
    e = obj["eta"]
    assert e["steps_remaining"] == 5900
    assert e["steps_s"] == pytest.approx(23571.1, abs=0.1)
    assert e["remaining_s"] == e["steps_s"]
    assert e["low_s"] < e["remaining_s"] < e["high_s"]
    for key in ("last_step", "total_steps", "sec_per_step", "evals_remaining", "evals_s",
                "finish_at"):
        assert key in e
    assert obj["locale"] == "en" and "answer" in obj
    facts = {f["key"]: f for f in obj["facts"]}
    assert facts["max_iters"] == {"key": "max_iters", "value": 6000, "source": "user", "origin": "cli"}
    assert facts["last_step"]["source"] == "log"


@pytest.mark.parametrize("lang,expected", [
    ("es", "6 horas, 32 minutos y 51 segundos"),
    ("fr", "6 heures, 32 minutes et 51 secondes"),
    ("en", "6 hours, 32 minutes, and 51 seconds"),
])
def test_seed_duration_in_words(lang, expected):
    r = run_cli(SEED_ARGS + ["--lang", lang], SEED_LINE)
    assert r.code == 0
    assert expected in plain(r.out)


def test_seed_in_arabic_has_no_untranslated_english():
    r = run_cli(SEED_ARGS + ["--lang", "ar"], SEED_LINE)
    assert r.code == 0
    assert re.search(r"[\u0600-\u06ff]{3,}", r.out)
    outside_isolates = re.sub("\u2066[^\u2069]*\u2069", "", r.out)
    assert re.findall(r"[A-Za-z]+", outside_isolates) == []
    assert r.out.count("\u2066") == r.out.count("\u2069")
    # every line starts right-to-left
    assert all(line.startswith("\u200f") for line in r.out.splitlines() if line.strip())


def test_lang_from_environment():
    r = run_cli(SEED_ARGS, SEED_LINE, environ={"LANG": "fr_FR.UTF-8"})
    assert "6 heures, 32 minutes et 51 secondes" in plain(r.out)
    r = run_cli(SEED_ARGS, SEED_LINE, environ={"LC_ALL": "es_MX.UTF-8", "LANG": "fr_FR.UTF-8"})
    assert "6 horas" in plain(r.out)


def test_log_file_argument_and_config_dump():
    r = run_cli(["eta", str(FIXTURES / "nanogpt_eval_heavy.log"), "--json"])
    assert r.code == 0
    e = r.json["eta"]
    assert e["steps_remaining"] == 0            # the fixture is a whole run


def test_command_line_wins_over_the_log_and_says_so():
    text = "max_iters = 5000\n" + SEED_LINE
    r = run_cli(["eta", "--set", "max_iters=6000"], text)
    assert r.code == 0
    assert "5,000" in r.out and "6,000" in r.out and "later value is used" in r.out


@pytest.mark.parametrize("stdin,args,code", [
    ("", [], "empty_input"),
    ("   \n\n", [], "empty_input"),
    ("hello world\nthis is not a log\n", ["--set", "max_iters=10"], "no_iterations"),
    (SEED_LINE, [], "max_iters_missing"),
    (SEED_LINE, ["--set", "max_iters=50"], "max_iters_below_last"),
    ("iter 100: loss 4.1000, time nanms, mfu 12.90%\n", ["--set", "max_iters=6000"], "bad_times"),
    ("iter 100: loss 4.1, time -3.0ms\niter 101: loss 4.1, time 0.00ms\n",
     ["--set", "max_iters=6000"], "bad_times"),
    (SEED_LINE, ["--set", "max_iters=6000", "--lang", "xx"], "unknown_lang"),
    (SEED_LINE, ["--set", "max_iter=6000"], "unknown_key"),
    (SEED_LINE, ["--set", "max_iters=lots"], "bad_value"),
    (SEED_LINE, ["--set", "max_iters=-5"], "bad_value"),
    (SEED_LINE, ["--set", "max_iters"], "set_syntax"),
])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_bad_input_is_a_localized_error_with_exit_2(stdin, args, code, lang):
    env = {"LANG": "es_ES.UTF-8"} if lang == "es" else {"LANG": "C"}
    r = run_cli(["eta", "--json"] + args, stdin, environ=env)
    assert r.code == 2
    assert r.json["error"] == code
    assert r.json["message"] and "Traceback" not in r.out
    if lang == "es" and code != "unknown_lang":
        assert r.json["locale"] == "es"


def test_random_bytes_are_survived():
    data = random.Random(7).randbytes(10 * 1024 * 1024)
    r = run_cli(["eta", "--json", "--set", "max_iters=10"], stdin_bytes=data)
    assert r.code == 2 and r.json["error"] == "no_iterations"


def test_missing_file():
    r = run_cli(["eta", "/nonexistent/train.log"])
    assert r.code == 2 and "/nonexistent/train.log" in r.out


def test_bad_arguments_are_not_a_traceback():
    r = run_cli(["eta", "--frobnicate"])
    assert r.code == 2 and "advisor" in r.out


def test_batch_stdin_is_data_commands_come_from_options():
    # command lines in stdin are not run; the answer says so and how to give them instead
    r = run_cli([], SEED_LINE + "/set max_iters=6000\n/set eval_interval=100000\n/eta\n")
    assert r.code == 2 and "6 hours" not in r.out
    assert "3 lines of this text are commands" in plain(r.out) and "--set KEY=VALUE" in r.out
    r = run_cli(["--set", "max_iters=6000", "--set", "eval_interval=100000"], SEED_LINE)
    assert r.code == 0 and "6 hours, 32 minutes, and 51 seconds" in r.out
    # a paste with no question gets the ETA
    r = run_cli(["--set", "eval_interval=100000"], SEED_LINE + "max_iters = 6000\n")
    assert r.code == 0 and "6 hours, 32 minutes, and 51 seconds" in r.out
    # a command alone in stdin does nothing, and says so: exit 2, one JSON object
    r = run_cli(["--json"], "/set max_iters=6000\n")
    assert r.code == 2 and r.json["error"] == "commands_not_run"


def test_finish_time_from_now():
    r = run_cli(SEED_ARGS + ["--set", "now=2026-11-23T09:00", "--json"], SEED_LINE)
    assert r.json["eta"]["finish_at"] == "2026-11-23T15:32:51.149000"
    assert "3:32" in r.json["answer"]


def test_module_runs_without_stdin_and_never_starts_the_repl():
    proc = subprocess.run([sys.executable, "-m", "advisor"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "LANG": "C"})
    assert proc.returncode == 2
    assert "empty" in proc.stdout and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "advisor", "eta", "--set", "max_iters=6000",
                           "--set", "eval_interval=100000"], input=SEED_LINE,
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "LANG": "C"})
    assert proc.returncode == 0 and "6 hours, 32 minutes, and 51 seconds" in proc.stdout


@pytest.mark.parametrize("lang,word", [("en", "Time left"), ("es", "Tiempo restante"),
                                       ("fr", "Temps restant"), ("ar", "الوقت المتبقي")])
def test_help_is_in_the_users_language(lang, word):
    r = run_cli(["--help", "--lang", lang])
    assert r.code == 0 and word in r.out
    r = run_cli(["eta", "--help", "--lang", lang])
    assert r.code == 0 and word in r.out


def test_batch_text_that_is_not_a_log_gets_the_not_understood_answer():
    r = run_cli(["--json"], "hello there\nthis is my shopping list\n")
    assert r.code == 2 and r.json["error"] == "not_understood"
    r = run_cli(["--json"], "hello there\n")         # one line of words: the help for questions
    assert r.code == 2 and r.json["error"] == "not_question"
    r = run_cli(["--json"], "max_iters = 6000\n")          # only a setting: it is acknowledged
    assert r.json["error"] == "no_iterations"
    assert {"key": "max_iters", "value": 6000} in [{k: f[k] for k in ("key", "value")} for f in r.json["facts"]]
