"""Satellite-catalogue readers: real files from shared data, synthetic rows, bad rows.

The readers' speed on the shared files is measured by ``benchmarks/satcat.py``."""

from __future__ import annotations

import dataclasses
import gzip
import json
from collections import Counter

import pytest

from orbwatch.elements.satcat import (
    CatalogRecord,
    SatcatReadResult,
    infer_object_type,
    merge_by_norad,
    merge_records,
    read_cara_hbr,
    read_celestrak_csv,
    read_celestrak_json,
    read_esri_oio,
    read_satcat,
    read_spacetrack_csv,
    read_spacetrack_json,
    read_trusat_csv,
    read_trusat_satcat_sql,
)
from orbwatch.errors import FieldValueError, FormatNotRecognizedError


def _by_norad(result: SatcatReadResult) -> dict[int, CatalogRecord]:
    return {r.norad: r for r in result.records}




# --- real data -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "rows"), [
    ("esri_oio_2015-07-22.csv.gz", 17158),
    ("esri_oio_2016-10-04.csv.gz", 17830),
    ("esri_oio_2017-11-29.csv.gz", 18818),
    ("esri_oio_2020-07-14.csv.gz", 20886),
])
def test_esri_oio_row_counts(shared_data, name, rows):
    path = shared_data / "satcat" / name
    res = read_satcat(path)
    assert res.format == "esri-oio"
    assert res.errors == []
    assert len(res.records) == rows
    assert len({r.norad for r in res.records}) == rows
    assert all(r.source == "esri-oio" for r in res.records)


def test_esri_oio_2020_lists_usa_245(shared_data):
    recs = _by_norad(read_satcat(shared_data / "satcat" / "esri_oio_2020-07-14.csv.gz"))
    usa245 = recs[39232]
    assert usa245.name == "USA 245"
    assert usa245.owner == "US"
    assert usa245.intldes == "2013-043A"
    assert usa245.apogee_km == 991.0 and usa245.perigee_km == 264.0
    assert usa245.inclination_deg == 97.89 and usa245.period_min == 97.20
    assert usa245.launch_date == "2013-08-28"
    assert usa245.object_type == "unknown"  # the list has no type; the name says nothing
    assert usa245.rcs_size is None and usa245.rcs_m2 is None  # RCSVALUE 0 = not given
    assert recs[45872].object_type == "debris"  # FREGAT DEB
    assert recs[45858].object_type == "rocket body"  # CZ-4B R/B
    assert recs[45872].rcs_size == "SMALL"


def test_esri_oio_2015_header_and_us_dates(shared_data):
    raw = (shared_data / "satcat" / "esri_oio_2015-07-22.csv.gz").read_bytes()
    res = read_esri_oio(raw, "oio2015")
    assert res.records[0].norad == 40666  # the header row is not a record
    assert res.records[0].name == "ARIANE 5 DEB (SYLDA)"
    assert res.records[0].launch_date == "2015-05-27"  # from 5/27/2015
    assert _by_norad(res)[39232].launch_date == "2013-08-28"  # from 8/28/2013


def test_trusat_csv_satcat(shared_data):
    res = read_satcat(shared_data / "satcat" / "celestrak_satcat_2019-08-06_from_trusat.csv.gz")
    assert res.format == "trusat-satcat-csv"
    assert res.errors == []
    assert len(res.records) == 44454
    recs = _by_norad(res)
    assert sorted(recs) == list(range(1, 44455))
    sl1 = recs[1]
    assert (sl1.name, sl1.object_type, sl1.owner) == ("SL-1 R/B", "rocket body", "CIS")
    assert (sl1.intldes, sl1.launch_date, sl1.decay_date) == ("1957-001A", "1957-10-04", "1957-12-01")
    assert sl1.ops_status == "D" and sl1.rcs_m2 == 20.42
    iss = recs[25544]
    assert (iss.owner, iss.object_type, iss.intldes) == ("ISS", "payload", "1998-067A")
    assert iss.decay_date is None  # 0000-00-00
    assert recs[2].rcs_m2 is None  # radar_crosssec -1
    assert recs[44454].name == "FREGAT R/B" and recs[44454].rcs_m2 is None
    counts = Counter(r.object_type for r in res.records)
    assert counts == {"debris": 28905, "payload": 8643, "rocket body": 6100, "unknown": 806}


