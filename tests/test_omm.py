"""CCSDS OMM in JSON, CSV, XML and KVN, CelesTrak and Space-Track flavours."""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import replace

import pytest

from orbwatch.elements.omm import (
    OMM_KEYS,
    REQUIRED_KEYS,
    omm_to_dict,
    read_omm_csv,
    read_omm_json,
    read_omm_kvn,
    read_omm_xml,
    write_omm_csv,
    write_omm_json,
    write_omm_kvn,
    write_omm_xml,
)
from orbwatch.elements.tle import format_tle, parse_tle, read_tle
from orbwatch.errors import (
    EccentricityError,
    EpochError,
    FieldValueError,
    FormatNotRecognizedError,
    MeanMotionError,
    UnsafeXMLError,
)
from orbwatch.time import parse_iso

READERS = {"json": read_omm_json, "csv": read_omm_csv, "xml": read_omm_xml,
           "kvn": read_omm_kvn}
WRITERS = {"json": write_omm_json, "csv": write_omm_csv, "xml": write_omm_xml,
           "kvn": write_omm_kvn}

ISS_LINE1 = "1 25544U 98067A   23091.23198343  .00023540  00000+0  42854-3 0  9997"
ISS_LINE2 = "2 25544  51.6420 349.8358 0007165 140.8187   1.7826 15.49352136389854"
# the same TLE with mean anomaly 2.7826 (checksum fixed)
ISS_LINE2_OTHER = "2 25544  51.6420 349.8358 0007165 140.8187   2.7826 15.49352136389855"

# a Space-Track gp record: every value a string, some null
SPACETRACK_ISS = {
    "CCSDS_OMM_VERS": "2.0", "COMMENT": "GENERATED VIA SPACE-TRACK.ORG API",
    "CREATION_DATE": "2023-04-01T08:06:17", "ORIGINATOR": "18 SPCS",
    "OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A", "CENTER_NAME": "EARTH",
    "REF_FRAME": "TEME", "TIME_SYSTEM": "UTC", "MEAN_ELEMENT_THEORY": "SGP4",
    "EPOCH": "2023-04-01T05:34:03.368352", "MEAN_MOTION": "15.49352136",
    "ECCENTRICITY": "0.00071650", "INCLINATION": "51.6420", "RA_OF_ASC_NODE": "349.8358",
    "ARG_OF_PERICENTER": "140.8187", "MEAN_ANOMALY": "1.7826", "EPHEMERIS_TYPE": "0",
    "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": "25544", "ELEMENT_SET_NO": "999",
    "REV_AT_EPOCH": "38985", "BSTAR": "0.00042854000000", "MEAN_MOTION_DOT": "0.00023540",
    "MEAN_MOTION_DDOT": "0.0000000000000", "SEMIMAJOR_AXIS": "6795.596", "PERIOD": "92.942",
    "APOAPSIS": "422.330", "PERIAPSIS": "412.592", "OBJECT_TYPE": "PAYLOAD",
    "RCS_SIZE": "LARGE", "COUNTRY_CODE": "ISS", "LAUNCH_DATE": "1998-11-20",
    "SITE": "TTMTR", "DECAY_DATE": None, "FILE": "3852347", "GP_ID": "229183925",
    "TLE_LINE0": "0 ISS (ZARYA)", "TLE_LINE1": ISS_LINE1, "TLE_LINE2": ISS_LINE2,
}
ISS_EXTRA = {"object_type": "payload", "rcs_size": "LARGE", "country": "ISS",
             "launch_date": "1998-11-20", "site": "TTMTR"}

NOW = parse_iso("2026-01-01")


def _sample(shared_data, ext: str):
    path = shared_data / "sgp4_verification" / f"sample_omm.{ext}"
    return READERS[ext](path.read_bytes(), str(path), now=NOW)


def _vanguard(shared_data):
    return _sample(shared_data, "xml").sets[0]


