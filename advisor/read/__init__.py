"""read: text -> data (pure). Logs of many trainers, user values, facts with provenance,
GPU names, questions in plain words, the parts of a message."""

from advisor.read.logs import read_stream, read_text

__all__ = ["read_stream", "read_text"]
