"""Command line: `advisor` (REPL on a terminal, batch when stdin is a pipe or a file),
`advisor eta [LOGFILE ...] [--set KEY=VALUE ...] [--lang LL] [--json]`."""

from __future__ import annotations

import argparse
import io
import json
import sys

from advisor import knowledge as knowledge_mod
from advisor.answers import Answer
from advisor.environment import Environment
from advisor.errors import AdvisorError
from advisor.i18n import locale_from_env
from advisor.logs import read_stream
from advisor.facts import Fact, Source
from advisor.paths import cache_dir
from advisor.render import render, use_bytecode_cache
from advisor.resources import data_dir
from advisor.commands import check_locale
from advisor.session import Session
from advisor.values import split_assignment

EXIT_OK, EXIT_BAD_INPUT = 0, 2
MAX_INPUT = 200 * 1024 * 1024


class _ArgError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # never exit from inside argparse
        raise _ArgError(message)


def build_parser() -> argparse.ArgumentParser:
    """The command line's grammar. Its help text is a template (templates/usage.j2), so it
    is shown in the user's language: argparse's own help is switched off."""
    p = _Parser(prog="advisor", add_help=False)
    p.add_argument("-h", "--help", action="store_true")
    p.add_argument("--lang")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--json", action="store_true")
    sub = p.add_subparsers(dest="command")
    for name in ("eta", "facts", "plan", "advise"):
        e = sub.add_parser(name, add_help=False)
        e.add_argument("files", nargs="*", metavar="FILE")
        e.add_argument("-h", "--help", dest="sub_help", action="store_true")
        e.add_argument("--lang", dest="sub_lang")
        e.add_argument("--set", dest="sub_sets", action="append", default=[], metavar="KEY=VALUE")
        e.add_argument("--json", dest="sub_json", action="store_true")
        if name == "eta":
            e.add_argument("--whatif", metavar="KEY=VALUE")
    c = sub.add_parser("compare", add_help=False)
    c.add_argument("files", nargs="*", metavar="FILE")
    c.add_argument("-h", "--help", dest="sub_help", action="store_true")
    c.add_argument("--lang", dest="sub_lang")
    c.add_argument("--set", dest="sub_sets", action="append", default=[], metavar="KEY=VALUE")
    c.add_argument("--json", dest="sub_json", action="store_true")
    w = sub.add_parser("watch", add_help=False)
    w.add_argument("file", metavar="LOGFILE")
    w.add_argument("-h", "--help", dest="sub_help", action="store_true")
    w.add_argument("--lang", dest="sub_lang")
    w.add_argument("--set", dest="sub_sets", action="append", default=[], metavar="KEY=VALUE")
    w.add_argument("--interval", type=float, default=1.0)
    return p


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _emit(env: Environment, answer: Answer, locale: str, as_json: bool, session: Session) -> None:
    text = render(answer, locale)
    if as_json:
        obj = {"locale": locale}
        if answer.error:
            obj.update(error=answer.data.get("code", answer.kind), message=text)
        else:
            obj["answer"] = text
        obj["facts"] = [f.as_json() for f in _facts_of(answer, session)]
        if answer.kind == "eta":
            obj["eta"] = answer.data["eta"].as_json()
            gap = answer.data["gap"]
            obj["eta"].update({"since_last_line_s": gap.since_last_s if gap else None,
                               "remaining_from_now_s": gap.left_s if gap else None,
                               "status": gap.status if gap else None})
            obj["run"] = answer.data["run"]
        if answer.kind == "whatif":
            d = answer.data
            obj["eta"] = d["base"].as_json()
            obj["whatif"] = {"key": d["key"], "value": d["value"], "delta_s": d["delta_s"],
                             **{k: d["alt"].as_json()[k] for k in
                                ("remaining_s", "low_s", "high_s", "steps_s", "evals_s", "finish_at")}}
        if answer.kind == "plan":
            obj["plan"] = _plan_json(answer.data)
        if answer.kind == "fit":
            obj["fit"] = {"memory": _plan_json(answer.data)["memory"], "gpu": answer.data["gpu"].name}
        if answer.kind == "compare":
            obj["compare"] = _compare_json(answer.data)
        if answer.kind == "advise":
            d = answer.data
            obj["advice"] = [{"id": i["id"], "severity": i["severity"], "source": i["source"],
                              "gain": i["gain"], "checks": i["checks"],
                              "assumed": [f.as_json() for f in i["assumed"]]} for i in d["advice"]]
            obj["checked_quiet"] = d["quiet"]
            obj["not_checked"] = d["unchecked"]
            obj["signals"] = d["s"]
        if answer.kind == "facts":
            obj["runs"] = answer.data["runs"]
            obj["system"] = answer.data["system"]
        env.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
    else:
        env.stdout.write(text + "\n")


