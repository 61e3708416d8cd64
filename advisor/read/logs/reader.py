"""Read a log as a stream of lines, in one pass and bounded memory, whatever trainer wrote it.

Each physical line is split at carriage returns (progress bars redraw in place; every state
is offered and the newest one of a step wins), cleaned, unwrapped from quoting and prefixes,
then offered to each trainer's line formats; what none recognizes may be a config
assignment; everything else is counted and ignored.
"""

from __future__ import annotations

import re
from typing import Iterable

from advisor.read.logs import hf, karpathy, megatron, nanogpt, other
from advisor.read.logs.clean import clean_line, replace_remnants, unwrap
from advisor.read.logs.records import Specs, name_runs, note_evidence, record
from advisor.read.logs.runs import DT_TIMESTAMPS, Assignment, LogReport, Run
from advisor.read.logs.steps import MISSING, usable_step_time
from advisor.read.values import split_assignment

FORMATS = nanogpt.FORMATS + karpathy.FORMATS + megatron.FORMATS + other.FORMATS + hf.FORMATS
_OVERRIDE_FILE = re.compile(r"^Overriding config with (\S{1,300}):")
_OVERRIDE_KEY = re.compile(r"^Overriding: (.{1,2000})$")
_DOTTED_ARG = re.compile(r"^([A-Za-z_]\w{0,80}) \.{3,200} (.{1,500})$")   # Megatron's argument dump
_OOM = re.compile(r"(?:CUDA out of memory|OutOfMemoryError|CUDA error: out of memory)"
                  r"(?:.{0,200}?Tried to allocate (\d{1,9}(?:\.\d{1,4})?) ?([MG]i?B))?")
_STARTS_BAR = re.compile(r"\d%\||\d{1,12}it \[")    # a line that begins a progress bar of its own
_ELISION = re.compile(r"^(?:\.{3,}|…|<snip>|\[\.\.\.\]|\.\.\. \.\.\.|\(\.\.\..{0,60}\)|#### EXCERPT GAP.*)$")


BLOCK = 1 << 20          # characters per block on the fast path
MAX_LINE = 1 << 20       # characters of one physical line that are read: a longer one (a
                         # progress bar redrawn with carriage returns for hours) keeps its end
PENDING_MAX = 500        # a progress bar cut in two is at most this long


class _Reader:
    """The reading state: the report so far, the line count, a pending split bar."""

    def __init__(self, known: LogReport | None = None, specs: Specs | None = None):
        self.rep = LogReport()
        self.specs = specs     # knowledge/trainers.yaml: records and evidence of other trainers
        self.n = 0
        if known is not None:
            self.seed(known)
        self.pending = ""      # a progress bar cut in two by a notebook or a narrow terminal
        self.cutting = False   # the stream's current line is overlong and being cut

    def seed(self, known: LogReport) -> None:
        """Go on from what earlier reads of the same log found (a followed file is read poll
        by poll): each run's printed total, so that an evaluation bar with its own total
        that starts a poll is still told from the training bar."""
        for name, old in known.runs.items():
            if "total_steps" in old.printed:
                run = self.rep.runs[name] = Run(name)
                run.printed["total_steps"] = old.printed["total_steps"]
                run.step_base, run.dt_kind, run.variant = old.step_base, old.dt_kind, old.variant
                run.mfu_peak, run.first_line, run.last_line = old.mfu_peak, old.first_line, old.last_line

    def line(self, raw: str) -> None:
        self.n += 1
        rep, n = self.rep, self.n
        rep.n_lines += 1
        if not raw.strip():
            return
        rep.n_content += 1
        if len(raw) > MAX_LINE:
            raw = line_end(raw)
            rep.n_truncated += 1
        raw = replace_remnants(raw)          # before the split: "#015" is a carriage return
        joined = bool(self.pending)
        if joined and _STARTS_BAR.search(raw):   # a cut bar not continued: read as it is
            self.flush()
            joined = False
        elif joined:
            raw, self.pending = self.pending + raw.lstrip(), ""
        parts = raw.split("\r") if "\r" in raw else [raw]
        last = clean_line(parts[-1])
        hit = False
        if not joined and "%|" in last and "[" in last and "]" not in last and len(parts[-1]) < PENDING_MAX:
            self.pending = parts.pop()       # joined once with the next line, never again
            hit = bool(parts)
        for part in parts:
            hit = _line(clean_line(part), n, rep, self.specs) or hit
        if not hit and not self.pending:
            rep.n_ignored += 1

    def flush(self) -> None:
        """Read a held-back cut bar on its own (the next line did not continue it)."""
        pending, self.pending = self.pending, ""
        if pending and not _line(clean_line(pending), self.n, self.rep, self.specs):
            self.rep.n_ignored += 1

    def block(self, text: str) -> None:
        """Whole lines at once. Runs of plain nanoGPT step lines (the bulk of a long run's
        log) are found and read column-wise by regular expressions in C; every other line
        goes through the line path."""
        pos = 0
        for m in nanogpt.NANO_RUN.finditer(text):
            if m.start() > pos:
                self._lines(text[pos:m.start()])
            span = m.group()
            if not self.pending and nanogpt.nanogpt_span(span, self.n, self.rep):
                k = span.count("\n")
                self.n += k
                self.rep.n_lines += k
                self.rep.n_content += k
            else:
                self._lines(span)
            pos = m.end()
        if pos < len(text):
            self._lines(text[pos:])

    def _lines(self, text: str) -> None:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        for raw in lines:
            self.line(raw)

    def finish(self) -> LogReport:
        self.flush()
        name_runs(self.rep, self.specs)
        for run in self.rep.runs.values():
            finish_run(run)
        return self.rep


