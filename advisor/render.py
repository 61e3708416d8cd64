"""Answer + locale -> text, through Jinja2 templates and Babel catalogs.

One cached Environment per locale; filters format numbers, durations and times with Babel.
For right-to-left locales every left-to-right value (numbers, units, identifiers) is wrapped
in LRI...PDI and every line starts with an RLM, so a terminal lays the paragraph out RTL
(shared/reference/i18n-repl-style.md, section 2.7)."""

from __future__ import annotations

import datetime as _dt
import functools
import re

from babel import Locale
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

from advisor import fmt
from advisor.answers import Answer
from advisor.i18n import translations
from advisor.resources import data_dir

LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _finalize(value):
    """Interpolated values never carry terminal control sequences (pasted text is data)."""
    if isinstance(value, str):
        return _UNSAFE.sub("\ufffd", value)
    return value


def _filters(locale: str) -> dict:
    rtl = Locale.parse(locale).text_direction == "rtl"

    def ltr(text) -> str:
        text = _finalize(str(text))
        return f"{LRI}{text}{PDI}" if rtl else text

    def value(v) -> str:
        if isinstance(v, bool):
            return ltr(str(v))
        if isinstance(v, int):
            return ltr(fmt.integer(v, locale))
        if isinstance(v, float):
            return ltr(fmt.decimal(v, locale, 6 if abs(v) < 0.01 else 3))
        if isinstance(v, _dt.datetime):
            return fmt.when(v, locale)
        return ltr(v)

    def listing(items, limit: int = 6) -> str:
        """Numbers or identifiers joined the locale's way; in RTL each one isolated on its
        own, so the conjunction stays in the paragraph's direction."""
        items = list(items)
        shown = [fmt.integer(i, locale) if isinstance(i, int) else str(i) for i in items[:limit]]
        if len(items) > limit:
            return ltr(", ".join(shown) + ", …")
        if rtl:
            return fmt.items([ltr(x) for x in shown], locale)
        return fmt.items(shown, locale)

    def compact(v) -> str:
        text = fmt.compact(v, locale)
        m = re.match(r"^([-+]?[\d.,\u066b\u066c\u00a0]+)(.*)$", text)
        if rtl and m and m.group(2).strip():      # "123.59 مليون": only the number is LTR
            return ltr(m.group(1).strip()) + " " + m.group(2).strip()
        return ltr(text)

    def when_near(v, ref, span_s: float) -> str:
        """A range bound next to `ref`: the time alone when on the same day (with seconds
        when the whole range is under an hour), else date and time."""
        if v.date() == ref.date():
            return fmt.clock(v, locale, seconds=span_s < 3600)
        return fmt.when(v, locale)

    def sci(v, digits: int = 3) -> str:
        """2.552e18 -> '2.55E18' in the locale's decimal sign (scientific notation)."""
        return ltr(fmt.scientific(v, locale, digits))

    return {
        "sci": sci,
        "sig": lambda v, digits=3: ltr(fmt.significant(v, locale, digits)),
        "gib": lambda v: ltr(fmt.decimal(v / 1024 ** 3, locale, 2) + " GiB"),
        "gibs": lambda v: ltr(fmt.decimal(v, locale, 2) + " GiB"),
        "compact": compact,
        "int": lambda v: ltr(fmt.integer(v, locale)),
        "dec": lambda v, places=2: ltr(fmt.decimal(v, locale, places)),
        "pct": lambda v: ltr(fmt.percent(v, locale)),
        "sec": lambda v, places=1: ltr(fmt.seconds(v, locale, places)),
        "dur": lambda v, precision="second": fmt.duration(v, locale, precision),
        "dur_short": lambda v: fmt.duration(v, locale, "minute", "short"),
        "when": lambda v, span_s=None: fmt.when(v, locale, span_s is not None and span_s < 3600),
        "when_near": when_near,
        "per_step": lambda v: ltr(fmt.seconds_sig(v, locale)),
        "code": ltr,
        "value": value,
        "listing": listing,
        "items": lambda xs: fmt.items([str(x) for x in xs], locale),
        "times": lambda v: ltr(fmt.significant(v, locale, 3) + "×"),
        "pct1": lambda v: ltr(fmt.percent(v, locale, 1)),
    }


_bytecode_dir = None


def use_bytecode_cache(directory) -> None:
    """Keep compiled templates under `directory` (the shell passes $XDG_CACHE_HOME/advisor):
    compiling them costs about a quarter of a second per start otherwise. One sub-directory
    per locale: Jinja folds constant filter calls such as "max_iters"|code at compile time,
    so compiled code differs between locales."""
    global _bytecode_dir
    if directory != _bytecode_dir:
        _bytecode_dir = directory
        environment.cache_clear()


def _bytecode_cache(locale: str) -> FileSystemBytecodeCache | None:
    if _bytecode_dir is None:
        return None
    try:
        path = _bytecode_dir / locale
        path.mkdir(parents=True, exist_ok=True)
        return FileSystemBytecodeCache(str(path))
    except OSError:
        return None


@functools.cache
def environment(locale: str) -> Environment:
    env = Environment(
        bytecode_cache=_bytecode_cache(locale),
        loader=FileSystemLoader(str(data_dir("templates"))),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(locale), newstyle=True)
    env.filters.update(_filters(locale))
    return env


def render(answer: Answer, locale: str) -> str:
    if answer.kind == "regen":
        return render(answer.data["answer"], answer.data["locale"])
    env = environment(locale)
    text = env.get_template(f"{answer.kind}.j2").render(a=answer.data, kind=answer.kind)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    if Locale.parse(locale).text_direction == "rtl":
        text = "\n".join(RLM + line if line.strip() else line for line in text.split("\n"))
    return text