def test_trusat_sql_dump_matches_decoded_csv(shared_data):
    sql = read_satcat(shared_data / "satcat" / "trusat_celestrak_SATCAT_dump_2019-10-02.sql.gz")
    assert sql.format == "trusat-satcat-sql"
    assert sql.errors == []
    assert len(sql.records) == 44454
    csv_res = read_trusat_csv((shared_data / "satcat" /
                               "celestrak_satcat_2019-08-06_from_trusat.csv.gz").read_bytes())
    for a, b in zip(sql.records, csv_res.records, strict=True):
        assert dataclasses.replace(a, source="x") == dataclasses.replace(b, source="x")
    assert sql.records[0].source == "trusat-satcat-sql"


def test_ucs_dump(shared_data):
    res = read_satcat(shared_data / "satcat" / "trusat_ucs_SATDB_dump.sql.gz")
    assert res.format == "ucs-satdb"
    assert res.errors == []
    assert len(res.records) == 2042
    assert all(r.object_type == "payload" and r.source == "ucs-satdb" for r in res.records)
    recs = {r.name: r for r in res.records}
    # UCS itself gives some catalogue numbers twice (3Cat-1 and Reaktor Hello World: 43728)
    assert sum(n > 1 for n in Counter(r.norad for r in res.records).values()) == 12
    cat = recs["3Cat-1"]
    assert (cat.norad, cat.owner, cat.mass_kg, cat.intldes) == (43728, "Spain", 4.0, "2018-096K")
    assert cat.perigee_km == 476.0 and cat.apogee_km == 500.0
    abs2 = recs["ABS-2 (Koreasat-8, ST-3)"]  # CSV-era quotes stripped
    assert abs2.norad == 39508
    assert abs2.owner == "Multinational"
    assert abs2.apogee_km is None and abs2.period_min == 1436.0  # UCS writes 0 for unknown
    assert "\u00d1uSat-1 (Fresco)" in recs  # UTF-8 that had been read as cp1252 is repaired
    assert "Spot 6 (Syst\u00e8me Probatoire d\u2019Observation de la Terre)" in recs
    assert not any("\u00c3" in (r.name or "") + (r.launch_site or "") for r in res.records)


def test_cara_hbr(shared_data):
    raw = (shared_data / "satcat" / "CARA_HBR_Mass_Estimates_20260601.csv.gz").read_bytes()
    res = read_cara_hbr(raw, "CARA.csv.gz")
    assert res.errors == []
    assert len(res.records) == 58609
    recs = _by_norad(res)
    assert recs[1].hbr_m is None and recs[1].mass_kg is None  # blank in the file
    assert recs[51].hbr_m == pytest.approx(0.964231173853356)
    assert recs[51].mass_kg == pytest.approx(68.5679843290701)
    assert max(recs) == 270449  # analyst numbers beyond Alpha-5 are kept
    assert read_satcat(raw).format == "cara-hbr"


def test_keeptrack_metadata(shared_data):
    res = read_satcat(shared_data / "catalog" / "keeptrack_TLE_2018-08-20.json.gz")
    assert res.format == "keeptrack-json" and res.errors == []
    assert len(res.records) == 17399
    assert Counter(r.object_type for r in res.records) == {
        "payload": 4607, "rocket body": 1804, "debris": 10988}
    iss = _by_norad(res)[25544]
    assert (iss.owner, iss.intldes, iss.launch_site) == ("ISS", "1998-067A", "TTMTR")


# --- synthetic CelesTrak / Space-Track ------------------------------------------------