def _plan_json(d: dict) -> dict:
    c, p = d["compute"], d["params"]
    out = {"params_reported": p.reported, "params_total": p.total,
           "tokens_per_iter": c.tokens_per_iter, "tokens": c.tokens, "epochs": c.epochs,
           "tokens_per_param": c.tokens_per_param, "flops_per_token": c.flops_per_token,
           "flops_6n": c.flops_6n, "flops": c.flops, "gpu": d["gpu"].name if d["gpu"] else None}
    if d["gpu"] is not None:
        mem = d["memory"]
        out.update(peak_tflops=d.get("peak_tflops"), peak_kind=d.get("peak_kind"),
                   times=[{"mfu": m, "sec_per_iter": s, "total_s": t} for m, s, t in d["times"]],
                   measured=d["measured"],
                   memory={"process_gib": mem["peak"].process / 2**30,
                           "allocated_gib": mem["peak"].allocated / 2**30,
                           "first_iteration_gib": mem["first"].process / 2**30,
                           "usable_gib": mem["usable_gib"], "verdict": mem["verdict"],
                           "largest_batch": mem["largest_batch"],
                           "gradient_accumulation_steps": mem["accumulation"]},
                   energy=d["energy"])
    return out


def _compare_json(d: dict) -> dict:
    keys = ("label", "trainer", "sec_per_step", "tokens_per_iter", "tokens_per_s", "micro_s", "mfu",
            "mfu_printed", "params", "flops_per_token", "total_s")
    out = {side: {k: d[side][k] for k in keys} for side in ("a", "b")}
    for side in ("a", "b"):
        curve = d[side]["curve"]
        out[side]["val_losses"] = [{"step": p[0], "tokens": p[1], "elapsed_s": p[2], "val_loss": p[3]}
                                   for p in curve.points] if curve else []
    out["differences"] = {k: [a[0], b[0]] for k, a, b in d["diff"]}
    out.update({k: d[k] for k in ("tokens_ratio", "step_ratio", "flops_ratio", "mfu_kind", "mfu_a",
                                  "mfu_b", "mfu_ratio")})
    et, tl = d["equal_tokens"], d["to_loss"]
    out["equal_tokens"] = {"tokens": et["tokens"], "val_a": et["a"][3], "val_b": et["b"][3]} if et else None
    out["time_to_loss"] = tl
    return out


def _facts_of(answer: Answer, session: Session):
    """Everything the answer rests on: what was used (defaults included) and what is known."""
    seen, out = set(), []
    for f in list(answer.data.get("used", [])) + list(session.store.facts.values()):
        if f.key not in seen:
            seen.add(f.key)
            out.append(f)
    trainer = session.store.get("trainer")
    run = session.log.main_run(trainer.value if trainer else None)
    if run is not None and run.samples:
        out.append(Fact("last_step", run.samples[-1].iter, Source.LOG, "log", run.samples[-1].lineno))
    return out


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    cache = cache_dir(env.environ)
    use_bytecode_cache(cache / "templates" if cache else None)
    argv = list(sys.argv[1:] if argv is None else argv)
    know = knowledge_mod.load(data_dir("knowledge"))
    default_locale = locale_from_env(env.environ)
    session = Session(know, default_locale, env.clock)

    def fail(exc: AdvisorError, as_json: bool = False) -> int:
        _emit(env, Answer.from_error(exc), session.locale, as_json, session)
        return EXIT_BAD_INPUT

    try:
        args = build_parser().parse_args(argv)
    except _ArgError as exc:
        try:   # speak the language asked for, even when the rest of the line is wrong
            session.locale = check_locale(_lang_in(argv) or session.locale)
        except AdvisorError:
            pass
        return fail(AdvisorError("bad_args", usage=build_parser().format_usage().strip().removeprefix("usage: "),
                                 detail=str(exc)))
    except SystemExit as exc:   # argparse gave up in a way _Parser.error does not catch
        return int(exc.code or 0)

    lang = getattr(args, "sub_lang", None) or args.lang
    sets = args.sets + list(getattr(args, "sub_sets", []) or [])
    as_json = args.json or bool(getattr(args, "sub_json", False))
    try:
        if lang:
            session.locale = check_locale(lang)
            session.locale_fixed = True
        if args.help or getattr(args, "sub_help", False):
            env.stdout.write(render(Answer("usage"), session.locale) + "\n")
            return EXIT_OK
        if args.command == "watch":
            from advisor.watch import watch
            _apply_sets(session, sets)
            return watch(args.file, session, env, interval=max(0.1, args.interval))
        if args.command == "compare":
            return _batch_compare(env, session, args.files, as_json, sets)
        if args.command in ("eta", "facts", "plan", "advise"):  # the command line has the last word over the log
            return _batch_question(env, session, args.command, args.files, as_json, sets,
                                   getattr(args, "whatif", None))
        _apply_sets(session, sets)
    except AdvisorError as exc:
        return fail(exc, as_json)

    if env.stdin_isatty:
        from advisor.repl import run_repl_from_env
        return run_repl_from_env(session, env)
    return _batch_message(env, session, as_json)