# ---- helpers that encode plain {KEY: value} records in each encoding --------------
def _encode(fmt: str, records: list[dict]) -> str:
    if fmt == "json":
        return json.dumps(records)
    if fmt == "csv":
        keys = list(dict.fromkeys(k for r in records for k in r))
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(keys)
        w.writerows([["" if r.get(k) is None else str(r.get(k)) for k in keys]
                     for r in records])
        return out.getvalue()
    if fmt == "kvn":
        return "".join("CCSDS_OMM_VERS = 2.0\n" + "".join(
            f"{k} = {v}\n" for k, v in r.items() if v is not None and k != "CCSDS_OMM_VERS")
            for r in records)
    body = "".join(
        '<omm id="CCSDS_OMM_VERS" version="2.0"><body><segment><data>'
        + "".join(f"<{k}>{v}</{k}>" for k, v in r.items() if v is not None)
        + "</data></segment></body></omm>" for r in records)
    return f"<ndm>{body}</ndm>"


# ---- the CelesTrak samples --------------------------------------------------------
def test_json_sample(shared_data):
    result = _sample(shared_data, "json")
    assert (result.records, result.errors) == (1, [])
    es = result.sets[0]
    assert es.norad == 5 and es.name == "VANGUARD 1" and es.intldes == "1958-002B"
    assert es.epoch_iso == "2025-02-14T14:36:48.662784Z"
    assert (es.mean_motion, es.eccentricity, es.inclination) == (10.85873516, 0.1841322,
                                                                 34.2493)
    assert (es.raan, es.arg_perigee, es.mean_anomaly) == (19.2327, 100.1057, 281.1229)
    assert (es.bstar, es.mean_motion_dot, es.mean_motion_ddot) == (0.00035436, 2.64e-6, 0.0)
    assert (es.classification, es.ephemeris_type) == ("U", 0)
    assert (es.element_set_no, es.rev_at_epoch) == (999, 39027)
    assert es.format == "omm-json"


@pytest.mark.parametrize("ext", ["csv", "xml"])
def test_csv_and_xml_samples(shared_data, ext):
    result = _sample(shared_data, ext)
    assert (result.records, result.errors) == (1, [])
    es = result.sets[0]
    assert es.norad == 5 and es.name == "VANGUARD 1" and es.intldes == "1958-002B"
    assert es.epoch_iso == "2020-10-13T04:52:48.472320Z"
    assert (es.mean_motion, es.eccentricity, es.inclination) == (10.84869164, 0.1845686,
                                                                 34.2443)
    assert (es.raan, es.arg_perigee, es.mean_anomaly) == (225.5254, 162.2516, 205.2356)
    assert (es.bstar, es.mean_motion_dot, es.mean_motion_ddot) == (-2.2483e-5, -1.6e-7, 0.0)
    assert (es.element_set_no, es.rev_at_epoch) == (999, 21814)
    assert es.format == f"omm-{ext}"


def test_csv_xml_and_tle_agree(shared_data):
    csv_es = _sample(shared_data, "csv").sets[0]
    xml_es = _sample(shared_data, "xml").sets[0]
    assert csv_es.key() == xml_es.key()
    line1, line2 = format_tle(csv_es)
    assert parse_tle(line1, line2).key() == csv_es.key()
    assert read_tle([line1, line2]).sets[0].key() == xml_es.key()


# ---- Space-Track flavour ----------------------------------------------------------
def test_spacetrack_json_matches_its_tle():
    result = read_omm_json(json.dumps([SPACETRACK_ISS]), now=NOW)
    assert result.errors == []
    es = result.sets[0]
    tle = parse_tle(ISS_LINE1, ISS_LINE2)
    assert es.key() == tle.key()
    assert (es.norad, es.name, es.intldes, es.rev_at_epoch) == (25544, "ISS (ZARYA)",
                                                                "1998-067A", 38985)
    assert es.bstar == 0.00042854
    assert es.extra == ISS_EXTRA


def test_spacetrack_inconsistent_tle_line2_is_named():
    good = dict(SPACETRACK_ISS)
    bad = dict(SPACETRACK_ISS, TLE_LINE2=ISS_LINE2_OTHER)
    broken = dict(SPACETRACK_ISS, TLE_LINE2=ISS_LINE2[:-1] + "0")  # bad checksum
    result = read_omm_json(json.dumps([good, bad, broken]), "gp.json", now=NOW)
    assert len(result.sets) == 1
    assert [type(e) for e in result.errors] == [FieldValueError, FieldValueError]
    err = result.errors[0]
    assert (err.record, err.path, err.field) == (2, "gp.json", "TLE_LINE1/TLE_LINE2")
    assert "MEAN_ANOMALY" in err.message
    assert "checksum" in result.errors[1].message


