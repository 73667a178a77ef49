"""CCSDS CDM reading and writing, CDMs from SGP4 states, and ``orbwatch pc``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import orbwatch.cli.pc  # noqa: F401  (registers the command until cli/commands.py does)
from orbwatch.cli.app import main
from orbwatch.errors import FieldValueError, UnsafeXMLError
from orbwatch.propagate import teme_to_gcrf
from orbwatch.screen.cdm import (
    EME2000_FROM_GCRF,
    Cdm,
    cdm_from_states,
    parse_cdm,
    parse_cdm_kvn,
    parse_cdm_xml,
    pc_from_cdm,
    read_cdm,
    write_cdm_kvn,
    write_cdm_xml,
)
from orbwatch.screen.covariance import rtn_to_eci
from orbwatch.screen.pc import pc2d_foster
from orbwatch.time import parse_iso

SAMPLES = Path("conjunctions/cara_cdms/SampleCDMs")


def _samples(root: Path) -> list[Path]:
    return sorted((root / SAMPLES).glob("*.cdm"))


def _same(a: Cdm, b: Cdm) -> None:
    for name in ("version", "creation_date_us", "originator", "message_id", "tca_us",
                 "miss_distance_m", "relative_speed_m_s", "collision_probability",
                 "collision_probability_method", "header_fields", "relative_fields",
                 "header_comments", "comments"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("relative_position_rtn_m", "relative_velocity_rtn_m_s"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None and y is None) or np.array_equal(x, y), name
    for oa, ob in zip(a.objects, b.objects, strict=True):
        for name in ("object", "designator", "ref_frame", "name", "fields", "comments"):
            assert getattr(oa, name) == getattr(ob, name), name
        for name in ("position_km", "velocity_km_s", "covariance_rtn"):
            assert np.array_equal(getattr(oa, name), getattr(ob, name)), name


def test_all_sample_cdms_parse(shared_data):
    paths = _samples(shared_data)
    assert len(paths) == 34
    for p in paths:
        cdm = read_cdm(p)
        assert cdm.version == "1.0" and cdm.path == str(p)
        assert [o.object for o in cdm.objects] == ["OBJECT1", "OBJECT2"]
        for o in cdm.objects:
            assert o.ref_frame == "EME2000"
            assert o.position_km.shape == (3,) and 6000 < np.linalg.norm(o.position_km) < 50000
            assert np.array_equal(o.covariance_rtn, o.covariance_rtn.T)
        assert cdm.miss_distance_m >= 0


def test_sample_fields(shared_data):
    cdm = read_cdm(shared_data / SAMPLES / "OmitronTestCase_Test07_NonPDCovariance.cdm")
    assert cdm.tca_us == parse_iso("2017-02-02T23:14:54.330Z")  # written 2017-033T...
    assert cdm.creation_date_us == parse_iso("2017-01-27T15:28:34Z")
    assert cdm.miss_distance_m == 50206.691406
    assert cdm.relative_speed_m_s == 6075.408203125
    assert np.array_equal(cdm.relative_position_rtn_m, [-22245.841797, 45005.953125, -546.213257])
    assert cdm.collision_probability == 0.0
    assert cdm.hbr_m == 52.8
    o1, o2 = cdm.objects
    assert (o1.designator, o1.name, o2.designator) == ("38752", "PRIMARY", "41195")
    assert np.array_equal(o1.position_km, [1744.639749, -6818.161473, 593.731644])
    assert o1.covariance_rtn[0, 0] == 1.031284802261420e+03
    assert o1.covariance_rtn[1, 0] == o1.covariance_rtn[0, 1] == 7.026448704768224e+03
    assert o1.covariance_rtn[5, 5] == 1.210001700661663e-04
    assert o1.fields["CDRG_DRG"] == "8.373399068709889e-06"
    assert o1.fields["GRAVITY_MODEL"] == "EGM_96: 24D 24O"
    assert o1.comments[0].startswith("Apogee Altitude")
    single = read_cdm(shared_data / SAMPLES / "SingleCovTestCase1-1.cdm")
    assert single.header_comments == ["This file created for validation purposes by CARA"]
    assert single.header_fields["MESSAGE_FOR"] == "INTRNTL SPACE STATION"
    assert single.hbr_m is None
    assert single.objects[0].fields["RESIDUALS_ACCEPTED"] == "85.4"  # "[" of "[%]" lost upstream


def test_kvn_and_xml_round_trip(shared_data):
    for p in _samples(shared_data):
        cdm = read_cdm(p)
        kvn, xml = write_cdm_kvn(cdm), write_cdm_xml(cdm)
        _same(cdm, parse_cdm_kvn(kvn))
        _same(cdm, parse_cdm_xml(xml))
        _same(cdm, parse_cdm(xml.encode()))
        assert write_cdm_kvn(parse_cdm(kvn)) == kvn  # writing is stable
        assert 'units="m**2"' in xml and "[m**2]" in kvn


def test_xml_with_namespace_inside_ndm(shared_data):
    cdm = read_cdm(shared_data / SAMPLES / "AlfanoTestCase05.cdm")
    xml = write_cdm_xml(cdm).replace("<cdm ", '<cdm xmlns="urn:ccsds:schema:cdmxml" ', 1)
    body = xml.split("\n", 1)[1]
    _same(cdm, parse_cdm(f'<?xml version="1.0"?>\n<ndm>{body}</ndm>'))


def _teme_states():
    r1 = np.array([6778.137, 12.5, -3.25])
    v1 = np.array([0.01, 4.9, 5.8])
    r2 = r1 + np.array([0.120, -0.045, 0.210])
    v2 = np.array([-0.2, -5.7, 5.0])
    return r1, v1, r2, v2


@pytest.mark.parametrize("frame", ["GCRF", "EME2000"])
def test_cdm_from_teme_states(frame):
    r1, v1, r2, v2 = _teme_states()
    tca = parse_iso("2020-07-15T12:00:00.123456Z")
    c1 = np.diag([4000.0, 90000.0, 3000.0])
    c2 = np.diag([90.0, 4000.0, 60.0, 1e-3, 1e-2, 1e-3])
    cdm = cdm_from_states(r1, v1, c1, r2, v2, c2, tca, ref_frame=frame,
                          designators=("25544", "99999"), names=("ISS", None),
                          creation_date_us=tca, hbr_m=20.0)
    assert [o.ref_frame for o in cdm.objects] == [frame, frame]
    assert cdm.tca_us == tca and cdm.hbr_m == 20.0
    # rotations preserve the miss vector's length and the relative speed (to the
    # rounding of differencing 7000 km positions: ~1e-9 m)
    miss_m = np.linalg.norm(r2 - r1) * 1e3
    assert cdm.miss_distance_m == pytest.approx(miss_m, abs=1e-8)
    assert np.linalg.norm(cdm.relative_position_rtn_m) == pytest.approx(miss_m, abs=1e-8)
    assert cdm.relative_speed_m_s == pytest.approx(np.linalg.norm(v2 - v1) * 1e3, abs=1e-8)
    gcrf = teme_to_gcrf(np.stack([r1, r2])[:, None], np.stack([v1, v2])[:, None],
                        np.array([tca]))
    want = gcrf.position[:, 0] @ (EME2000_FROM_GCRF.T if frame == "EME2000" else np.eye(3))
    assert np.allclose([o.position_km for o in cdm.objects], want, rtol=0, atol=1e-9)
    # the frame rotation does not change the Pc: same Pc from the TEME states
    teme = pc2d_foster(r1 * 1e3, v1 * 1e3, rtn_to_eci(c1, r1, v1), r2 * 1e3, v2 * 1e3,
                       rtn_to_eci(c2, r2, v2), 20.0)
    got = pc_from_cdm(cdm)
    assert got.pc == pytest.approx(teme.pc, rel=1e-9) and got.pc > 1e-4
    assert got.miss_m == pytest.approx(teme.miss_m, rel=1e-9)
    _same(cdm, parse_cdm(write_cdm_kvn(cdm)))
    _same(cdm, parse_cdm(write_cdm_xml(cdm)))


def test_eme2000_bias_is_small():
    angle = np.arccos((np.trace(EME2000_FROM_GCRF) - 1) / 2)
    assert 5e-8 < angle < 2e-7  # ~23 mas frame bias


def _sample_text(shared_data, name="AlfanoTestCase05.cdm") -> str:
    return (shared_data / SAMPLES / name).read_text()


def test_missing_tca_named_error(shared_data):
    text = "\n".join(line for line in _sample_text(shared_data).splitlines()
                     if not line.startswith("TCA"))
    with pytest.raises(FieldValueError) as err:
        parse_cdm(text, "x.cdm")
    assert (err.value.field, err.value.path) == ("TCA", "x.cdm")
    assert err.value.line is not None and "TCA = value" in str(err.value)


@pytest.mark.parametrize(("old", "new", "field"), [
    ("MISS_DISTANCE                      = 2.449475", "MISS_DISTANCE = two", "MISS_DISTANCE"),
    ("TCA                                = 2000-01-01T00:00:00.000", "TCA = 2000-400T00:00:00",
     "TCA"),
    ("CR_R ", "XR_R ", "CR_R"),
    ("OBJECT                             = OBJECT2", "OBJECT = OBJECT3", "OBJECT"),
    ("ORIGINATOR", "ORIGINATOR = A\nORIGINATOR", "ORIGINATOR"),
])
def test_bad_cdm_named_errors(shared_data, old, new, field):
    text = _sample_text(shared_data)
    assert old in text
    with pytest.raises(FieldValueError) as err:
        parse_cdm_kvn(text.replace(old, new, 1), "bad.cdm")
    assert err.value.field == field and err.value.path == "bad.cdm"


def test_bad_kvn_line_and_one_segment(shared_data):
    text = _sample_text(shared_data)
    with pytest.raises(FieldValueError, match="not a KVN line") as err:
        parse_cdm_kvn(text.replace("MESSAGE_ID", "this is not kvn\nMESSAGE_ID", 1))
    assert err.value.line == 4
    cut = text[:text.index("OBJECT                             = OBJECT2")]
    with pytest.raises(FieldValueError, match="exactly two"):
        parse_cdm_kvn(cut)


def test_xml_with_dtd_or_entities_refused(shared_data):
    xml = write_cdm_xml(read_cdm(shared_data / SAMPLES / "AlfanoTestCase05.cdm"))
    evil = xml.replace("<cdm ", '<!DOCTYPE cdm [<!ENTITY a "aaaa">]>\n<cdm ', 1)
    with pytest.raises(UnsafeXMLError) as err:
        parse_cdm(evil, "evil.xml")
    assert err.value.path == "evil.xml" and err.value.field == "DTD"
    with pytest.raises(FieldValueError, match="malformed XML"):
        parse_cdm_xml("<cdm><header>")


def test_pc_from_cdm_needs_an_hbr(shared_data):
    cdm = read_cdm(shared_data / SAMPLES / "OmitronTestCase_Test08_3DNc.cdm")
    with pytest.raises(FieldValueError, match="--hbr") as err:
        pc_from_cdm(cdm)
    assert err.value.field == "HBR"
    assert pc_from_cdm(cdm, 20.0).pc == pytest.approx(2.2660816e-20, rel=1e-3)


def test_cli_pc_json(shared_data, capsys):
    path = shared_data / SAMPLES / "OmitronTestCase_Test07_NonPDCovariance.cdm"
    alfano = shared_data / SAMPLES / "AlfanoTestCase01.cdm"
    assert main(["pc", str(alfano), str(path), "--format", "json"]) == 0
    out = capsys.readouterr()
    rows = json.loads(out.out)
    assert [r["file"] for r in rows] == [str(alfano), str(path)]
    assert rows[0]["pc"] == pytest.approx(pc_from_cdm(read_cdm(alfano)).pc, rel=1e-12)
    assert rows[0]["pc"] == pytest.approx(0.146749549, rel=1e-3)  # Alfano (2009) case 1
    assert rows[0]["hbr_m"] == 15.0 and rows[0]["hbr_source"] == "cdm-comment"
    assert rows[0]["tca"] == "2000-01-01T00:00:00.000Z"
    assert rows[1]["pc_stated"] == 0.0 and rows[1]["remediated"] is True
    assert main(["pc", str(alfano), "--hbr", "4", "-f", "csv"]) == 0
    csv_out = capsys.readouterr().out.splitlines()
    assert csv_out[0].startswith("file,tca,miss_m") and ",option," in csv_out[1]


def test_cli_pc_missing_hbr_exits_1(shared_data, capsys):
    path = shared_data / SAMPLES / "OmitronTestCase_Test08_3DNc.cdm"
    assert main(["pc", str(path), "--format", "json"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and "--hbr" in lines[0] and lines[0].startswith("orbwatch: ")
