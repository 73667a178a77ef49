"""CelestrakClient against a local HTTP server serving recorded real data."""

from __future__ import annotations

import csv
import io
import json
import re
import socket

import pytest

from orbwatch.errors import OfflineError, SourceError
from orbwatch.sources import Cache, CelestrakClient, FetchResult
from orbwatch.sources.celestrak import GP_MAX_AGE
from sources_fixtures.server import NO_GP, iss_history

GP = "/NORAD/elements/gp.php"


@pytest.fixture
def client(fake, http, cache):
    return CelestrakClient(fake.url, http=http, cache=cache)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gp_group_sends_exact_query_and_returns_omm_json(client, fake):
    result = client.gp(group="stations")
    (req,) = fake.hits(GP)
    assert req.method == "GET"
    assert req.raw_path == f"{GP}?GROUP=stations&FORMAT=json"
    assert req.headers["user-agent"].startswith("orbwatch")
    assert isinstance(result, FetchResult)
    assert result.url == f"{fake.url}{GP}?GROUP=stations&FORMAT=json"
    assert result.format == "omm-json"
    assert result.source == "celestrak:GROUP=stations"
    assert result.from_cache is False and result.empty is False and result.stale is False
    assert result.fetched_at == "2025-02-14T14:36:48Z"
    assert result.suggested_filename == "celestrak_GROUP-stations_20250214T143648Z.json"
    assert result.content_type == "application/json"
    (record,) = json.loads(result.content)
    assert record["NORAD_CAT_ID"] == 25544
    assert record["OBJECT_NAME"] == "ISS (ZARYA)"
    assert record["EPOCH"].startswith("2022-03-03T")


@pytest.mark.parametrize(
    ("kwargs", "param", "value"),
    [
        ({"catnr": 5}, "CATNR", "5"),
        ({"catnr": "25544"}, "CATNR", "25544"),
        ({"intdes": "1998-067A"}, "INTDES", "1998-067A"),
        ({"name": "ISS (ZARYA)"}, "NAME", "ISS (ZARYA)"),
        ({"special": "gpz"}, "SPECIAL", "gpz"),
    ],
)
def test_each_query_kind_is_sent_alone_with_format(client, fake, kwargs, param, value):
    result = client.gp(**kwargs)
    (req,) = fake.hits(GP)
    assert req.params == {param: value, "FORMAT": "json"}
    assert list(req.query) == [param, "FORMAT"]
    assert result.source == f"celestrak:{param}={value}"


def test_catnr_json_is_the_recorded_omm_sample_byte_for_byte(client, shared_data):
    result = client.gp(catnr=5)
    assert result.content == (shared_data / "sgp4_verification/sample_omm.json").read_bytes()
    assert json.loads(result.content)[0]["OBJECT_NAME"] == "VANGUARD 1"


@pytest.mark.parametrize(
    ("fmt", "sent", "label", "ext"),
    [("csv", "csv", "omm-csv", "csv"), ("xml", "xml", "omm-xml", "xml"), ("JSON", "json", "omm-json", "json")],
)
def test_formats_for_recorded_samples(client, fake, shared_data, fmt, sent, label, ext):
    result = client.gp(catnr=5, format=fmt)
    assert fake.hits(GP)[0].params["FORMAT"] == sent
    assert result.format == label
    assert result.suggested_filename.endswith("." + ext)
    assert result.content == (shared_data / f"sgp4_verification/sample_omm.{ext}").read_bytes()


def test_csv_rows_parse(client):
    rows = list(csv.DictReader(io.StringIO(client.gp(catnr=5, format="csv").text)))
    assert rows[0]["NORAD_CAT_ID"] == "5"


@pytest.mark.parametrize("fmt", ["tle", "3le", "2le"])
def test_tle_formats(client, fake, shared_data, fmt):
    result = client.gp(catnr=25544, format=fmt)
    assert fake.hits(GP)[0].params == {"CATNR": "25544", "FORMAT": fmt}
    assert result.format == "tle"
    assert result.suggested_filename.endswith(".tle")
    latest = iss_history(shared_data)[-1]
    lines = result.text.splitlines()
    assert lines[-2:] == [latest.line1, latest.line2]
    assert (lines[0] == "ISS (ZARYA)") is (fmt != "2le")


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"group": "stations", "catnr": 25544}, {"name": "ISS", "intdes": "1998-067A"},
     {"catnr": "ISS"}, {"group": "  "}, {"group": "stations", "format": "yaml"}],
)
def test_bad_queries_fail_before_any_request(client, fake, kwargs):
    with pytest.raises(SourceError, match="CelesTrak gp: .*expected"):
        client.gp(**kwargs)
    assert fake.hits() == []


