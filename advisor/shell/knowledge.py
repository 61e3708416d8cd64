"""Read knowledge/*.yaml and the advice templates from disk, once per process for a given
set of files and modification times, and build the validated Knowledge (the reading is the
shell's; the checks live with what they check: knowledge.build, advise.rules)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from advisor.advise.rules import RuleError, load as load_rules
from advisor.advise.signals.names import NAMES
from advisor.knowledge import build
from advisor.knowledge.model import Knowledge, KnowledgeError
from advisor.resources import data_dir

# libyaml's safe loader when PyYAML was built with it (ten times faster at start-up), else
# the pure-Python one; both build only plain data.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_knowledge(directory: Path) -> Knowledge:
    """The knowledge in `directory`, loaded and validated once per process for a given set of
    files and modification times (a long REPL session or a test suite calls this often)."""
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in Path(directory).glob("*.yaml")))
    return _load_cached(Path(directory), stamp)


def _yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: {exc}") from None


def _template_source(name: str) -> str | None:
    try:
        return (data_dir("templates") / "advice" / f"{name}.j2").read_text(encoding="utf-8")
    except OSError:
        return None


@functools.lru_cache(maxsize=8)
def _load_cached(directory: Path, stamp) -> Knowledge:
    def doc(name: str):
        return _yaml(directory / name)

    specs, aliases = build.keys(doc("keys.yaml"), str(directory / "keys.yaml"))
    cal_path = directory / "eta_calibration.yaml"
    calibration = build.calibration(_yaml(cal_path), str(cal_path)) if cal_path.exists() else {}
    models = build.named(doc("models.yaml"), "models", str(directory / "models.yaml"), ("config",))
    build.presets_use_known_keys(models, specs, str(directory / "models.yaml"))
    rules_doc = doc("rules.yaml")
    try:
        rules = load_rules(rules_doc, NAMES, _template_source, "rules.yaml")
    except RuleError as exc:
        raise KnowledgeError(str(exc)) from None
    return Knowledge(
        keys=specs, aliases=aliases,
        examples=build.examples(doc("examples.yaml"), str(directory / "examples.yaml")),
        eta_calibration=calibration,
        gpus=build.gpus(doc("gpus.yaml"), str(directory / "gpus.yaml")),
        datasets=build.named(doc("datasets.yaml"), "datasets", str(directory / "datasets.yaml"),
                             ("train_tokens",)),
        models=models, rules=rules,
        advice_tables=build.advice_tables(rules_doc, str(directory / "rules.yaml")),
        trainers=build.trainers(doc("trainers.yaml"), str(directory / "trainers.yaml")),
        phrases_doc=functools.partial(_phrases, directory / "phrases.yaml"))


def _phrases(path: Path) -> dict:
    """Read when the first question in words needs the tables (Knowledge.phrases caches it)."""
    return build.phrases(_yaml(path), str(path))
