"""Parsed knowledge/*.yaml documents -> typed, validated knowledge (pure). Each function
takes a document and the file's name for its messages, and raises KnowledgeError naming
the file and the entry when the document cannot be used."""

from __future__ import annotations

from advisor.knowledge.model import EtaCalibration, Example, KnowledgeError
from advisor.read.facts import KeySpec
from advisor.read.gpus import build_table
from advisor.read.logs.records import Specs, TrainerSpec
from advisor.read.phrase_schema import check_tables

_TYPES = {"int", "float", "bool", "str", "datetime"}
_KEY_FIELDS = {"type", "min", "max", "default", "aliases", "whatif"}
ADVICE_TABLES = {"lr_reference": ("params", "lr", "source"),
                 "mfu_typical": ("max_params", "low", "high", "source")}


def keys(doc, where: str) -> tuple[dict[str, KeySpec], dict[str, str]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), dict) or not doc.get("source"):
        raise KnowledgeError(f"{where}: needs `source` and a `keys` mapping")
    specs: dict[str, KeySpec] = {}
    for name, body in doc["keys"].items():
        if not isinstance(body, dict) or body.get("type") not in _TYPES:
            raise KnowledgeError(f"{where}: key {name!r} needs a type in {sorted(_TYPES)}")
        unknown = set(body) - _KEY_FIELDS
        if unknown:
            raise KnowledgeError(f"{where}: key {name!r} has unknown fields {sorted(unknown)}")
        if body["type"] in ("int", "float") and ("min" not in body or "max" not in body):
            raise KnowledgeError(f"{where}: number key {name!r} needs `min` and `max`")
        specs[name] = KeySpec(name=name, type=body["type"], min=body.get("min"), max=body.get("max"),
                              default=body.get("default"), has_default="default" in body,
                              aliases=tuple(body.get("aliases", ())), whatif=bool(body.get("whatif")))
    aliases: dict[str, str] = {}
    for spec in specs.values():
        for alias in spec.aliases:
            if alias in specs or alias in aliases:
                raise KnowledgeError(f"{where}: alias {alias!r} is used twice")
            aliases[alias] = spec.name
    return specs, aliases


def examples(doc, where: str) -> dict[str, Example]:
    out = {}
    for item in (doc or {}).get("examples", []):
        try:
            ex = Example(id=item["id"], question=item["question"], paste=item["paste"])
        except (KeyError, TypeError):
            raise KnowledgeError(f"{where}: each example needs id, question and paste") from None
        out[ex.id] = ex
    if not out:
        raise KnowledgeError(f"{where}: no examples")
    return out


def calibration(doc, where: str) -> EtaCalibration:
    if not doc:
        return EtaCalibration()
    if not isinstance(doc, dict) or not doc.get("source") or not isinstance(doc.get("buckets"), dict):
        raise KnowledgeError(f"{where}: needs `source` and `buckets`")
    buckets = {}
    for key, pair in doc["buckets"].items():
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(v, (int, float)) for v in pair) or not pair[0] <= 0 <= pair[1]):
            raise KnowledgeError(f"{where}: bucket {key!r} needs [q10 <= 0, q90 >= 0]")
        buckets[key] = (float(pair[0]), float(pair[1]))
    split = doc.get("spread_split", 0.05)
    runs = doc.get("runs", [])
    if not isinstance(split, (int, float)) or not 0 < split < 1:
        raise KnowledgeError(f"{where}: spread_split needs a number between 0 and 1")
    if not isinstance(runs, list) or not all(isinstance(r, str) for r in runs):
        raise KnowledgeError(f"{where}: runs needs a list of run names")
    return EtaCalibration(buckets, float(split), tuple(runs))


def gpus(doc, where: str) -> list:
    if not isinstance(doc, list) or not doc:
        raise KnowledgeError(f"{where}: needs a list of GPUs")
    for row in doc:
        missing = [k for k in ("name", "display_name", "memory_gib", "source") if not row.get(k)]
        if missing or not (row.get("device_name_patterns") or row.get("short_names")):
            raise KnowledgeError(f"{where}: GPU {row.get('name')!r} lacks {missing or 'name patterns'}")
    return build_table(doc)


