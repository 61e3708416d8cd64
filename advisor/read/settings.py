"""The settings a paste or a file states (`key = value`, config dumps) -> facts with their
provenance, and the lines that could not be read as data (pure)."""

from __future__ import annotations

import datetime as _dt
from typing import Callable

from advisor.errors import AdvisorError
from advisor.read.facts import Fact, KeySpec, Source, parse_fact
from advisor.read.logs import LogReport


def settings_of(report: LogReport, specs: dict[str, KeySpec], aliases: dict[str, str],
                now: Callable[[], _dt.datetime], origin: str = "paste",
                file: str | None = None) -> tuple[list[Fact], list[dict]]:
    """(facts, rejected lines). In a log or a config file the settings are the log's (source
    `log`); typed alone they are the user's. A value that is code is rejected, never run;
    other `word: text` lines of a log are ordinary chatter and are left alone."""
    in_log = bool(report.runs or report.config_file)
    facts, rejected = [], []
    for a in report.assignments:
        try:
            facts.append(parse_fact(a.name, a.value, specs, aliases, now,
                                    "log" if in_log else origin, a.lineno, file,
                                    Source.LOG if in_log else Source.USER))
        except AdvisorError as exc:
            if exc.code == "bad_value":
                rejected.append({"line": a.lineno, **exc.params})
            elif exc.code == "unknown_key" and report.config_file:
                rejected.append({"line": a.lineno, "key": a.name, "reason": "unknown"})
    return facts, rejected
