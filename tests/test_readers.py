"""Format sniffing and the any-format reader: arbitrary bytes give either
valid records or the project's own parse errors, never anything else."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbwatch.elements.omm import write_omm_json
from orbwatch.elements.readers import read_bytes, sniff_format
from orbwatch.elements.tle import format_tle, parse_tle
from orbwatch.errors import FormatNotRecognizedError, ParseError

ISS1 = "1 25544U 98067A   21001.22196045  .00001488  00000-0  34854-4 0  9992"
ISS2 = "2 25544  51.6464  88.5894 0001153 173.6665  39.5832 15.49246091262713"

PREFIXES = [b"", b"[", b"{", b"<", b"1 25544U ", b"CCSDS_OMM_VERS = 2.0\n",
            b"OBJECT_NAME,EPOCH,MEAN_MOTION\n", b"\x1f\x8b", b"INSERT INTO `x` VALUES "]


@settings(max_examples=int(__import__("os").environ.get("ORBWATCH_FUZZ", "400")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=300))
def test_arbitrary_bytes_give_records_or_parse_errors(prefix, body):
    try:
        out = read_bytes(prefix + body, path="fuzz")
    except ParseError:
        return
    for e in out.errors:
        assert isinstance(e, ParseError)
    for s in out.sets:
        assert 0 <= s.eccentricity < 1 and s.mean_motion > 0


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["tle", "omm-json", "gzip"]), st.integers(0, 3))
def test_export_then_read_round_trips(kind, shift):
    es = parse_tle(ISS1, ISS2, "ISS (ZARYA)")
    if kind == "omm-json":
        data = write_omm_json([es]).encode()
    else:
        data = ("ISS (ZARYA)\n" + "\n".join(format_tle(es)) + "\n").encode()
        if kind == "gzip":
            data = gzip.compress(data)
    if kind != "gzip":
        data = b"\n" * shift + data
    (back,) = read_bytes(data, future_tolerance_days=None).sets
    assert back.key() == es.key() and back.name == "ISS (ZARYA)"


@pytest.mark.parametrize("text,fmt", [
    (f"{ISS1}\n{ISS2}\n", "tle"),
    (f"0 ISS\n{ISS1}\n{ISS2}\n", "tle"),
    ('[{"OBJECT_NAME": "X", "EPOCH": "2020-01-01T00:00:00"}]', "omm-json"),
    ('[{"TLE1": "1 ...", "ON": "X"}]', "keeptrack-json"),
    ('[{"INTLDES": "1998-067A", "SATNAME": "ISS"}]', "satcat"),
    ("<?xml version='1.0'?><ndm/>", "omm-xml"),
    ("CCSDS_OMM_VERS = 2.0\n", "omm-kvn"),
    ("OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION\n", "omm-csv"),
    ("ObjectID,HBR,HBRSigma\n1,2,3\n", "satcat"),
    ("-- MySQL dump\nINSERT INTO `t` VALUES (1);\n", "satcat"),
    ("hello world\n", "unknown"),
])
def test_sniff(text, fmt):
    assert sniff_format(text) == fmt


def test_unknown_content_is_one_named_error():
    with pytest.raises(FormatNotRecognizedError, match="expected TLE/3LE lines"):
        read_bytes(b"Dear analyst\nplease find attached...\n", path="letter.txt")


def test_corrupt_gzip_is_named():
    with pytest.raises(FormatNotRecognizedError, match="gzip"):
        read_bytes(gzip.compress(b"x" * 100)[:20], path="cut.gz")
