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
