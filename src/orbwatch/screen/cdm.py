"""CCSDS Conjunction Data Messages (508.0-B-1): read and write KVN and XML.

A :class:`Cdm` keeps the typed fields orbwatch uses (TCA as int microseconds
UTC, miss distance m, relative state m and m/s in object 1's RTN, stated Pc)
and, per object, the state (km, km/s) and the 6x6 RTN covariance (m^2,
m^2/s, m^2/s^2).  Every other keyword is kept as text (``header_fields``,
``relative_fields``, ``CdmObject.fields``) and comments as lists, so that a
message written back carries the same content.  KVN and XML are read into
the same structure; XML is parsed with defusedxml (a DTD or entity raises
:class:`~orbwatch.errors.UnsafeXMLError`).  Errors are
:class:`~orbwatch.errors.FieldValueError` with path, line, field and what
was expected.

:func:`pc_from_cdm` recomputes the 2D Pc from the message's covariances as
NASA CARA's tools do (RTN -> inertial with axes [r^, h^ x r^, h^],
block-diagonal, no omega x r term, symmetrised; the frame's states used as
they are), ignoring the Pc the file states.  :func:`cdm_from_states` builds a
CDM from TEME states (SGP4) at TCA, converted to GCRF or EME2000.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from skyfield.framelib import ICRS_to_J2000

from orbwatch.elements.xmlsafe import parse_xml
from orbwatch.errors import FieldValueError
from orbwatch.screen.covariance import rtn_basis, rtn_to_eci
from orbwatch.screen.pc import PcResult, pc2d_foster
from orbwatch.time import format_iso, now_us, parse_iso

__all__ = [
    "COVARIANCE_KEYS", "EME2000_FROM_GCRF", "CdmObject", "Cdm", "read_cdm", "parse_cdm",
    "parse_cdm_kvn", "parse_cdm_xml", "write_cdm_kvn", "write_cdm_xml", "cdm_from_states",
    "cdm_hbr_m", "pc_from_cdm",
]

_AXES = ("R", "T", "N", "RDOT", "TDOT", "NDOT")
#: the 21 lower-triangle keywords of the 6x6 RTN covariance, row by row
COVARIANCE_KEYS = tuple(
    f"C{_AXES[i]}_{_AXES[j]}" for i in range(6) for j in range(i + 1))
_STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_HEADER_KEYS = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_FOR", "MESSAGE_ID")
_REL_POS = ("RELATIVE_POSITION_R", "RELATIVE_POSITION_T", "RELATIVE_POSITION_N")
_REL_VEL = ("RELATIVE_VELOCITY_R", "RELATIVE_VELOCITY_T", "RELATIVE_VELOCITY_N")
_REL_KEYS = ("TCA", "MISS_DISTANCE", "RELATIVE_SPEED", *_REL_POS, *_REL_VEL,
             "START_SCREEN_PERIOD", "STOP_SCREEN_PERIOD", "SCREEN_VOLUME_FRAME",
             "SCREEN_VOLUME_SHAPE", "SCREEN_VOLUME_X", "SCREEN_VOLUME_Y", "SCREEN_VOLUME_Z",
             "SCREEN_ENTRY_TIME", "SCREEN_EXIT_TIME", "COLLISION_PROBABILITY",
             "COLLISION_PROBABILITY_METHOD")
_META_KEYS = ("OBJECT", "OBJECT_DESIGNATOR", "CATALOG_NAME", "OBJECT_NAME",
              "INTERNATIONAL_DESIGNATOR", "OBJECT_TYPE", "OPERATOR_CONTACT_POSITION",
              "OPERATOR_ORGANIZATION", "OPERATOR_PHONE", "OPERATOR_EMAIL", "EPHEMERIS_NAME",
              "COVARIANCE_METHOD", "MANEUVERABLE", "ORBIT_CENTER", "REF_FRAME",
              "GRAVITY_MODEL", "ATMOSPHERIC_MODEL", "N_BODY_PERTURBATIONS",
              "SOLAR_RAD_PRESSURE", "EARTH_TIDES", "INTRACK_THRUST")
_OD_KEYS = ("TIME_LASTOB_START", "TIME_LASTOB_END", "RECOMMENDED_OD_SPAN", "ACTUAL_OD_SPAN",
            "OBS_AVAILABLE", "OBS_USED", "TRACKS_AVAILABLE", "TRACKS_USED",
            "RESIDUALS_ACCEPTED", "WEIGHTED_RMS")
_ADD_KEYS = ("AREA_PC", "AREA_DRG", "AREA_SRP", "MASS", "CD_AREA_OVER_MASS",
             "CR_AREA_OVER_MASS", "THRUST_ACCELERATION", "SEDR")
_INERTIAL = {"EME2000", "GCRF", "ICRF", "TEME", "MOD", "TOD", "J2000"}
_EXTRA_COV = re.compile(r"^C(DRG|SRP|THR)_")
_UNITS = {
    **{k: "m" for k in ("MISS_DISTANCE", *_REL_POS, "SCREEN_VOLUME_X", "SCREEN_VOLUME_Y",
                        "SCREEN_VOLUME_Z")},
    **{k: "m/s" for k in ("RELATIVE_SPEED", *_REL_VEL)},
    "X": "km", "Y": "km", "Z": "km", "X_DOT": "km/s", "Y_DOT": "km/s", "Z_DOT": "km/s",
    "RECOMMENDED_OD_SPAN": "d", "ACTUAL_OD_SPAN": "d", "RESIDUALS_ACCEPTED": "%",
    "AREA_PC": "m**2", "AREA_DRG": "m**2", "AREA_SRP": "m**2", "MASS": "kg",
    "CD_AREA_OVER_MASS": "m**2/kg", "CR_AREA_OVER_MASS": "m**2/kg",
    "THRUST_ACCELERATION": "m/s**2", "SEDR": "W/kg",
}
#: ICRS/GCRF -> mean equator and equinox of J2000 (EME2000): the frame bias
#: (about 23 mas; 0.6 m at 7000 km), skyfield's ``framelib.ICRS_to_J2000``.
EME2000_FROM_GCRF = np.array(ICRS_to_J2000, dtype=np.float64)


def _cov_unit(key: str) -> str:
    a, b = key[1:].split("_", 1)
    dots = a.endswith("DOT") + b.endswith("DOT")
    return ("m**2", "m**2/s", "m**2/s**2")[dots]


def _unit(key: str) -> str | None:
    return _cov_unit(key) if key in COVARIANCE_KEYS else _UNITS.get(key)


@dataclass(eq=False)
class CdmObject:
    """One object's segment.  State in km and km/s in ``ref_frame``; covariance
    6x6 RTN in m^2, m^2/s, m^2/s^2 (rows/columns R, T, N, RDOT, TDOT, NDOT)."""

    object: str  # "OBJECT1" | "OBJECT2"
    designator: str
    ref_frame: str
    position_km: np.ndarray
    velocity_km_s: np.ndarray
    covariance_rtn: np.ndarray
    name: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # every other keyword, as text
    comments: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Cdm:
    """A conjunction data message (see the module docstring for units)."""

    version: str
    creation_date_us: int
    originator: str
    message_id: str
    tca_us: int
    miss_distance_m: float
    objects: tuple[CdmObject, CdmObject]
    relative_speed_m_s: float | None = None
    relative_position_rtn_m: np.ndarray | None = None
    relative_velocity_rtn_m_s: np.ndarray | None = None
    collision_probability: float | None = None  # as stated in the file
    collision_probability_method: str | None = None
    header_fields: dict[str, str] = field(default_factory=dict)  # MESSAGE_FOR, ...
    relative_fields: dict[str, str] = field(default_factory=dict)  # screening volume, ...
    header_comments: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # relative metadata comments
    path: str | None = None

    @property
    def hbr_m(self) -> float | None:
        """HBR from a ``COMMENT HBR = 20.0`` line (CARA's convention), if any."""
        return cdm_hbr_m(self)


_HBR_COMMENT = re.compile(r"^\s*HBR\b\s*[=:]?\s*([-+0-9.eE]+)\s*(\[?\s*m\s*\]?)?\s*$")


def cdm_hbr_m(cdm: Cdm) -> float | None:
    for text in (*cdm.header_comments, *cdm.comments,
                 *(c for o in cdm.objects for c in o.comments)):
        m = _HBR_COMMENT.match(text)
        if m:
            try:
                value = float(m[1])
            except ValueError:
                continue
            if math.isfinite(value) and value > 0:
                return value
    return None


def _time_us(text: str, key: str, path, line) -> int:
    """CCSDS time: YYYY-MM-DDThh:mm:ss[.f] or YYYY-DDDThh:mm:ss[.f], UTC."""
    s = text.strip()
    try:
        m = re.match(r"^(\d{4})-(\d{3})(T.*)?$", s)
        if m:
            day = date(int(m[1]), 1, 1) + timedelta(days=int(m[2]) - 1)
            if day.year != int(m[1]) or int(m[2]) < 1:
                raise ValueError("day of year out of range")
            s = day.isoformat() + (m[3] or "")
        return parse_iso(s)
    except ValueError:
        raise FieldValueError("not a CCSDS time", path=path, line=line, field=key,
                              expected="YYYY-MM-DDThh:mm:ss.fff or YYYY-DDDThh:mm:ss.fff",
                              found=text) from None


def _float(items: dict, key: str, path, line) -> float | None:
    if key not in items:
        return None
    text, ln = items[key]
    try:
        return float(text)
    except ValueError:
        raise FieldValueError("not a number", path=path, line=ln or line, field=key,
                              expected="a decimal number", found=text) from None


def _need(items: dict, key: str, path, line, where: str) -> tuple[str, int | None]:
    if key not in items or items[key][0] == "":
        raise FieldValueError(f"missing in {where}", path=path, line=line, field=key,
                              expected=f"{key} = value")
    return items[key]


class _Section:
    """Keyword -> (text, line) in file order, plus comments."""

    def __init__(self, line: int | None) -> None:
        self.items: dict[str, tuple[str, int | None]] = {}
        self.comments: list[str] = []
        self.line = line

    def add(self, key: str, value: str, line, path) -> None:
        if key in self.items:
            raise FieldValueError("keyword given twice", path=path, line=line, field=key,
                                  expected="each keyword once per section", found=value)
        self.items[key] = (value, line)


def _build(header: _Section, rel: _Section, segs: list[_Section], path) -> Cdm:
    h, r = header.items, rel.items
    if len(segs) != 2:
        raise FieldValueError("a CDM has exactly two object segments", path=path,
                              field="OBJECT", expected="OBJECT = OBJECT1 and OBJECT = OBJECT2",
                              found=f"{len(segs)} segment(s)")
    for key in ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID"):
        _need(h, key, path, header.line, "the header")
    for key in ("TCA", "MISS_DISTANCE"):
        _need(r, key, path, rel.line, "the relative metadata")
    rel_pos = [_float(r, k, path, rel.line) for k in _REL_POS]
    rel_vel = [_float(r, k, path, rel.line) for k in _REL_VEL]
    pc = None
    if "COLLISION_PROBABILITY" in r and r["COLLISION_PROBABILITY"][0] != "":
        pc = _float(r, "COLLISION_PROBABILITY", path, rel.line)
    objects = []
    for want, seg in zip(("OBJECT1", "OBJECT2"), segs, strict=True):
        it = seg.items
        obj = _need(it, "OBJECT", path, seg.line, "the object metadata")[0].upper()
        if obj != want:
            raise FieldValueError("objects out of order", path=path, line=it["OBJECT"][1],
                                  field="OBJECT", expected=want, found=obj)
        for key in ("OBJECT_DESIGNATOR", "REF_FRAME", *_STATE_KEYS, *COVARIANCE_KEYS):
            _need(it, key, path, seg.line, f"the {want} segment")
        state = np.array([_float(it, k, path, seg.line) for k in _STATE_KEYS])
        cov = np.zeros((6, 6))
        for key in COVARIANCE_KEYS:
            a, b = key[1:].split("_", 1)
            i, j = _AXES.index(a), _AXES.index(b)
            cov[i, j] = cov[j, i] = _float(it, key, path, seg.line)
        typed = {"OBJECT", "OBJECT_DESIGNATOR", "OBJECT_NAME", "REF_FRAME", *_STATE_KEYS,
                 *COVARIANCE_KEYS}
        objects.append(CdmObject(
            object=obj, designator=it["OBJECT_DESIGNATOR"][0], ref_frame=it["REF_FRAME"][0],
            position_km=state[:3], velocity_km_s=state[3:], covariance_rtn=cov,
            name=it["OBJECT_NAME"][0] if "OBJECT_NAME" in it else None,
            fields={k: v for k, (v, _) in it.items() if k not in typed},
            comments=list(seg.comments)))
    typed_rel = {"TCA", "MISS_DISTANCE", "RELATIVE_SPEED", *_REL_POS, *_REL_VEL,
                 "COLLISION_PROBABILITY", "COLLISION_PROBABILITY_METHOD"}
    return Cdm(
        version=h["CCSDS_CDM_VERS"][0],
        creation_date_us=_time_us(h["CREATION_DATE"][0], "CREATION_DATE", path,
                                  h["CREATION_DATE"][1]),
        originator=h["ORIGINATOR"][0], message_id=h["MESSAGE_ID"][0],
        tca_us=_time_us(r["TCA"][0], "TCA", path, r["TCA"][1]),
        miss_distance_m=_float(r, "MISS_DISTANCE", path, rel.line),
        objects=(objects[0], objects[1]),
        relative_speed_m_s=_float(r, "RELATIVE_SPEED", path, rel.line),
        relative_position_rtn_m=None if None in rel_pos else np.array(rel_pos),
        relative_velocity_rtn_m_s=None if None in rel_vel else np.array(rel_vel),
        collision_probability=pc,
        collision_probability_method=r.get("COLLISION_PROBABILITY_METHOD", (None,))[0],
        header_fields={k: v for k, (v, _) in h.items() if k not in
                       ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID")},
        relative_fields={k: v for k, (v, _) in r.items() if k not in typed_rel},
        header_comments=list(header.comments), comments=list(rel.comments), path=path)


# units in brackets at the end; an unterminated "[" (seen in CARA's samples) is tolerated
_KVN = re.compile(r"^([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*(?:\[([^\]]*)\]?)?\s*$")


def parse_cdm_kvn(text: str, path: str | None = None) -> Cdm:
    """Read a KVN CDM (``KEY = value [units]`` and ``COMMENT`` lines)."""
    header, rel, segs = _Section(1), _Section(None), []
    in_header = True
    for ln, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("COMMENT"):
            # header comments follow CCSDS_CDM_VERS; later ones open the relative
            # metadata; comments after an OBJECT line belong to that object
            early = in_header and "MESSAGE_ID" not in header.items
            target = segs[-1] if segs else (header if early else rel)
            target.comments.append(line[7:].strip())
            continue
        m = _KVN.match(line)
        if not m:
            raise FieldValueError("not a KVN line", path=path, line=ln,
                                  expected="KEYWORD = value [units] or COMMENT text",
                                  found=raw[:80], text=raw)
        key, value = m[1], m[2]
        if key == "OBJECT":
            segs.append(_Section(ln))
        if segs:
            segs[-1].add(key, value, ln, path)
        elif key in _HEADER_KEYS and in_header:
            header.add(key, value, ln, path)
        else:
            if in_header:
                in_header, rel.line = False, ln
            rel.add(key, value, ln, path)
    if "CCSDS_CDM_VERS" not in header.items:
        raise FieldValueError("not a CDM", path=path, line=1, field="CCSDS_CDM_VERS",
                              expected="CCSDS_CDM_VERS = 1.0 on the first line")
    return _build(header, rel, segs, path)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_section(elem, line=None) -> _Section:
    sec = _Section(line)
    for e in elem.iter():
        if len(e) or e is elem:
            continue
        key, value = _local(e.tag), (e.text or "").strip()
        if key == "COMMENT":
            sec.comments.append(value)
        else:
            sec.add(key, value, None, None)
    return sec


def parse_cdm_xml(data: str | bytes, path: str | None = None) -> Cdm:
    """Read an XML CDM (``<cdm>``, possibly inside ``<ndm>``/``<message>``)."""
    root = parse_xml(data, path, what="CDM XML", malformed=FieldValueError)
    cdm = root if _local(root.tag) == "cdm" else next(
        (e for e in root.iter() if _local(e.tag) == "cdm"), None)
    if cdm is None:
        raise FieldValueError("no <cdm> element", path=path, field="cdm",
                              expected="<cdm id=\"CCSDS_CDM_VERS\" version=\"1.0\">")

    def child(parent, name):
        return next((e for e in parent.iter() if _local(e.tag) == name), None)

    head, body = child(cdm, "header"), child(cdm, "body")
    relmd = child(body, "relativeMetadataData") if body is not None else None
    if head is None or relmd is None:
        raise FieldValueError("missing <header> or <relativeMetadataData>", path=path,
                              field="header" if head is None else "relativeMetadataData",
                              expected="<header> and <body><relativeMetadataData>")
    header = _xml_section(head)
    header.items.setdefault("CCSDS_CDM_VERS", (cdm.get("version", ""), None))
    segs = [_xml_section(s) for s in body if _local(s.tag) == "segment"]
    return _build(header, _xml_section(relmd), segs, path)


def parse_cdm(data: str | bytes, path: str | None = None) -> Cdm:
    """KVN or XML, told apart by the first non-blank character."""
    head = data.lstrip()[:1]
    if head in ("<", b"<"):
        return parse_cdm_xml(data, path)
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    return parse_cdm_kvn(text, path)


def read_cdm(path: str | Path) -> Cdm:
    """Read a CDM file (KVN or XML)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FieldValueError(f"cannot read: {exc.strerror}", path=str(p),
                              expected="a readable CDM file") from None
    return parse_cdm(data, str(p))


def _num(x: float) -> str:
    return repr(float(x))


def _time_text(us: int) -> str:
    text = format_iso(us, 6)[:-1]
    return re.sub(r"(\.\d{3}\d*?)0+$", r"\1", text)


def _sections(cdm: Cdm):
    """(header, relative, [(metadata, od, additional, state, covariance, extra)])
    as ordered (key, text) lists, keywords in the standard's order."""
    head = {"CREATION_DATE": _time_text(cdm.creation_date_us), "ORIGINATOR": cdm.originator,
            **cdm.header_fields, "MESSAGE_ID": cdm.message_id}
    rel = {"TCA": _time_text(cdm.tca_us), "MISS_DISTANCE": _num(cdm.miss_distance_m)}
    if cdm.relative_speed_m_s is not None:
        rel["RELATIVE_SPEED"] = _num(cdm.relative_speed_m_s)
    for keys, vec in ((_REL_POS, cdm.relative_position_rtn_m),
                      (_REL_VEL, cdm.relative_velocity_rtn_m_s)):
        if vec is not None:
            rel.update(zip(keys, map(_num, vec), strict=True))
    rel.update(cdm.relative_fields)
    if cdm.collision_probability is not None:
        rel["COLLISION_PROBABILITY"] = _num(cdm.collision_probability)
    if cdm.collision_probability_method is not None:
        rel["COLLISION_PROBABILITY_METHOD"] = cdm.collision_probability_method

    def ordered(d: dict, order) -> list[tuple[str, str]]:
        rank = {k: i for i, k in enumerate(order)}
        return sorted(d.items(), key=lambda kv: rank.get(kv[0], len(rank)))

    segs = []
    for o in cdm.objects:
        meta = {"OBJECT": o.object, "OBJECT_DESIGNATOR": o.designator, "REF_FRAME": o.ref_frame}
        if o.name is not None:
            meta["OBJECT_NAME"] = o.name
        extra = {k: v for k, v in o.fields.items() if _EXTRA_COV.match(k)}
        other = {k: v for k, v in o.fields.items() if k not in extra}
        meta.update({k: v for k, v in other.items() if k in _META_KEYS})
        od = {k: v for k, v in other.items() if k in _OD_KEYS}
        add = {k: v for k, v in other.items() if k not in meta and k not in od}
        state = list(zip(_STATE_KEYS, map(_num, (*o.position_km, *o.velocity_km_s)),
                         strict=True))
        cov = [(k, _num(o.covariance_rtn[_AXES.index(k[1:].split("_", 1)[0]),
                                         _AXES.index(k[1:].split("_", 1)[1])]))
               for k in COVARIANCE_KEYS]
        segs.append((ordered(meta, _META_KEYS), ordered(od, _OD_KEYS),
                     ordered(add, _ADD_KEYS), state, cov, list(extra.items())))
    return ordered(head, _HEADER_KEYS), ordered(rel, _REL_KEYS), segs


def write_cdm_kvn(cdm: Cdm) -> str:
    """The message as KVN text (units in brackets where the standard gives them)."""
    head, rel, segs = _sections(cdm)
    out = [f"{'CCSDS_CDM_VERS':<35} = {cdm.version}"]

    def put(items, comments=()):
        out.extend(f"COMMENT {c}".rstrip() for c in comments)
        for k, v in items:
            unit = _unit(k)
            out.append(f"{k:<35} = {v}" + (f" [{unit}]" if unit and v != "" else ""))

    put(head, cdm.header_comments)
    put(rel, cdm.comments)
    for o, parts in zip(cdm.objects, segs, strict=True):
        put(parts[0])  # object comments open the data section, after OBJECT = ...
        put(parts[1], o.comments)
        for items in parts[2:]:
            put(items)
    return "\n".join(out) + "\n"


def write_cdm_xml(cdm: Cdm) -> str:
    """The message as CCSDS NDM/XML (``<cdm id="CCSDS_CDM_VERS" version=...>``)."""
    head, rel, segs = _sections(cdm)
    root = ET.Element("cdm", {"id": "CCSDS_CDM_VERS", "version": cdm.version})

    def put(parent, items, comments=()):
        for c in comments:
            ET.SubElement(parent, "COMMENT").text = c
        for k, v in items:
            unit = _unit(k)
            ET.SubElement(parent, k, {"units": unit} if unit else {}).text = v

    put(ET.SubElement(root, "header"), head, cdm.header_comments)
    body = ET.SubElement(root, "body")
    relmd = ET.SubElement(body, "relativeMetadataData")
    rsv = {k for k in (*_REL_POS, *_REL_VEL)}
    first = [kv for kv in rel if kv[0] in ("TCA", "MISS_DISTANCE", "RELATIVE_SPEED")]
    put(relmd, first, cdm.comments)
    if any(k in rsv for k, _ in rel):
        put(ET.SubElement(relmd, "relativeStateVector"), [kv for kv in rel if kv[0] in rsv])
    put(relmd, [kv for kv in rel if kv not in first and kv[0] not in rsv])
    for o, (meta, od, add, state, cov, extra) in zip(cdm.objects, segs, strict=True):
        seg = ET.SubElement(body, "segment")
        put(ET.SubElement(seg, "metadata"), meta, o.comments)
        data = ET.SubElement(seg, "data")
        for tag, items in (("odParameters", od), ("additionalParameters", add),
                           ("stateVector", state), ("covarianceMatrix", cov + extra)):
            if items:
                put(ET.SubElement(data, tag), items)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def cdm_from_states(r1_teme_km, v1_teme_km_s, cov1_rtn, r2_teme_km, v2_teme_km_s, cov2_rtn,
                    tca_us: int, *, ref_frame: str = "GCRF",
                    designators: tuple[str, str] = ("UNKNOWN", "UNKNOWN"),
                    names: tuple[str | None, str | None] = (None, None),
                    originator: str = "ORBWATCH", message_id: str | None = None,
                    creation_date_us: int | None = None, hbr_m: float | None = None,
                    pc: PcResult | None = None) -> Cdm:
    """A CDM from TEME states at TCA (km, km/s; SGP4 output) and RTN covariances
    (3x3 or 6x6, **m^2**, m^2/s, m^2/s^2; a 3x3 gets zero velocity terms).

    The states are rotated to GCRF with :func:`orbwatch.propagate.teme_to_gcrf`;
    ``ref_frame="EME2000"`` applies the frame bias :data:`EME2000_FROM_GCRF`
    on top.  The relative position and velocity are those of object 2 with
    respect to object 1 in object 1's RTN axes (no omega x r term).  ``hbr_m``
    adds a ``COMMENT HBR`` line; ``pc`` fills COLLISION_PROBABILITY(_METHOD).
    """
    from orbwatch.propagate import teme_to_gcrf

    frame = ref_frame.upper()
    if frame not in ("GCRF", "EME2000"):
        raise ValueError("ref_frame must be GCRF or EME2000")
    pos = np.stack([np.asarray(r1_teme_km, float), np.asarray(r2_teme_km, float)])[:, None]
    vel = np.stack([np.asarray(v1_teme_km_s, float), np.asarray(v2_teme_km_s, float)])[:, None]
    fs = teme_to_gcrf(pos, vel, np.array([int(tca_us)], dtype=np.int64))
    r, v = fs.position[:, 0], fs.velocity[:, 0]
    if frame == "EME2000":
        r, v = r @ EME2000_FROM_GCRF.T, v @ EME2000_FROM_GCRF.T
    rot = rtn_basis(r[0], v[0])
    dr, dv = (r[1] - r[0]) * 1e3, (v[1] - v[0]) * 1e3
    objs = []
    for i, c in enumerate((cov1_rtn, cov2_rtn)):
        c = np.asarray(c, float)
        full = np.zeros((6, 6))
        full[: c.shape[0], : c.shape[1]] = c
        objs.append(CdmObject(f"OBJECT{i + 1}", str(designators[i]), frame, r[i], v[i],
                              0.5 * (full + full.T), names[i]))
    created = now_us() if creation_date_us is None else int(creation_date_us)
    return Cdm(
        version="1.0", creation_date_us=created, originator=originator,
        message_id=message_id or f"{designators[0]}_conj_{designators[1]}_{_time_text(tca_us)}",
        tca_us=int(tca_us), miss_distance_m=float(np.linalg.norm(dr)),
        objects=(objs[0], objs[1]), relative_speed_m_s=float(np.linalg.norm(dv)),
        relative_position_rtn_m=dr @ rot, relative_velocity_rtn_m_s=dv @ rot,
        collision_probability=None if pc is None else pc.pc,
        collision_probability_method=None if pc is None else pc.method.upper(),
        comments=[] if hbr_m is None else [f"HBR = {float(hbr_m)!r} [m]"])


def pc_from_cdm(cdm: Cdm, hbr_m: float | None = None, *, shape: str = "circle") -> PcResult:
    """Foster 2D Pc recomputed from the CDM's states and covariances.

    Each RTN covariance is rotated to the CDM's inertial frame as CARA does;
    states are used as given (km -> m).  ``hbr_m`` defaults to the CDM's
    ``COMMENT HBR``; without either a :class:`FieldValueError` asks for it.
    """
    if hbr_m is None:
        hbr_m = cdm.hbr_m
        if hbr_m is None:
            raise FieldValueError("no hard-body radius: the CDM has no 'COMMENT HBR' line",
                                  path=cdm.path, field="HBR",
                                  expected="--hbr METRES (or hbr_m=...)")
    o1, o2 = cdm.objects
    if o1.ref_frame.upper() != o2.ref_frame.upper():
        raise FieldValueError("the two objects are in different frames", path=cdm.path,
                              field="REF_FRAME", expected="the same REF_FRAME for both",
                              found=f"{o1.ref_frame} / {o2.ref_frame}")
    c1 = rtn_to_eci(o1.covariance_rtn, o1.position_km, o1.velocity_km_s)
    c2 = rtn_to_eci(o2.covariance_rtn, o2.position_km, o2.velocity_km_s)
    res = pc2d_foster(o1.position_km * 1e3, o1.velocity_km_s * 1e3, c1,
                      o2.position_km * 1e3, o2.velocity_km_s * 1e3, c2, float(hbr_m),
                      shape=shape)
    if o1.ref_frame.upper() not in _INERTIAL:
        res = replace(res, notes=(*res.notes, f"REF_FRAME {o1.ref_frame} is not inertial: "
                                  "RTN axes and relative velocity taken in it as given"))
    return res
