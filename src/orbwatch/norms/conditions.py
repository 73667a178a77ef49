"""A small, safe condition language over events: structured data, never ``eval``.

A condition is a TOML/YAML table, one of:

* ``{all = [C, ...]}``, ``{any = [C, ...]}``, ``{not = C}``;
* ``{metric = "min_range_km", op = "<", value = 5}``: a number (or string)
  the event carries in its ``metrics``;
* ``{fact = "owners_differ", op = "==", value = true}``: a fact the engine
  derives (attribution, notifications, related events; see
  :data:`orbwatch.norms.facts.FACTS`);
* the shorthand ``{owners_differ = true, notified = false}``: facts equal to
  values, all of them.

``op`` is one of ``< <= > >= == != in not_in`` (default ``==``); a value
written ``"$name"`` is the rule's parameter ``name``.  Evaluation is
three-valued: a metric or fact the data does not give is *unknown* (None),
``all`` is False if any part is False, else unknown if any part is, and
``any`` the mirror image; the reasons for unknown parts travel with the
result so that a finding can say what the data cannot show.

A metric may come with an error bar (the event's ``uncertainty`` entry of the
same name, 1 sigma).  A numeric comparison whose outcome the error bar could
turn, the value within ``SIGMA_MARGIN`` sigma of the limit, is unknown too: a
range of 48.7 +- 2.4 km does not show that a 50 km distance was broken.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Leaf", "All", "AnyOf", "Not", "Condition", "OPS", "parse_condition",
           "evaluate", "Lookup", "SIGMA_MARGIN"]

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
    "in": lambda a, b: a in b, "not_in": lambda a, b: a not in b,
}
_NUMERIC = {"<", "<=", ">", ">="}
_MAX_DEPTH = 12
#: a metric within this many of its sigmas of a numeric limit decides nothing
SIGMA_MARGIN = 2.0
#: string metric values that mean "the detector could not say"
_UNDETERMINED = {"undetermined", "unknown", ""}


@dataclass(frozen=True)
class Leaf:
    source: str  # "metric" | "fact"
    name: str
    op: str
    value: Any


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: Any


Condition = Leaf | All | AnyOf | Not
#: (source, name) -> (value or None, why it is unknown)
Lookup = Callable[[str, str], tuple[Any, str | None]]


def _kind_of(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "str"
    return type(v).__name__


def parse_condition(node: Any, *, facts: Mapping[str, Any], params: Mapping[str, Any],
                    fail: Callable[..., Exception], field: str = "condition",
                    depth: int = 0) -> Condition:
    """Validate ``node`` and build the condition tree.  ``facts`` maps fact
    names to their value type ("bool" | "number" | "str"); ``fail(message,
    field=, expected=, found=)`` builds the error to raise."""
    if depth > _MAX_DEPTH:
        raise fail("conditions nested too deep", field=field,
                   expected=f"at most {_MAX_DEPTH} levels")
    if not isinstance(node, Mapping) or not node:
        raise fail("not a condition", field=field,
                   expected="a table: all/any/not, metric/fact + op + value, or fact = value",
                   found=_kind_of(node))
    keys = set(node)
    for combinator, cls in (("all", All), ("any", AnyOf)):
        if combinator in keys:
            if keys != {combinator}:
                raise fail(f"'{combinator}' must be the only key of its table", field=field,
                           found=", ".join(sorted(keys)))
            items = node[combinator]
            if not isinstance(items, list) or not items:
                raise fail("not a list of conditions", field=f"{field}.{combinator}",
                           expected="a non-empty list", found=_kind_of(items))
            return cls(tuple(parse_condition(c, facts=facts, params=params, fail=fail,
                                             field=f"{field}.{combinator}[{i}]", depth=depth + 1)
                             for i, c in enumerate(items)))
    if "not" in keys:
        if keys != {"not"}:
            raise fail("'not' must be the only key of its table", field=field,
                       found=", ".join(sorted(keys)))
        return Not(parse_condition(node["not"], facts=facts, params=params, fail=fail,
                                   field=f"{field}.not", depth=depth + 1))
    if keys & {"metric", "fact"}:
        return _leaf(node, facts, params, fail, field)
    unknown = sorted(keys - set(facts))
    if unknown:
        raise fail(f"unknown fact {unknown[0]!r}", field=f"{field}.{unknown[0]}",
                   expected="one of " + ", ".join(sorted(facts)) +
                   " (or all/any/not/metric/fact)", found=unknown[0])
    leaves = tuple(_leaf({"fact": k, "op": "==", "value": node[k]}, facts, params, fail,
                         f"{field}.{k}") for k in sorted(keys))
    return leaves[0] if len(leaves) == 1 else All(leaves)


def _leaf(node: Mapping, facts, params, fail, field: str) -> Leaf:
    source = "metric" if "metric" in node else "fact"
    extra = sorted(set(node) - {source, "op", "value"})
    if extra or ("metric" in node and "fact" in node):
        raise fail("unexpected key in a comparison", field=f"{field}.{(extra or ['fact'])[0]}",
                   expected=f"{source}, op, value")
    name = node[source]
    if not isinstance(name, str) or not name:
        raise fail(f"{source} name must be a string", field=f"{field}.{source}",
                   expected="a name", found=_kind_of(name))
    if source == "fact" and name not in facts:
        raise fail(f"unknown fact {name!r}", field=f"{field}.fact",
                   expected="one of " + ", ".join(sorted(facts)), found=name)
    op = node.get("op", "==")
    if op not in OPS:
        raise fail("unknown operator", field=f"{field}.op", expected=" ".join(OPS), found=op)
    if "value" not in node:
        raise fail("comparison without a value", field=f"{field}.value", expected="a value")
    value = _resolve(node["value"], params, fail, f"{field}.value")
    want = facts.get(name) if source == "fact" else None
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise fail(f"'{op}' needs a list", field=f"{field}.value",
                       expected="a non-empty list", found=_kind_of(value))
        value = tuple(value)
    elif op in _NUMERIC:
        if _kind_of(value) != "number" or want not in (None, "number"):
            raise fail(f"'{op}' compares numbers", field=f"{field}.value",
                       expected="a number" + (f" ({name} is a {want})" if want else ""),
                       found=repr(value))
    elif want is not None and _kind_of(value) != want:
        raise fail(f"fact {name!r} is a {want}", field=f"{field}.value",
                   expected=f"a {want}", found=repr(value))
    return Leaf(source, name, op, value)


def _resolve(value: Any, params: Mapping[str, Any], fail, field: str) -> Any:
    if isinstance(value, list):
        return [_resolve(v, params, fail, field) for v in value]
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in params:
            raise fail(f"undefined parameter {value!r}", field=field,
                       expected="a name from the rule's params: " +
                       (", ".join(sorted(params)) or "(none defined)"), found=value)
        return params[value[1:]]
    return value


def evaluate(cond: Condition, lookup: Lookup, measured: dict,
             sigma: Callable[[str], float | None] | None = None
             ) -> tuple[bool | None, list[str]]:
    """(True | False | None, reasons the result is unknown).  Every value a
    leaf reads is recorded in ``measured`` under its name.  ``sigma(name)``
    gives a metric's 1-sigma error bar, if any (see the module docstring)."""
    if isinstance(cond, Leaf):
        value, why = lookup(cond.source, cond.name)
        if isinstance(value, str) and cond.source == "metric" and value.lower() in _UNDETERMINED:
            value, why = None, f"the event's {cond.name} is {value!r}"
        if value is None:
            return None, [why or f"{cond.source} {cond.name} not available"]
        measured[cond.name] = value
        try:
            result = bool(OPS[cond.op](value, cond.value))
        except TypeError:
            return None, [f"{cond.name} = {value!r} cannot be compared with {cond.value!r}"]
        s = sigma(cond.name) if sigma is not None and cond.source == "metric" else None
        if cond.op in _NUMERIC and _kind_of(s) == "number" and s > 0 \
                and _kind_of(value) == "number" and any(
                    bool(OPS[cond.op](value + d, cond.value)) != result
                    for d in (-SIGMA_MARGIN * s, SIGMA_MARGIN * s)):
            return None, [f"{cond.name} = {value:.3g} +- {s:.3g} (1 sigma) is within "
                          f"{SIGMA_MARGIN:g} sigma of {cond.value:g}: the data cannot tell "
                          f"whether it is {cond.op} {cond.value:g}"]
        return result, []
    if isinstance(cond, Not):
        v, why = evaluate(cond.item, lookup, measured, sigma)
        return (None if v is None else not v), why
    results = [evaluate(c, lookup, measured, sigma) for c in cond.items]
    decisive = isinstance(cond, AnyOf)  # the value that settles it: True for any, False for all
    if any(v is decisive for v, _ in results):
        return decisive, []
    reasons = [r for v, why in results if v is None for r in why]
    return (None, reasons) if reasons else (not decisive, [])
