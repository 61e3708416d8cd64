"""Load and validate knowledge/*.yaml once at start. Bad knowledge files fail loudly."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from advisor.facts import KeySpec
from advisor.gpus import build_table

_TYPES = {"int", "float", "bool", "str", "datetime"}
# libyaml's safe loader when PyYAML was built with it (ten times faster at start-up), else
# the pure-Python one; both build only plain data.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeError(Exception):
    pass


@dataclass(frozen=True)
class Example:
    id: str
    question: str
    paste: str


@dataclass(frozen=True)
class Knowledge:
    keys: dict[str, KeySpec]
    aliases: dict[str, str]
    examples: dict[str, Example]
    eta_calibration: dict[str, tuple[float, float]]
    gpus: list = ()                    # (pattern words, Gpu), longest pattern first
    datasets: dict = None              # name or alias -> dataset row
    models: dict = None                # name or alias -> preset row
    rules: tuple = ()                  # advisor.rules.Rule, validated
    advice_tables: dict = None         # lr_reference, mfu_typical
    phrases_doc: dict = None           # knowledge/phrases.yaml, checked

    @functools.cached_property
    def phrases(self) -> dict:
        """locale -> advisor.intents.Phrases, built the first time a question needs them."""
        from advisor.intents import load_tables
        return load_tables(self.phrases_doc)


def _load_yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: {exc}") from None


def _keys(doc, path: Path) -> tuple[dict[str, KeySpec], dict[str, str]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), dict) or not doc.get("source"):
        raise KnowledgeError(f"{path}: needs `source` and a `keys` mapping")
    specs: dict[str, KeySpec] = {}
    aliases: dict[str, str] = {}
    for name, body in doc["keys"].items():
        if not isinstance(body, dict) or body.get("type") not in _TYPES:
            raise KnowledgeError(f"{path}: key {name!r} needs a type in {sorted(_TYPES)}")
        unknown = set(body) - {"type", "min", "default", "aliases"}
        if unknown:
            raise KnowledgeError(f"{path}: key {name!r} has unknown fields {sorted(unknown)}")
        spec = KeySpec(
            name=name,
            type=body["type"],
            min=body.get("min"),
            default=body.get("default"),
            has_default="default" in body,
            aliases=tuple(body.get("aliases", ())),
        )
        specs[name] = spec
    for spec in specs.values():
        for alias in spec.aliases:
            if alias in specs or alias in aliases:
                raise KnowledgeError(f"{path}: alias {alias!r} is used twice")
            aliases[alias] = spec.name
    return specs, aliases


def _examples(doc, path: Path) -> dict[str, Example]:
    out = {}
    for item in (doc or {}).get("examples", []):
        try:
            ex = Example(id=item["id"], question=item["question"], paste=item["paste"])
        except (KeyError, TypeError):
            raise KnowledgeError(f"{path}: each example needs id, question and paste") from None
        out[ex.id] = ex
    if not out:
        raise KnowledgeError(f"{path}: no examples")
    return out


def _calibration(doc, path: Path) -> dict[str, tuple[float, float]]:
    if not doc:
        return {}
    if not isinstance(doc, dict) or not doc.get("source") or not isinstance(doc.get("buckets"), dict):
        raise KnowledgeError(f"{path}: needs `source` and `buckets`")
    out = {}
    for key, pair in doc["buckets"].items():
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(v, (int, float)) for v in pair) or not pair[0] <= 0 <= pair[1]):
            raise KnowledgeError(f"{path}: bucket {key!r} needs [q10 <= 0, q90 >= 0]")
        out[key] = (float(pair[0]), float(pair[1]))
    return out


def _gpus(doc, path: Path) -> list:
    if not isinstance(doc, list) or not doc:
        raise KnowledgeError(f"{path}: needs a list of GPUs")
    for row in doc:
        missing = [k for k in ("name", "display_name", "memory_gib", "source") if not row.get(k)]
        if missing or not (row.get("device_name_patterns") or row.get("short_names")):
            raise KnowledgeError(f"{path}: GPU {row.get('name')!r} lacks {missing or 'name patterns'}")
    return build_table(doc)


def _named(doc, key: str, path: Path, required: tuple[str, ...]) -> dict:
    """Rows with a name, aliases and a source, indexed by every name (lower case)."""
    rows = (doc or {}).get(key) if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not rows:
        raise KnowledgeError(f"{path}: needs a `{key}` list")
    out: dict = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("name") or not row.get("source") \
                or any(row.get(k) is None for k in required):
            raise KnowledgeError(f"{path}: each entry needs name, source and {', '.join(required)}")
        for name in [row["name"], *row.get("aliases", [])]:
            if name.lower() in out:
                raise KnowledgeError(f"{path}: {name!r} is used twice")
            out[name.lower()] = row
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _rules(doc, path: Path):
    from advisor import rules as rules_mod
    from advisor.resources import data_dir
    from advisor.signals import NAMES
    advice_dir = data_dir("templates") / "advice"
    try:
        rules = rules_mod.load(doc, NAMES, lambda t: _read(advice_dir / f"{t}.j2"), path.name)
    except rules_mod.RuleError as exc:
        raise KnowledgeError(str(exc)) from None
    tables = doc.get("tables") or {}
    need = {"lr_reference": ("params", "lr", "source"), "mfu_typical": ("max_params", "low", "high", "source")}
    out = {}
    for name, fields in need.items():
        rows = tables.get(name)
        if not isinstance(rows, list) or not rows:
            raise KnowledgeError(f"{path}: tables.{name} needs rows")
        for row in rows:
            try:
                values = {k: (row[k] if k == "source" else float(row[k])) for k in fields}
            except (KeyError, TypeError, ValueError):
                raise KnowledgeError(f"{path}: tables.{name}: each row needs {', '.join(fields)}") from None
            if any(v <= 0 for k, v in values.items() if k != "source"):
                raise KnowledgeError(f"{path}: tables.{name}: values must be positive")
        out[name] = [{k: (row[k] if k == "source" else float(row[k])) for k in fields} for row in rows]
    return rules, out


def load(directory: Path) -> Knowledge:
    """The knowledge in `directory`, loaded and validated once per process for a given set of
    files and modification times (a long REPL session or a test suite calls this often)."""
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in Path(directory).glob("*.yaml")))
    return _load_cached(Path(directory), stamp)


@functools.lru_cache(maxsize=8)
def _load_cached(directory: Path, stamp) -> Knowledge:
    keys_path = directory / "keys.yaml"
    specs, aliases = _keys(_load_yaml(keys_path), keys_path)
    ex_path = directory / "examples.yaml"
    cal_path = directory / "eta_calibration.yaml"
    calibration = _calibration(_load_yaml(cal_path), cal_path) if cal_path.exists() else {}
    gpu_path = directory / "gpus.yaml"
    ds_path, md_path = directory / "datasets.yaml", directory / "models.yaml"
    datasets = _named(_load_yaml(ds_path), "datasets", ds_path, ("train_tokens",))
    models = _named(_load_yaml(md_path), "models", md_path, ("config",))
    for row in {id(r): r for r in models.values()}.values():
        unknown = set(row["config"]) - set(specs)
        if unknown:
            raise KnowledgeError(f"{md_path}: preset {row['name']!r} uses unknown keys {sorted(unknown)}")
    rules_path = directory / "rules.yaml"
    rules, tables = _rules(_load_yaml(rules_path), rules_path)
    phrases_path = directory / "phrases.yaml"
    from advisor.intents import check_tables
    phrases = _load_yaml(phrases_path)
    try:
        check_tables(phrases)
    except ValueError as exc:
        raise KnowledgeError(f"{phrases_path}: {exc}") from None
    return Knowledge(keys=specs, aliases=aliases, examples=_examples(_load_yaml(ex_path), ex_path),
                     eta_calibration=calibration, gpus=_gpus(_load_yaml(gpu_path), gpu_path),
                     datasets=datasets, models=models, rules=rules, advice_tables=tables,
                     phrases_doc=phrases)