@pytest.mark.parametrize(("fmt", "content"), [("json", b"[]"), ("csv", b""), ("tle", b"")])
def test_no_gp_data_found_is_an_empty_result(client, fmt, content):
    result = client.gp(name="NO SUCH SATELLITE", format=fmt)
    assert result.empty is True
    assert result.content == content
    assert result.notice == NO_GP.decode()


def test_plain_text_junk_is_a_source_error_naming_the_url(client, fake):
    fake.override(GP, 200, b"<html><body>Service temporarily unavailable</body></html>",
                  "text/html")
    with pytest.raises(SourceError) as err:
        client.gp(group="stations")
    assert f"{fake.url}{GP}?GROUP=stations&FORMAT=json" in str(err.value)
    assert "expected omm-json" in str(err.value)


@pytest.mark.parametrize(("status", "body"),
                         [(404, b"Not Found"), (403, b"Forbidden"), (500, b"oops"), (503, b"")])
def test_http_errors_become_source_errors_with_the_url(client, fake, status, body):
    fake.override(GP, status, body)
    with pytest.raises(SourceError) as err:
        client.gp(group="stations")
    message = str(err.value)
    assert f"HTTP {status}" in message
    assert f"{fake.url}{GP}?GROUP=stations&FORMAT=json" in message
    assert "\n" not in message


def test_cache_hit_does_not_touch_the_server(client, fake, clock):
    first = client.gp(group="stations")
    clock.advance(GP_MAX_AGE - 1)
    second = client.gp(group="stations")
    assert len(fake.hits(GP)) == 1
    assert second.from_cache is True and second.stale is False
    assert second.content == first.content
    assert second.fetched_at == first.fetched_at
    assert second.content_type == "application/json"
    clock.advance(2)  # now older than the two-hour GP cycle: fetched again
    third = client.gp(group="stations")
    assert third.from_cache is False and len(fake.hits(GP)) == 2
    assert third.fetched_at == "2025-02-14T16:36:49Z"


def test_per_call_and_client_max_age(fake, http, cache, clock):
    client = CelestrakClient(fake.url, http=http, cache=cache, max_age=60)
    client.gp(group="stations")
    clock.advance(61)
    client.gp(group="stations")
    assert len(fake.hits(GP)) == 2
    client.gp(group="stations", max_age=0)
    assert len(fake.hits(GP)) == 3


def test_empty_answers_are_cached_too(client, fake):
    client.gp(name="NOTHING")
    again = client.gp(name="NOTHING")
    assert again.from_cache and again.empty and len(fake.hits(GP)) == 1


def test_not_updated_403_serves_the_cached_copy(client, fake, clock):
    first = client.gp(group="stations")
    clock.advance(GP_MAX_AGE + 60)
    fake.override(GP, 403, b"GP data has not updated since your last successful\n"
                  b"download of GROUP=stations at 2025-02-14 14:36:48 UTC.\n"
                  b"Data is updated once every 2 hours.")
    again = client.gp(group="stations")
    assert again.from_cache is True and again.stale is False
    assert again.content == first.content
    assert "has not updated" in again.notice
    assert again.fetched_at == "2025-02-14T16:37:48Z"  # CelesTrak vouched for it just now
    assert client.gp(group="stations").from_cache  # and the clock restarted: no new request
    assert len(fake.hits(GP)) == 2


def test_not_updated_403_without_cache_is_an_error(fake, http):
    fake.override(GP, 403, b"GP data has not updated since your last successful download")
    client = CelestrakClient(fake.url, http=http, cache=False)
    with pytest.raises(SourceError, match=r"HTTP 403 .*gp\.php\?GROUP=stations.*not updated"):
        client.gp(group="stations")


