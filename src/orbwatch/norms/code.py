"""A code of conduct as data: rules over events in a TOML (or YAML) file.

::

    schema = "orbwatch.code/1"
    name = "default"
    title = "..."

    [[rules]]
    id = "no-destructive-asat-test"
    title = "No destructive direct-ascent anti-satellite missile tests"
    source = "UN General Assembly resolution 77/41 (2022)"
    applies_to = ["breakup"]
    severity = "critical"                  # info | low | medium | high | critical
    finding = "{subject_party} ... {fragments} fragments"
    params = { min_fragments = 10 }
    condition = { all = [{ metric = "fragments", op = ">=", value = "$min_fragments" },
                         { attributed = true }] }
    # optional: when_unknown = "report" | "ignore", responsible = "subject" | "capable",
    #           cannot_show = ["what public data never shows for this rule"]

The condition language is :mod:`orbwatch.norms.conditions`; the facts it
may name are :data:`orbwatch.norms.facts.FACTS`.  Every problem is a
:class:`~orbwatch.norms.errors.CodeError` naming file, rule id, field,
what was expected and what was found.  The finding text is a template: each
``{name}`` or ``{name:.1f}`` is replaced by a value (event metrics, facts,
params, ``subject``, ``subject_name``, ``subject_party``, ``other``,
``other_name``, ``other_party``, ``epoch``, ``kind``, ``event``); nothing
else is evaluated.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from orbwatch.events import EVENT_KINDS
from orbwatch.norms.conditions import Condition, parse_condition
from orbwatch.norms.errors import CodeError
from orbwatch.norms.facts import FACT_PARAMS, FACTS

__all__ = ["Rule", "Code", "SEVERITIES", "CODE_SCHEMA", "load_code", "parse_code",
           "default_code", "render"]

CODE_SCHEMA = "orbwatch.code/1"
SEVERITIES = ("info", "low", "medium", "high", "critical")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SLOT = re.compile(r"^([a-z_][a-z0-9_]*)(?::([<>^]?\d*(?:\.\d+)?[fegdsx%]?))?$")
_RULE_KEYS = {"id", "title", "source", "applies_to", "condition", "severity", "finding",
              "params", "when_unknown", "responsible", "cannot_show", "note"}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    applies_to: tuple[str, ...]
    condition: Condition
    severity: str
    finding: str
    params: dict = field(default_factory=dict)
    when_unknown: str = "report"  # report | ignore
    responsible: str = "subject"  # subject | capable
    cannot_show: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Code:
    name: str
    title: str
    rules: tuple[Rule, ...]
    path: str | None = None
    version: str | None = None

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def render(template: str, values: dict) -> str:
    """Fill ``{name}`` / ``{name:spec}`` slots from ``values`` ("?" if absent)."""
    def one(m: re.Match) -> str:
        slot = _SLOT.match(m.group(1).strip())
        if not slot:
            return m.group(0)
        v = values.get(slot.group(1))
        if v is None:
            return "?"
        if isinstance(v, (list, tuple)):
            return ", ".join(map(str, v))
        try:
            return format(v, slot.group(2) or "")
        except (TypeError, ValueError):
            return str(v)
    return _PLACEHOLDER.sub(one, template)


def _text(rule: dict, key: str, fail, *, required: bool = True) -> str:
    v = rule.get(key)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        raise fail("missing or empty" if v is None else "not text", field=key,
                   expected="a non-empty string", found=None if v is None else repr(v))
    return v.strip()


def _rule(raw: Any, index: int, path: str | None, shared: dict) -> Rule:
    rid = raw.get("id") if isinstance(raw, dict) else None
    label = rid if isinstance(rid, str) and rid else f"rules[{index}]"

    def fail(message: str, *, field: str | None = None, expected: str | None = None,
             found: str | None = None) -> CodeError:
        return CodeError(message, path=path, rule=label, field=field, expected=expected,
                         found=found)

    if not isinstance(raw, dict):
        raise fail("a rule must be a table", expected="[[rules]] table",
                   found=type(raw).__name__)
    extra = sorted(set(raw) - _RULE_KEYS)
    if extra:
        raise fail("unknown field", field=extra[0], expected=", ".join(sorted(_RULE_KEYS)),
                   found=extra[0])
    if not isinstance(rid, str) or not _ID.match(rid):
        raise fail("missing or malformed id", field="id",
                   expected="lower-case letters, digits, '-', '_' or '.'",
                   found=None if rid is None else repr(rid))
    kinds = raw.get("applies_to")
    if not isinstance(kinds, list) or not kinds or \
            not all(isinstance(k, str) and k in EVENT_KINDS for k in kinds):
        bad = next((k for k in kinds if k not in EVENT_KINDS), kinds) \
            if isinstance(kinds, list) and kinds else kinds
        raise fail("bad event kinds", field="applies_to",
                   expected="a non-empty list of " + ", ".join(EVENT_KINDS),
                   found=None if bad is None else repr(bad))
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise fail("bad severity", field="severity", expected=" | ".join(SEVERITIES),
                   found=None if severity is None else repr(severity))
    params = raw.get("params", {})
    if not isinstance(params, dict) or not all(
            isinstance(v, (int, float, str, bool, list)) for v in params.values()):
        raise fail("params must be a table of numbers, strings, booleans or lists",
                   field="params", found=repr(params))
    params = {**shared, **params}
    if "condition" not in raw:
        raise fail("missing", field="condition", expected="a condition table")
    cond = parse_condition(raw["condition"], facts={k: t for k, (t, _) in FACTS.items()},
                           params=params, fail=fail)
    for fact, needs in FACT_PARAMS.items():
        missing = [n for n in needs if not isinstance(params.get(n), (int, float))]
        if missing and _uses(cond, fact):
            raise fail(f"fact {fact!r} needs parameter {missing[0]!r}",
                       field=f"params.{missing[0]}", expected="a number")
    template = _text(raw, "finding", fail)
    for m in _PLACEHOLDER.finditer(template):
        if not _SLOT.match(m.group(1).strip()):
            raise fail("bad template slot", field="finding",
                       expected="{name} or {name:format} (e.g. {min_range_km:.1f})",
                       found=m.group(0))
    choices = {"when_unknown": ("report", "ignore"), "responsible": ("subject", "capable")}
    picked = {}
    for key, allowed in choices.items():
        picked[key] = raw.get(key, allowed[0])
        if picked[key] not in allowed:
            raise fail(f"bad {key}", field=key, expected=" | ".join(allowed),
                       found=repr(picked[key]))
    caveats = raw.get("cannot_show", [])
    if not isinstance(caveats, list) or not all(isinstance(c, str) for c in caveats):
        raise fail("not a list of text", field="cannot_show", expected="a list of strings",
                   found=repr(caveats))
    return Rule(id=rid, title=_text(raw, "title", fail), source=_text(raw, "source", fail),
                applies_to=tuple(kinds), condition=cond, severity=severity, finding=template,
                params=params, cannot_show=tuple(caveats), note=_text(raw, "note", fail,
                                                                       required=False),
                **picked)


def _uses(cond, fact: str) -> bool:
    if hasattr(cond, "items"):
        return any(_uses(c, fact) for c in cond.items)
    if hasattr(cond, "item"):
        return _uses(cond.item, fact)
    return cond.source == "fact" and cond.name == fact


def parse_code(data: Any, path: str | None = None) -> Code:
    """Validate a decoded code-of-conduct document."""
    if not isinstance(data, dict):
        raise CodeError("not a code of conduct", path=path, expected="a table with [[rules]]",
                        found=type(data).__name__)
    schema = data.get("schema", CODE_SCHEMA)
    if schema != CODE_SCHEMA:
        raise CodeError("unsupported schema", path=path, field="schema", expected=CODE_SCHEMA,
                        found=str(schema))
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise CodeError("no rules", path=path, field="rules",
                        expected="one or more [[rules]] tables")
    shared = data.get("params", {})
    if not isinstance(shared, dict):
        raise CodeError("params must be a table", path=path, field="params")
    out, seen = [], set()
    for i, raw in enumerate(rules):
        rule = _rule(raw, i, path, shared)
        if rule.id in seen:
            raise CodeError("duplicate rule id", path=path, rule=rule.id, field="id",
                            expected="ids unique within the code", found=rule.id)
        seen.add(rule.id)
        out.append(rule)
    return Code(name=str(data.get("name") or Path(path or "code").stem),
                title=str(data.get("title") or ""), rules=tuple(out), path=path,
                version=None if data.get("version") is None else str(data["version"]))


def _decode(text: str, path: str) -> Any:
    if path.lower().endswith((".yaml", ".yml")):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise CodeError(f"not YAML: {getattr(exc, 'problem', exc)}", path=path,
                            line=None if mark is None else mark.line + 1) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        raise CodeError(f"not TOML: {str(exc).split(' (at ')[0]}", path=path,
                        line=int(m.group(1)) if m else None) from None


def load_code(path: str | Path) -> Code:
    """Read and validate a code-of-conduct file (``.toml``, ``.yaml``/``.yml``)."""
    p = str(path)
    try:
        text = Path(p).read_text(encoding="utf-8")
    except OSError as exc:
        raise CodeError(f"cannot read: {exc.strerror or exc}", path=p) from None
    return parse_code(_decode(text, p), p)


def default_code() -> Code:
    """The shipped default code (``orbwatch/norms/codes/default.toml``)."""
    res = resources.files("orbwatch.norms").joinpath("codes", "default.toml")
    return parse_code(tomllib.loads(res.read_text(encoding="utf-8")),
                      "orbwatch/norms/codes/default.toml")
