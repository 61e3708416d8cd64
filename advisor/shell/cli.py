"""Command line: `advisor` (REPL on a terminal, batch when stdin is a pipe or a file),
`advisor eta|plan|advise|facts [FILE ...]`, `advisor compare A B`, `advisor watch LOGFILE`,
each with [--set KEY=VALUE ...] [--lang LL] [--json]. One error boundary: bad input is a
localized message and exit 2, a bug one localized line and exit 1, never a traceback."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from enum import IntEnum

from advisor.answers.answer import Answer
from advisor.answers.registry import QUESTIONS
from advisor.conversation import Conversation
from advisor.errors import AdvisorError
from advisor.locales import check_locale
from advisor.render import Renderer
from advisor.render.i18n import locale_from_env
from advisor.resources import data_dir
from advisor.shell import batch
from advisor.shell.crash import report_crash
from advisor.shell.effects import command_table
from advisor.shell.environment import Environment, renderer_for
from advisor.shell.knowledge import load_knowledge
from advisor.shell.paths import crash_file

class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1               # a bug in advisor
    BAD_INPUT = 2
    OUTPUT_ERROR = 74       # sysexits' EX_IOERR: the answer could not be written
    CTRL_C = 130
    BROKEN_PIPE = 141


class _ArgError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # never exit from inside argparse
        raise _ArgError(message)


def _options(parser: argparse.ArgumentParser, prefix: str = "", as_json: bool = True) -> None:
    """-h, --lang, --set, --json, before or after a subcommand (own names after it, so that
    the subcommand's defaults never overwrite what came before it)."""
    parser.add_argument("-h", "--help", dest=prefix + "help", action="store_true")
    parser.add_argument("--lang", dest=prefix + "lang")
    parser.add_argument("--set", dest=prefix + "sets", action="append", default=[], metavar="KEY=VALUE")
    if as_json:
        parser.add_argument("--json", dest=prefix + "json", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """The command line's grammar. Its help text is a template (templates/usage.j2), so it
    is shown in the user's language: argparse's own help is switched off."""
    p = _Parser(prog="advisor", add_help=False)
    _options(p)
    p.add_argument("--export", metavar="FILE.md")      # batch: write the conversation there
    sub = p.add_subparsers(dest="command")
    for q in QUESTIONS.values():
        if q.cli:
            e = sub.add_parser(q.name, add_help=False)
            e.add_argument("files", nargs="*", metavar="FILE")
            _options(e, "sub_")
            if q.name == "eta":
                e.add_argument("--whatif", metavar="KEY=VALUE")
    w = sub.add_parser("watch", add_help=False)
    w.add_argument("file", metavar="LOGFILE")
    _options(w, "sub_", as_json=False)
    w.add_argument("--interval", type=float, default=1.0)
    return p


def _lang_in(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    argv = list(sys.argv[1:] if argv is None else argv)
    render = renderer_for(env.environ)
    conv = Conversation(load_knowledge(data_dir("knowledge")), locale_from_env(env.environ),
                        env.clock, commands=command_table())
    printer = batch.Printer(env, render, conv)
    try:
        args = build_parser().parse_args(argv)
    except _ArgError as exc:
        try:   # speak the language asked for, even when the rest of the line is wrong
            conv.locale = check_locale(_lang_in(argv) or conv.locale)
        except AdvisorError:
            pass
        usage = build_parser().format_usage().strip().removeprefix("usage: ")
        printer.answer(Answer.from_error(AdvisorError("bad_args", usage=usage, detail=str(exc))))
        return ExitStatus.BAD_INPUT
    printer.as_json = args.json or bool(getattr(args, "sub_json", False))
    try:
        code = _run(args, env, conv, printer)
    except AdvisorError as exc:
        printer.answer(Answer.from_error(exc))
        code = ExitStatus.BAD_INPUT
    problem = render.cache_problem(conv.locale)
    if problem is not None and problem != "key":
        note = Answer("cache_note", {"folder": str(render.cache_dir), "problem": problem})
        env.stderr.write(render(note, conv.locale) + "\n")
    return code


def _run(args, env: Environment, conv: Conversation, printer: batch.Printer) -> int:
    lang = getattr(args, "sub_lang", None) or args.lang
    sets = args.sets + list(getattr(args, "sub_sets", []) or [])
    if lang:
        conv.locale = check_locale(lang)
        conv.locale_fixed = True
    if args.help or getattr(args, "sub_help", False):
        env.stdout.write(printer.render(Answer("usage"), conv.locale) + "\n")
        return ExitStatus.OK
    if args.export is not None and (args.command is not None or env.stdin_isatty):
        raise AdvisorError("export_batch_only")
    if args.command == "watch":
        from advisor.shell.watch import check_interval, watch  # lazy: only `watch` needs it
        batch.apply_sets(conv, sets)
        return watch(args.file, conv, env, interval=check_interval(args.interval),
                     render=printer.render)
    if args.command == "compare":
        return batch.compare(env, conv, printer, args.files, sets)
    if args.command is not None:
        return batch.question(env, conv, printer, args.command, args.files, sets,
                              getattr(args, "whatif", None))
    batch.apply_sets(conv, sets)
    if env.stdin_isatty:
        from advisor.shell.repl import run_repl_from_env   # lazy: prompt_toolkit only for the REPL
        return run_repl_from_env(conv, env)
    return batch.message(env, conv, printer, args.export)


def entry_point() -> None:
    env = Environment()
    if env.stdout is None:     # started with stdout closed (`advisor >&-`)
        _say(env, Answer("error", {"code": "output_failed", "reason": "closed"}, error=True))
        sys.exit(int(ExitStatus.OUTPUT_ERROR))
    try:
        code = main(env=env)
        env.stdout.flush()
    except KeyboardInterrupt:
        code = ExitStatus.CTRL_C
    except BrokenPipeError:    # `advisor ... | head`: the reader left; nothing to say
        code = ExitStatus.BROKEN_PIPE
    except OSError as exc:     # stdout is full (`> /dev/full`) or gone: one line on stderr
        code = ExitStatus.OUTPUT_ERROR
        reason = {errno.ENOSPC: "full", errno.EBADF: "closed", errno.EIO: "device"}.get(exc.errno, "other")
        _say(env, Answer("error", {"code": "output_failed", "reason": reason}, error=True))
    except Exception:          # a bug: say so in one line, in the user's language
        code = ExitStatus.ERROR
        _say(env, Answer("error", {"code": "internal_batch", "report": report_crash(crash_file(env.environ))},
                         error=True))
    _quiet_stdout()
    sys.exit(int(code))


def _say(env: Environment, answer: Answer) -> None:
    try:
        text = Renderer()(answer, locale_from_env(env.environ))
    except Exception:          # the renderer itself failed: the code alone
        text = answer.data["code"]
    try:
        env.stderr.write(text + "\n")
        env.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _quiet_stdout() -> None:
    """Nothing more goes to a stdout that failed: Python's own flush at exit would complain."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