@pytest.mark.parametrize("fmt", ["csv", "xml", "kvn"])
def test_spacetrack_other_encodings(fmt):
    result = READERS[fmt](_encode(fmt, [SPACETRACK_ISS]), now=NOW)
    assert result.errors == []
    assert result.sets[0].key() == parse_tle(ISS_LINE1, ISS_LINE2).key()
    assert result.sets[0].extra == ISS_EXTRA


def test_spacetrack_xml_user_defined_parameters():
    meta = "".join(f"<{k}>{SPACETRACK_ISS[k]}</{k}>" for k in (
        "OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM",
        "MEAN_ELEMENT_THEORY"))
    mean = "".join(f"<{k}>{SPACETRACK_ISS[k]}</{k}>" for k in OMM_KEYS[2:9])
    tle = "".join(f"<{k}>{SPACETRACK_ISS[k]}</{k}>" for k in OMM_KEYS[9:])
    user = "".join(f'<USER_DEFINED parameter="{k}">{SPACETRACK_ISS[k] or ""}</USER_DEFINED>'
                   for k in ("OBJECT_TYPE", "RCS_SIZE", "COUNTRY_CODE", "LAUNCH_DATE",
                             "SITE", "DECAY_DATE", "TLE_LINE1", "TLE_LINE2"))
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<ndm xmlns="urn:ccsds:recommendation:navigation:schema:ndmxml">'
           '<omm id="CCSDS_OMM_VERS" version="2.0"><header><COMMENT>x</COMMENT></header>'
           f"<body><segment><metadata>{meta}</metadata><data><meanElements>{mean}"
           f"</meanElements><tleParameters>{tle}</tleParameters><userDefinedParameters>"
           f"{user}</userDefinedParameters></data></segment></body></omm></ndm>")
    result = read_omm_xml(xml.encode(), now=NOW)
    assert result.errors == []
    assert result.sets[0].extra == ISS_EXTRA
    # a bare <omm> (no ndm wrapper) and a TLE line that disagrees
    bare = xml[xml.index("<omm"):xml.index("</ndm>")].replace(ISS_LINE2, ISS_LINE2_OTHER)
    result = read_omm_xml(bare, "bare.xml", now=NOW)
    assert result.sets == [] and result.errors[0].record == 1
    assert "MEAN_ANOMALY" in result.errors[0].message


# ---- KVN --------------------------------------------------------------------------
KVN = """\
CCSDS_OMM_VERS = 2.0
COMMENT  GENERATED VIA SPACE-TRACK.ORG API
CREATION_DATE = 2020-10-13T12:00:00
ORIGINATOR = 18 SPCS
OBJECT_NAME = VANGUARD 1 [OLD]
OBJECT_ID = 1958-002B
CENTER_NAME = EARTH
REF_FRAME = TEME
TIME_SYSTEM = UTC
MEAN_ELEMENT_THEORY = SGP4

COMMENT mean elements
EPOCH = 2020-10-13T04:52:48.472320
MEAN_MOTION = 10.84869164 [rev/day]
ECCENTRICITY = .1845686
INCLINATION = 34.2443 [deg]
RA_OF_ASC_NODE = 225.5254 [deg]
ARG_OF_PERICENTER = 162.2516 [deg]
MEAN_ANOMALY = 205.2356 [deg]
EPHEMERIS_TYPE = 0
CLASSIFICATION_TYPE = U
NORAD_CAT_ID = 5
ELEMENT_SET_NO = 999
REV_AT_EPOCH = 21814
BSTAR = -.22483E-4 [1/ER]
MEAN_MOTION_DOT = -1.6E-7 [rev/day**2]
MEAN_MOTION_DDOT = 0 [rev/day**3]
CCSDS_OMM_VERS = 2.0
OBJECT_NAME = ISS (ZARYA)
OBJECT_ID = 1998-067A
REF_FRAME = TEME
MEAN_ELEMENT_THEORY = SGP4
EPOCH = 2023-091T05:34:03.368352
MEAN_MOTION = 15.49352136
ECCENTRICITY = .0007165
INCLINATION = 51.6420
RA_OF_ASC_NODE = 349.8358
ARG_OF_PERICENTER = 140.8187
MEAN_ANOMALY = 1.7826
NORAD_CAT_ID = 25544
REV_AT_EPOCH = 38985
BSTAR = .42854E-3
MEAN_MOTION_DOT = .0002354
USER_DEFINED_OBJECT_TYPE = PAYLOAD
"""


