"""Every element-set and catalogue file in the shared data reads, with the
record and object counts SOURCES.md states (or that were measured and are
pinned here), and files that hold no orbital data are refused by name."""

from __future__ import annotations

import pytest

from orbwatch.elements.readers import read_path
from orbwatch.errors import ExponentError, FormatNotRecognizedError
from orbwatch.store import Store, ingest_path

# path: (format, records, valid sets or catalogue records, distinct objects, rejected)
ELEMENT_FILES = {
    "catalog/esri_tle_2015-05-27.txt.gz": ("tle", 15090, 15090, 15090, 0),
    "catalog/esri_tle_2016-10-02.txt.gz": ("tle", 15628, 15628, 15627, 0),
    "catalog/esri_tle_2017-11-28.txt.gz": ("tle", 16737, 16737, 16736, 0),
    "catalog/esri_tle_2020-07-13.txt.gz": ("tle", 19335, 19335, 19335, 0),
    "catalog/everm1ss_leo_3le_2026-06-10.txt.gz": ("tle", 16032, 16032, 16032, 0),
    "catalog/keeptrack_TLE3_2022-08-16.txt.gz": ("tle", 23995, 23995, 23995, 0),
    "catalog/keeptrack_TLE3_2022-10-28.txt.gz": ("tle", 23909, 23909, 23909, 0),
    "catalog/keeptrack_TLE3_2023-03-26.txt.gz": ("tle", 24516, 24516, 24516, 0),
    "catalog/keeptrack_TLE3_2023-04-13.txt.gz": ("tle", 24548, 24548, 24548, 0),
    "catalog/keeptrack_TLE_2017-03-18.json.gz": ("keeptrack-json", 15944, 15944, 15944, 0),
    "catalog/keeptrack_TLE_2017-04-27.json.gz": ("keeptrack-json", 16475, 16475, 16475, 0),
    "catalog/keeptrack_TLE_2018-08-20.json.gz": ("keeptrack-json", 17399, 17399, 17399, 0),
    "catalog/odap_spacetrack_3le_2019-12-19.txt.gz": ("tle", 18470, 18470, 18470, 0),
    "debris/celestrak_groups_2021-10-02/1999-025.txt": ("tle", 2686, 2686, 2686, 0),
    "debris/celestrak_groups_2021-10-02/2019-006.txt": ("tle", 1, 1, 1, 0),
    "debris/celestrak_groups_2021-10-02/cosmos-2251-debris.txt": ("tle", 1048, 1048, 1048, 0),
    "debris/celestrak_groups_2021-10-02/iridium-33-debris.txt": ("tle", 332, 332, 332, 0),
    "debris/celestrak_groups_2025-02-15/cosmos-2251-debris.txt": ("tle", 641, 641, 641, 0),
    "debris/celestrak_groups_2025-02-15/fengyun-1c-debris.txt": ("tle", 1918, 1918, 1918, 0),
    "debris/celestrak_groups_2025-02-15/iridium-33-debris.txt": ("tle", 119, 119, 119, 0),
    "debris/keeptrack/keeptrack_TLEdebris_2020-09-13.json.gz":
        ("keeptrack-json", 11308, 11308, 11308, 0),
    "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt": ("tle", 2096, 2096, 1, 0),
    "maneuvers/iss_history/ISS_25544_tle_1998-11-20_2004-12-31.txt.gz":
        ("tle", 10214, 10214, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/CryoSat-2.tle": ("tle", 4310, 4310, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Fengyun-2D.tle": ("tle", 1189, 1189, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Fengyun-2E.tle": ("tle", 2377, 2377, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Fengyun-2F.tle": ("tle", 2987, 2987, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Fengyun-4A.tle": ("tle", 1307, 1307, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Jason-1.tle": ("tle", 3998, 3998, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Jason-2.tle": ("tle", 3923, 3923, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Sentinel-3A.tle": ("tle", 2387, 2387, 1, 0),
    "maneuvers/shorten_tle_benchmark/processed_files/Sentinel-6A.tle": ("tle", 665, 665, 1, 0),
    # one record of the upstream TOPEX file has a BSTAR field '+0153801' (no exponent sign)
    "maneuvers/shorten_tle_benchmark/processed_files/TOPEX.tle": ("tle", 4136, 4135, 1, 1),
    "rpo/anakesh_cosmos2542_usa245_tles.txt": ("tle", 6, 6, 2, 0),
    # Vallado's verification file has three lines with wrong checksums on purpose
    "sgp4_verification/SGP4-VER.TLE": ("tle", 33, 30, 29, 3),
    "sgp4_verification/sample_omm.csv": ("omm-csv", 1, 1, 1, 0),
    "sgp4_verification/sample_omm.json": ("omm-json", 1, 1, 1, 0),
    "sgp4_verification/sample_omm.xml": ("omm-xml", 1, 1, 1, 0),
}

CATALOG_FILES = {
    "satcat/CARA_HBR_Mass_Estimates_20260601.csv.gz": 58609,
    "satcat/celestrak_satcat_2019-08-06_from_trusat.csv.gz": 44454,
    "satcat/esri_oio_2015-07-22.csv.gz": 17158,
    "satcat/esri_oio_2016-10-04.csv.gz": 17830,
    "satcat/esri_oio_2017-11-29.csv.gz": 18818,
    "satcat/esri_oio_2020-07-14.csv.gz": 20886,
    "satcat/trusat_celestrak_SATCAT_dump_2019-10-02.sql.gz": 44454,
    "satcat/trusat_ucs_SATDB_dump.sql.gz": 2042,
}

NOT_ORBITAL = [
    "satcat/CARA_HBR_Mass_Estimates_README.txt",
    "maneuvers/shorten_tle_benchmark/raw_manoeuvres/cs2man.txt",
    "maneuvers/shorten_tle_benchmark/raw_manoeuvres/manFY2D.txt.fy",
    "conjunctions/cara_cdms/SampleCDMs/AlfanoTestCase01.cdm",
    "rpo/anakesh_cosmos2542_state_vectors_2020-01-02.json",
    "merkle_vectors/inclusion/1/happy-path.json",
]


@pytest.mark.parametrize("rel", sorted(ELEMENT_FILES))
def test_element_file_reads_with_expected_counts(shared_data, rel):
    fmt, records, valid, objects, rejected = ELEMENT_FILES[rel]
    out = read_path(shared_data / rel, future_tolerance_days=None)
    assert out.format == fmt
    assert out.records == records
    assert len(out.sets) == valid
    assert len({s.norad for s in out.sets}) == objects
    assert len(out.errors) == rejected


def test_topex_reject_is_the_malformed_exponent(shared_data):
    out = read_path(shared_data / "maneuvers/shorten_tle_benchmark/processed_files/TOPEX.tle")
    (err,) = out.errors
    assert isinstance(err, ExponentError) and err.line == 35 and "+0153801" in str(err)


def test_sgp4_ver_reads_whole_without_checksums(shared_data):
    out = read_path(shared_data / "sgp4_verification/SGP4-VER.TLE", verify_checksum=False)
    assert len(out.sets) == 33 and not out.errors


@pytest.mark.parametrize("rel", sorted(CATALOG_FILES))
def test_catalog_file_reads_with_expected_counts(shared_data, rel):
    out = read_path(shared_data / rel)
    assert out.format == "satcat"
    assert len(out.catalog) == CATALOG_FILES[rel] and not out.errors


@pytest.mark.parametrize("rel", NOT_ORBITAL)
def test_non_orbital_files_are_refused_by_name(shared_data, rel):
    with pytest.raises(FormatNotRecognizedError, match="expected"):
        read_path(shared_data / rel)


def test_snapshot_and_satcat_in_one_database(tmp_path, shared_data):
    """The 2020-07-13 snapshot with the objects-in-orbit list of the next day:
    Cosmos 2542/2543 with owner and the classified USA 245 known by SATCAT only."""
    store = Store(tmp_path / "o.db")
    rep = ingest_path(store, shared_data / "catalog/esri_tle_2020-07-13.txt.gz")
    assert rep.added == 19335
    rep = ingest_path(store, shared_data / "satcat/esri_oio_2020-07-14.csv.gz")
    assert rep.committed and rep.added + rep.updated + rep.present == 20886
    objs = {o["norad"]: o for o in store.objects(norads=[44797, 44835, 39232])}
    assert objs[44797]["name"] == "COSMOS 2542" and objs[44797]["owner"] == "CIS"
    assert objs[44835]["element_sets"] == 1
    assert objs[39232]["name"] == "USA 245" and objs[39232]["element_sets"] == 0
    digest = store.digest()
    ingest_path(store, shared_data / "catalog/esri_tle_2020-07-13.txt.gz")
    ingest_path(store, shared_data / "satcat/esri_oio_2020-07-14.csv.gz")
    assert store.digest() == digest
