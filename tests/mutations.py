"""Mutations of real logs, for fuzzing (issue 15): used by the property tests in
tests/test_fuzz.py and by benchmarks/fuzz.py. The seeds are the real public logs in
../shared/logs and the trainer fixtures; a mutation is a few edits of the kinds a hostile
or careless paste makes: bytes changed, lines cut, doubled, moved or spliced from another
trainer's log, numbers replaced by extreme ones, control and bidi characters, command
lines, settings with bad values, questions in four languages. Everything is driven by one
random.Random so that a failure is reproduced from its seed number."""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_LOGS = ROOT.parent / "shared" / "logs"
FIXTURES = ROOT / "tests" / "fixtures"
MAX_TEXT = 256 * 1024          # a mutated paste stays under this many characters

EXTREME_NUMBERS = [
    "0", "-1", "-0", "1e308", "1e309", "5e-324", "nan", "NaN", "inf", "-inf", "1e26", "1e30",
    "9" * 400, "0.0000001", "2**63", "0**-1", "1e6**64", "10**12", "1_000_000", "0x7fffffff",
    "1,5", "٣٤٥", "１２", "9999-12-31 23:59:59", "0001-01-01 00:00:00", "", "None", "n/a",
]
ODD_CHARACTERS = [
    "\r", "\x00", "\x1b[2J", "\x1b]52;c;cHduZWQ=\x07", "\x1b]8;;http://x\x07", "\x85", "\u2028",
    "\u2029", "\u202e", "\u202a", "\u2066", "\ufeff", "\x7f", "\x9b31m", "\t", "\x0b", "\x0c",
    "\ud7ff", "\U0001f600", "é", "ي",
]
COMMAND_LINES = [
    "/export .bashrc", "/export ../x.md", "/set max_iters=0", "/quit", "/reset", "/lang ar",
    "/undo", "/regen fr", "/paste", "/eta", "/advise", "/nosuch", "\r/export x",
]
SETTING_KEYS = [
    "max_iters", "batch_size", "block_size", "gradient_accumulation_steps", "n_layer", "n_head",
    "n_embd", "eval_interval", "eval_iters", "log_interval", "gpu", "num_gpus", "dataset_tokens",
    "price_kwh", "now", "dtype", "device", "compile", "learning_rate", "warmup_iters",
]
QUESTIONS = [
    "how long until it finishes?", "will this fit in VRAM?", "what does this run need?",
    "¿cuánto falta para que termine?", "combien de temps reste-t-il ?", "كم بقي من الوقت؟",
    "what if batch_size = 64?", "why is my MFU low?", "explain mfu",
]


