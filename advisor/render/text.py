"""Answer + locale -> text, through Jinja2 templates and Babel catalogs.

One Jinja Environment per locale and cache directory; the filters (filters.py) format
numbers, durations and times with Babel. In a right-to-left locale every line starts with
an RLM, so a terminal lays the paragraph out right to left."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from babel import Locale
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

from advisor.answers.answer import Answer, Output, Shown
from advisor.render.filters import RLM, filters, printable
from advisor.render.i18n import translations
from advisor.resources import data_dir


def _bytecode_cache(directory: Path | None, locale: str) -> FileSystemBytecodeCache | None:
    """Compiled templates under `directory`/LOCALE: compiling costs about a quarter of a second
    per start otherwise. One sub-directory per locale: Jinja folds constant filter calls such
    as "max_iters"|code at compile time, so compiled code differs between locales."""
    if directory is None:
        return None
    try:
        path = Path(directory) / locale
        path.mkdir(parents=True, exist_ok=True)
        return FileSystemBytecodeCache(str(path))
    except OSError:
        return None


@functools.cache
def environment(locale: str, cache_dir: Path | None = None) -> Environment:
    env = Environment(
        bytecode_cache=_bytecode_cache(cache_dir, locale),
        loader=FileSystemLoader(str(data_dir("templates"))),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=printable,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(locale), newstyle=True)
    env.filters.update(filters(locale))
    return env


def render(answer: Answer, locale: str, cache_dir: Path | None = None) -> str:
    env = environment(locale, cache_dir)
    text = env.get_template(f"{answer.kind}.j2").render(a=answer.data, kind=answer.kind)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    if Locale.parse(locale).text_direction == "rtl":
        text = "\n".join(RLM + line if line.strip() else line for line in text.split("\n"))
    return text


def shown_as(output: Output, locale: str) -> tuple[Answer, str] | None:
    """The answer an output shows and in which locale: a /regen shows an earlier answer in
    its own locale; requests to the shell (quit, export, paste) show nothing."""
    if isinstance(output, Shown):
        return output.answer, output.locale
    if isinstance(output, Answer):
        return output, locale
    return None


class Renderer:
    """render() with the shell's template cache directory ($XDG_CACHE_HOME/advisor/templates)."""

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = cache_dir

    def __call__(self, answer: Answer, locale: str) -> str:
        return render(answer, locale, self.cache_dir)
