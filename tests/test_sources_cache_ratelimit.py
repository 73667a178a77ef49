"""The on-disk cache and the Space-Track rate limiter, on fake clocks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from orbwatch.errors import OfflineError, RateLimitError
from orbwatch.sources import FOREVER, SPACETRACK_LIMITS, Cache, RateLimiter, default_cache_dir
from orbwatch.sources.cache import format_request
from sources_fixtures.clocks import FakeMonotonic, FakeWallClock

URL = "https://celestrak.org/NORAD/elements/gp.php"


@pytest.fixture
def clock():
    return FakeWallClock()


@pytest.fixture
def cache(tmp_path, clock):
    return Cache(tmp_path / "c", max_age=3600, clock=clock)


# -- cache -----------------------------------------------------------------------
def test_key_is_method_url_and_sorted_params():
    a = Cache.key("GET", URL, {"GROUP": "stations", "FORMAT": "json"})
    assert a == Cache.key("get", URL, [("FORMAT", "json"), ("GROUP", "stations")])
    assert a != Cache.key("GET", URL, {"GROUP": "stations", "FORMAT": "csv"})
    assert a != Cache.key("POST", URL, {"GROUP": "stations", "FORMAT": "json"})
    assert format_request("GET", URL, {"GROUP": "x y", "FORMAT": "json"}) == \
        f"GET {URL}?FORMAT=json&GROUP=x+y"


def test_put_get_round_trip_keeps_body_time_and_type(cache, clock):
    body = b'[{"NORAD_CAT_ID": 5}]\n\x00binary\n'
    cache.put("GET", URL, {"CATNR": "5"}, body, content_type="application/json")
    entry = cache.get("GET", URL, {"CATNR": "5"})
    assert entry.body == body
    assert entry.content_type == "application/json"
    assert entry.fetched_at == clock.now
    assert entry.fetched_at_iso == "2025-02-14T14:36:48Z"
    assert entry.request == f"GET {URL}?CATNR=5"
    (path,) = cache.directory.iterdir()
    assert path.name == Cache.key("GET", URL, {"CATNR": "5"}) + ".entry"
    meta = json.loads(path.read_bytes().split(b"\n", 1)[0])
    assert meta["size"] == len(body) and meta["fetched_at"] == "2025-02-14T14:36:48Z"


def test_max_age_policy(cache, clock):
    cache.put("GET", URL, None, b"x")
    clock.advance(3599)
    assert cache.get("GET", URL) is not None
    assert cache.get("GET", URL, max_age=3000) is None
    assert cache.get("GET", URL, max_age=0) is None
    clock.advance(1)
    assert cache.get("GET", URL) is None  # the cache's own max_age
    assert cache.get("GET", URL, max_age=FOREVER).body == b"x"
    assert cache.get_any("GET", URL).body == b"x"
    assert cache.lookup("GET", URL) is None  # online and stale: caller must fetch


def test_offline_lookup_serves_any_age_or_names_the_request(cache, clock):
    cache.put("GET", URL, {"GROUP": "stations", "FORMAT": "json"}, b"[]")
    clock.advance(10**7)
    entry = cache.lookup("GET", URL, {"FORMAT": "json", "GROUP": "stations"}, offline=True)
    assert entry.body == b"[]"
    with pytest.raises(OfflineError) as err:
        cache.lookup("GET", URL, {"GROUP": "active", "FORMAT": "json"}, offline=True)
    message = str(err.value)
    assert f"GET {URL}?FORMAT=json&GROUP=active" in message
    assert "no cached copy" in message and str(cache.directory) in message
    offline_cache = Cache(cache.directory, offline=True, clock=clock)
    assert offline_cache.lookup("GET", URL, {"GROUP": "stations", "FORMAT": "json"}).body == b"[]"


def test_writes_are_atomic_and_leave_no_temporary_files(cache, monkeypatch):
    cache.put("GET", URL, None, b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        cache.put("GET", URL, None, b"new")
    monkeypatch.undo()
    assert cache.get("GET", URL).body == b"old"
    assert [p.name for p in cache.directory.iterdir()] == [Cache.key("GET", URL) + ".entry"]


@pytest.mark.parametrize("damage", [lambda raw: raw[:-2], lambda raw: b"not json\n" + raw,
                                    lambda raw: raw.replace(b"body", b"BODY"), lambda raw: b""])
def test_damaged_entries_are_misses(cache, damage):
    cache.put("GET", URL, None, b"body bytes")
    path = cache.path_for("GET", URL)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get_any("GET", URL) is None


def test_delete_and_clear(cache):
    cache.put("GET", URL, {"A": "1"}, b"1")
    cache.put("GET", URL, {"A": "2"}, b"2")
    assert cache.delete("GET", URL, {"A": "1"}) is True
    assert cache.delete("GET", URL, {"A": "1"}) is False
    assert cache.clear() == 1
    assert cache.get_any("GET", URL, {"A": "2"}) is None


def test_default_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("ORBWATCH_CACHE", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    assert Cache().directory == tmp_path / "x"
    monkeypatch.delenv("ORBWATCH_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == Path(tmp_path) / ".cache" / "orbwatch"


# -- rate limiter --------------------------------------------------------------------
@pytest.fixture
def ticks():
    return FakeMonotonic(start=0.0)


def test_published_space_track_limits():
    assert SPACETRACK_LIMITS == ((30, 60.0), (300, 3600.0))


def test_31st_request_in_a_minute_waits_until_the_window_frees(ticks):
    limiter = RateLimiter(clock=ticks, sleep=ticks.sleep)
    for _ in range(30):  # one a second: t = 0 .. 29
        assert limiter.acquire() == 0.0
        ticks.advance(1)
    assert ticks.now == 30
    assert limiter.delay() == pytest.approx(30.0)
    assert limiter.acquire() == pytest.approx(30.0)  # the t=0 request leaves at t=60
    assert ticks.sleeps == [pytest.approx(30.0)]
    assert limiter.history[-1] == pytest.approx(60.0)
    # Sliding, not fixed, window: the next slot frees when t=1 leaves (t=61).
    assert limiter.delay() == pytest.approx(1.0)


def test_31st_request_raises_when_not_blocking(ticks):
    limiter = RateLimiter(clock=ticks, sleep=ticks.sleep, block=False)
    for _ in range(30):
        limiter.acquire()
    ticks.advance(20)
    with pytest.raises(RateLimitError, match=r"exceed 30 requests per minute; a slot frees in 40\.0 s"):
        limiter.acquire(what="GET /basicspacedata/query/class/gp")
    assert ticks.sleeps == [] and len(limiter.history) == 30
    blocking = RateLimiter(clock=ticks, sleep=ticks.sleep)
    with pytest.raises(RateLimitError):  # block=False per call overrides the limiter's default
        for _ in range(31):
            blocking.acquire(block=False)
    assert len(blocking.history) == 30
    ticks.advance(40)
    assert limiter.acquire() == 0.0


def test_301st_request_in_an_hour_waits_for_the_hour_window(ticks):
    limiter = RateLimiter(clock=ticks, sleep=ticks.sleep)
    for _ in range(300):  # one every 3 s never trips the minute limit: t = 0 .. 897
        assert limiter.acquire() == 0.0
        ticks.advance(3)
    assert ticks.now == 900
    assert limiter.acquire() == pytest.approx(2700.0)  # until the t=0 request is an hour old
    assert ticks.now == pytest.approx(3600.0)
    with pytest.raises(RateLimitError, match="300 requests per hour"):
        limiter.acquire(block=False)


def test_max_wait_refuses_long_waits(ticks):
    limiter = RateLimiter(((2, 3600.0),), clock=ticks, sleep=ticks.sleep, max_wait=60)
    limiter.acquire()
    limiter.acquire()
    with pytest.raises(RateLimitError, match="wait of 3600.0 s is over the 60.0 s allowed"):
        limiter.acquire()
    assert ticks.sleeps == []


def test_a_sleep_that_does_not_move_the_clock_still_terminates(ticks):
    slept = []
    limiter = RateLimiter(((1, 10.0),), clock=ticks, sleep=slept.append)
    limiter.acquire()
    assert limiter.acquire() == 10.0
    assert slept == [10.0] and limiter.history[-1] == 10.0


@pytest.mark.parametrize("limits", [(), ((0, 60.0),), ((5, 0.0),)])
def test_bad_limits(limits):
    with pytest.raises(ValueError, match="expected|at least one"):
        RateLimiter(limits)


def test_reset_and_repr(ticks):
    limiter = RateLimiter(clock=ticks, sleep=ticks.sleep)
    limiter.acquire()
    limiter.reset()
    assert limiter.history == ()
    assert repr(limiter) == "RateLimiter(30/minute, 300/hour, block=True)"