def test_kvn_two_messages_with_comments_and_units(shared_data):
    result = read_omm_kvn(KVN, "two.kvn", now=NOW)
    assert (result.records, result.errors) == (2, [])
    vanguard, iss = result.sets
    assert vanguard.name == "VANGUARD 1 [OLD]"  # brackets are units only after numbers
    assert vanguard.key() == _vanguard(shared_data).key()
    assert iss.key() == parse_tle(ISS_LINE1, ISS_LINE2).key()  # day-of-year epoch
    assert iss.extra == {"object_type": "payload"}
    assert iss.element_set_no is None and iss.format == "omm-kvn"


def test_kvn_errors_carry_line_numbers():
    text = KVN.replace("ECCENTRICITY = .0007165", "ECCENTRICITY = 1.5")
    text = text.replace("INCLINATION = 34.2443 [deg]", "INCLINATION = thirty")
    result = read_omm_kvn(text, "bad.kvn", now=NOW)
    assert result.sets == []
    e1, e2 = result.errors
    assert (type(e1), e1.field, e1.line) == (FieldValueError, "INCLINATION", 16)
    assert (type(e2), e2.field, e2.line) == (EccentricityError, "ECCENTRICITY", 35)
    assert str(e2).startswith("bad.kvn line 35: ECCENTRICITY")
    junk = read_omm_kvn("CCSDS_OMM_VERS = 2.0\nthis is not kvn\nEPOCH = 2020-01-01\n",
                        now=NOW)
    assert junk.errors[0].line == 2 and junk.errors[0].field == "line"
    with pytest.raises(FormatNotRecognizedError):
        read_omm_kvn("just some text\n")


# ---- round trips ------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "kvn"])
def test_round_trip_large_catalogue_number(shared_data, fmt):
    base = _vanguard(shared_data)
    sets = [replace(base, norad=1_000_000, name='ODD "<&>", NAME', intldes=None,
                    rev_at_epoch=None),
            replace(base, norad=270_000, ephemeris_type=4, bstar=1.234e-9),
            base]
    result = READERS[fmt](WRITERS[fmt](sets), now=NOW)
    assert result.errors == []
    assert [es.key() for es in result.sets] == [es.key() for es in sets]
    assert [replace(es, format="") for es in result.sets] == [replace(es, format="")
                                                              for es in sets]
    assert result.sets[0].norad == 1_000_000
    assert "SGP4-XP" in result.sets[1].extra["ephemeris_type_note"]
    with pytest.raises(ValueError):
        format_tle(result.sets[0])  # no TLE above 339999: OMM is the only way


def test_omm_to_dict_celestrak_types(shared_data):
    d = omm_to_dict(_vanguard(shared_data))
    assert list(d) == list(OMM_KEYS)
    assert d["EPOCH"] == "2020-10-13T04:52:48.472320"
    assert isinstance(d["NORAD_CAT_ID"], int) and isinstance(d["MEAN_MOTION"], float)
    assert isinstance(d["REV_AT_EPOCH"], int) and d["CLASSIFICATION_TYPE"] == "U"


# ---- unsafe and malformed XML -----------------------------------------------------
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ndm><omm><body><segment><metadata><OBJECT_NAME>&lol4;</OBJECT_NAME></metadata>
</segment></body></omm></ndm>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE omm [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<omm><body><segment><metadata><OBJECT_NAME>&xxe;</OBJECT_NAME></metadata></segment></body></omm>"""
DTD_RETRIEVAL = """<?xml version="1.0"?>
<!DOCTYPE ndm SYSTEM "http://example.invalid/ndm.dtd">
<ndm><omm/></ndm>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_RETRIEVAL],
                         ids=["billion-laughs", "external-entity", "dtd-retrieval"])
def test_unsafe_xml_refused(xml):
    for data in (xml, xml.encode()):
        with pytest.raises(UnsafeXMLError) as info:
            read_omm_xml(data, "evil.xml")
        assert info.value.path == "evil.xml"


def test_malformed_xml():
    with pytest.raises(FormatNotRecognizedError) as info:
        read_omm_xml("<ndm><omm></ndm>", "broken.xml")
    assert info.value.path == "broken.xml" and "broken.xml" in str(info.value)
    with pytest.raises(FormatNotRecognizedError):
        read_omm_json("[{", "broken.json")