CELESTRAK_CSV = """\
OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,OPS_STATUS_CODE,OWNER,LAUNCH_DATE,LAUNCH_SITE,DECAY_DATE,PERIOD,INCLINATION,APOGEE,PERIGEE,RCS,DATA_STATUS_CODE,ORBIT_CENTER,ORBIT_TYPE
ISS (ZARYA),1998-067A,25544,PAY,+,ISS,1998-11-20,TTMTR,,92.68,51.64,421,415,399.0524,,EA,ORB
SL-1 R/B,1957-001A,1,R/B,D,CIS,1957-10-04,TYMSC,1957-12-01,96.19,65.10,938,214,20.4200,,EA,IMP
BAD TYPE,1957-001B,2,XYZ,D,CIS,1957-10-04,TYMSC,1958-01-03,96.10,65.00,1080,64,,,EA,IMP
NO NUMBER,2000-001A,abc,PAY,,US,2000-01-01,AFETR,,,,,,,,EA,ORB
OBJECT A,2020-001A,45000,UNK,,US,2020-01-07,AFETR,,95.1,53.0,550,540,,,EA,ORB
FENGYUN 1C DEB,1999-025AAA,29000,DEB,,PRC,1999-05-10,TSC,,101.5,98.9,900,800,0.0123,,EA,ORB
BAD DATE,2001-001A,30000,PAY,+,US,2001-02-30,AFETR,,,,,,,,EA,ORB
SHORT ROW,2001-001B,30001
"""


def test_celestrak_csv_good_and_bad_rows():
    res = read_celestrak_csv(CELESTRAK_CSV, "satcat.csv")
    recs = _by_norad(res)
    assert sorted(recs) == [1, 25544, 29000, 45000]
    iss = recs[25544]
    assert (iss.object_type, iss.owner, iss.launch_site, iss.ops_status) == ("payload", "ISS", "TTMTR", "+")
    assert (iss.period_min, iss.rcs_m2, iss.decay_date) == (92.68, 399.0524, None)
    assert recs[1].object_type == "rocket body" and recs[1].decay_date == "1957-12-01"
    assert recs[29000].object_type == "debris" and recs[29000].intldes == "1999-025AAA"
    assert recs[45000].object_type == "unknown"
    assert all(r.source == "celestrak-satcat" for r in res.records)
    errs = {e.line: e for e in res.errors}
    assert sorted(errs) == [4, 5, 8, 9]
    assert all(isinstance(e, FieldValueError) and e.path == "satcat.csv" for e in res.errors)
    assert (errs[4].field, errs[4].found, errs[4].record) == ("OBJECT_TYPE", "XYZ", 3)
    assert "PAY, R/B, DEB or UNK" in str(errs[4])
    assert (errs[5].field, errs[5].found) == ("NORAD_CAT_ID", "abc")
    assert errs[8].field == "LAUNCH_DATE" and errs[8].found == "2001-02-30"
    assert errs[9].expected == "17 columns" and errs[9].found == "3"
    assert str(errs[4]).startswith("satcat.csv line 4: OBJECT_TYPE:")


def test_celestrak_json_numbers_and_nulls():
    data = json.dumps([
        {"OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A", "NORAD_CAT_ID": 25544,
         "OBJECT_TYPE": "PAY", "OPS_STATUS_CODE": "+", "OWNER": "ISS", "LAUNCH_DATE": "1998-11-20",
         "LAUNCH_SITE": "TTMTR", "DECAY_DATE": None, "PERIOD": 92.68, "INCLINATION": 51.64,
         "APOGEE": 421, "PERIGEE": 415, "RCS": None, "DATA_STATUS_CODE": None,
         "ORBIT_CENTER": "EA", "ORBIT_TYPE": "ORB"},
        {"OBJECT_NAME": "X", "NORAD_CAT_ID": 99999999, "OBJECT_TYPE": "PAY", "PERIOD": "nan"},
        {"OBJECT_NAME": "Y", "NORAD_CAT_ID": None},
        "not an object",
    ])
    res = read_celestrak_json(data.encode())
    assert [r.norad for r in res.records] == [25544]
    iss = res.records[0]
    assert iss.apogee_km == 421.0 and iss.rcs_m2 is None and iss.decay_date is None
    assert [(e.record, e.field) for e in res.errors] == [
        (4, None), (2, "PERIOD"), (3, "NORAD_CAT_ID")]
    assert read_satcat(data).format == "celestrak-satcat-json"