def named(doc, key: str, where: str, required: tuple[str, ...]) -> dict:
    """Rows with a name, aliases and a source, indexed by every name (lower case)."""
    rows = (doc or {}).get(key) if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not rows:
        raise KnowledgeError(f"{where}: needs a `{key}` list")
    out: dict = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("name") or not row.get("source") \
                or any(row.get(k) is None for k in required):
            raise KnowledgeError(f"{where}: each entry needs name, source and {', '.join(required)}")
        for name in [row["name"], *row.get("aliases", [])]:
            if name.lower() in out:
                raise KnowledgeError(f"{where}: {name!r} is used twice")
            out[name.lower()] = row
    return out


def presets_use_known_keys(models: dict, specs: dict[str, KeySpec], where: str) -> None:
    for row in {id(r): r for r in models.values()}.values():
        unknown = set(row["config"]) - set(specs)
        if unknown:
            raise KnowledgeError(f"{where}: preset {row['name']!r} uses unknown keys {sorted(unknown)}")


def advice_tables(doc, where: str) -> dict[str, list[dict]]:
    """rules.yaml's `tables`: rows of positive numbers, each with its source."""
    tables = (doc.get("tables") if isinstance(doc, dict) else None) or {}
    out = {}
    for name, fields in ADVICE_TABLES.items():
        rows = tables.get(name)
        if not isinstance(rows, list) or not rows:
            raise KnowledgeError(f"{where}: tables.{name} needs rows")
        parsed = []
        for row in rows:
            try:
                values = {k: (row[k] if k == "source" else float(row[k])) for k in fields}
            except (KeyError, TypeError, ValueError):
                raise KnowledgeError(f"{where}: tables.{name}: each row needs {', '.join(fields)}") from None
            if any(v <= 0 for k, v in values.items() if k != "source"):
                raise KnowledgeError(f"{where}: tables.{name}: values must be positive")
            parsed.append(values)
        out[name] = parsed
    return out


def phrases(doc, where: str) -> dict:
    try:
        check_tables(doc)
    except ValueError as exc:
        raise KnowledgeError(f"{where}: {exc}") from None
    return doc


_TRAINER_LISTS = ("evidence", "step", "time", "rate", "tokens_per_s", "loss", "eval_markers")
_TRAINER_FIELDS = {"name", "source", "refines", "time_unit", "step_unit", "time_is_average", *_TRAINER_LISTS}


def trainers(doc, where: str) -> Specs:
    """knowledge/trainers.yaml -> the compiled specs; each entry needs a name, a source and
    evidence, and every list must hold strings."""
    if not isinstance(doc, dict) or not doc.get("source") or not isinstance(doc.get("trainers"), list):
        raise KnowledgeError(f"{where}: needs `source` and a `trainers` list")
    out, seen = [], set()
    for i, body in enumerate(doc["trainers"]):
        if not isinstance(body, dict) or not body.get("name") or not body.get("source"):
            raise KnowledgeError(f"{where}: trainer #{i + 1} needs `name` and `source`")
        name = body["name"]
        unknown = set(body) - _TRAINER_FIELDS
        if unknown or name in seen:
            raise KnowledgeError(f"{where}: trainer {name!r}: unknown fields {sorted(unknown)} or named twice")
        lists = {k: body.get(k, []) for k in _TRAINER_LISTS}
        if not lists["evidence"] or not all(isinstance(v, list) and all(isinstance(x, str) and x for x in v)
                                            for v in lists.values()):
            raise KnowledgeError(f"{where}: trainer {name!r}: evidence and field keys must be lists of strings")
        if body.get("time_unit", "s") not in ("s", "ms", "us"):
            raise KnowledgeError(f"{where}: trainer {name!r}: time_unit is s, ms or us")
        seen.add(name)
        out.append(TrainerSpec(name=name, refines=body.get("refines"), time_unit=body.get("time_unit", "s"),
                               step_unit=body.get("step_unit", "optimizer"),
                               time_is_average=bool(body.get("time_is_average")),
                               **{k: tuple(v) for k, v in lists.items()}))
    return Specs.build(tuple(out))
