from conftest import ROOT


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "pip install -c tests/constraints.txt -e '.[test]' && pytest"
    assert command in readme and command in ci
    assert "pip install -e . && advisor" in readme
