"""Advice rules: conditions over named facts, checked in a sandbox (pure).

A rule in knowledge/rules.yaml names when it fires (`when`, a Jinja2 expression over the
facts listed in advisor/advise/signals/names.py), the template that explains it
(templates/advice/<advice>.j2), a severity, a source, an optional `gain` expression used to
rank rules of equal severity, and optional `checks`: named sub-conditions the answer lists
as likely, ruled out or not checked.

Expressions are parsed when the file is loaded and refused unless they use only fact names,
literals, comparisons, `and`/`or`/`not`, arithmetic, `x if c else y`, tests such as
`is defined` and a few filters: no attribute or item access, no calls, no private names,
`**` only with a small constant exponent. They run in Jinja2's ImmutableSandboxedEnvironment,
which also refuses repetition of strings or lists and huge powers at run time. A fact that is
not known is undefined (StrictUndefined): the rule is then "not checked", never guessed.
"""

from __future__ import annotations

import contextvars
import functools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

SEVERITIES = ("critical", "high", "medium", "low", "info")
MAX_EXPONENT = 8
MAX_LENGTH = 400
_FILTERS = frozenset({"abs", "round", "int", "float"})
_TESTS = frozenset({"defined", "undefined", "none", "number", "string", "boolean",
                    "true", "false", "divisibleby", "in"})
_NODES = (nodes.Name, nodes.Const, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not,
          nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Neg,
          nodes.Pos, nodes.Pow, nodes.CondExpr, nodes.Test, nodes.Filter, nodes.Tuple, nodes.List)
_RULE_FIELDS = {"id", "when", "advice", "severity", "source", "gain", "checks"}


class RuleError(ValueError):
    """A rules file that cannot be used; the message names the rule."""


_TOUCHED: contextvars.ContextVar[list | None] = contextvars.ContextVar("touched", default=None)