SPACETRACK_JSON = [
    {"INTLDES": "1998-067A", "NORAD_CAT_ID": "25544", "OBJECT_TYPE": "PAYLOAD",
     "SATNAME": "ISS (ZARYA)", "COUNTRY": "ISS", "LAUNCH": "1998-11-20", "SITE": "TTMTR",
     "DECAY": None, "PERIOD": "92.68", "INCLINATION": "51.64", "APOGEE": "421", "PERIGEE": "415",
     "COMMENT": None, "COMMENTCODE": None, "RCSVALUE": "0", "RCS_SIZE": "LARGE", "FILE": "7000",
     "LAUNCH_YEAR": "1998", "LAUNCH_NUM": "67", "LAUNCH_PIECE": "A", "CURRENT": "Y",
     "OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A", "OBJECT_NUMBER": "25544"},
    {"INTLDES": "1957-001A", "NORAD_CAT_ID": "1", "OBJECT_TYPE": "ROCKET BODY",
     "SATNAME": "SL-1 R/B", "COUNTRY": "CIS", "LAUNCH": "1957-10-04", "SITE": "TYMSC",
     "DECAY": "1957-12-01", "PERIOD": "96.19", "INCLINATION": "65.10", "APOGEE": "938",
     "PERIGEE": "214", "RCSVALUE": "0", "RCS_SIZE": None, "CURRENT": "N"},
    {"INTLDES": "2019-029BC", "NORAD_CAT_ID": "44333", "OBJECT_TYPE": "TBA",
     "SATNAME": "STARLINK DEB", "COUNTRY": "US", "LAUNCH": "2019-05-24", "PERIOD": "",
     "RCSVALUE": "0", "RCS_SIZE": "HUGE"},
    {"INTLDES": "2019-029BD", "NORAD_CAT_ID": "44334", "OBJECT_TYPE": "TBA",
     "SATNAME": "OBJECT BD", "COUNTRY": "US", "PERIOD": "ninety", "RCSVALUE": "0"},
    {"INTLDES": "2019-029BE", "NORAD_CAT_ID": "44335", "OBJECT_TYPE": "DEBRIS",
     "SATNAME": "FALCON 9 DEB", "COUNTRY": "US", "PERIOD": None, "RCSVALUE": None,
     "RCS_SIZE": "small"},
]


def test_spacetrack_json_string_numbers_and_nulls():
    res = read_spacetrack_json(json.dumps(SPACETRACK_JSON), "st.json")
    recs = _by_norad(res)
    assert sorted(recs) == [1, 25544, 44335]
    iss = recs[25544]
    assert (iss.name, iss.owner, iss.object_type, iss.rcs_size) == ("ISS (ZARYA)", "ISS", "payload", "LARGE")
    assert (iss.period_min, iss.apogee_km, iss.rcs_m2, iss.decay_date) == (92.68, 421.0, None, None)
    assert recs[1].object_type == "rocket body" and recs[1].decay_date == "1957-12-01"
    assert recs[44335].rcs_size == "SMALL" and recs[44335].object_type == "debris"
    assert all(r.source == "spacetrack-satcat" for r in res.records)
    assert [(e.record, e.field, e.found) for e in res.errors] == [
        (3, "RCS_SIZE", "HUGE"), (4, "PERIOD", "ninety")]
    assert all(e.line is None and e.path == "st.json" for e in res.errors)
    assert read_satcat(json.dumps(SPACETRACK_JSON).encode()).format == "spacetrack-satcat-json"


