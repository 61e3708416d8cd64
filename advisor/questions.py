"""Questions in plain words: find them in a message, answer them through the same code as
the slash commands (pure). The intent tables are knowledge/phrases.yaml."""

from __future__ import annotations

from advisor.answers import Answer
from advisor.errors import AdvisorError
from advisor.intents import Question, understand
from advisor.logs import read_text

MAX_QUESTION = 300          # characters: a longer line is log text, not a question
EDGE = 3                    # questions are looked for in the first and last lines of a paste


def _is_log_text(text: str) -> bool:
    """Whether the log reader recognizes anything in this text (a step, a setting, ...)."""
    rep = read_text(text)
    return bool(rep.runs or rep.assignments or rep.system or rep.bad_time_lines or rep.config_file)


def _is_question(session, line: str) -> Question | None:
    text = line.strip()
    if not text or len(text) > MAX_QUESTION or _is_log_text(text):
        return None
    q = understand(text, session.knowledge.phrases, session.locale)
    if q is None or (q.intent is None and not q.facts and q.step_s is None):
        return None
    return q


def split_questions(session, lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(questions before the pasted lines, the pasted lines, questions after them). A
    message that is one short line, not a log line, in words of a known language is a
    question even when no intent is clear: it gets the help for questions."""
    content = [ln for ln in lines if ln.strip()]
    if len(content) == 1 and len(content[0]) <= MAX_QUESTION:
        if not _is_log_text(content[0]) \
                and (content[0].rstrip().endswith(("?", "؟"))
                     or understand(content[0], session.knowledge.phrases, session.locale) is not None):
            return [content[0]], [], []
    before, after = [], []
    body = list(lines)
    while body and len(before) < EDGE and (not body[0].strip() or _is_question(session, body[0])):
        line = body.pop(0)
        if line.strip():
            before.append(line)
    while body and len(after) < EDGE and (not body[-1].strip() or _is_question(session, body[-1])):
        line = body.pop()
        if line.strip():
            after.insert(0, line)
    return before, body, after


def ask(session, text: str) -> list[Answer]:
    q = understand(text, session.knowledge.phrases, session.locale)
    if q is not None and not session.locale_fixed:
        session.locale = q.locale
    if q is None or (q.intent is None and not q.facts and q.step_s is None) \
            or (q.intent == "explain" and q.term is None):
        return [Answer("not_question", {"text": text.strip()[:120]}, error=True)]
    try:
        return _answer(session, q, text)
    except AdvisorError as exc:
        return [Answer.from_error(exc)]


def _answer(session, q: Question, text: str) -> list[Answer]:
    out: list[Answer] = []
    if q.intent == "whatif":
        return [_whatif(session, q)]
    for key, value in q.facts:            # stated facts are kept, as with /set
        fact = session.set_fact(key, str(value), "question")
        if q.intent is None:
            out.append(Answer("set", {"fact": fact}))
    if q.intent is None and q.step_s is not None:
        return out + [_whatif(session, q)]
    if q.intent is None:
        return out
    if q.intent == "fit" and session.store.get("gpu") is None:
        _gpu_from_text(session, text)
    return out + [_intent(session, q)]


def _gpu_from_text(session, text: str) -> None:
    from advisor.gpus import find
    gpu = find(text, session.knowledge.gpus)
    if gpu is not None:
        session.set_fact("gpu", gpu.display_name, "question")


def _whatif(session, q: Question) -> Answer:
    if q.step_s is not None:
        return session.whatif(f"sec_per_step={q.step_s!r}")
    from advisor.session import WHATIF_KEYS
    for key, value in q.facts:
        if key in WHATIF_KEYS:
            return session.whatif(f"{key}={value}")
    raise AdvisorError("whatif_syntax", text="")


def _intent(session, q: Question) -> Answer:
    if q.intent == "eta":
        return session.eta()
    if q.intent == "plan":
        from advisor.planner import plan_answer
        return plan_answer(session)
    if q.intent == "fit":
        from advisor.planner import fit_answer
        return fit_answer(session)
    if q.intent == "advise":
        from advisor.advice import advise_answer
        return advise_answer(session)
    if q.intent == "compare":
        return session.compare()
    if q.intent == "explain":
        return term_answer(session, q.term)
    from advisor.commands import COMMANDS
    return Answer("help", {"commands": sorted(COMMANDS)})


def term_answer(session, term: str) -> Answer:
    """A term explained, with the user's own numbers where they are known."""
    from advisor import signals
    values = {k: s.value for k, s in signals.gather(session).items()}
    return Answer("term", {"term": term, "s": values}, question=True)
