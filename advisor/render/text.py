"""Answer + locale -> text, through Jinja2 templates and Babel catalogs.

One Jinja Environment per locale and cache directory; the filters (filters.py) format
numbers, durations and times with Babel. In a right-to-left locale every line starts with
an RLM, so a terminal lays the paragraph out right to left."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from babel import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from advisor.answers.answer import Answer, Output, Shown
from advisor.render.cache import SafeBytecodeCache, private_folder
from advisor.render.filters import RLM, filters, printable
from advisor.render.i18n import translations
from advisor.resources import data_dir


@functools.cache
def bytecode_cache(directory: Path | None, locale: str, key: bytes | None) -> SafeBytecodeCache | None:
    """Compiled templates under `directory`/LOCALE: compiling costs about a quarter of a second
    per start otherwise. One sub-directory per locale: Jinja folds constant filter calls such
    as "max_iters"|code at compile time, so compiled code differs between locales."""
    if directory is None or key is None or not private_folder(Path(directory) / locale):
        return None
    return SafeBytecodeCache(Path(directory) / locale, key)


@functools.cache
def environment(locale: str, cache_dir: Path | None = None, key: bytes | None = None) -> Environment:
    env = Environment(
        bytecode_cache=bytecode_cache(cache_dir, locale, key),
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


def render(answer: Answer, locale: str, cache_dir: Path | None = None, key: bytes | None = None) -> str:
    env = environment(locale, cache_dir, key)
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
    """render() with the shell's template cache ($XDG_CACHE_HOME/advisor/templates) and the
    key that proves its files ours (cache.secret, kept in the state folder)."""

    def __init__(self, cache_dir: Path | None = None, key: bytes | None = None):
        self.cache_dir, self.key = cache_dir, key

    def __call__(self, answer: Answer, locale: str) -> str:
        return render(answer, locale, self.cache_dir, self.key)

    def cache_problem(self, locale: str) -> str | None:
        """Why the cache could not be used for `locale` this time (no key, a folder that is
        not private or not writable, a damaged or foreign file), if it could not."""
        if self.cache_dir is None:
            return None
        if self.key is None:
            return "key"
        cache = bytecode_cache(self.cache_dir, locale, self.key)
        return "folder" if cache is None else cache.problem