class _Unknown(StrictUndefined):
    """A fact that is not known. Any use but `is defined` raises; every lookup is
    recorded, so a rule that came out false only because a guarded fact was missing is
    "not checked" rather than "checked, nothing to change"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        touched = _TOUCHED.get()
        if touched is not None and self._undefined_name:
            touched.append(self._undefined_name)


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if not isinstance(right, (int, float)) or abs(right) > MAX_EXPONENT \
                    or not isinstance(left, (int, float)) or abs(left) > 1e100:
                raise SecurityError("power too large")
        elif isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple)):
            raise SecurityError("repetition of a sequence")
        return super().call_binop(context, operator, left, right)


@functools.cache
def _sandbox() -> _Sandbox:
    return _Sandbox(undefined=_Unknown)


def parse(expr: object, known: Iterable[str], where: str) -> frozenset[str]:
    """Check one expression; return the fact names it reads. Raises RuleError."""
    if not isinstance(expr, str) or not expr.strip():
        raise RuleError(f"{where}: needs an expression")
    if len(expr) > MAX_LENGTH:
        raise RuleError(f"{where}: expression longer than {MAX_LENGTH} characters")
    try:
        parser = Parser(_sandbox(), expr, state="variable")
        tree = parser.parse_expression()
        if not parser.stream.eos:
            raise RuleError(f"{where}: unexpected text after the expression")
    except TemplateError as exc:
        raise RuleError(f"{where}: syntax error: {exc.message}") from None
    known = set(known)
    names = set()
    everything = [tree, *tree.find_all(nodes.Node)]
    for node in everything:          # names first: the clearest message for `__import__(...)`
        if isinstance(node, nodes.Name):
            if node.name.startswith("_"):
                raise RuleError(f"{where}: private name {node.name!r} is not allowed")
            if node.name not in known:
                raise RuleError(f"{where}: unknown fact {node.name!r}")
            names.add(node.name)
    for node in everything:
        if not isinstance(node, _NODES):
            what = {nodes.Getattr: "attribute access", nodes.Getitem: "item access",
                    nodes.Call: "a call"}.get(type(node), type(node).__name__)
            raise RuleError(f"{where}: {what} is not allowed")
        if isinstance(node, nodes.Filter) and (node.name not in _FILTERS or node.dyn_args or node.dyn_kwargs):
            raise RuleError(f"{where}: filter {node.name!r} is not allowed")
        elif isinstance(node, nodes.Test) and (node.name not in _TESTS or node.dyn_args or node.dyn_kwargs):
            raise RuleError(f"{where}: test {node.name!r} is not allowed")
        elif isinstance(node, nodes.Pow):
            exp = node.right
            if not (isinstance(exp, nodes.Const) and isinstance(exp.value, (int, float))
                    and abs(exp.value) <= MAX_EXPONENT):
                raise RuleError(f"{where}: ** needs a constant exponent of at most {MAX_EXPONENT}")
        elif isinstance(node, nodes.Const) and isinstance(node.value, str) and node.value.startswith("_"):
            raise RuleError(f"{where}: private name {node.value!r} is not allowed")
    return frozenset(names)


@dataclass(frozen=True)
class Expr:
    text: str
    names: frozenset[str]

    @functools.cached_property
    def _fn(self) -> Callable:
        return _sandbox().compile_expression(self.text, undefined_to_none=False)

    def evaluate(self, facts: Mapping[str, object]):
        """(value, missing names). A value that needed a missing fact gives (None, names);
        a false value reached past a missing fact gives (False, names); errors (None, ())."""
        missing = tuple(sorted(n for n in self.names if n not in facts))
        touched: list[str] = []
        token = _TOUCHED.set(touched)
        try:
            value = self._fn(**{n: facts[n] for n in self.names if n in facts})
        except UndefinedError:
            return None, missing or ("?",)
        except (SecurityError, ArithmeticError, TypeError, ValueError):
            return None, ()
        finally:
            _TOUCHED.reset(token)
        return value, tuple(sorted(set(touched)))


@dataclass(frozen=True)
class Check:
    id: str
    when: Expr


@dataclass(frozen=True)
class Rule:
    id: str
    when: Expr
    advice: str
    severity: str
    source: str
    gain: Expr | None = None
    checks: tuple[Check, ...] = ()
    shows: frozenset[str] = frozenset()     # facts its advice template reads

    @property
    def names(self) -> frozenset[str]:
        out = set(self.when.names)
        if self.gain:
            out |= self.gain.names
        for c in self.checks:
            out |= c.when.names
        return frozenset(out)


@dataclass(frozen=True)
class CheckResult:
    id: str
    state: str                  # likely | ruled_out | not_checked
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    state: str                  # fired | silent | not_checked | error
    missing: tuple[str, ...] = ()
    gain: float | None = None
    checks: tuple[CheckResult, ...] = field(default=())


def load(doc, known: Iterable[str], templates: Callable[[str], str | None] = lambda _: "",
         where: str = "rules.yaml") -> tuple[Rule, ...]:
    """Validate a parsed rules file. `templates(id)` gives an advice template's source
    (None when there is none); the facts it reads as `s.name` must be known too."""
    known = frozenset(known)
    if not isinstance(doc, dict) or not doc.get("source") or not isinstance(doc.get("rules"), list):
        raise RuleError(f"{where}: needs `source` and a `rules` list")
    rules, seen = [], set()
    for i, body in enumerate(doc["rules"]):
        rid = body.get("id") if isinstance(body, dict) else None
        name = f"{where}: rule {rid or i + 1!r}"
        if not isinstance(rid, str) or not rid.isidentifier() or rid in seen:
            raise RuleError(f"{name}: needs a unique identifier `id`")
        seen.add(rid)
        extra = set(body) - _RULE_FIELDS
        if extra:
            raise RuleError(f"{name}: unknown fields {sorted(extra)}")
        if body.get("severity") not in SEVERITIES:
            raise RuleError(f"{name}: severity must be one of {', '.join(SEVERITIES)}")
        if not body.get("source"):
            raise RuleError(f"{name}: needs a `source`")
        advice = body.get("advice")
        source = templates(advice) if isinstance(advice, str) and advice.isidentifier() else None
        if source is None:
            raise RuleError(f"{name}: advice template {advice!r} not found")
        shows = template_names(source)
        if shows - known:
            raise RuleError(f"{name}: template {advice!r} reads unknown facts {sorted(shows - known)}")
        when = Expr(body["when"], parse(body.get("when"), known, f"{name}, when"))
        gain = None
        if body.get("gain") is not None:
            gain = Expr(body["gain"], parse(body["gain"], known, f"{name}, gain"))
        checks = []
        for c in body.get("checks") or []:
            cid = c.get("id") if isinstance(c, dict) else None
            if not isinstance(cid, str) or not cid.isidentifier() or set(c) - {"id", "when"}:
                raise RuleError(f"{name}: each check needs an `id` and a `when`")
            checks.append(Check(cid, Expr(c["when"], parse(c.get("when"), known, f"{name}, check {cid}"))))
        rules.append(Rule(rid, when, advice, body["severity"], str(body["source"]), gain, tuple(checks),
                          shows))
    return tuple(rules)


_TEMPLATE_FACT = re.compile(r"(?<![\w.])s\.([A-Za-z_]\w*)")


def template_names(source: str) -> frozenset[str]:
    """The facts a template reads as `s.name` (a pattern, not a Jinja parse: parsing the
    advice templates took a fifth of a second at every start)."""
    return frozenset(_TEMPLATE_FACT.findall(source or ""))


def run(rules: Iterable[Rule], facts: Mapping[str, object]) -> list[Outcome]:
    """Every rule's outcome; fired ones first, by severity then by gain (largest first)."""
    out = []
    for rule in rules:
        value, missing = rule.when.evaluate(facts)
        if value is None:
            out.append(Outcome(rule, "not_checked" if missing else "error", missing))
            continue
        if not value:
            out.append(Outcome(rule, "not_checked" if missing else "silent", missing))
            continue
        gain = None
        if rule.gain is not None:
            g, _ = rule.gain.evaluate(facts)
            gain = float(g) if isinstance(g, (int, float)) and not isinstance(g, bool) else None
        checks = []
        for c in rule.checks:
            v, miss = c.when.evaluate(facts)
            state = "likely" if v else ("not_checked" if v is None or miss else "ruled_out")
            checks.append(CheckResult(c.id, state, miss))
        out.append(Outcome(rule, "fired", (), gain, tuple(checks)))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    out.sort(key=lambda o: (o.state != "fired", rank[o.rule.severity], -(o.gain or 0.0)))
    return out
