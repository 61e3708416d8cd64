import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from advisor.shell.knowledge import load_knowledge
from advisor.shell.cli import main
from advisor.shell.environment import Environment
from advisor.resources import data_dir
from advisor.conversation import Conversation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
SEED_LINE = "iter 100: loss 4.1000, time 3995.11ms, mfu 12.90%\n"
BIDI = re.compile(r"[\u200e\u200f\u061c\u2066-\u2069]")


@pytest.fixture(scope="session")
def know():
    return load_knowledge(data_dir("knowledge"))


@pytest.fixture
def session(know):
    return Conversation(know, "en")


@dataclass
class Run:
    code: int
    out: str

    @property
    def json(self):
        return json.loads(self.out)


def run_cli(args, stdin="", environ=None, stdin_bytes=None) -> Run:
    raw = stdin_bytes if stdin_bytes is not None else stdin.encode("utf-8")
    stdin_stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    out = io.StringIO()
    env = Environment(stdin=stdin_stream, stdout=out, stderr=io.StringIO(),
                      stdin_isatty=False, stdout_isatty=False,
                      environ=environ if environ is not None else {"LANG": "C"})
    code = main(list(args), env)
    return Run(code, out.getvalue())


def typed(conv, *lines: str) -> list:
    """Each line typed on its own, as a user does: a slash command runs only that way."""
    return [out for line in lines for out in conv.handle(line)]


def plain(text: str) -> str:
    """Bidi controls removed and every kind of space folded to ' ' (Babel writes NBSPs)."""
    text = BIDI.sub("", text)
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)


def numbers(text: str) -> list[str]:
    """Digit runs, with group and decimal separators of any locale treated alike."""
    return re.findall(r"\d+", BIDI.sub("", text))


def converse(know, keys: str, tmp_path, locale="en", charts=True, crash_path=None):
    """Drive the REPL through prompt_toolkit's pipe input; returns (exit code, what was
    printed, one string per answer, and the session). `charts=False` leaves out the step-time
    charts the REPL adds under ETA answers."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from advisor.shell.effects import command_table
    from advisor.shell.repl import make_session, run_repl
    out: list[str] = []
    session = Conversation(know, locale, commands=command_table())
    with create_pipe_input() as inp:
        inp.send_text(keys)
        prompt = make_session({"XDG_STATE_HOME": str(tmp_path)}, input=inp, output=DummyOutput(),
                              conv=session)
        code = run_repl(prompt, session, out.append, crash_path=crash_path)
    if not charts:
        out = [x for x in out if not re.search("[▁▂▃▄▅▆▇█]{5}", x)]
    return code, out, session
