"""A paste can never act (issue 15): slash commands run only when typed alone on a line;
/export writes only what it should, where it should; every bad value is a message and
exit 2, never a crash. One test per finding of the hostile read."""

import os
import stat

import pytest

from advisor.answers.answer import Export, Shown
from advisor.conversation import Conversation
from conftest import SEED_LINE, converse, plain, run_cli

PAYLOAD = "echo PWNED > pwned.txt\n"


def bracketed(text: str) -> str:
    return "\x1b[200~" + text + "\x1b[201~\r"


# ---- commands only from the keyboard -----------------------------------------------------
def test_a_command_inside_a_bracketed_paste_does_not_run(know, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, conv = converse(know, bracketed(SEED_LINE + PAYLOAD + "/export notes.md\n/set max_iters=9") + "\x04",
                               tmp_path)
    assert not (tmp_path / "notes.md").exists() and conv.store.get("max_iters") is None
    assert "were not run" in plain("".join(out))


def test_a_single_pasted_command_line_does_not_run(know, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, conv = converse(know, bracketed("/export notes.md") + "\x04", tmp_path)
    assert not (tmp_path / "notes.md").exists()
    assert "was not run" in plain(out[-1])


def test_the_same_command_typed_runs(know, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    converse(know, "/export notes.md\r\x04", tmp_path)
    assert (tmp_path / "notes.md").exists()


def test_batch_stdin_is_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run_cli([], SEED_LINE + PAYLOAD + "/export notes.md\n")
    assert not (tmp_path / "notes.md").exists() and "was not run" in plain(r.out)


@pytest.mark.parametrize("hider", ["\r", "\x85", "\u2028"])
def test_a_hidden_line_break_does_not_make_a_command(know, hider):
    conv = Conversation(know)
    outputs = conv.handle("a note" + hider + "/export notes.md")
    assert not any(isinstance(o, Export) for o in outputs)
    outputs = conv.handle("max_iters = 5\n" + "x" + hider + "/export notes.md", typed=False)
    assert not any(isinstance(o, Export) for o in outputs)


def test_a_command_in_a_piped_log_does_not_rerun_the_analysis_each_time(know):
    conv = Conversation(know)
    log = "".join(f"iter {i}: loss 4.0, time 100.00ms, mfu 1.00%\n" for i in range(2000))
    outputs = conv.handle(log + "/advise\n" * 100, typed=False)
    assert [o.kind for o in outputs if not isinstance(o, Shown)] == ["ack", "commands_not_run"]
    assert outputs[-1].data["count"] == 100


# ---- /export -----------------------------------------------------------------------------
def export(know, tmp_path, name, answer=None):
    keys = "/set max_iters=6000\r" + f"/export {name}\r" + (answer + "\r" if answer is not None else "") + "\x04"
    return converse(know, keys, tmp_path)[1][-1]


def test_export_asks_before_replacing_a_file(know, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.md").write_text("mine\n")
    assert "unchanged" in export(know, tmp_path, "notes.md", "n")
    assert (tmp_path / "notes.md").read_text() == "mine\n"
    export(know, tmp_path, "notes.md", "y")
    assert (tmp_path / "notes.md").read_text().startswith("# advisor")


def test_export_never_follows_a_symlink(know, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "target.md").write_text("keep\n")
    os.symlink(tmp_path / "target.md", tmp_path / "link.md")
    assert "symbolic link" in export(know, tmp_path, "link.md")
    assert (tmp_path / "target.md").read_text() == "keep\n"


@pytest.mark.parametrize("name,words", [("../up.md", '".."'), (".bashrc", "does not end in .md"),
                                        ("notes.txt", "does not end in .md")])
def test_export_refuses_paths_that_leave_the_folder_or_are_not_markdown(know, tmp_path, monkeypatch, name, words):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert words in plain(export(know, tmp_path, name))
    assert not (tmp_path / "up.md").exists() and not (tmp_path / "sub" / ".bashrc").exists()


def test_export_refuses_a_fifo_without_hanging(know, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.md")
    assert "not a regular file" in export(know, tmp_path, "pipe.md")


def test_export_with_a_nul_in_the_path_is_a_message(know, tmp_path):
    conv = Conversation(know, commands=__import__("advisor.shell.effects", fromlist=["x"]).command_table())
    [request] = conv.handle("/export a\x00b.md")
    from advisor.shell.effects import carry_out_export, export_needs_confirmation
    answer = export_needs_confirmation(request)
    assert answer.error and answer.data["code"] == "export_path"
    assert carry_out_export(request, conv, lambda a, loc: "").data["code"] == "export_path"


def test_batch_export_writes_only_a_new_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run_cli(["--export", "notes.md", "--set", "max_iters=6000"], SEED_LINE)
    assert r.code == 0 and (tmp_path / "notes.md").read_text().startswith("# advisor")
    r = run_cli(["--export", "notes.md", "--set", "max_iters=6000"], SEED_LINE)
    assert r.code == 2 and "exists already" in plain(r.out)


def test_pasted_text_cannot_close_the_markdown_fence(know, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    converse(know, bracketed("`````\n# injected heading\n" + SEED_LINE) + "/export n.md\r\x04", tmp_path)
    md = (tmp_path / "n.md").read_text()
    fence = md.splitlines()[2]
    assert set(fence) == {"`"} and len(fence) > 5
    assert "\n# injected heading" in md and md.index(fence) < md.index("# injected heading")


# ---- bad values: a message and exit 2 ----------------------------------------------------
@pytest.mark.parametrize("value", ["0**-1", "1e6**64", "1e26", "1e28", "1e30", "(-8)**0.5", "10**400"])
def test_arithmetic_and_huge_values_are_refused_with_a_message(value):
    r = run_cli(["eta", "--json", "--set", f"max_iters={value}"], SEED_LINE)
    assert r.code == 2 and r.json["error"] == "bad_value"


def test_a_value_out_of_range_names_the_range():
    r = run_cli(["eta", "--set", "gradient_accumulation_steps=100000000", "--set", "max_iters=10"], SEED_LINE)
    assert r.code == 2 and "from 1 to 1,000,000" in r.out


@pytest.mark.parametrize("ms", ["5e-324", "1e300", "1e-9"])
def test_step_times_beyond_belief_are_bad_time_lines(ms):
    log = "".join(f"iter {i}: loss 4.0, time {ms}ms, mfu 1.00%\n" for i in (1, 2, 3))
    r = run_cli(["eta", "--json", "--set", "max_iters=100"], log)
    assert r.code == 2 and r.json["error"] == "bad_times"


def test_timestamps_near_year_9999():
    log = "".join(f"9999-12-31 23:59:{50 + i} iter {i}: loss 4.0, time 100.00ms, mfu 1.00%\n" for i in (1, 2, 3))
    r = run_cli(["eta", "--json", "--set", "max_iters=100000"], log)
    assert r.code == 0 and r.json["eta"]["finish_at"] is None


def test_a_cut_modded_nanogpt_line():
    r = run_cli(["eta", "--json"], "step:1/10 train_loss:4.0\nstep:2/10 train_time:100ms step_avg:1ms\n")
    assert r.code == 2 and r.json["error"] == "no_step_times"


def test_an_integer_of_hundreds_of_digits_in_a_trainer_dict():      # found by benchmarks/fuzz.py
    log = "{'loss': %s, 'learning_rate': 5e-05, 'epoch': 0.5}\n" % ("9" * 400)
    r = run_cli(["eta", "--json"], log)
    assert r.code == 2 and r.json["error"] == "no_iterations"


def test_a_step_number_beyond_64_bits_in_a_log_file(tmp_path):       # found by benchmarks/fuzz.py
    path = tmp_path / "train.log"
    path.write_text("".join(f"iter {i}: loss 4.0, time 100.00ms, mfu 1.00%\n" for i in range(3000))
                    + "iter 99999999999999999999999: loss 4.0, time 100.00ms, mfu 1.00%\n")
    r = run_cli(["eta", str(path), "--json", "--set", "max_iters=10000"])
    assert r.code == 0 and r.json["eta"]["last_step"] == 2999


def test_a_step_number_beyond_64_bits_in_a_trainer_dict():           # found by benchmarks/fuzz.py
    big = "9" * 30
    log = ("{'loss': 2.0, 'global_step/max_steps': '5/100', 'train_speed(iter/s)': 1.0}\n"
           "{'loss': 2.0, 'global_step/max_steps': '%s/100', 'train_speed(iter/s)': 1.0}\n" % big)
    r = run_cli(["facts", "--json"], log)
    assert r.code in (0, 2) and r.json["locale"] == "en"


def test_a_world_size_of_zero_in_a_log_is_not_a_gpu_count(know):   # found by benchmarks/fuzz.py
    conv = Conversation(know)
    conv.handle("2026-03-02 09:00:01,120 - nanochat.common - INFO - Distributed world size: 0", typed=False)
    conv.handle("/set model=gpt2", typed=True)
    conv.handle("/set gpu=4070", typed=True)
    fit = conv.handle("will it fit in memory?", typed=True)[-1]
    assert fit.kind == "fit" and not fit.error
    assert conv.context().resolve("num_gpus").value == 1


def test_advise_on_a_paste_that_is_only_an_out_of_memory_error():
    r = run_cli(["advise"], "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 6.14 GiB.\n")
    assert r.code == 0 and "line 1 of the log is an out-of-memory error" in plain(r.out)


def test_advice_with_a_huge_accumulation_does_not_loop_over_it(know):
    from advisor.advise.signals.gpu import divisors
    assert divisors(10**6)[:5] == [1, 2, 4, 5, 8] and len(divisors(10**6)) == 49
    r = run_cli(["advise", "--set", "gpu=4070", "--set", "n_layer=12", "--set", "batch_size=1",
                 "--set", "gradient_accumulation_steps=999999"], "")
    assert r.code == 0


def test_json_is_one_object_led_by_the_answer_to_the_question():
    r = run_cli(["--json"], SEED_LINE + "max_iters = 100\nhow long is left?\n/facts\n")
    assert r.code == 0 and "eta" in r.json
    assert [other.get("error") for other in r.json["also"]] == [None]
    assert "/facts" in r.json["also"][0]["answer"]


# ---- what reaches the terminal -----------------------------------------------------------
@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u202a", "\u200f", "\x9b", "\x1b"])
def test_bidi_overrides_and_controls_never_reach_text_output(char):
    r = run_cli(["eta", "--set", f"gpu=A{char}B", "--set", "max_iters=10"], SEED_LINE)
    r2 = run_cli(["facts", "--set", f"gpu=A{char}B"], SEED_LINE)
    assert char not in r.out and char not in r2.out


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\u202e"])
def test_c1_controls_never_reach_json_output(char):
    r = run_cli(["facts", "--json", "--set", f"gpu=A{char}B"], SEED_LINE)
    assert char not in r.out
    assert any(f["value"] == f"A{char}B" for f in r.json["facts"])     # the value itself is kept


def test_history_is_private(know, tmp_path):
    converse(know, "/set max_iters=10\r\x04", tmp_path)
    history = tmp_path / "advisor" / "history"
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    assert stat.S_IMODE(history.parent.stat().st_mode) & 0o077 == 0
