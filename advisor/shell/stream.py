"""A message too long to hold in memory (a log piped in whole): its questions are looked for
in its first and last lines, as in any message, and everything between them is streamed to
the log reader in blocks, so that memory stays bounded whatever its size. Input past
MAX_READ bytes is not read, and the answer says so."""

from __future__ import annotations

from advisor.answers.answer import Output
from advisor.conversation import Conversation
from advisor.conversation.dispatch import ask
from advisor.read import read_stream
from advisor.read.logs.reader import BLOCK
from advisor.read.message import edge_questions

MESSAGE_MAX = 2 << 20        # bytes of standard input handled as one message in memory
MAX_READ = 4 << 30           # bytes of standard input read at most
EDGE_BYTES = 64 << 10        # the first and last so many bytes are searched for questions


class HeldBack:
    """Reads `first`, then `rest`, but keeps back the last EDGE_BYTES until the end, when
    the questions among its last lines are taken out (`after`) and the rest is given."""

    def __init__(self, first: bytes, rest, conv: Conversation):
        self.buf, self.rest, self.conv = bytearray(first), rest, conv
        self.eof, self.after, self.tail = False, [], b""

    def read(self, n: int = BLOCK) -> bytes:
        while not self.eof and len(self.buf) < n + EDGE_BYTES:
            chunk = self.rest.read(BLOCK)
            if not chunk:
                self.eof = True
                self._end()
                break
            self.buf += chunk
        give = len(self.buf) if self.eof else max(0, min(n, len(self.buf) - EDGE_BYTES))
        out = bytes(self.buf[:give])
        del self.buf[:give]
        return out

    def _end(self) -> None:
        cut = self.buf.find(b"\n", max(0, len(self.buf) - EDGE_BYTES)) + 1
        body, tail = self.buf[:cut], self.buf[cut:] if cut else self.buf
        if not cut:
            body = bytearray()
        lines = bytes(tail).decode("utf-8", errors="replace").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        know = self.conv.knowledge
        taken, self.after = edge_questions(lines, know.phrases, self.conv.locale, know.whatif_keys,
                                           from_end=True)
        kept = lines[:len(lines) - taken]
        self.tail = "\n".join(lines[-20:])
        self.buf = body + ("\n".join(kept) + "\n" if kept else "").encode("utf-8")


def handle_stream(conv: Conversation, first: bytes, rest) -> list[Output]:
    """The outputs of a long message whose first bytes are `first` and the rest in `rest`."""
    know = conv.knowledge
    head = first[:EDGE_BYTES].decode("utf-8", errors="replace").split("\n")[:-1]
    taken, before = edge_questions(head, know.phrases, conv.locale, know.whatif_keys)
    lead = len(("\n".join(head[:taken]) + "\n").encode("utf-8")) if taken else 0
    source = HeldBack(first[lead:], rest, conv)
    report = read_stream(source, limit=MAX_READ, specs=know.trainers)
    outputs: list[Output] = [conv.add_report(report)]
    outputs += [out for q in before + source.after for out in ask(conv, q)]
    conv.transcript.append(("\n".join(head[:40]) + "\n…\n" + source.tail, outputs, conv.locale))
    return outputs
