"""SpacetrackClient against a local HTTP server imitating www.space-track.org."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from orbwatch.errors import AuthenticationError, OfflineError, RateLimitError, SourceError
from orbwatch.sources import (
    Credentials,
    RateLimiter,
    SpacetrackClient,
    build_query_path,
    epoch_range,
    resolve_credentials,
)
from sources_fixtures.clocks import FakeMonotonic
from sources_fixtures.server import IDENTITY, PASSWORD, iss_history

Q = "/basicspacedata/query"
LOGIN = "/ajaxauth/login"
ENV_VARS = ("SPACETRACK_IDENTITY", "SPACETRACK_USER", "SPACETRACK_PASSWORD", "NETRC")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No real credentials leak in: empty home, no Space-Track variables."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def ticks():
    return FakeMonotonic()


@pytest.fixture
def limiter(ticks):
    return RateLimiter(clock=ticks, sleep=ticks.sleep)


@pytest.fixture
def client(fake, http, cache, limiter):
    return SpacetrackClient(IDENTITY, PASSWORD, fake.url, http=http, cache=cache, limiter=limiter)


def _write_netrc(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


# -- query paths -------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs", "path"),
    [
        (("gp", {"NORAD_CAT_ID": "25544,44797"}), {}, f"{Q}/class/gp/NORAD_CAT_ID/25544,44797/format/json"),
        (("gp_history", [("NORAD_CAT_ID", "25544"), ("EPOCH", ">now-30")]),
         {"orderby": "EPOCH desc", "limit": 10, "format": "3le"},
         f"{Q}/class/gp_history/NORAD_CAT_ID/25544/EPOCH/%3Enow-30/orderby/EPOCH%20desc/limit/10/format/3le"),
        (("gp_history", {"NORAD_CAT_ID": "44797", "EPOCH": "2020-07-01--2020-07-20"}), {"format": "tle"},
         f"{Q}/class/gp_history/NORAD_CAT_ID/44797/EPOCH/2020-07-01--2020-07-20/format/tle"),
        (("satcat", {"INTLDES": "2019-079"}), {"format": "csv"},
         f"{Q}/class/satcat/INTLDES/2019-079/format/csv"),
        (("gp", {"object_name": "ISS (ZARYA)"}), {"format": "XML"},
         f"{Q}/class/gp/OBJECT_NAME/ISS%20%28ZARYA%29/format/xml"),
        (("gp", {"DECAY_DATE": "null-val"}), {"format": "kvn"}, f"{Q}/class/gp/DECAY_DATE/null-val/format/kvn"),
    ],
)
def test_build_query_path(args, kwargs, path):
    assert build_query_path(*args, **kwargs) == path


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("gp", {}), {"format": "yaml"}), (("GP;", {}), {}), (("gp", {"A/B": "1"}), {}),
     (("gp", {"EPOCH": "a/b"}), {}), (("gp", {}), {"limit": 0})],
)
def test_build_query_path_rejects_bad_input(args, kwargs):
    with pytest.raises(SourceError, match="expected"):
        build_query_path(*args, **kwargs)


def test_epoch_range_formats_dates_and_times():
    assert epoch_range(date(2020, 7, 1), date(2020, 7, 20)) == "2020-07-01--2020-07-20"
    assert epoch_range(datetime(2020, 7, 1), "2020-07-20") == "2020-07-01--2020-07-20"
    assert epoch_range(datetime(2020, 7, 1, 6, 30), datetime(2020, 7, 2)) == \
        "2020-07-01 06:30:00--2020-07-02"


# -- login and session -------------------------------------------------------
def test_login_posts_form_and_queries_carry_the_cookie(client, fake, http):
    first = client.gp([25544, 44797])
    second = client.satcat(25544)
    login, q1, q2 = fake.hits()
    assert (login.method, login.path) == ("POST", LOGIN)
    assert parse_qs(login.body.decode()) == {"identity": [IDENTITY], "password": [PASSWORD]}
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    assert q1.raw_path == f"{Q}/class/gp/NORAD_CAT_ID/25544,44797/format/json"
    assert q2.raw_path == f"{Q}/class/satcat/NORAD_CAT_ID/25544/format/json"
    token = http.cookies["chocolatechip"]
    assert token in fake.sessions
    assert q1.headers["cookie"] == q2.headers["cookie"] == f"chocolatechip={token}"
    assert first.format == "omm-json" and second.format == "satcat-json"
    assert first.url == fake.url + q1.raw_path
    assert first.source == "spacetrack:gp:NORAD_CAT_ID=25544,44797"
    (record,) = json.loads(first.content)
    assert record["NORAD_CAT_ID"] == "25544"  # Space-Track numbers are strings: bytes untouched
    assert client.logged_in


def test_expired_session_logs_in_again_once(client, fake):
    client.gp(25544)
    fake.sessions.clear()  # the server forgets the session (Space-Track's 2-hour expiry)
    client.gp(44797)
    methods = [(r.method, r.path.split("/")[-3] if r.path.startswith(Q) else r.path)
               for r in fake.hits()]
    assert methods == [("POST", LOGIN), ("GET", "25544"), ("GET", "44797"),
                       ("POST", LOGIN), ("GET", "44797")]


def test_failed_login_never_echoes_the_password(fake, http, cache, limiter):
    wrong = "hunter2-not-the-password"
    client = SpacetrackClient(IDENTITY, wrong, fake.url, http=http, cache=cache, limiter=limiter)
    with pytest.raises(AuthenticationError) as err:
        client.gp(25544)
    message = str(err.value)
    assert IDENTITY in message and "arguments" in message and fake.url + LOGIN in message
    assert wrong not in message and wrong not in repr(client) and wrong not in repr(err.value.args)
    assert [r.path for r in fake.hits()] == [LOGIN]  # no query was attempted
    assert not client.logged_in


def test_login_401_is_an_authentication_error(client, fake):
    fake.override(LOGIN, 401, b'{"error":"unauthorized"}', "application/json")
    with pytest.raises(AuthenticationError, match="refused the login"):
        client.gp(25544)


def test_logout(client, fake):
    client.gp(25544)
    client.logout()
    assert fake.hits()[-1].path == "/ajaxauth/logout" and not client.logged_in
    client.logout()  # already out: no request
    assert len(fake.hits()) == 3


# -- credentials -----------------------------------------------------------------
def test_credentials_arguments_beat_environment_and_netrc(clean_env):
    _write_netrc(clean_env / ".netrc", "machine www.space-track.org login net@x password netpw\n")
    env = {"SPACETRACK_IDENTITY": "env@x", "SPACETRACK_PASSWORD": "envpw"}
    assert resolve_credentials("arg@x", "argpw", environ=env) == Credentials("arg@x", "argpw", "arguments")
    assert resolve_credentials(environ=env) == Credentials("env@x", "envpw", "environment")
    assert resolve_credentials(environ={}) == Credentials("net@x", "netpw", f"netrc file {clean_env}/.netrc")
    # SPACETRACK_USER is accepted for the identity.
    user_env = {"SPACETRACK_USER": "user@x", "SPACETRACK_PASSWORD": "userpw"}
    assert resolve_credentials(environ=user_env).identity == "user@x"
    # An identity argument with the password in the environment...
    assert resolve_credentials("arg@x", environ={"SPACETRACK_PASSWORD": "envpw"}) == \
        Credentials("arg@x", "envpw", "arguments (password from environment)")
    # ...but never someone else's password.
    assert resolve_credentials("arg@x", environ=env) is None


def test_netrc_from_netrc_variable_and_only_for_space_track(clean_env, tmp_path):
    other = _write_netrc(tmp_path / "other.netrc",
                         "machine example.com login a password b\ndefault login d password e\n")
    assert resolve_credentials(environ={"NETRC": str(other)}) is None  # 'default' is ignored
    mine = _write_netrc(tmp_path / "mine.netrc", "machine www.space-track.org login me password pw\n", 0o644)
    creds = resolve_credentials(environ={"NETRC": str(mine)})
    assert (creds.identity, creds.password) == ("me", "pw")
    assert "pw" not in repr(creds).replace("password", "")


def test_netrc_readable_by_others_is_refused(clean_env):
    _write_netrc(clean_env / ".netrc", "machine www.space-track.org login me password sekrit\n", 0o644)
    with pytest.raises(AuthenticationError) as err:
        resolve_credentials(environ={})
    assert "only you can read" in str(err.value) and "sekrit" not in str(err.value)


def test_unparsable_netrc_does_not_show_its_tokens(clean_env):
    _write_netrc(clean_env / ".netrc", "machine www.space-track.org login me password pw\nsekrit-token\n")
    with pytest.raises(AuthenticationError, match=r"could not parse .* near line \d+") as err:
        resolve_credentials(environ={})
    assert "sekrit-token" not in str(err.value)
    # Not read at all when the environment already settles the credentials.
    env = {"SPACETRACK_IDENTITY": "env@x", "SPACETRACK_PASSWORD": "envpw"}
    assert resolve_credentials(environ=env).origin == "environment"


def test_environment_and_netrc_credentials_log_in(fake, http, cache, limiter, clean_env, monkeypatch):
    monkeypatch.setenv("SPACETRACK_USER", IDENTITY)
    monkeypatch.setenv("SPACETRACK_PASSWORD", PASSWORD)
    SpacetrackClient(base_url=fake.url, http=http, cache=cache, limiter=limiter).gp(25544)
    monkeypatch.delenv("SPACETRACK_USER")
    monkeypatch.delenv("SPACETRACK_PASSWORD")
    _write_netrc(clean_env / ".netrc",
                 f'machine www.space-track.org\n  login {IDENTITY}\n  password "{PASSWORD}"\n')
    SpacetrackClient(base_url=fake.url, http=http, cache=cache, limiter=limiter).gp(44797)
    logins = [parse_qs(r.body.decode()) for r in fake.hits(LOGIN)]
    assert logins == [{"identity": [IDENTITY], "password": [PASSWORD]}] * 2


def test_missing_credentials_fail_without_a_request(fake, http, cache, limiter):
    client = SpacetrackClient(base_url=fake.url, http=http, cache=cache, limiter=limiter)
    with pytest.raises(AuthenticationError, match="SPACETRACK_IDENTITY and SPACETRACK_PASSWORD"):
        client.gp(25544)
    assert fake.hits() == []


# -- queries -----------------------------------------------------------------------
def test_gp_history_explicit_range_returns_recorded_elsets(client, fake, shared_data):
    result = client.gp_history(25544, epoch=(date(2021, 11, 14), date(2021, 11, 16)),
                               orderby="EPOCH asc", format="3le")
    assert fake.hits(Q)[0].raw_path == (
        f"{Q}/class/gp_history/NORAD_CAT_ID/25544/EPOCH/2021-11-14--2021-11-16/orderby/EPOCH%20asc/format/3le")
    assert result.format == "tle"
    assert result.source == "spacetrack:gp_history:NORAD_CAT_ID=25544;EPOCH=2021-11-14--2021-11-16"
    assert result.suggested_filename.startswith(
        "spacetrack_gp_history_NORAD_CAT_ID-25544_EPOCH-2021-11-14--2021-11-16_")
    expected = [e for e in iss_history(shared_data)
                if date(2021, 11, 14) <= e.epoch.date() <= date(2021, 11, 16)]
    lines = result.text.splitlines()
    assert len(lines) == 3 * len(expected) > 0
    assert lines[0] == "0 ISS (ZARYA)" and lines[1] == expected[0].line1


def test_gp_history_relative_epoch_and_empty_result(client, fake):
    result = client.gp_history([25544], epoch=">now-30", limit=5)
    assert fake.hits(Q)[0].raw_path == f"{Q}/class/gp_history/NORAD_CAT_ID/25544/EPOCH/%3Enow-30/limit/5/format/json"
    assert result.empty and result.content == b"[]"  # the recorded history ended in 2022


def test_gp_history_needs_objects(client, fake):
    with pytest.raises(SourceError, match="expected at least one object"):
        client.gp_history(None, epoch=">now-30")
    with pytest.raises(SourceError, match="not a catalogue number"):
        client.gp(["25544", "ISS"])
    with pytest.raises(SourceError, match="expected one of json, csv"):
        client.satcat(25544, format="3le")
    assert fake.hits() == []


def test_closed_past_ranges_are_cached_for_ever(client, fake, clock):
    clock.now = datetime(2022, 4, 1, tzinfo=clock.now.tzinfo)
    closed = client.gp_history(25544, epoch="2021-11-01--2021-11-30")
    relative = client.gp_history(25544, epoch=">now-30")
    clock.advance(10 * 365 * 86400)
    assert client.gp_history(25544, epoch="2021-11-01--2021-11-30").from_cache
    assert not client.gp_history(25544, epoch=">now-30").from_cache
    assert len(fake.hits(Q)) == 3
    assert not closed.from_cache and not relative.from_cache


def test_recent_range_and_gp_expire_after_an_hour(client, fake, clock):
    clock.now = datetime(2021, 11, 20, tzinfo=clock.now.tzinfo)  # range end too recent
    client.gp_history(25544, epoch="2021-11-14--2021-11-16")
    client.gp(25544)
    clock.advance(3599)
    assert client.gp_history(25544, epoch="2021-11-14--2021-11-16").from_cache
    assert client.gp(25544).from_cache
    clock.advance(2)
    assert not client.gp(25544).from_cache
    assert len(fake.hits(Q)) == 3


def test_cache_hits_need_no_login_and_no_rate_slot(client, fake, limiter, cache, http):
    client.gp(25544)
    assert len(limiter.history) == 2  # login + query
    fresh = SpacetrackClient(IDENTITY, PASSWORD, fake.url, http=http, cache=cache, limiter=limiter)
    assert fresh.gp(25544).from_cache and not fresh.logged_in
    assert len(limiter.history) == 2 and len(fake.hits()) == 2
    for path in cache.directory.iterdir():  # credentials never reach the cache
        assert PASSWORD.encode() not in path.read_bytes()


def test_offline_serves_cache_or_raises(fake, http, cache, limiter):
    SpacetrackClient(IDENTITY, PASSWORD, fake.url, http=http, cache=cache, limiter=limiter).gp(25544)
    offline = SpacetrackClient(base_url=fake.url, http=http, cache=cache, limiter=limiter, offline=True)
    assert offline.gp(25544).from_cache
    with pytest.raises(OfflineError) as err:
        offline.gp(44797)
    assert f"{Q}/class/gp/NORAD_CAT_ID/44797/format/json" in str(err.value)
    assert "no cached copy" in str(err.value)
    assert len(fake.hits()) == 2


def test_unreachable_server_is_offline_error(http, cache, limiter):
    client = SpacetrackClient(IDENTITY, PASSWORD, "http://127.0.0.1:9", http=http, cache=cache,
                              limiter=limiter)
    with pytest.raises(OfflineError, match="could not reach http://127.0.0.1:9/ajaxauth/login"):
        client.gp(25544)


def test_error_bodies_and_statuses(client, fake):
    path = f"{Q}/class/gp/NORAD_CAT_ID/25544/format/json"
    fake.override(path, 200, b'{"error":"You\'ve violated your query rate limit."}', "application/json")
    with pytest.raises(RateLimitError, match="violated your query rate limit"):
        client.gp(25544)
    fake.override(path, 500, b"Internal Server Error")
    with pytest.raises(SourceError, match=f"HTTP 500 .*{path}"):
        client.gp(25544)
    fake.override(path, 429, b"Too Many Requests")
    with pytest.raises(RateLimitError, match="HTTP 429"):
        client.gp(25544)
    del fake.overrides[path]
    assert not client.gp(25544).from_cache  # the error answers were not cached


def test_every_request_including_login_takes_a_rate_slot(fake, http, cache, ticks):
    limiter = RateLimiter(((3, 60.0),), clock=ticks, sleep=ticks.sleep)
    client = SpacetrackClient(IDENTITY, PASSWORD, fake.url, http=http, cache=cache, limiter=limiter)
    client.gp(1)
    client.gp(2)  # login + 2 queries fill the 3-per-minute window
    assert ticks.sleeps == []
    client.gp(3)
    assert ticks.sleeps == [60.0]
    assert len(fake.hits()) == 4
    strict = RateLimiter(((1, 60.0),), clock=ticks, sleep=ticks.sleep, block=False)
    other = SpacetrackClient(IDENTITY, PASSWORD, fake.url, http=http, cache=cache, limiter=strict)
    with pytest.raises(RateLimitError, match="1 requests per minute"):
        other.gp(4)  # the login took the only slot
    assert [r.path for r in fake.hits()][-1] == LOGIN


def test_history_timestamps_are_iso_utc(client, clock):
    clock.advance(timedelta(hours=1).total_seconds())
    assert client.gp(25544).fetched_at == "2025-02-14T15:36:48Z"


@pytest.mark.parametrize(("fmt", "label", "first"), [("csv", "omm-csv", "OBJECT_NAME,"),
                                                     ("tle", "tle", "1 25544U"),
                                                     ("3le", "tle", "0 ISS (ZARYA)")])
def test_gp_formats(client, fake, fmt, label, first):
    result = client.gp(25544, format=fmt)
    assert fake.hits(Q)[0].raw_path == f"{Q}/class/gp/NORAD_CAT_ID/25544/format/{fmt}"
    assert result.format == label and result.text.startswith(first)
