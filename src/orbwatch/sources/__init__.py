"""Remote sources of element sets: CelesTrak GP/SATCAT and Space-Track.

Every query returns a :class:`FetchResult` (bytes plus where and when they
came from).  Answers are cached on disk (:class:`Cache`); Space-Track
requests go through a :class:`RateLimiter` (30/minute, 300/hour).
"""

from orbwatch.sources._http import FORMAT_EXTENSIONS, FetchResult
from orbwatch.sources.cache import FOREVER, Cache, CacheEntry, default_cache_dir
from orbwatch.sources.celestrak import CELESTRAK_URL, CelestrakClient
from orbwatch.sources.ratelimit import SPACETRACK_LIMITS, RateLimiter
from orbwatch.sources.spacetrack import (
    SPACETRACK_URL,
    Credentials,
    SpacetrackClient,
    build_query_path,
    default_limiter,
    epoch_range,
    resolve_credentials,
)

__all__ = [
    "FetchResult",
    "FORMAT_EXTENSIONS",
    "Cache",
    "CacheEntry",
    "FOREVER",
    "default_cache_dir",
    "CelestrakClient",
    "CELESTRAK_URL",
    "SpacetrackClient",
    "SPACETRACK_URL",
    "Credentials",
    "resolve_credentials",
    "build_query_path",
    "epoch_range",
    "default_limiter",
    "RateLimiter",
    "SPACETRACK_LIMITS",
]