def seed_logs() -> list[str]:
    """The real logs and the trainer fixtures, as text (the shared logs when present)."""
    paths = sorted(SHARED_LOGS.glob("*/*.log")) + sorted((FIXTURES / "trainers").glob("*.log"))
    paths += sorted(FIXTURES.glob("*.log"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


def _number_swap(rng: random.Random, line: str) -> str:
    spots = list(re.finditer(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?", line))
    if not spots:
        return line + " " + rng.choice(EXTREME_NUMBERS)
    m = rng.choice(spots)
    return line[:m.start()] + rng.choice(EXTREME_NUMBERS) + line[m.end():]


def _edit_characters(rng: random.Random, line: str) -> str:
    pos = rng.randrange(len(line) + 1)
    kind = rng.randrange(3)
    if kind == 0:
        return line[:pos] + rng.choice(ODD_CHARACTERS) + line[pos:]
    if kind == 1:
        return line[:pos] + line[pos + rng.randint(1, 8):]
    return line[:pos] + chr(rng.randrange(0x20, 0x3000)) + line[pos + 1:]


def mutate(rng: random.Random, seeds: list[str], edits: int | None = None) -> str:
    """One mutated paste: a seed log with 1-8 edits."""
    lines = rng.choice(seeds).splitlines() or [""]
    for _ in range(edits if edits is not None else rng.randint(1, 8)):
        i = rng.randrange(len(lines))
        op = rng.randrange(11)
        if op == 0:
            lines[i] = _number_swap(rng, lines[i])
        elif op == 1:
            lines[i] = _edit_characters(rng, lines[i])
        elif op == 2:                                   # cut the log here, mid-line
            lines = lines[:i] + [lines[i][:rng.randrange(len(lines[i]) + 1)]]
        elif op == 3:                                   # a line printed many times
            lines[i:i + 1] = [lines[i]] * rng.choice([2, 10, 500, 2000])
        elif op == 4 and len(lines) > 1:                # a block moved (a clock going back)
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 5:                                   # lines of another trainer's log
            other = rng.choice(seeds).splitlines()
            k = rng.randrange(len(other) + 1)
            lines[i:i] = other[k:k + rng.randint(1, 30)]
        elif op == 6:
            lines.insert(i, rng.choice(COMMAND_LINES))
        elif op == 7:
            lines.insert(i, f"{rng.choice(SETTING_KEYS)} = {rng.choice(EXTREME_NUMBERS)}")
        elif op == 8:
            lines.insert(rng.choice([0, len(lines)]), rng.choice(QUESTIONS))
        elif op == 9:
            del lines[i:i + rng.randint(1, 20)]
            lines = lines or [""]
        else:                                           # lines glued without their newline
            lines[i:i + 2] = [rng.choice(["", "\r", " "]).join(lines[i:i + 2])]
    text = "\n".join(lines) + rng.choice(["\n", "", "\r\n"])
    return text[:MAX_TEXT]


def corrupt_bytes(rng: random.Random, data: bytes) -> bytes:
    """A paste damaged below the text: 1-20 bytes set to any value (invalid UTF-8 included)."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 20) if out else 0):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


# ---- one mutated paste through the program ------------------------------------------------
LOCALES = ["en", "es", "fr", "ar"]
ANSWERS = ["", "eta", "advise", "plan", "facts", "compare"]     # "" : the paste as a message
TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
OK_EXITS = (0, 2)


def invocation(rng: random.Random) -> list[str]:
    """Arguments for `advisor`: an answer (or none), a language, maybe --json, maybe a setting."""
    args = [a for a in [rng.choice(ANSWERS)] if a]
    args += ["--lang", rng.choice(LOCALES)]
    if rng.random() < 0.4:
        args.append("--json")
    if rng.random() < 0.5:          # most real logs do not print it: let half the cases run on
        args += ["--set", f"max_iters={rng.choice([5000, 20000, 600000])}"]
    if rng.random() < 0.3:
        args += ["--set", f"{rng.choice(SETTING_KEYS)}={rng.choice(EXTREME_NUMBERS)}"]
    return args


def problems(args: list[str], code: int, out: str) -> list[str]:
    """What is wrong with one run's result: an exit other than 0 or 2, not exactly one JSON
    object under --json, terminal control or bidi override characters in the output."""
    import json
    found = []
    if code not in OK_EXITS:
        found.append(f"exit {code}")
    if "--json" in args:
        try:
            obj, end = json.JSONDecoder().raw_decode(out.strip())
            if end != len(out.strip()) or not isinstance(obj, dict):
                found.append("more than one JSON object")
        except ValueError:
            found.append("not JSON")
    if TERMINAL_UNSAFE.search(out):
        found.append(f"unsafe character {TERMINAL_UNSAFE.search(out).group()!r}")
    return found


TYPED = ["/eta", "/advise", "/plan", "/facts", "/compare", "/example", "/help", "/undo", "/reset",
         "/quit", "/paste", "/export", "/nosuch x"]


def typed_lines(rng: random.Random) -> list[str]:
    """What a user types after the paste: commands with odd arguments, questions."""
    out = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.randrange(6)
        if kind == 0:
            out.append(f"/set {rng.choice(SETTING_KEYS)}={rng.choice(EXTREME_NUMBERS)}")
        elif kind == 1:
            out.append(f"/whatif {rng.choice(SETTING_KEYS)}={rng.choice(EXTREME_NUMBERS)}")
        elif kind == 2:
            out.append(f"/{rng.choice(['regen', 'lang'])} {rng.choice(LOCALES + ['xx', '', 'de'])}")
        elif kind == 3:
            out.append(f"/explain {rng.choice(['mfu', 'warmup', 'nope', ''])}")
        elif kind == 4:
            out.append(rng.choice(QUESTIONS))
        else:
            out.append(rng.choice(TYPED))
    return out


def conversation_problems(know, rng: random.Random, text: str) -> list[str]:
    """The paste, then typed lines, through a Conversation, every output rendered as the REPL
    shows it: what is wrong (unsafe characters; an exception propagates to the caller)."""
    from advisor.conversation import Conversation
    from advisor.render import Renderer, shown_as
    from advisor.shell.effects import command_table
    conv = Conversation(know, rng.choice(LOCALES), commands=command_table())
    render, found = Renderer(), []
    outputs = conv.handle(text, typed=False)
    for line in typed_lines(rng):
        outputs += conv.handle(line)
    for shown in filter(None, (shown_as(o, conv.locale) for o in outputs)):
        bad = TERMINAL_UNSAFE.search(render(*shown))
        if bad:
            found.append(f"unsafe character {bad.group()!r} in {shown[0].kind}")
    return found