def test_spacetrack_csv():
    text = (
        "INTLDES,NORAD_CAT_ID,OBJECT_TYPE,SATNAME,COUNTRY,LAUNCH,SITE,DECAY,PERIOD,INCLINATION,"
        "APOGEE,PERIGEE,COMMENT,COMMENTCODE,RCSVALUE,RCS_SIZE,FILE,LAUNCH_YEAR,LAUNCH_NUM,"
        "LAUNCH_PIECE,CURRENT,OBJECT_NAME,OBJECT_ID,OBJECT_NUMBER\n"
        '1998-067A,25544,PAYLOAD,"ISS (ZARYA)",ISS,1998-11-20,TTMTR,,92.68,51.64,421,415,,,0,'
        "LARGE,7000,1998,67,A,Y,ISS (ZARYA),1998-067A,25544\n"
        "2013-043A,39232,PAYLOAD,USA 245,US,2013-08-28,AFWTR,,,,,,,,0,,7000,2013,43,A,Y,"
        "USA 245,2013-043A,39232\n"
        "2013-043B,,ROCKET BODY,DELTA 4 R/B,US,2013-08-28,AFWTR,,,,,,,,0,,7000,2013,43,B,Y,"
        "DELTA 4 R/B,2013-043B,\n"
    )
    res = read_spacetrack_csv(text)
    assert [r.norad for r in res.records] == [25544, 39232]
    assert res.records[1].period_min is None and res.records[1].launch_site == "AFWTR"
    (err,) = res.errors
    assert (err.line, err.record, err.field) == (4, 3, "NORAD_CAT_ID")
    assert read_satcat(text).format == "spacetrack-satcat-csv"


# --- dispatcher, gzip, SQL tokenizer -------------------------------------------------


def test_gzip_and_headerless_esri_are_sniffed():
    rows = ("2013-043A,USA 245,39232,US,97.20,97.89,991,264,,0,2013-08-28,\n"
            "1986-073J,NOAA 10 DEB,45862,US,100.82,98.49,812,783,,0,1986-09-17,\n")
    res = read_satcat(gzip.compress(rows.encode()), "oio.csv.gz")
    assert res.format == "esri-oio"
    assert [r.norad for r in res.records] == [39232, 45862]
    assert res.records[1].object_type == "debris"
    assert read_satcat(gzip.compress(CELESTRAK_CSV.encode())).format == "celestrak-satcat-csv"


def test_unknown_format_is_named():
    with pytest.raises(FormatNotRecognizedError) as exc:
        read_satcat(b"a,b,c\n1,2,3\n", "mystery.csv")
    assert exc.value.path == "mystery.csv" and exc.value.line == 1
    assert "esri-oio" in exc.value.expected and exc.value.found == "a,b,c"
    with pytest.raises(FormatNotRecognizedError):
        read_satcat(b'[{"foo": 1}]')
    with pytest.raises(FormatNotRecognizedError):
        read_celestrak_csv("OBJECT_NAME,OBJECT_ID\nX,1998-067A\n")


SQL_DUMP = r"""-- dump
CREATE TABLE `celestrak_SATCAT` (`sat_cat_id` int(11));
INSERT INTO `celestrak_SATCAT` (`sat_cat_id`, `intl_desg`, `norad_num`, `payload_flag`, `name`, `source`, `launch_date`, `decay_date`, `orbit_period_minutes`, `radar_crosssec`) VALUES ('1', X'313935372d30303141', '1', '0', X'534c2d3120522f42', X'434953', '1957-10-04', '1957-12-01', '96', '20.42'),
('2', '1957-001B', '2', '1', 'O\'NEIL (1), \"TEST\", a''b', 'CIS', '1957-10-04', NULL, -1, NULL),
('3', '1957-002A', 3, 1, 'BROKEN ('unterminated, 'CIS'),
('4', '1958-001A', 'four', '1', 'EXPLORER 1', 'US', '1958-02-01', '1970-03-31', '89', '-1'),
('6', '1958-003A' ),
( '7' , '1958-002B' , 7 , 1 , 'VANGUARD 1' , 'US', '1958-03-17', '0000-00-00', '133', '0.122');
INSERT INTO `other_table` (`a`) VALUES ('x');
"""