# ---- invalid records next to a good one, in every encoding ------------------------
@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "kvn"])
def test_invalid_records_reported_good_one_read(shared_data, fmt):
    good = omm_to_dict(_vanguard(shared_data))
    bad_ecc = dict(good, ECCENTRICITY=1.0)
    bad_mm = dict(good, MEAN_MOTION=-1)
    no_epoch = {k: v for k, v in good.items() if k != "EPOCH"}
    not_number = dict(good, BSTAR="abc")
    text = _encode(fmt, [bad_ecc, good, bad_mm, no_epoch, not_number])
    result = READERS[fmt](text, f"mixed.{fmt}", now=NOW)
    assert result.records == 5
    assert [es.key() for es in result.sets] == [_vanguard(shared_data).key()]
    kinds = [(type(e), e.field) for e in result.errors]
    assert kinds == [(EccentricityError, "ECCENTRICITY"), (MeanMotionError, "MEAN_MOTION"),
                     (FieldValueError, "EPOCH"), (FieldValueError, "BSTAR")]
    missing = result.errors[2]
    assert "EPOCH" in missing.message and all(k in missing.expected for k in REQUIRED_KEYS)
    assert all(e.path == f"mixed.{fmt}" for e in result.errors)
    if fmt in ("json", "xml"):
        assert [e.record for e in result.errors] == [1, 3, 4, 5]
    elif fmt == "csv":
        assert [e.line for e in result.errors] == [2, 4, 5, 6]
    else:
        assert all(e.line is not None for e in result.errors)


def test_frame_theory_and_future_epoch(shared_data):
    good = omm_to_dict(_vanguard(shared_data))
    records = [dict(good, REF_FRAME="GCRF"), dict(good, MEAN_ELEMENT_THEORY="DSST"),
               dict(good, TIME_SYSTEM="TAI"), dict(good, MEAN_ELEMENT_THEORY="SGP4-XP"),
               dict(good, EPOCH="2030-01-01T00:00:00"), dict(good, EPOCH="2021-366T00:00:00")]
    result = read_omm_json(json.dumps(records), now=NOW)
    assert len(result.sets) == 1 and "ephemeris_type_note" in result.sets[0].extra
    errs = result.errors
    assert [(type(e), e.field) for e in errs] == [
        (FieldValueError, "REF_FRAME"), (FieldValueError, "MEAN_ELEMENT_THEORY"),
        (FieldValueError, "TIME_SYSTEM"), (EpochError, "EPOCH"), (EpochError, "EPOCH")]
    assert errs[0].expected == "TEME" and errs[1].expected == "SGP4 or SGP4-XP"
    assert "future" in errs[3].message
    # with no tolerance the 2030 epoch is accepted
    assert len(read_omm_json(json.dumps(records[4:5]), future_tolerance_days=None).sets) == 1


def test_gzip_bytes_and_bad_encoding(shared_data):
    data = (shared_data / "sgp4_verification" / "sample_omm.csv").read_bytes()
    assert read_omm_csv(gzip.compress(data), now=NOW).sets[0].norad == 5
    with pytest.raises(FormatNotRecognizedError) as info:
        read_omm_kvn(b"EPOCH = \xff\xfe", "latin.kvn")
    assert info.value.path == "latin.kvn"


def test_json_single_object_and_non_object_records(shared_data):
    good = omm_to_dict(_vanguard(shared_data))
    assert len(read_omm_json(json.dumps(good), now=NOW).sets) == 1
    result = read_omm_json(json.dumps([1, good]), now=NOW)
    assert len(result.sets) == 1 and result.errors[0].record == 1


def test_catalogue_number_limits(shared_data):
    good = omm_to_dict(_vanguard(shared_data))
    records = [dict(good, NORAD_CAT_ID=str(10**12)), dict(good, NORAD_CAT_ID="-5"),
               dict(good, NORAD_CAT_ID="5.5"), dict(good, NORAD_CAT_ID=999_999_999)]
    result = read_omm_json(json.dumps(records), now=NOW)
    assert [es.norad for es in result.sets] == [999_999_999]
    assert [(type(e), e.field, e.record) for e in result.errors] == [
        (FieldValueError, "NORAD_CAT_ID", 1), (FieldValueError, "NORAD_CAT_ID", 2),
        (FieldValueError, "NORAD_CAT_ID", 3)]
