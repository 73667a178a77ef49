"""JSON Schemas (draft 2020-12) of the hotline's notification payloads.

Every payload carries ``"type"``, one of :data:`NOTIFICATION_TYPES`, which
is also the entry's ``type``.  Times are RFC 3339 / ISO 8601 UTC strings
(``2024-05-01T12:00:00Z``), distances km, speeds m/s for delta-v, angles
degrees.  Objects are named by NORAD catalogue number and/or international
designator.

:func:`validate` is a small hand-rolled checker for the keywords these
schemas use (``type``, ``properties``, ``required``, ``additionalProperties``,
``items``, ``minItems``, ``maxItems``, ``enum``, ``const``, ``minimum``,
``maximum``, ``exclusiveMinimum``, ``minLength``, ``maxLength``, ``pattern``,
``format: date-time``, ``anyOf``, ``$ref`` to ``#/$defs/...``); ``jsonschema``
is not a dependency of orbwatch.
"""

from __future__ import annotations

import re
from datetime import datetime

from orbwatch.hotline.errors import PayloadSchemaError

__all__ = ["NOTIFICATION_TYPES", "SCHEMAS", "DEFS", "validate", "validate_payload"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"

DEFS: dict = {
    "datetime": {"type": "string", "format": "date-time"},
    "window": {
        "type": "object",
        "properties": {"start": {"$ref": "#/$defs/datetime"}, "end": {"$ref": "#/$defs/datetime"}},
        "required": ["start", "end"],
        "additionalProperties": False,
    },
    "object": {
        "type": "object",
        "properties": {
            "norad": {"type": "integer", "minimum": 1},
            "intdes": {"type": "string", "pattern": r"^\d{4}-\d{3}[A-Z]{0,3}$"},
            "name": {"type": "string", "maxLength": 100},
        },
        "anyOf": [{"required": ["norad"]}, {"required": ["intdes"]}],
        "additionalProperties": False,
    },
    "orbit": {
        "type": "object",
        "properties": {
            "perigee_km": {"type": "number", "minimum": 0},
            "apogee_km": {"type": "number", "minimum": 0},
            "inclination_deg": {"type": "number", "minimum": 0, "maximum": 180},
            "raan_deg": {"type": "number", "minimum": 0, "maximum": 360},
            "period_min": {"type": "number", "exclusiveMinimum": 0},
        },
        "required": ["perigee_km", "apogee_km", "inclination_deg"],
        "additionalProperties": False,
    },
    "text": {"type": "string", "maxLength": 10000},
    "entry_id": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
}


def _schema(type_name: str, title: str, properties: dict, required: list[str]) -> dict:
    return {
        "$schema": _DIALECT,
        "$id": f"https://orbwatch.invalid/hotline/{type_name}.json",
        "title": title,
        "type": "object",
        "properties": {"type": {"const": type_name}, **properties},
        "required": ["type", *required],
        "additionalProperties": False,
        "$defs": DEFS,
    }


SCHEMAS: dict[str, dict] = {
    "manoeuvre": _schema("manoeuvre", "Planned manoeuvre", {
        "object": {"$ref": "#/$defs/object"},
        "window": {"$ref": "#/$defs/window"},
        "delta_v_m_s": {"type": "number", "minimum": 0},
        "delta_v_rtn_m_s": {"type": "array", "items": {"type": "number"},
                            "minItems": 3, "maxItems": 3},
        "resulting_orbit": {"$ref": "#/$defs/orbit"},
        "purpose": {"$ref": "#/$defs/text"},
    }, ["object", "window", "delta_v_m_s", "resulting_orbit"]),
    "launch": _schema("launch", "Launch notification", {
        "vehicle": {"type": "string", "maxLength": 100},
        "window": {"$ref": "#/$defs/window"},
        "site": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "lat_deg": {"type": "number", "minimum": -90, "maximum": 90},
                "lon_deg": {"type": "number", "minimum": -180, "maximum": 180},
            },
            "required": ["name"],
            "additionalProperties": False,
        },
        "azimuth_deg": {"type": "number", "minimum": 0, "maximum": 360},
        "impact_areas": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": {"$ref": "#/$defs/text"},
                    "polygon": {
                        "type": "array", "minItems": 3,
                        "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                  "items": {"type": "number"}},
                    },
                    "window": {"$ref": "#/$defs/window"},
                },
                "required": ["polygon"],
                "additionalProperties": False,
            },
        },
        "intended_orbit": {"$ref": "#/$defs/orbit"},
    }, ["window", "site", "azimuth_deg"]),
    "proximity_operation": _schema("proximity_operation", "Proximity-operation intent", {
        "subject": {"$ref": "#/$defs/object"},
        "target": {"$ref": "#/$defs/object"},
        "minimum_distance_km": {"type": "number", "exclusiveMinimum": 0},
        "start": {"$ref": "#/$defs/datetime"},
        "duration_s": {"type": "number", "exclusiveMinimum": 0},
        "consent_of_target_owner": {"type": "boolean"},
        "purpose": {"$ref": "#/$defs/text"},
    }, ["subject", "target", "minimum_distance_km", "start", "duration_s"]),
    "conjunction_warning": _schema("conjunction_warning", "Conjunction warning", {
        "primary": {"$ref": "#/$defs/object"},
        "secondary": {"$ref": "#/$defs/object"},
        "tca": {"$ref": "#/$defs/datetime"},
        "miss_distance_km": {"type": "number", "minimum": 0},
        "pc": {"type": "number", "minimum": 0, "maximum": 1},
        "cdm_format": {"enum": ["kvn", "xml"]},
        "cdm": {"type": "string", "minLength": 1, "maxLength": 200000},
    }, ["primary", "secondary", "tca", "cdm_format", "cdm"]),
    "consultation_request": _schema("consultation_request", "Consultation request", {
        "subject": {"type": "string", "minLength": 1, "maxLength": 200},
        "concerning": {"type": "array", "items": {"$ref": "#/$defs/entry_id"}},
        "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/text"}},
        "respond_by": {"$ref": "#/$defs/datetime"},
    }, ["subject", "questions", "respond_by"]),
    "consultation_response": _schema("consultation_response", "Consultation response", {
        "in_reply_to": {"$ref": "#/$defs/entry_id"},
        "answers": {"type": "array", "items": {"$ref": "#/$defs/text"}},
        "accepted": {"type": "boolean"},
        "remarks": {"$ref": "#/$defs/text"},
    }, ["in_reply_to", "answers"]),
}

NOTIFICATION_TYPES = tuple(SCHEMAS)

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _is_datetime(text: str) -> bool:
    if not _DATETIME.match(text):
        return False
    try:
        datetime.fromisoformat(text[:19])
    except ValueError:
        return False
    return True


def _resolve(ref: str, root: dict) -> dict:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported, got {ref!r}")
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _errors(value: object, schema: dict, root: dict, path: str) -> list[str]:
    where = path or "payload"
    if "$ref" in schema:
        return _errors(value, _resolve(schema["$ref"], root), root, path)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_TYPES[t](value) for t in names):
            return [f"{where}: expected {' or '.join(names)}, found {type(value).__name__}"]
    out: list[str] = []
    if "const" in schema and value != schema["const"]:
        out.append(f"{where}: expected {schema['const']!r}, found {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: expected one of {schema['enum']}, found {value!r}")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{where}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{where}: {value} is above the maximum {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(f"{where}: {value} must exceed {schema['exclusiveMinimum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            out.append(f"{where}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{where}: longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and not _is_datetime(value):
            out.append(f"{where}: {value!r} is not an RFC 3339 date-time")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{where}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                out += _errors(item, schema["items"], root, f"{where}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{where}: missing required field {name!r}")
        for name, item in value.items():
            if name in props:
                out += _errors(item, props[name], root, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{where}: unknown field {name!r}")
    if "anyOf" in schema and not any(not _errors(value, s, root, path) for s in schema["anyOf"]):
        out.append(f"{where}: matches none of the allowed forms")
    return out


def validate(value: object, schema: dict) -> list[str]:
    """Every violation of ``schema`` by ``value``, as messages (empty: valid)."""
    return _errors(value, schema, schema, "")


def validate_payload(payload: object) -> str:
    """Check a notification payload against the schema of its ``type``;
    returns the type, raises :class:`PayloadSchemaError`."""
    if not isinstance(payload, dict):
        raise PayloadSchemaError(f"payload must be a JSON object, found {type(payload).__name__}")
    kind = payload.get("type")
    if kind not in SCHEMAS:
        raise PayloadSchemaError(f"payload type {kind!r} is not one of {', '.join(SCHEMAS)}")
    problems = validate(payload, SCHEMAS[kind])
    if problems:
        raise PayloadSchemaError(f"{kind} payload: " + "; ".join(problems[:5])
                                 + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    return kind
