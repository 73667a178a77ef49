"""JSON Schemas (draft 2020-12) of the hotline's notification payloads.

Every payload carries ``"type"``, one of :data:`NOTIFICATION_TYPES`, which
is also the entry's ``type``.  Times are RFC 3339 / ISO 8601 UTC strings
(``2024-05-01T12:00:00Z``), distances km, speeds m/s for delta-v, angles
degrees.  Objects are named by NORAD catalogue number and/or international
designator.

Besides the six notification types (:data:`NOTIFICATION_TYPES`) the log
carries control entries (:data:`CONTROL_TYPES`): ``acknowledgement`` of an
entry, ``alert`` (a monitor finding addressed to the parties concerned),
``key_rotation`` / ``key_revocation`` signed by the party, and
``party_registration`` signed by the log itself.

:func:`validate` checks with ``jsonschema`` (Draft 2020-12, ``date-time``
checked strictly) and words each violation as "where: what was expected".
"""

from __future__ import annotations

import re
from datetime import datetime

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from orbwatch.hotline.errors import PayloadSchemaError

__all__ = ["NOTIFICATION_TYPES", "CONTROL_TYPES", "ENTRY_TYPES", "SCHEMAS", "DEFS",
           "validate", "validate_payload"]

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
    "public_key": {"type": "string", "pattern": "^[A-Za-z0-9+/]{43}=$"},
    "party": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
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

SCHEMAS.update({
    "acknowledgement": _schema("acknowledgement", "Acknowledgement of an entry", {
        "entry_id": {"$ref": "#/$defs/entry_id"},
        "remarks": {"$ref": "#/$defs/text"},
    }, ["entry_id"]),
    "alert": _schema("alert", "Finding of the monitor", {
        "rule_id": {"type": "string", "minLength": 1, "maxLength": 200},
        "title": {"type": "string", "maxLength": 500},
        "verdict": {"enum": ["breach", "undetermined"]},
        "severity": {"type": "string", "maxLength": 50},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "parties": {"type": "array", "items": {"type": "string", "maxLength": 100}},
        "events": {"type": "array", "items": {"type": "string", "maxLength": 200}},
        "objects": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        "affected": {"type": "array", "items": {"type": "string", "maxLength": 100}},
        "epoch": {"type": ["string", "null"], "maxLength": 40},
        "measured": {"type": "object"},
        "text": {"$ref": "#/$defs/text"},
    }, ["rule_id", "verdict", "parties", "text"]),
    "key_rotation": _schema("key_rotation", "Key rotation (signed with the current key)", {
        "new_public_key": {"$ref": "#/$defs/public_key"},
        "reason": {"$ref": "#/$defs/text"},
    }, ["new_public_key"]),
    "key_revocation": _schema("key_revocation", "Key revocation", {
        "public_key": {"$ref": "#/$defs/public_key"},
        "reason": {"$ref": "#/$defs/text"},
    }, ["public_key"]),
    "party_registration": _schema("party_registration", "Party admitted by the log", {
        "party": {"$ref": "#/$defs/party"},
        "public_key": {"$ref": "#/$defs/public_key"},
    }, ["party", "public_key"]),
})

CONTROL_TYPES = tuple(t for t in SCHEMAS if t not in NOTIFICATION_TYPES)
ENTRY_TYPES = tuple(SCHEMAS)

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_datetime(text: object) -> bool:
    if not isinstance(text, str):
        return True  # ``format`` only constrains strings
    if not _DATETIME.match(text):
        return False
    try:
        datetime.fromisoformat(text[:19])
    except ValueError:
        return False
    return True


_VALIDATORS = {kind: Draft202012Validator(schema, format_checker=_FORMATS)
               for kind, schema in SCHEMAS.items()}
_JSON_NAMES = {dict: "object", list: "array", str: "string", int: "integer", float: "number",
               bool: "boolean", type(None): "null"}


def _message(error: ValidationError) -> str:
    where = "payload" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                                for p in error.absolute_path)
    value, rule, kind = error.instance, error.validator_value, error.validator
    if kind == "type":
        names = [rule] if isinstance(rule, str) else rule
        return (f"{where}: expected {' or '.join(names)}, "
                f"found {_JSON_NAMES.get(type(value), type(value).__name__)}")
    if kind == "minimum":
        return f"{where}: {value} is below the minimum {rule}"
    if kind == "maximum":
        return f"{where}: {value} is above the maximum {rule}"
    if kind == "exclusiveMinimum":
        return f"{where}: {value} must exceed {rule}"
    if kind == "enum":
        return f"{where}: expected one of {rule}, found {value!r}"
    if kind == "const":
        return f"{where}: expected {rule!r}, found {value!r}"
    if kind == "anyOf":
        return f"{where}: matches none of the allowed forms"
    if kind == "required":
        missing = [name for name in rule if name not in value]
        return f"{where}: missing required field {', '.join(map(repr, missing))}"
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        return f"{where}: unknown field {', '.join(repr(k) for k in value if k not in known)}"
    if kind == "format":
        return f"{where}: {value!r} is not an RFC 3339 date-time"
    if kind == "pattern":
        return f"{where}: {value!r} does not match {rule}"
    return f"{where}: {error.message}"


def validate(value: object, schema: dict) -> list[str]:
    """Every violation of ``schema`` by ``value``, as messages (empty: valid)."""
    validator = next((v for v in _VALIDATORS.values() if v.schema is schema), None)
    if validator is None:
        validator = Draft202012Validator(schema, format_checker=_FORMATS)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    return [_message(e) for e in errors]


def validate_payload(payload: object, allowed: tuple[str, ...] = ENTRY_TYPES) -> str:
    """Check a payload against the schema of its ``type`` (one of ``allowed``);
    returns the type, raises :class:`PayloadSchemaError`."""
    if not isinstance(payload, dict):
        raise PayloadSchemaError(f"payload must be a JSON object, found {type(payload).__name__}")
    kind = payload.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        raise PayloadSchemaError(f"payload type {kind!r} is not one of {', '.join(allowed)}")
    problems = validate(payload, SCHEMAS[kind])
    if problems:
        raise PayloadSchemaError(f"{kind} payload: " + "; ".join(problems[:5])
                                 + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    return kind
