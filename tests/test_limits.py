"""Linear time and bounded memory on any input; caches, streams and signals that cannot
hurt (issue 15). Each pathological shape of the hostile read is fed at 1 MB and 4 MB and the
time may grow at most 4.5 times (linear is 4, quadratic 16); memory is measured in a child process."""

import gc
import io
import os
import signal
import subprocess
import sys
import time

import pytest

from advisor.conversation import Conversation
from advisor.read import read_stream
from advisor.read.logs.steps import MAX_STEPS
from advisor.shell.environment import Environment
from advisor.shell.watch import Follower, watch
from conftest import ROOT, SEED_LINE, converse, plain, run_cli

MB = 1 << 20
GROWTH = 4.5


def repeat_to(unit: str, size: int) -> str:
    return unit * (size // len(unit))


SHAPES = {
    "progress bar cut without end": lambda size: repeat_to("x\r 10%|#[\n", size),
    "modded-nanogpt clock going back": lambda size: "".join(
        f"step:{i}/900000 train_time:{100000 + (-50 if i % 2 else 100) * (i % 7)}ms step_avg:1.0ms\n"
        for i in range(size // 48)),
    "leading blank lines": lambda size: "\n" * size + SEED_LINE,
    "one line of >": lambda size: ">" * size + "\n",
    "wandb metric lines": lambda size: "".join(f"wandb: metric_{i}: {i}\n" for i in range(size // 22)),
    "commands in a log": lambda size: repeat_to(SEED_LINE + "/advise\n", size),
}


def best_time(fn, tries: int = 2) -> float:
    """The fastest of a few tries, with the objects the rest of the suite left alive frozen:
    each full collection would scan them, a cost of the suite and not of the input."""
    gc.collect()
    gc.freeze()
    try:
        return min(timed(fn) for _ in range(tries))
    finally:
        gc.unfreeze()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_time_grows_linearly_with_the_input(know, shape):
    def message(size):
        text = SHAPES[shape](size)
        return lambda: Conversation(know).handle(text, typed=False)
    small, large = best_time(message(MB)), best_time(message(4 * MB), tries=1)
    limit = GROWTH * max(small, 0.02)
    if large > limit:                  # a busy machine: one more try before calling it
        large = min(large, best_time(message(4 * MB), tries=1))
    assert large <= limit, (shape, small, large)


CHILD = r"""
import io, resource, sys
from advisor.shell.cli import main
from advisor.shell.environment import Environment
kind, size = sys.argv[1], int(sys.argv[2])
class Source(io.RawIOBase):
    def __init__(self):
        self.left = size
        self.unit = (b"iter 1: loss 4.0, time 100.00ms, mfu 1.00%\n" if kind == "log" else b"x" * 65536)
        self.i = 0
    def readable(self): return True
    def readinto(self, b):
        if self.left <= 0:
            return 0
        if kind == "log":
            chunk = b"".join(b"iter %d: loss 4.0, time 100.00ms, mfu 1.00%%\n" % (self.i + k) for k in range(2000))
            self.i += 2000
        else:
            chunk = b"x" * min(len(b), 1 << 20)
        chunk = chunk[:min(len(b), self.left)]
        b[:len(chunk)] = chunk
        self.left -= len(chunk)
        return len(chunk)
stdin = io.TextIOWrapper(io.BufferedReader(Source(), 1 << 20))
out = io.StringIO()
code = main(["--set", "max_iters=100000000"] if kind == "log" else [], Environment(stdin=stdin, stdout=out,
            stdin_isatty=False, stdout_isatty=False, environ={"LANG": "C"}))
def peak_mib():   # VmHWM: this process's own peak (ru_maxrss carries the parent's over fork+exec)
    for row in open("/proc/self/status"):
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(code, peak_mib())
"""


@pytest.mark.parametrize("kind,size", [("log", 48 * MB), ("line", 48 * MB)])
def test_memory_stays_bounded_on_a_big_stdin(kind, size):
    """48 MB piped in (a log, or one line without an end): under 100 MB of memory, and no
    silent cut (the old reader held all of it, then cut it at 200 MiB)."""
    proc = subprocess.run([sys.executable, "-c", CHILD, kind, str(size)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0 and len(proc.stdout.split()) == 2, (proc.returncode, proc.stderr[-2000:])
    code, rss_mib = map(int, proc.stdout.split())
    assert rss_mib < 100, proc.stderr
    assert code in (0, 2)


def test_the_newest_steps_are_kept_and_the_answer_says_so(know):
    n = MAX_STEPS + MAX_STEPS // 2
    data = "".join(f"iter {i}: loss 4.0, time 100.00ms, mfu 1.00%\n" for i in range(n)).encode()
    rep = read_stream(io.BytesIO(data))
    run = rep.runs["nanoGPT"]
    assert len(run.samples) <= MAX_STEPS + MAX_STEPS // 5 and run.samples[-1].iter == n - 1
    assert run.samples.dropped + len(run.samples) == n and run.samples.min_iter == 0
    conv = Conversation(know)
    conv.add_report(rep)
    conv.set_fact("max_iters", str(2 * n), "cli")
    from advisor.answers.eta import eta_answer
    from advisor.render import render
    assert "were counted and set aside" in plain(render(eta_answer(conv.context()), "en"))


def test_a_device_is_not_read_as_a_log():
    r = run_cli(["eta", "--json", "/dev/zero"])
    assert r.code == 2 and r.json["error"] == "not_a_file"


def test_a_closed_stdin_is_empty_input():
    proc = subprocess.run([sys.executable, "-m", "advisor", "eta"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env={**os.environ, "LANG": "C"},
                          preexec_fn=lambda: os.close(0))
    assert proc.returncode == 2 and "empty" in proc.stdout and "Traceback" not in proc.stderr


def test_a_full_stdout_is_one_line_and_exit_74():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "advisor", "eta", "--set", "max_iters=6000"],
                              input=SEED_LINE, stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=60, cwd=ROOT, env={**os.environ, "LANG": "C"})
    assert proc.returncode == 74 and "disk is full" in proc.stderr and "Traceback" not in proc.stderr


def _bare_python_start_s() -> float:
    """Python's own start-up on this machine now: a Ctrl-C before it ends lands in the
    interpreter's start, before any code of ours runs, and is Python's to report."""
    begin = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - begin


@pytest.mark.parametrize("after_python_start", [2.0, 4.0, 8.0])
def test_ctrl_c_while_starting_is_quiet(after_python_start):
    delay = after_python_start * _bare_python_start_s()
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "eta", "--set", "max_iters=6000"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, env={**os.environ, "LANG": "C"})
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err and proc.returncode in (130, -signal.SIGINT, 2, 0)


def test_ctrl_c_during_an_answer_keeps_the_conversation(know, tmp_path, monkeypatch):
    from advisor.conversation import COMMANDS, Command

    def slow(conv, arg):
        conv.store.put(conv.store.get("max_iters").__class__("eval_interval", 7, conv.store.get("max_iters").source))
        raise KeyboardInterrupt
    monkeypatch.setitem(COMMANDS, "/facts", Command("/facts", slow))
    code, out, conv = converse(know, "/set max_iters=6000\r/facts\r/set eval_iters=3\r\x04", tmp_path)
    assert code == 0 and "Cancelled" in out[2]
    assert conv.store.get("max_iters").value == 6000 and conv.store.get("eval_interval") is None
    assert conv.store.get("eval_iters").value == 3                      # it went on


# ---- watch -------------------------------------------------------------------------------
def env_out():
    out = io.StringIO()
    return out, Environment(stdin=io.StringIO(), stdout=out, stdin_isatty=False, stdout_isatty=False)


def test_watch_refuses_a_folder(know, tmp_path):
    out, env = env_out()
    assert watch(str(tmp_path), Conversation(know), env, max_polls=1) == 2
    assert "not a log file" in out.getvalue()


@pytest.mark.parametrize("interval", ["inf", "nan", "0", "1e9"])
def test_watch_refuses_an_interval_it_cannot_keep(tmp_path, interval):
    (tmp_path / "a.log").write_text(SEED_LINE)
    r = run_cli(["watch", str(tmp_path / "a.log"), "--interval", interval])
    assert r.code == 2 and "--interval" in r.out


def test_watch_reads_a_fifo_until_its_writer_closes_it(know, tmp_path):
    fifo = tmp_path / "train.fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"sleep 0.2; printf 'max_iters = 3\\neval_interval = 99\\n"
                               f"iter 0: loss 4.0, time 100.00ms, mfu 1.00%%\\n"
                               f"iter 1: loss 4.0, time 100.00ms, mfu 1.00%%\\n' > {fifo}"])
    out, env = env_out()
    code = watch(str(fifo), Conversation(know), env, interval=0.05, max_polls=200)
    writer.wait(timeout=10)
    assert code == 0 and "remain" in out.getvalue()


def test_ctrl_c_ends_watch_with_130(know, tmp_path):
    (tmp_path / "a.log").write_text(SEED_LINE)

    def interrupt(seconds):
        raise KeyboardInterrupt
    out, env = env_out()
    assert watch(str(tmp_path / "a.log"), Conversation(know), env, sleep=interrupt) == 130


def test_watch_reads_what_was_appended_in_blocks(tmp_path):
    path = tmp_path / "a.log"
    line = b"iter 1: loss 4.0, time 100.00ms, mfu 1.00%\n"
    path.write_bytes(line * (5 * MB // len(line)))
    follower = Follower(str(path))
    blocks, _ = follower.new_blocks()
    sizes = [len(b) for b in blocks]
    assert len(sizes) >= 5 and max(sizes) <= MB and sum(sizes) == path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(line * 3)
    blocks, _ = follower.new_blocks()
    assert b"".join(blocks) == line * 3                 # only the new bytes


# ---- caches ------------------------------------------------------------------------------
def cached_run(tmp_path, lang="en"):
    env = {"LANG": "C", "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    return run_cli(["eta", "--set", "max_iters=6000", "--lang", lang], SEED_LINE, environ=env)


def test_a_damaged_cache_is_ignored(tmp_path):
    assert cached_run(tmp_path).code == 0
    for f in (tmp_path / "cache" / "advisor" / "templates" / "en").iterdir():
        f.write_bytes(b"\x00garbage")
    r = cached_run(tmp_path)
    assert r.code == 0 and "remain" in r.out


def test_a_cache_file_not_written_by_advisor_never_runs(tmp_path):
    """The old cache unpickled whatever it found; code planted in the cache must not run."""
    assert cached_run(tmp_path).code == 0
    marker = tmp_path / "ran"
    planted = compile(f"open({str(marker)!r}, 'w').write('x')", "<planted>", "exec")
    import marshal
    for f in (tmp_path / "cache" / "advisor" / "templates" / "en").iterdir():
        head = f.read_bytes().split(b"\n", 2)
        f.write_bytes(b"0" * 64 + b"\n" + head[1] + b"\n" + marshal.dumps(planted))
    assert cached_run(tmp_path).code == 0 and not marker.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_is_ignored_with_a_note(tmp_path):
    (tmp_path / "cache" / "advisor").mkdir(parents=True)
    os.chmod(tmp_path / "cache" / "advisor", 0o500)
    try:
        r = cached_run(tmp_path)
    finally:
        os.chmod(tmp_path / "cache" / "advisor", 0o700)
    assert r.code == 0 and "remain" in r.out


def test_a_cache_folder_others_can_write_is_not_used(tmp_path):
    folder = tmp_path / "cache" / "advisor" / "templates" / "en"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    r = cached_run(tmp_path)
    assert r.code == 0 and not any(folder.iterdir())

