"""The house rules (README, Layout): a layer imports only the layers below it (import-linter's
contracts in pyproject.toml), no import cycle anywhere, no other module's private names,
imports inside functions only with a reason, no module over 300 lines."""

import ast
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.application.use_cases import lint_imports

from conftest import ROOT

PACKAGE = ROOT / "advisor"
MAX_LINES = 300
LAZY_REASON = "# lazy:"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_layers_contracts_hold(capsys):
    configuration.configure()
    kept = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            out.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def import_graph() -> dict[str, set[str]]:
    g = grimp.build_graph("advisor", exclude_type_checking_imports=True, cache_dir=None)
    return {m: set(g.find_modules_directly_imported_by(m)) for m in g.modules}


def test_no_import_cycle_anywhere():
    cycles = [sorted(c) for c in strongly_connected(import_graph()) if len(c) > 1]
    assert cycles == []


def test_the_cycle_finder_finds_cycles():
    assert sorted(map(sorted, strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}))) \
        == [["a", "b", "c"], ["d"]]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_of_another_module(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path)
    bad = [f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
           and (n.module or "").startswith("advisor") and n.module != own
           for a in n.names if a.name.startswith("_")]
    assert bad == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_inside_functions_say_why(path):
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    silent = []
    for fn in ast.walk(ast.parse(source)):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and LAZY_REASON not in lines[node.lineno - 1]:
                    silent.append(node.lineno)
    assert silent == [], f"say `{LAZY_REASON} why` on the line"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_fit_on_a_few_screens(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES
