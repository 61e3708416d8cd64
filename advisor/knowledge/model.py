"""What advisor knows, as typed data: keys with their defaults and aliases, GPUs, model
presets, datasets, the built-in example, the ETA calibration, advice rules and tables, the
phrase tables. Built and validated by advisor.knowledge.build from knowledge/*.yaml."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from advisor.read.facts import KeySpec
from advisor.read.gpus import Gpu

if TYPE_CHECKING:                       # types only: the rules are built by advise.rules,
    from advisor.advise.rules import Rule   # the phrase tables on the first question
    from advisor.read.intents import Phrases
    from advisor.read.logs.records import Specs


class KnowledgeError(Exception):
    """A knowledge file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Example:
    id: str
    question: str
    paste: str


@dataclass(frozen=True)
class EtaCalibration:
    """The ETA's 80 % range, measured on the calibration half of the recorded real runs:
    per bucket (stage of the run / how steady its step times are), the 10th and 90th
    percentiles of log(true remaining / estimate). `spread_split` divides steady from
    variable histories (the estimate's relative spread); `runs` names the runs used."""
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    spread_split: float = 0.05
    runs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    keys: dict[str, KeySpec]
    aliases: dict[str, str]
    examples: dict[str, Example]
    eta_calibration: EtaCalibration
    gpus: list[tuple[tuple[str, ...], Gpu]] = field(default_factory=list)  # longest pattern first
    datasets: dict[str, dict] = field(default_factory=dict)    # name or alias -> dataset row
    models: dict[str, dict] = field(default_factory=dict)      # name or alias -> preset row
    rules: tuple["Rule", ...] = ()                             # validated advice rules
    advice_tables: dict[str, list[dict]] = field(default_factory=dict)  # lr_reference, mfu_typical
    trainers: "Specs | None" = None                            # knowledge/trainers.yaml, compiled
    # knowledge/phrases.yaml, read and checked on the first question in words (the shell
    # hands over how: parsing it is a twentieth of a start-up that asks no question)
    phrases_doc: Callable[[], dict] = dict

    @functools.cached_property
    def phrases(self) -> dict[str, "Phrases"]:
        """locale -> phrase tables, built the first time a question needs them."""
        from advisor.read.intents import load_tables  # lazy: only questions in words need it
        return load_tables(self.phrases_doc())

    @functools.cached_property
    def whatif_keys(self) -> frozenset[str]:
        """The settings /whatif may change (keys.yaml `whatif: true`)."""
        return frozenset(k for k, spec in self.keys.items() if spec.whatif)
