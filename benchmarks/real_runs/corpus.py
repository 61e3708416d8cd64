"""Training text for the recorded runs, built from files every Debian-like machine has (the
license texts in /usr/share/common-licenses and the packages' copyright files), as byte-level
tokens (vocabulary 256): nothing is downloaded. Same bytes on every call on one machine.

    python benchmarks/real_runs/corpus.py DIR      # DIR/train.bin, DIR/val.bin, DIR/meta.pkl
"""

from __future__ import annotations

import glob
import os
import pickle
import sys
from array import array

SOURCES = ("/usr/share/common-licenses/*", "/usr/share/doc/*/copyright")
MAX_BYTES = 4_000_000


def corpus_bytes() -> bytes:
    parts = []
    for pattern in SOURCES:
        for path in sorted(glob.glob(pattern)):
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    parts.append(f.read())
    data = b"\n".join(parts)[:MAX_BYTES]
    if len(data) < 100_000:
        raise SystemExit(f"only {len(data)} bytes of local text under {SOURCES}")
    return data


def write_nanogpt_dataset(out_dir: str) -> tuple[int, int]:
    """nanoGPT's data layout: uint16 token ids in train.bin and val.bin (90/10), meta.pkl."""
    data = corpus_bytes()
    cut = len(data) * 9 // 10
    os.makedirs(out_dir, exist_ok=True)
    for name, part in (("train.bin", data[:cut]), ("val.bin", data[cut:])):
        with open(os.path.join(out_dir, name), "wb") as f:
            array("H", iter(part)).tofile(f)   # one uint16 per byte
    with open(os.path.join(out_dir, "meta.pkl"), "wb") as f:
        pickle.dump({"vocab_size": 256, "itos": {i: chr(i) for i in range(256)},
                     "stoi": {chr(i): i for i in range(256)}}, f)
    return cut, len(data) - cut


if __name__ == "__main__":
    print(write_nanogpt_dataset(sys.argv[1]))
