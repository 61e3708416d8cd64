"""The conversation as Markdown, each answer in the language it was shown in. The shell
writes the file; pasted text is echoed without terminal control sequences."""

from __future__ import annotations

import re

from advisor.render import render

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FENCE = "````"


def to_markdown(transcript, limit_lines: int = 40) -> str:
    from advisor.answers import Answer
    locale = transcript[-1][2] if transcript else "en"
    out = ["# " + render(Answer("export_title"), locale), ""]
    for text, answers, locale in transcript:
        lines = _CONTROL.sub("", text).splitlines()
        if len(lines) > limit_lines:
            lines = lines[: limit_lines // 2] + ["…"] + lines[-limit_lines // 2:]
        out += [FENCE, *lines, FENCE, ""]
        for a in answers:
            if a.kind == "export":
                continue
            loc = a.data["locale"] if a.kind == "regen" else locale
            out += [render(a, loc), ""]
    return "\n".join(out).rstrip() + "\n"


def carry_out(answer, session):
    """The shell's half of /export: write the file; on failure, the localized error."""
    from advisor.answers import Answer
    try:
        write(session.transcript, answer.data["path"])
    except OSError:
        return Answer("error", {"code": "export_failed", "path": answer.data["path"]}, error=True)
    return answer


def write(transcript, path: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(to_markdown(transcript))
