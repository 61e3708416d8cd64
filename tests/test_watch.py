import io
import threading
import time

from advisor.shell.environment import Environment
from advisor.conversation import Conversation
from advisor.render.chart import sparkline
from advisor.shell.watch import Follower, watch


def line(i, ms=100.0):
    return f"iter {i}: loss 4.0, time {ms:.2f}ms, mfu 10.00%\n"


def test_watch_follows_a_file_written_by_another_thread_and_stops_at_the_end(know, tmp_path):
    path = tmp_path / "train.log"
    path.write_text("max_iters = 60\neval_interval = 100000\n")

    def writer():
        with open(path, "a") as fh:
            for i in range(0, 61):
                fh.write(line(i))
                fh.flush()
                if i % 10 == 0:
                    time.sleep(0.02)

    t = threading.Thread(target=writer)
    t.start()
    out = io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stdin_isatty=False, stdout_isatty=False)
    code = watch(str(path), Conversation(know), env, interval=0.01, max_polls=2000)
    t.join()
    assert code == 0
    text = out.getvalue()
    assert "remain" in text and "no training remains" in text      # it saw the end
    assert "\x1b[" not in text                                       # plain when not a TTY


def test_follower_survives_truncation_and_rotation(tmp_path):
    path = tmp_path / "a.log"
    path.write_text(line(1) + line(2))
    f = Follower(str(path))
    assert f.read_new() == ((line(1) + line(2)).encode(), False)
    path.write_text(line(3))                                          # truncated
    assert f.read_new() == (line(3).encode(), True)
    with open(path, "a") as fh:
        fh.write("iter 4: loss")                                      # half a line: wait
    assert f.read_new() == (b"", False)
    with open(path, "a") as fh:
        fh.write(" 4.0, time 100.00ms, mfu 10.00%\n")
    assert f.read_new()[0] == line(4).encode()
    other = tmp_path / "b.log"
    other.write_text(line(9))
    other.replace(path)                                              # rotated: a new file
    assert f.read_new() == (line(9).encode(), True)


def test_sparkline():
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([2, 2, 2]) == "▁▁▁" and sparkline([]) == ""


def test_watch_a_missing_file(know):
    out = io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stdin_isatty=False, stdout_isatty=False)
    assert watch("/nonexistent/x.log", Conversation(know), env, max_polls=1) == 2


def test_an_evaluation_bar_that_starts_a_poll_is_not_the_training_bar(know, tmp_path):
    """Each poll reads only the new lines; an HF evaluation bar (100/100) at the start of
    one used to read as a finished 100-step run, and the watch stopped there (found by
    benchmarks/watch_replay.py on the recorded hf-02)."""
    path = tmp_path / "train.log"
    polls = [
        "***** Running training *****\n  Total optimization steps = 1,500\n"
        " 20%|██        | 300/1500 [00:27<01:45, 11.42it/s]\n",
        "100%|██████████| 200/200 [00:04<00:00, 44.46it/s]\n"
        " 21%|██        | 310/1500 [00:33<01:45, 11.40it/s]\n",
    ]
    path.write_text(polls[0], encoding="utf-8")
    pending = list(polls[1:])

    def sleep(_):
        if pending:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(pending.pop(0))

    out = io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stdin_isatty=False, stdout_isatty=False)
    conv = Conversation(know)
    assert watch(str(path), conv, env, interval=0.1, sleep=sleep, max_polls=3) == 0
    run = conv.log.main_run()
    assert run.printed["total_steps"][0] == 1500 and run.samples[-1].iter == 310
    assert "no training remains" not in out.getvalue()
