"""TLE parsing: valid edge cases read to the right values, invalid ones
each give their named error (and the template above the line)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbwatch.elements.tle import (
    TEMPLATE_1,
    alpha5_to_int,
    checksum,
    format_tle,
    int_to_alpha5,
    parse_tle,
    read_tle,
)
from orbwatch.errors import (
    CatalogNumberMismatchError,
    ChecksumError,
    ColumnLayoutError,
    EpochError,
    ExponentError,
    MeanMotionError,
    NonAsciiError,
    ParseError,
)
from orbwatch.time import format_iso, parse_iso

ISS1 = "1 25544U 98067A   21001.22196045  .00001488  00000-0  34854-4 0  9992"
ISS2 = "2 25544  51.6464  88.5894 0001153 173.6665  39.5832 15.49246091262713"
VAN1 = "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753"
VAN2 = "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667"


def fix(line: str) -> str:
    """Recompute the checksum of a hand-edited line."""
    return line[:68] + str(checksum(line))


def test_iss_values():
    es = parse_tle(ISS1, ISS2, "0 ISS (ZARYA)")
    assert es.norad == 25544
    assert es.name == "ISS (ZARYA)"
    assert es.intldes == "1998-067A"
    assert format_iso(es.epoch_us) == "2021-01-01T05:19:37.382880Z"
    assert es.mean_motion == 15.49246091
    assert es.eccentricity == pytest.approx(0.0001153, abs=1e-12)
    assert es.inclination == 51.6464
    assert es.raan == 88.5894
    assert es.arg_perigee == 173.6665
    assert es.mean_anomaly == 39.5832
    assert es.bstar == pytest.approx(0.34854e-4, rel=1e-12)
    assert es.mean_motion_dot == 0.00001488
    assert es.mean_motion_ddot == 0.0
    assert es.element_set_no == 999
    assert es.rev_at_epoch == 26271


@pytest.mark.parametrize(
    "field,expected",
    [("A0000", 100000), ("Z9999", 339999), ("J1234", 181234), ("00005", 5), ("    5", 5),
     ("99999", 99999)],
)
def test_alpha5(field, expected):
    assert alpha5_to_int(field) == expected
    assert alpha5_to_int(int_to_alpha5(expected)) == expected


def test_alpha5_rejects_i_and_o_and_too_big():
    with pytest.raises(ValueError):
        alpha5_to_int("I0000")
    with pytest.raises(ValueError):
        alpha5_to_int("O1234")
    with pytest.raises(ValueError, match="use OMM"):
        int_to_alpha5(340000)


def test_alpha5_in_a_tle():
    l1 = fix(ISS1.replace("25544U", "A0000U"))
    l2 = fix(ISS2.replace("2 25544", "2 A0000"))
    assert parse_tle(l1, l2).norad == 100000
    l1 = fix(ISS1.replace("25544U", "Z9999U"))
    l2 = fix(ISS2.replace("2 25544", "2 Z9999"))
    es = parse_tle(l1, l2)
    assert es.norad == 339999
    assert format_tle(es) == (l1, l2)


@pytest.mark.parametrize("yy,year", [("56", 2056), ("57", 1957), ("99", 1999), ("00", 2000)])
def test_year_rollover(yy, year):
    l1 = fix(ISS1[:18] + yy + ISS1[20:])
    if year > 2030:
        es = parse_tle(l1, ISS2)  # no future check without a limit
    else:
        es = parse_tle(l1, ISS2)
    assert format_iso(es.epoch_us).startswith(f"{year}-01-01")


def test_space_padded_catalogue_number():
    l1 = "1     5U 58002B   19352.86539842  .00000184  00000-0  20948-3 0  9994"
    l2 = "2     5  34.2610  67.7117 1845282 255.2293  83.7559 10.84789954185624"
    es = parse_tle(l1, l2)
    assert es.norad == 5


def test_negative_ndot_and_bstar_and_exponent_forms():
    l1 = "1 04632U 70093B   04031.91070959 -.00000084  00000-0  10000-3 0  9955"
    l2 = "2 04632  11.4628 273.1101 1450506 207.6000 143.9350  1.20231981 44145"
    es = parse_tle(l1, l2)
    assert es.mean_motion_dot == -0.00000084
    assert es.bstar == pytest.approx(1e-4)
    # negative BSTAR, explicit '+' signs (as some providers write them)
    l1b = fix("1 36508U 10013A   10117.92120859 +.00000003 +00000-0 -71526-5 0  9996")
    l2b = "2 36508 092.0226 291.4966 0012238 206.4690 153.5918 14.52135660002800"
    es = parse_tle(l1b, l2b)
    assert es.bstar == pytest.approx(-0.71526e-5, rel=1e-12)
    assert es.mean_motion_dot == 3e-8
    # positive exponent on nddot
    l1c = fix(l1b[:44] + " 12345+1" + l1b[52:])
    assert parse_tle(l1c, l2b).mean_motion_ddot == pytest.approx(1.2345)


# ----- invalid records: named error, message shows what was expected -------

def test_checksum_plus_minus_one():
    good = int(ISS1[68])
    for bad in ((good + 1) % 10, (good - 1) % 10):
        with pytest.raises(ChecksumError) as info:
            parse_tle(ISS1[:68] + str(bad), ISS2)
        msg = str(info.value)
        assert f"expected {good}" in msg
        assert TEMPLATE_1 in msg  # template shown above the line
    # relaxed
    assert parse_tle(ISS1[:68] + str((good + 1) % 10), ISS2, verify_checksum=False).norad == 25544


def test_one_column_shift():
    shifted = " " + ISS1[:68]
    with pytest.raises(ColumnLayoutError):
        parse_tle(shifted, ISS2)
    shifted = ISS1[:18] + " " + ISS1[18:67]  # epoch and all after it one column right
    with pytest.raises(ColumnLayoutError, match="column 33 must be blank"):
        parse_tle(fix(shifted), ISS2)
    shifted = ISS2[:8] + ISS2[9:] + " "  # inclination one column left
    with pytest.raises(ColumnLayoutError):
        parse_tle(ISS1, fix(shifted))


def test_non_breaking_space():
    bad = ISS1.replace("  00000-0", " \u00a000000-0", 1)
    with pytest.raises(NonAsciiError, match="U\\+00A0 NO-BREAK SPACE at column 45"):
        parse_tle(bad, ISS2)


def test_mismatched_catalogue_numbers():
    with pytest.raises(CatalogNumberMismatchError, match="25544 as on line 1"):
        parse_tle(ISS1, fix(ISS2.replace("25544", "25545")))


def test_day_366_in_non_leap_year():
    l1 = fix(ISS1[:18] + "21366.50000000" + ISS1[32:])
    with pytest.raises(EpochError, match="not a leap year"):
        parse_tle(l1, ISS2)
    # but fine in a leap year
    l1 = fix(ISS1[:18] + "20366.50000000" + ISS1[32:])
    assert format_iso(parse_tle(l1, ISS2).epoch_us).startswith("2020-12-31T12")


def test_day_zero():
    with pytest.raises(EpochError):
        parse_tle(fix(ISS1[:18] + "21000.50000000" + ISS1[32:]), ISS2)


def test_future_epoch_beyond_tolerance():
    text = f"{ISS1}\n{ISS2}\n"
    now = parse_iso("2020-12-01T00:00:00Z")
    r = read_tle(text, now=now, future_tolerance_days=30)
    assert not r.sets and isinstance(r.errors[0], EpochError)
    assert read_tle(text, now=now, future_tolerance_days=40).sets


def test_malformed_exponent():
    l1 = fix(ISS1[:53] + " 34854-X" + ISS1[61:])
    with pytest.raises(ExponentError, match="BSTAR"):
        parse_tle(l1, ISS2)
    l1 = fix(ISS1[:53] + " 3485E-4" + ISS1[61:])
    with pytest.raises(ExponentError):
        parse_tle(l1, ISS2)


def test_negative_mean_motion():
    l2 = fix(ISS2[:52] + "-5.49246091" + ISS2[63:])
    with pytest.raises(MeanMotionError):
        parse_tle(ISS1, l2)


def test_line_too_short():
    with pytest.raises(ColumnLayoutError, match="69 columns"):
        parse_tle(ISS1[:60], ISS2)


# ----- reader behaviour ------------------------------------------------------

def test_reader_3le_2le_and_bad_record_in_the_middle():
    text = "\n".join([
        "ISS (ZARYA)", ISS1, ISS2,
        "0 VANGUARD 1", VAN1, VAN2[:68] + "0",  # bad checksum
        VAN1, VAN2,
    ])
    r = read_tle(text, path="mix.tle")
    assert [s.norad for s in r.sets] == [25544, 5]
    assert r.sets[0].name == "ISS (ZARYA)"
    assert r.sets[1].name is None
    assert len(r.errors) == 1 and isinstance(r.errors[0], ChecksumError)
    assert r.errors[0].line == 6 and r.errors[0].path == "mix.tle"
    assert r.records == 3


def test_reader_orphans():
    r = read_tle(f"{ISS2}\n{ISS1}\nNAME ONLY\n")
    assert not r.sets
    kinds = [type(e).__name__ for e in r.errors]
    assert kinds == ["ColumnLayoutError"] * 3


def test_trailing_fields_kept():
    r = read_tle(f"{VAN1}\n{VAN2}     0.00      4320.0        360.00\n")
    assert r.sets[0].extra["trailing"].split() == ["0.00", "4320.0", "360.00"]


def test_round_trip_real_lines():
    for l1, l2 in ((ISS1, ISS2), (VAN1, VAN2)):
        es = parse_tle(l1, l2)
        w1, w2 = format_tle(es)
        assert parse_tle(w1, w2).key() == es.key()


# ----- property-based -----------------------------------------------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_sets_or_parse_errors(data):
    r = read_tle(data.decode("utf-8", errors="replace"))
    for e in r.errors:
        assert isinstance(e, ParseError)
    for s in r.sets:
        assert 0 <= s.eccentricity < 1 and s.mean_motion > 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_arbitrary_edits_of_a_valid_tle(data):
    """Random single-character edits: either still valid, or a ParseError."""
    line = data.draw(st.sampled_from([0, 1]))
    col = data.draw(st.integers(0, 68))
    ch = data.draw(st.characters(min_codepoint=32, max_codepoint=0xFF))
    lines = [ISS1, ISS2]
    lines[line] = lines[line][:col] + ch + lines[line][col + 1:]
    try:
        es = parse_tle(*lines)
    except ParseError:
        return
    assert es.norad >= 0


@settings(max_examples=200, deadline=None)
@given(
    norad=st.integers(0, 339999),
    epoch=st.integers(parse_iso("1957-10-04"), parse_iso("2056-12-31")),
    n=st.floats(0.05, 17.0),
    e=st.floats(0.0, 0.9999999),
    i=st.floats(0.0, 180.0),
    raan=st.floats(0.0, 359.9999),
    argp=st.floats(0.0, 359.9999),
    m=st.floats(0.0, 359.9999),
    bstar=st.floats(-0.9, 0.9),
    ndot=st.floats(-0.9, 0.9),
)
def test_export_then_parse_round_trips(norad, epoch, n, e, i, raan, argp, m, bstar, ndot):
    from orbwatch.elements.model import ElementSet

    es = ElementSet(norad=norad, epoch_us=epoch, mean_motion=round(n, 8),
                    eccentricity=round(e, 7), inclination=round(i, 4), raan=round(raan, 4),
                    arg_perigee=round(argp, 4), mean_anomaly=round(m, 4), bstar=bstar,
                    mean_motion_dot=round(ndot, 8), intldes="2020-001A")
    if es.eccentricity >= 1 or es.mean_motion <= 0:
        return
    l1, l2 = format_tle(es)
    back = parse_tle(l1, l2)
    assert back.norad == norad
    assert abs(back.epoch_us - epoch) <= 432  # TLE epoch resolution: 0.864 ms
    assert back.mean_motion == pytest.approx(es.mean_motion, abs=1e-8)
    assert back.eccentricity == pytest.approx(es.eccentricity, abs=1e-7)
    assert math.isclose(back.bstar, bstar, rel_tol=1e-4, abs_tol=1e-14)
    # a second round trip is exact
    assert format_tle(back) == (l1, l2)