def read_lines(lines: Iterable[str], specs: Specs | None = None) -> LogReport:
    reader = _Reader(specs=specs)
    for raw in lines:
        reader.line(raw.rstrip("\n"))
    return reader.finish()


def read_text(text: str, specs: Specs | None = None) -> LogReport:
    """`specs`: the trainers of knowledge/trainers.yaml (records the formats do not read,
    evidence that names a run); without them only the built-in formats read."""
    reader = _Reader(specs=specs)
    start = 0
    while start < len(text):
        end = text.find("\n", start + BLOCK)
        end = len(text) if end < 0 else end + 1
        reader.block(text[start:end])
        start = end
    return reader.finish()


def line_end(raw):
    """The last MAX_LINE characters (or bytes) of an overlong line, from a carriage return
    on when there is one: the newest states of a bar redrawn in place."""
    tail = raw[-MAX_LINE:]
    cr = tail.find("\r" if isinstance(tail, str) else b"\r")
    return tail[cr:] if cr >= 0 else tail


def read_stream(fh, limit: int | None = None, known: LogReport | None = None,
                specs: Specs | None = None) -> LogReport:
    """A binary file object, read in blocks: memory stays bounded whatever its size, and so
    does a line without an end. Runs of plain nanoGPT step lines are read without decoding
    them line by line. `limit`: bytes read at most (the report says when it stopped).
    `known`: what earlier reads of the same log found (see _Reader.seed)."""
    reader = _Reader(known, specs)
    rest, read = b"", 0
    while limit is None or read < limit:
        chunk = fh.read(BLOCK if limit is None else min(BLOCK, limit - read))
        if not chunk:
            break
        read += len(chunk)
        chunk = rest + chunk
        cut = chunk.rfind(b"\n")
        if cut < 0:
            rest = _long_rest(reader, chunk)
            continue
        block, rest = chunk[:cut + 1], chunk[cut + 1:]
        if reader.cutting:                    # the end of a line already counted as overlong
            first = block.find(b"\n")
            block, reader.cutting = line_end(block[:first]) + block[first:], False
        rest = _long_rest(reader, rest)
        _bytes_block(reader, block)
    else:
        reader.rep.read_limit = limit
    if rest:
        reader.block(rest.decode("utf-8", errors="replace"))
    reader.rep.n_bytes = read
    return reader.finish()