def test_sql_tokenizer_strings_nulls_and_bad_tuples():
    res = read_trusat_satcat_sql(SQL_DUMP, "dump.sql")
    recs = _by_norad(res)
    assert sorted(recs) == [1, 2, 7]
    assert recs[1].name == "SL-1 R/B" and recs[1].owner == "CIS" and recs[1].intldes == "1957-001A"
    assert recs[2].name == "O'NEIL (1), \"TEST\", a'b"
    assert recs[2].decay_date is None and recs[2].period_min is None and recs[2].rcs_m2 is None
    assert recs[7].rcs_m2 == 0.122 and recs[7].decay_date is None
    bad = {e.record: e for e in res.errors}
    assert sorted(bad) == [3, 4, 5]
    assert bad[3].line == 5 and "malformed" in bad[3].message
    assert (bad[4].line, bad[4].field, bad[4].found) == (6, "norad_num", "four")
    assert (bad[5].line, bad[5].expected, bad[5].found) == (7, "10 columns", "2")
    assert read_satcat(SQL_DUMP.encode()).format == "trusat-satcat-sql"


# --- helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [
    ("SL-1 R/B", "rocket body"), ("ARIANE 5 DEB (SYLDA)", "debris"), ("FREGAT DEB", "debris"),
    ("SL-8 R/B(2)", "rocket body"), ("COSMOS 2251 DEB", "debris"), ("ISS DEB [TOOL BAG]", "debris"),
    ("SNAPSHOT COOLANT", "debris"), ("SOME FRAGMENT", "debris"), ("DEBUT (ORIZURU)", "unknown"),
    ("USA 245", "unknown"), (None, "unknown"), ("", "unknown"),
])
def test_infer_object_type(name, kind):
    assert infer_object_type(name) == kind


def test_catalog_record_is_frozen_and_checked():
    rec = CatalogRecord(norad=5, source="x")
    assert rec.object_type == "unknown" and rec.name is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.norad = 6  # type: ignore[misc]
    with pytest.raises(ValueError, match="object_type"):
        CatalogRecord(norad=5, source="x", object_type="satellite")
    assert not hasattr(rec, "__dict__")  # slots


def test_merge_records():
    a = CatalogRecord(norad=25544, source="celestrak-satcat", name="ISS (ZARYA)", owner="ISS",
                      object_type="payload", rcs_m2=399.05, period_min=92.68)
    b = CatalogRecord(norad=25544, source="spacetrack-satcat", name="ISS", rcs_size="LARGE",
                      period_min=92.7)
    c = CatalogRecord(norad=25544, source="cara-hbr", hbr_m=50.0, mass_kg=420000.0)
    m = merge_records([a, b, c])
    assert m.source == "celestrak-satcat+spacetrack-satcat+cara-hbr"
    assert (m.name, m.owner, m.object_type, m.period_min) == ("ISS", "ISS", "payload", 92.7)
    assert (m.rcs_m2, m.rcs_size, m.hbr_m, m.mass_kg) == (399.05, "LARGE", 50.0, 420000.0)
    assert merge_records([m, a]).source == "celestrak-satcat+spacetrack-satcat+cara-hbr"
    with pytest.raises(ValueError):
        merge_records([a, CatalogRecord(norad=1, source="x")])
    with pytest.raises(ValueError):
        merge_records([])
    merged = merge_by_norad([a, CatalogRecord(norad=1, source="x"), c])
    assert list(merged) == [25544, 1] and merged[25544].hbr_m == 50.0


def test_merge_real_sources(shared_data):
    sat = shared_data / "satcat"
    records = (read_satcat(sat / "celestrak_satcat_2019-08-06_from_trusat.csv.gz").records
               + read_satcat(sat / "esri_oio_2020-07-14.csv.gz").records
               + read_satcat(sat / "CARA_HBR_Mass_Estimates_20260601.csv.gz").records)
    merged = merge_by_norad(records)
    iss = merged[25544]
    assert iss.source == "trusat-satcat-csv+esri-oio+cara-hbr"
    assert iss.object_type == "payload" and iss.owner == "ISS"
    assert iss.hbr_m is not None and iss.mass_kg is not None
    usa245 = merged[39232]  # classified: CARA lists no estimate for it
    assert usa245.source == "trusat-satcat-csv+esri-oio"
    assert (usa245.object_type, usa245.apogee_km, usa245.period_min) == ("payload", 991.0, 97.20)