def test_network_failure_is_offline_error_naming_the_request(http, cache):
    url = f"http://127.0.0.1:{_closed_port()}"
    client = CelestrakClient(url, http=http, cache=cache)
    with pytest.raises(OfflineError) as err:
        client.gp(group="stations")
    message = str(err.value)
    assert f"{url}{GP}?GROUP=stations&FORMAT=json" in message
    assert "no cached copy" in message


def test_network_failure_serves_a_stale_cached_copy(fake, client, clock):
    first = client.gp(group="stations")
    clock.advance(10 * GP_MAX_AGE)
    fake.stop()
    again = client.gp(group="stations")
    assert again.from_cache is True and again.stale is True
    assert again.content == first.content
    assert "network failed" in again.notice


def test_offline_mode_serves_cache_or_explains(fake, http, cache, clock):
    CelestrakClient(fake.url, http=http, cache=cache).gp(group="stations")
    clock.advance(30 * 24 * 3600)  # a month later, offline: still served
    offline = CelestrakClient(fake.url, http=http, cache=cache, offline=True)
    served = offline.gp(group="stations")
    assert served.from_cache and served.stale
    with pytest.raises(OfflineError) as err:
        offline.gp(group="visual")
    assert "offline: no cached copy of GET" in str(err.value)
    assert f"{GP}?FORMAT=json&GROUP=visual" in str(err.value)
    assert len(fake.hits()) == 1  # only the first, online, request
    with pytest.raises(OfflineError, match="cache is disabled"):
        CelestrakClient(fake.url, http=http, cache=False, offline=True).gp(group="stations")


def test_offline_flag_of_the_cache_is_honoured(fake, http, tmp_path):
    client = CelestrakClient(fake.url, http=http, cache=Cache(tmp_path, offline=True))
    with pytest.raises(OfflineError):
        client.gp(catnr=5)
    assert fake.hits() == []


def test_satcat_json_and_csv(client, fake):
    result = client.satcat(catnr=25544)
    assert fake.hits("/satcat/records.php")[0].raw_path == \
        "/satcat/records.php?CATNR=25544&FORMAT=json"
    assert result.format == "satcat-json"
    assert result.source == "celestrak-satcat:CATNR=25544"
    (row,) = json.loads(result.content)
    assert row["OBJECT_ID"] == "1998-067A" and row["LAUNCH_DATE"] == "1998-11-20"
    as_csv = client.satcat(catnr=25544, format="csv")
    assert as_csv.format == "satcat-csv"
    assert as_csv.text.startswith("OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID")
    assert fake.hits()[-1].params == {"CATNR": "25544", "FORMAT": "csv"}


def test_satcat_no_records_and_bad_format(client):
    result = client.satcat(catnr=999999)
    assert result.empty and result.content == b"[]" and "No SATCAT" in result.notice
    with pytest.raises(SourceError, match="expected one of json, csv"):
        client.satcat(catnr=25544, format="tle")


def test_own_http_client_follows_redirects(fake, tmp_path, monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    # Imitate celestrak.com answering 301 to celestrak.org.
    fake.override("/com" + GP, 301, b"", Location=f"{fake.url}{GP}?GROUP=stations&FORMAT=json")
    with CelestrakClient(fake.url + "/com", cache=Cache(tmp_path)) as client:
        result = client.gp(group="stations")
        assert json.loads(result.content)[0]["NORAD_CAT_ID"] == 25544
    assert [r.path for r in fake.hits()] == ["/com" + GP, GP]
    assert client._http is None  # the client it created was closed


def test_default_cache_directory_comes_from_environment(monkeypatch, tmp_path, fake, http):
    monkeypatch.setenv("ORBWATCH_CACHE", str(tmp_path / "envcache"))
    client = CelestrakClient(fake.url, http=http)
    client.gp(catnr=5)
    assert client.cache.directory == tmp_path / "envcache"
    assert len(list((tmp_path / "envcache").glob("*.entry"))) == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", client.gp(catnr=5).fetched_at)


def test_injected_http_client_is_left_open(fake, http, cache):
    with CelestrakClient(fake.url, http=http, cache=cache) as client:
        client.gp(catnr=5)
    assert not http.is_closed
    assert repr(client).startswith("CelestrakClient(")