def _long_rest(reader: _Reader, rest: bytes) -> bytes:
    """The unfinished end of a block: kept whole up to MAX_LINE bytes, then only its end."""
    if len(rest) <= MAX_LINE:
        return rest
    if not reader.cutting:
        reader.rep.n_truncated += 1
    reader.cutting = True
    return line_end(rest)


_NOT_ITER = re.compile(rb"\n(?!iter )")     # a line that is not a nanoGPT step line starts here


def _bytes_block(reader: _Reader, block: bytes) -> None:
    """Whole lines as bytes: runs of 'iter ...' lines go to the columnar reader, the
    lines between them (decoded) to the line path."""
    data = b"\n" + block
    pos = 1                                   # start of the next unread line in data
    for m in _NOT_ITER.finditer(data):
        start = m.start() + 1
        if start >= len(data):
            break
        if start > pos:
            _iter_run(reader, data[pos:start])
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        reader.block(data[start:end].decode("utf-8", errors="replace"))
        pos = end
    if pos < len(data):
        _iter_run(reader, data[pos:])


def _iter_run(reader: _Reader, run: bytes) -> None:
    if reader.pending or not nanogpt.nanogpt_bytes(run, reader.n, reader.rep):
        reader.block(run.decode("utf-8", errors="replace"))
        return
    k = run.count(b"\n")
    reader.n += k
    reader.rep.n_lines += k
    reader.rep.n_content += k


def _line(text: str, n: int, rep: LogReport, specs: Specs | None = None) -> bool:
    if not text or text.startswith("```"):
        return False
    text, ts, commented = unwrap(text)
    if "\t" in text:
        text = " ".join(text.replace("\t", " ").split())
    if ts is not None:
        rep.last_ts = ts
    if not text or _ELISION.match(text):
        return False
    if specs is not None:
        note_evidence(text, rep, specs)
    for fmt in FORMATS:
        if fmt(text, n, ts, rep):
            return True
    if specs is not None and record(text, n, ts, rep, specs):
        return True
    if "emory" in text:
        m = _OOM.search(text)
        if m:      # torch.OutOfMemoryError: the request that failed, when it says
            size = float(m.group(1)) * (1024 if m.group(2)[0] == "G" else 1) if m.group(1) else None
            rep.system["oom"] = (size, n)
            return True
    if commented:
        return False
    m = _OVERRIDE_FILE.match(text)
    if m:
        rep.config_file = m.group(1)
        return True
    m = _OVERRIDE_KEY.match(text)
    if m:
        text = m.group(1)
    m = _DOTTED_ARG.match(text)
    if m:
        rep.assign(Assignment(m.group(1), m.group(2).strip(), n))
        return True
    pair = split_assignment(text.strip().rstrip(","))
    if pair is not None:
        rep.assign(Assignment(pair[0].strip("\"'"), pair[1], n))
        return True
    return False


def finish_run(run: Run) -> None:
    """Derive step times from timestamps where the trainer prints none (DeepSpeed,
    torchtitan), and drop our private bookkeeping."""
    run.printed.pop("_train_ms", None)
    t = run.samples
    if not t or not t._has_ts or any(d != MISSING for d in t.dts):
        return
    derived = False
    for i in range(1, len(t)):
        a, b = t.ts[i - 1], t.ts[i]
        steps = t.iters[i] - t.iters[i - 1]
        if a != MISSING and b != MISSING and steps > 0 and usable_step_time((b - a) / steps):
            t.set_dt(i, (b - a) / steps)
            derived = True
    if derived:
        run.dt_kind = DT_TIMESTAMPS


def steps_summary(run: Run) -> dict:
    """Resumes (the step count goes back), step lines, first and last step, timed steps,
    and how many of the oldest step lines were set aside (`kept` is the cap)."""
    t = run.samples
    it = t.iters
    resumes = t.early_resumes + [it[i] for i in range(1, len(it)) if it[i] < it[i - 1]]
    timed = sum(1 for d in t.dts if d != MISSING)
    return {"resumes": resumes, "steps": len(it) + t.dropped, "first": t.min_iter if it else None,
            "last": it[-1] if it else None, "timed": timed, "set_aside": t.dropped, "kept": t.cap}
