"""Training logs of many trainers -> normalized facts (pure; see reader.py)."""

from advisor.read.logs.runs import Assignment, EvalLine, LogReport, Run
from advisor.read.logs.steps import Sample
from advisor.read.logs.reader import read_lines, read_stream, read_text, steps_summary

__all__ = ["Assignment", "EvalLine", "LogReport", "Run", "Sample", "read_lines", "read_stream", "read_text", "steps_summary"]