def _lang_in(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _apply_sets(session: Session, sets: list[str]) -> None:
    for item in sets:
        pair = split_assignment(item)
        if pair is None:
            raise AdvisorError("set_syntax", text=item)
        session.set_fact(pair[0], pair[1], "cli")


def _batch_question(env, session: Session, question: str, files, as_json: bool,
                    sets: list[str], whatif: str | None = None) -> int:
    """Read the files (or stdin) as streams, in bounded memory, then answer."""
    try:
        if not files and env.stdin_isatty and question not in ("plan", "advise"):
            raise AdvisorError("empty_input")
        sources = files or ([] if env.stdin_isatty else [None])
        seen_text = False
        for name in sources:
            try:
                if name is None:
                    rep = read_stream(_stdin_binary(env))
                else:
                    with open(name, "rb") as fh:
                        rep = read_stream(fh)
            except OSError:
                raise AdvisorError("read_error", file=name or "-") from None
            seen_text = seen_text or rep.n_content > 0
            session.add_report(rep, origin="paste" if name is None else "log", file=name)
        if question in ("plan", "advise"):
            seen_text = True                  # a plan or advice can rest on settings alone
        if not seen_text:
            raise AdvisorError("empty_input")
        _apply_sets(session, sets)
        if question == "facts":
            answer = session.facts_answer()
        elif question == "plan":
            from advisor.planner import plan_answer
            answer = plan_answer(session)
        elif question == "advise":
            from advisor.advice import advise_answer
            answer = advise_answer(session)
        else:
            answer = session.whatif(whatif) if whatif else session.eta()
    except AdvisorError as exc:
        _emit(env, Answer.from_error(exc), session.locale, as_json, session)
        return EXIT_BAD_INPUT
    _emit(env, answer, session.locale, as_json, session)
    return EXIT_OK


def _batch_compare(env, session: Session, files, as_json: bool, sets: list[str]) -> int:
    """Two logs or configs, each read on its own; --set holds for both."""
    try:
        if len(files) != 2:
            raise AdvisorError("compare_needs_two", have=len(files))
        sides = []
        for name in files:
            try:
                with open(name, "rb") as fh:
                    rep = read_stream(fh)
            except OSError:
                raise AdvisorError("read_error", file=name) from None
            one = Session(session.knowledge, session.locale, session.clock)
            one.add_report(rep, origin="log", file=name)
            _apply_sets(one, sets)
            sides.append(one)
        from advisor.compare import compare_answer
        answer = compare_answer(sides[0], sides[1], labels=tuple(files))
    except AdvisorError as exc:
        _emit(env, Answer.from_error(exc), session.locale, as_json, session)
        return EXIT_BAD_INPUT
    _emit(env, answer, session.locale, as_json, session)
    return EXIT_OK


def _stdin_binary(env: Environment):
    buf = getattr(env.stdin, "buffer", None)
    if buf is not None:
        return buf
    return io.BytesIO(env.stdin.read().encode("utf-8", "surrogateescape"))


def _batch_message(env, session: Session, as_json: bool) -> int:
    """stdin is not a terminal: read it as one message, print one answer."""
    text = _decode(env.read_stdin_bytes()[:MAX_INPUT])
    if not text.strip():
        return _emit_error(env, session, AdvisorError("empty_input"), as_json)
    answers = session.handle(text)
    if any(a.kind == "export" for a in answers):
        from advisor import export
        answers = [export.carry_out(a, session) if a.kind == "export" else a for a in answers]
    pasted = any(a.kind in ("ack", "not_understood") for a in answers)
    shown = [a for a in answers if a.kind not in ("ack", "quit")]
    if pasted and not any(a.question or a.kind == "regen" for a in answers):
        try:                                  # a paste with no question: the time left
            shown.append(session.eta())
        except AdvisorError as exc:           # "not understood" already says what is missing
            if not (exc.code == "no_iterations" and any(a.kind == "not_understood" for a in shown)):
                shown.append(Answer.from_error(exc))
    for i, a in enumerate(shown):
        if i and not as_json:
            env.stdout.write("\n")
        _emit(env, a, session.locale if a.kind != "regen" else a.data["locale"], as_json, session)
    return EXIT_BAD_INPUT if any(a.error for a in shown) else EXIT_OK


def _emit_error(env, session, exc: AdvisorError, as_json: bool) -> int:
    _emit(env, Answer.from_error(exc), session.locale, as_json, session)
    return EXIT_BAD_INPUT


def entry_point() -> None:
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:    # `advisor ... | head`: the reader left; nothing to say
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141
    except Exception as exc:   # a bug: say so in one line, never a traceback
        sys.stderr.write(f"advisor: internal error ({type(exc).__name__}); "
                         "please report it with the input that caused it\n")
        code = 1
    sys.exit(code)
