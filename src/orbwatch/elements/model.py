"""The one validated result every element-set reader produces: `ElementSet`.

Units are those of the CCSDS OMM / TLE mean elements (SGP4 theory, TEME):
angles in degrees, mean motion in rev/day, ``mean_motion_dot`` in rev/day²
and ``mean_motion_ddot`` in rev/day³ holding exactly the TLE fields (which
are ṅ/2 and n̈/6, as CelesTrak and Space-Track write them in OMM), BSTAR in
1/earth radii.  The epoch is integer microseconds since 1970 UTC.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
from dataclasses import asdict, dataclass, field, replace

from orbwatch.errors import (
    EccentricityError,
    FieldValueError,
    MeanMotionError,
)
from orbwatch.time import format_iso, jd_fr

__all__ = ["ElementSet", "validate", "normalize_intldes", "identity_key", "MAX_MEAN_MOTION"]

#: rev/day; anything faster is below the Earth's surface (~17.1 rev/day at 0 km).
MAX_MEAN_MOTION = 20.0

_INTLDES_OMM = re.compile(r"^(\d{4})-(\d{3})([A-Z]{1,3})$")
_INTLDES_TLE = re.compile(r"^(\d{2})(\d{3})\s*([A-Z]{1,3})\s*$")


def normalize_intldes(text: str | None) -> str | None:
    """International designator to OMM form ``1998-067A``.

    Accepts the TLE form ``98067A`` and the OMM form.  Blank or unknown
    forms give None rather than failing: analyst TLEs often leave it blank.
    """
    if text is None:
        return None
    t = text.strip().upper()
    if not t:
        return None
    m = _INTLDES_OMM.match(t)
    if m:
        return t
    m = _INTLDES_TLE.match(t)
    if m:
        yy = int(m[1])
        year = 1900 + yy if yy >= 57 else 2000 + yy
        return f"{year}-{m[2]}{m[3]}"
    return t


@dataclass(frozen=True, slots=True)
class ElementSet:
    """One SGP4 mean element set of one object at one epoch."""

    norad: int
    epoch_us: int
    mean_motion: float  # rev/day
    eccentricity: float
    inclination: float  # deg
    raan: float  # deg
    arg_perigee: float  # deg
    mean_anomaly: float  # deg
    bstar: float = 0.0  # 1/earth radii
    mean_motion_dot: float = 0.0  # rev/day^2 (TLE field: ndot/2)
    mean_motion_ddot: float = 0.0  # rev/day^3 (TLE field: nddot/6)
    name: str | None = None
    intldes: str | None = None  # OMM form 1998-067A
    classification: str = "U"
    ephemeris_type: int = 0
    element_set_no: int | None = None
    rev_at_epoch: int | None = None
    source: str = ""  # provenance, e.g. "file:catalog.txt" or "celestrak:GROUP=stations"
    format: str = ""  # "tle" or "omm-json", "omm-xml", ...
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    # ----- derived values -------------------------------------------------
    @property
    def epoch_iso(self) -> str:
        return format_iso(self.epoch_us)

    @property
    def jd_fr(self) -> tuple[float, float]:
        """Epoch as SGP4's two-float Julian date."""
        return jd_fr(self.epoch_us)

    @property
    def semi_major_axis_km(self) -> float:
        """Kozai mean motion to semi-major axis (two-body, WGS72 mu)."""
        n = self.mean_motion * 2 * math.pi / 86400.0
        return (398600.8 / (n * n)) ** (1.0 / 3.0)

    @property
    def perigee_km(self) -> float:
        return self.semi_major_axis_km * (1 - self.eccentricity) - 6378.135

    @property
    def apogee_km(self) -> float:
        return self.semi_major_axis_km * (1 + self.eccentricity) - 6378.135

    def key(self) -> str:
        """Content identity: the same orbit state written as TLE or OMM,
        from any source, has the same key (see :func:`identity_key`)."""
        return identity_key(self)

    def with_source(self, source: str) -> ElementSet:
        return replace(self, source=source)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["epoch"] = self.epoch_iso
        d.pop("extra", None)
        return d

    def satrec(self):
        """An ``sgp4.api.Satrec`` initialised from these elements (WGS72, 'i')."""
        from orbwatch.elements.sgp4init import satrec_from_elements

        return satrec_from_elements(self)


