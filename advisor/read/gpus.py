"""GPU names as nvidia-smi or torch print them, or as users type them -> a row of
knowledge/gpus.yaml. Names are compared as word sequences, longest pattern first, and a
pattern does not match when the next word names a variant: "4070 Ti SUPER" is neither a
"4070" nor a "4070 Ti"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VARIANT_WORDS = {"ti", "super", "laptop", "mobile", "max", "maxq", "ultra", "pro", "s", "g", "d"}


@dataclass(frozen=True)
class Gpu:
    name: str
    display_name: str
    memory_gib: float
    bf16_tflops: float | None
    fp16_tflops: float | None
    tdp_w: float | None
    bf16_native: bool
    source: str
    fp32_tflops: float | None = None     # CUDA-core fp32 peak (no tensor cores)
    tf32_tflops: float | None = None     # TF32 tensor peak (Ampere and later)


def words(text: str) -> tuple[str, ...]:
    text = text.lower().replace("geforce", " ").replace("nvidia", " ")
    return tuple(w for w in re.split(r"[^a-z0-9]+", text) if w)


def find(text: str, table: list[tuple[tuple[str, ...], Gpu]]) -> Gpu | None:
    """`table`: (pattern words, gpu), sorted longest pattern first."""
    have = words(text)
    for pattern, gpu in table:
        n = len(pattern)
        for i in range(len(have) - n + 1):
            if have[i:i + n] == pattern:
                after = have[i + n] if i + n < len(have) else None
                if after is None or after not in _VARIANT_WORDS:
                    return gpu
    return None


def build_table(rows: list[dict]) -> list[tuple[tuple[str, ...], Gpu]]:
    table = []
    for row in rows:
        gpu = Gpu(row["name"], row["display_name"], float(row["memory_gib"]), row.get("bf16_tflops"),
                  row.get("fp16_tflops"), row.get("tdp_w"), bool(row.get("bf16_native")), row["source"],
                  row.get("fp32_tflops"), row.get("tf32_tflops"))
        for pattern in list(row.get("device_name_patterns", [])) + list(row.get("short_names", [])):
            table.append((words(pattern), gpu))
    table.sort(key=lambda item: -len(item[0]))
    return table