def _q(value: float, scale: float) -> int:
    return int(round(value * scale))


def _sig5(value: float) -> int:
    """Quantise to the 5 significant digits a TLE exponent field holds."""
    if value == 0.0:
        return 0
    exp = math.floor(math.log10(abs(value)))
    mant = round(value / 10.0 ** (exp - 4))
    if abs(mant) >= 100000:  # 9.99995 rounded up a decade
        mant //= 10
        exp += 1
    return mant * 1000 + (exp + 500)


def identity_key(es: ElementSet) -> str:
    """A 32-hex-digit digest of the object, epoch and elements quantised to
    TLE precision (angles 1e-4 deg, e 1e-7, n 1e-8 rev/day, ndot 1e-8,
    nddot and BSTAR to 5 significant digits).

    The element-set number, name, source and format are not part of it:
    CelesTrak writes 999 as the set number and the same set arrives from
    several places.
    """
    packed = struct.pack(
        "<qq9q",
        es.norad,
        es.epoch_us,
        _q(es.mean_motion, 1e8),
        _q(es.eccentricity, 1e7),
        _q(es.inclination, 1e4),
        _q(es.raan % 360.0, 1e4),
        _q(es.arg_perigee % 360.0, 1e4),
        _q(es.mean_anomaly % 360.0, 1e4),
        _q(es.mean_motion_dot, 1e8),
        _sig5(es.mean_motion_ddot),
        _sig5(es.bstar),
    )
    return hashlib.blake2b(packed, digest_size=16).hexdigest()


_RANGES = (
    ("inclination", 0.0, 180.0, "INCLINATION", "0 <= i <= 180 deg"),
    ("raan", 0.0, 360.0, "RA_OF_ASC_NODE", "0 <= RAAN <= 360 deg"),
    ("arg_perigee", 0.0, 360.0, "ARG_OF_PERICENTER", "0 <= argument of perigee <= 360 deg"),
    ("mean_anomaly", 0.0, 360.0, "MEAN_ANOMALY", "0 <= mean anomaly <= 360 deg"),
)


def validate(es: ElementSet) -> ElementSet:
    """Check physical validity; raise a named :class:`ParseError` or return ``es``.

    Location (path/line) is filled in by the reader that calls this.
    """
    if es.norad < 0:
        raise FieldValueError("catalogue number must not be negative", field="NORAD_CAT_ID",
                              expected="an integer >= 0", found=str(es.norad))
    for name in ("mean_motion", "eccentricity", "inclination", "raan", "arg_perigee",
                 "mean_anomaly", "bstar", "mean_motion_dot", "mean_motion_ddot"):
        v = getattr(es, name)
        if not math.isfinite(v):
            raise FieldValueError("not a finite number", field=name.upper(),
                                  expected="a finite number", found=str(v))
    if not (0.0 <= es.eccentricity < 1.0):
        raise EccentricityError("eccentricity outside [0, 1)", field="ECCENTRICITY",
                                expected="0 <= e < 1", found=repr(es.eccentricity))
    if es.mean_motion <= 0.0:
        raise MeanMotionError("mean motion must be positive", field="MEAN_MOTION",
                              expected="n > 0 rev/day", found=repr(es.mean_motion))
    if es.mean_motion > MAX_MEAN_MOTION:
        raise MeanMotionError("mean motion puts the orbit inside the Earth",
                              field="MEAN_MOTION",
                              expected=f"n <= {MAX_MEAN_MOTION} rev/day",
                              found=repr(es.mean_motion))
    for name, lo, hi, key, expected in _RANGES:
        v = getattr(es, name)
        if not (lo <= v <= hi):
            raise FieldValueError(f"{key} out of range", field=key, expected=expected,
                                  found=repr(v))
    if es.classification not in ("U", "C", "S", ""):
        raise FieldValueError("unknown classification", field="CLASSIFICATION_TYPE",
                              expected="U, C or S", found=es.classification)
    return es
