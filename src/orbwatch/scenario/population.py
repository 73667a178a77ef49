"""Synthetic catalogues for scale: 100k to 1M objects, deterministic under a seed.

The population mixes the families that fill (or will fill) the public
catalogue, each with its real geometry:

* **Mega-constellation shells** (Walker delta: planes x satellites per plane,
  phasing between planes chosen to keep satellites apart): Starlink-like
  shells at 340-614 km (Gen1 and Gen2 filings), Kuiper-like at 590-630 km,
  OneWeb-like at 1200 km.  Shells keep
  their filed plane count and spacing and fill plane by plane; they are
  capped at the filed size (about 38,000 satellites in all).
* **Sun-synchronous band** 450-850 km (inclination from the SSO condition)
  and **other LEO** payloads and rocket bodies (300-1500 km, mixed inclinations).
* **Debris clouds** like FY-1C (865 km, 98.8 deg), Cosmos 2251 (790 km, 74
  deg), Iridium 33 (790 km, 86.4 deg) and Cosmos 1408 (480 km, 82.6 deg):
  fragments spread in semi-major axis, eccentricity and inclination, with
  nodes and perigees randomised (years of differential precession), and
  small debris over all of LEO (peaks at 800-1000 and 1400-1500 km).  Beyond
  the capped families (constellations, clouds), a larger catalogue is more
  small debris: what better sensors add (a 1M catalogue is mostly debris).
* **MEO navigation** (GPS, GLONASS, Galileo, BeiDou planes), the **GEO belt**
  (controlled satellites in 0.1 deg slots, drifting dead ones with
  inclinations up to 15 deg), **GTO** rocket bodies and **Molniya** orbits.

B* is drawn per object class (payload, rocket body, debris: higher
area-to-mass) and the mean-motion derivative follows from it and an
exponential atmosphere at the object's perigee altitude, so decay rates are
consistent with altitude.  Epochs of the randomly placed families spread
over the day before the nominal epoch, as in a real snapshot; the phased
families (constellation shells, navigation planes, GEO slots) share the
nominal epoch, so their spacing holds exactly as designed.  The catalogue is written as CelesTrak-style
OMM JSON (optionally gzip), which the ordinary readers ingest.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orbwatch.elements.model import ElementSet
from orbwatch.elements.omm import omm_to_dict
from orbwatch.errors import UserError
from orbwatch.scenario.planted import piece
from orbwatch.time import parse_iso

__all__ = ["FAMILIES", "Population", "generate_population", "write_population",
           "POPULATION_EPOCH_US"]

POPULATION_EPOCH_US = parse_iso("2026-01-01T00:00:00Z")
_MU, _RE, _J2 = 398600.8, 6378.135, 1.08262998905e-3
_DAY_S = 86400.0
#: m^2/kg of Cd*A/m per unit of B* (1/Earth radii): B* = B rho0 / 2, rho0 = 0.157 kg/m^2/ER
_B_PER_BSTAR = 2.0 / 0.15696615
#: (base altitude km, density kg/m^3, scale height km): exponential atmosphere, mean activity
_ATMOSPHERE = [(250, 7.248e-11, 45.546), (300, 2.418e-11, 53.628), (350, 9.518e-12, 53.298),
               (400, 3.725e-12, 58.515), (450, 1.585e-12, 60.828), (500, 6.967e-13, 63.822),
               (600, 1.454e-13, 71.835), (700, 3.614e-14, 88.667), (800, 1.170e-14, 124.64),
               (900, 5.245e-15, 181.05), (1000, 3.019e-15, 268.00)]

#: (altitude km, inclination deg, planes, satellites per plane) of the real shells
STARLINK = [(550, 53.0, 72, 22), (540, 53.2, 72, 22), (570, 70.0, 36, 20), (560, 97.6, 6, 58),
            (525, 53.0, 28, 120), (530, 43.0, 28, 120), (535, 33.0, 28, 120),
            (340, 53.0, 48, 110), (345, 46.0, 48, 110), (350, 38.0, 48, 110),
            (360, 96.9, 30, 120), (604, 148.0, 12, 12), (614, 115.7, 18, 18)]
KUIPER = [(630, 51.9, 34, 34), (610, 42.0, 36, 36), (590, 33.0, 28, 28)]
ONEWEB = [(1200, 87.9, 18, 36)]
#: Walker phasing factor of each shell above, from :func:`_best_phasing` (cached here:
#: the search takes about a minute for all shells)
PHASING = {(550, 53.0): 65, (540, 53.2): 25, (570, 70.0): 25, (560, 97.6): 3, (525, 53.0): 27,
           (530, 43.0): 11, (535, 33.0): 15, (630, 51.9): 7, (610, 42.0): 11, (590, 33.0): 17,
           (1200, 87.9): 7, (340, 53.0): 25, (345, 46.0): 1, (350, 38.0): 35, (360, 96.9): 17,
           (604, 148.0): 1, (614, 115.7): 1}
#: (altitude km, inclination deg, planes, slots per plane)
NAVIGATION = [(20180, 55.0, 6, 6), (19130, 64.8, 3, 8), (23222, 56.0, 3, 10),
              (21528, 55.0, 3, 8)]
#: (name, altitude km, inclination deg): breakup clouds
CLOUDS = [("FENGYUN 1C DEB", 865, 98.8), ("COSMOS 2251 DEB", 790, 74.0),
          ("IRIDIUM 33 DEB", 790, 86.4), ("COSMOS 1408 DEB", 480, 82.6)]


@dataclass
class _Orbits:
    """Mean elements of one family (arrays), before B* and epochs."""

    a: np.ndarray
    e: np.ndarray
    i: np.ndarray
    raan: np.ndarray
    argp: np.ndarray
    ma: np.ndarray
    names: list[str]
    kind: str  # payload | rocket body | debris


def _empty() -> _Orbits:
    z = np.zeros(0)
    return _Orbits(z, z, z, z, z, z, [], "payload")


def _circular(rng, a, inc, raan, u, names, kind="payload", e_sigma=1e-4) -> _Orbits:
    """Near-circular orbits placed by argument of latitude ``u`` (deg): the
    perigee is random, the mean anomaly puts the object at ``u``."""
    n = len(a)
    argp = rng.uniform(0, 360, n)
    return _Orbits(np.asarray(a, float), np.abs(rng.normal(0, e_sigma, n)) + 1e-5,
                   np.asarray(inc, float), np.asarray(raan, float) % 360, argp,
                   (np.asarray(u, float) - argp) % 360, names, kind)


@functools.lru_cache(maxsize=256)
def _best_phasing(alt_km: float, inc_deg: float, planes: int, per: int) -> int:
    """Walker phasing factor F (0..planes-1) that keeps the shell's satellites
    farthest apart, as operators choose it: by the shell's symmetry, the closest
    approach of satellite (0, 0) to all others over one period (two-body,
    circular, sampled with linear refinement) is the shell's."""
    a = _RE + alt_km
    n = math.sqrt(_MU / a**3)
    t = np.linspace(0.0, 2 * math.pi / n, 721)
    dt = t[1] - t[0]
    ci, si = math.cos(math.radians(inc_deg)), math.sin(math.radians(inc_deg))
    p = np.repeat(np.arange(planes), per)
    k = np.tile(np.arange(per), planes)
    raan = 2 * math.pi * p / planes
    cr, sr = np.cos(raan)[:, None], np.sin(raan)[:, None]

    def state(u0):
        u = u0[:, None] + n * t[None, :]
        cu, su = np.cos(u), np.sin(u)
        pos = a * np.stack([cr * cu - sr * ci * su, sr * cu + cr * ci * su, si * su], -1)
        vel = a * n * np.stack([-cr * su - sr * ci * cu, -sr * su + cr * ci * cu, si * cu], -1)
        return pos, vel

    best, best_d = 0, -1.0
    for f in range(planes):
        u0 = 2 * math.pi * (k / per + f * p / (planes * per))
        pos, vel = state(u0)
        dr, dv = pos[1:] - pos[:1], vel[1:] - vel[:1]
        vv = np.einsum("stk,stk->st", dv, dv)
        tau = np.clip(-np.einsum("stk,stk->st", dr, dv) / np.maximum(vv, 1e-12), 0.0, dt)
        d = np.linalg.norm(dr + dv * tau[..., None], axis=-1).min()
        if d > best_d:
            best, best_d = f, float(d)
    return best


def walker_capacity(shells) -> int:
    """Satellites the shells hold (planes x satellites per plane, summed)."""
    return sum(planes * per for _, _, planes, per in shells)


def _walker(rng, shells, count: int, label: str) -> _Orbits:
    """``count`` satellites in the Walker shells, filled in order, plane after
    plane (a partly deployed shell keeps its real slots)."""
    if count > walker_capacity(shells):
        raise ValueError(f"{label}: {count} satellites exceed the shells' "
                         f"{walker_capacity(shells)} slots")
    a, inc, raan, ma = [], [], [], []
    left = count
    for alt, i_deg, planes, per in shells:
        if left <= 0:
            break
        used = min(left, planes * per)
        p = np.arange(used) // per
        k = np.arange(used) % per
        f = PHASING.get((alt, i_deg))
        if f is None:
            f = _best_phasing(alt, i_deg, planes, per)
        a.append(_RE + alt + rng.uniform(-1.0, 1.0, used))  # station-keeping box
        inc.append(np.full(used, i_deg) + rng.normal(0, 0.002, used))
        raan.append(360.0 * p / planes)
        ma.append(360.0 * (k / per + f * p / (planes * per)) + rng.normal(0, 0.005, used))
        left -= used
    names = [f"{label}-{j + 1}" for j in range(count)]
    return _circular(rng, np.concatenate(a), np.concatenate(inc), np.concatenate(raan),
                     np.concatenate(ma), names)


def _sso_inclination(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Inclination (deg) whose J2 nodal drift follows the Sun (0.9856 deg/day)."""
    n = np.sqrt(_MU / a**3)
    rate = 2 * math.pi / (365.2422 * _DAY_S)
    cosi = -rate / (1.5 * n * _J2 * (_RE / (a * (1 - e * e))) ** 2)
    return np.degrees(np.arccos(np.clip(cosi, -1, 1)))


def _sso(rng, count: int) -> _Orbits:
    a = _RE + rng.uniform(450, 850, count)
    o = _circular(rng, a, np.zeros(count), rng.uniform(0, 360, count),
                  rng.uniform(0, 360, count), [f"SSO SAT {j + 1}" for j in range(count)],
                  e_sigma=1e-3)
    o.i = _sso_inclination(o.a, o.e) + rng.normal(0, 0.05, count)
    return o


def _other_leo(rng, count: int) -> _Orbits:
    a = _RE + rng.uniform(300, 1500, count)
    inc = rng.choice([28.5, 51.6, 65.0, 71.0, 74.0, 82.9, 86.4, 98.0], count) + \
        rng.normal(0, 1.0, count)
    body = rng.random(count) < 0.4
    names = [f"{'SL R/B' if b else 'LEO SAT'} {j + 1}" for j, b in enumerate(body)]
    o = _circular(rng, a, inc, rng.uniform(0, 360, count), rng.uniform(0, 360, count), names,
                  kind="rocket body", e_sigma=4e-3)
    return o


def _clouds(rng, count: int) -> _Orbits:
    parts = []
    for c, (name, alt, i_deg) in enumerate(CLOUDS):
        n = count // len(CLOUDS) + (1 if c < count % len(CLOUDS) else 0)
        a = _RE + alt + rng.normal(0, 70.0, n)
        e = np.minimum(np.abs(rng.normal(0, 0.008, n)), 0.9 * (1 - (_RE + 250) / a))
        e = np.maximum(e, 1e-5)
        parts.append(_Orbits(a, e, i_deg + rng.normal(0, 0.4, n), rng.uniform(0, 360, n),
                             rng.uniform(0, 360, n), rng.uniform(0, 360, n), [name] * n,
                             "debris"))
    return _join(parts, "debris")


def _scattered_debris(rng, count: int) -> _Orbits:
    """Small debris over all of LEO, as the models of the centimetre population
    spread it: peaks near 800-1000 km and 1400-1500 km over a broad floor."""
    band = rng.random(count)
    h = np.where(band < 0.45, rng.normal(880, 110, count),
                 np.where(band < 0.65, rng.normal(1440, 60, count),
                          rng.uniform(350, 2000, count)))
    a = _RE + np.clip(h, 300, 2100)
    e = np.abs(rng.normal(0, 0.01, count))
    e = np.clip(e, 1e-5, 0.9 * (1 - (_RE + 250) / a))
    inc = np.where(rng.random(count) < 0.7, rng.uniform(60, 105, count),
                   rng.uniform(0, 180, count))
    return _Orbits(a, e, inc, rng.uniform(0, 360, count), rng.uniform(0, 360, count),
                   rng.uniform(0, 360, count), ["DEB"] * count, "debris")


def _navigation(rng, count: int) -> _Orbits:
    slots = [(alt, i_deg, 360.0 * p / planes, 360.0 * k / per + 15.0 * p)
             for alt, i_deg, planes, per in NAVIGATION for p in range(planes)
             for k in range(per)]
    pick = [slots[j % len(slots)] for j in range(count)]
    lap = np.arange(count) // len(slots)  # beyond the real slots: spares between them
    alt = np.array([s[0] for s in pick]) + 30.0 * lap
    return _circular(rng, _RE + alt, [s[1] for s in pick], [s[2] for s in pick],
                     np.array([s[3] for s in pick]) + 7.0 * lap,
                     [f"NAVSAT {j + 1}" for j in range(count)], e_sigma=3e-3)


def _geo(rng, count: int, epoch_gmst_deg: float) -> _Orbits:
    active = rng.random(count) < 0.45
    a = np.where(active, 42164.17 + rng.normal(0, 0.5, count),
                 42164.17 + rng.uniform(-300, 300, count))
    inc = np.where(active, rng.uniform(0, 0.08, count), rng.uniform(0, 15, count))
    n_act = int(active.sum())
    slots = (np.arange(n_act) * 0.1 * 7.0) % 360.0  # 0.1 deg slots, spread round the belt
    lon = np.empty(count)
    lon[active] = slots + rng.uniform(-0.02, 0.02, n_act)
    lon[~active] = rng.uniform(0, 360, count - n_act)
    raan = rng.uniform(0, 360, count)
    argp = rng.uniform(0, 360, count)
    ma = lon + epoch_gmst_deg - raan - argp  # mean longitude = GMST + east longitude
    e = np.where(active, rng.uniform(1e-5, 4e-4, count), rng.uniform(1e-4, 3e-3, count))
    names = [f"{'GEO SAT' if x else 'GEO DEAD'} {j + 1}" for j, x in enumerate(active)]
    return _Orbits(a, e, inc, raan, argp % 360, ma % 360, names, "payload")


def _eccentric(rng, count: int) -> _Orbits:
    molniya = rng.random(count) < 0.2
    rp = _RE + rng.uniform(200, 600, count)
    ra = _RE + 35786.0 + rng.normal(0, 300, count)
    a_gto, e_gto = (rp + ra) / 2, (ra - rp) / (ra + rp)
    a = np.where(molniya, 26560.0 + rng.normal(0, 20, count), a_gto)
    e = np.where(molniya, 0.72 + rng.normal(0, 0.01, count), e_gto)
    inc = np.where(molniya, 63.4 + rng.normal(0, 0.3, count), rng.uniform(5, 28, count))
    argp = np.where(molniya, 270 + rng.normal(0, 2, count), rng.uniform(0, 360, count))
    names = [("MOLNIYA " if m else "GTO R/B ") + str(j + 1) for j, m in enumerate(molniya)]
    return _Orbits(a, e, inc, rng.uniform(0, 360, count), argp % 360,
                   rng.uniform(0, 360, count), names, "rocket body")


def _join(parts: list[_Orbits], kind: str) -> _Orbits:
    if not parts:
        return _empty()
    return _Orbits(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                     ("a", "e", "i", "raan", "argp", "ma")),
                   [n for p in parts for n in p.names], kind)


#: family -> (share of the catalogue, builder, most objects or None)
FAMILIES: dict[str, tuple[float, Callable, int | None]] = {
    "starlink": (0.30, lambda rng, n, g: _walker(rng, STARLINK, n, "STARLINK"),
                 walker_capacity(STARLINK)),
    "kuiper": (0.06, lambda rng, n, g: _walker(rng, KUIPER, n, "KUIPER"),
               walker_capacity(KUIPER)),
    "oneweb": (0.04, lambda rng, n, g: _walker(rng, ONEWEB, n, "ONEWEB"),
               walker_capacity(ONEWEB)),
    "sso": (0.08, lambda rng, n, g: _sso(rng, n), None),
    "other_leo": (0.10, lambda rng, n, g: _other_leo(rng, n), None),
    "debris_clouds": (0.12, lambda rng, n, g: _clouds(rng, n), 40_000),
    "debris_scattered": (0.24, lambda rng, n, g: _scattered_debris(rng, n), None),
    "navigation": (0.01, lambda rng, n, g: _navigation(rng, n), None),
    "geo": (0.03, lambda rng, n, g: _geo(rng, n, g), None),
    "eccentric": (0.02, lambda rng, n, g: _eccentric(rng, n), None),
}
#: where objects beyond the capped families' limits go (better sensors find small debris)
OVERFLOW = "debris_scattered"


def family_counts(objects: int) -> dict[str, int]:
    """Objects per family: shares of the total, capped families (the filed
    constellation shells, the breakup clouds) at their size, the rest to
    :data:`OVERFLOW`."""
    names = list(FAMILIES)
    shares = np.array([FAMILIES[f][0] for f in names])
    counts = np.floor(shares / shares.sum() * objects).astype(int)
    counts[names.index(OVERFLOW)] += objects - counts.sum()
    for k, f in enumerate(names):
        cap = FAMILIES[f][2]
        if cap is not None and counts[k] > cap:
            counts[names.index(OVERFLOW)] += counts[k] - cap
            counts[k] = cap
    return {f: int(c) for f, c in zip(names, counts, strict=True)}


#: families whose relative placement is designed (they share the nominal epoch)
PHASED = ("starlink", "kuiper", "oneweb", "navigation", "geo")


def _density(h_km: np.ndarray) -> np.ndarray:
    base = np.array([b for b, _, _ in _ATMOSPHERE], float)
    k = np.clip(np.searchsorted(base, h_km, side="right") - 1, 0, len(base) - 1)
    rho0 = np.array([r for _, r, _ in _ATMOSPHERE])[k]
    scale = np.array([s for _, _, s in _ATMOSPHERE])[k]
    return rho0 * np.exp(-(h_km - base[k]) / scale)


def _drag(rng, o: _Orbits) -> tuple[np.ndarray, np.ndarray]:
    """B* (1/ER) by object class and ndot/2 (rev/day^2) from it at perigee."""
    n = len(o.a)
    median = {"payload": 1.5e-4, "rocket body": 2.5e-4, "debris": 6e-4}[o.kind]
    bstar = median * np.exp(rng.normal(0, 0.8, n))
    hp = o.a * (1 - o.e) - _RE
    bstar = np.where(hp > 2000, 0.0, bstar)
    b_si = _B_PER_BSTAR * bstar  # m^2/kg
    rho = _density(np.maximum(hp, 150.0))  # kg/m^3
    a_m = o.a * 1e3
    dadt = -b_si * rho * np.sqrt(_MU * 1e9 * a_m) * np.sqrt((1 + o.e) / (1 - o.e))  # m/s
    n_rad = np.sqrt(_MU / o.a**3)
    ndot = -1.5 * n_rad / a_m * dadt  # rad/s^2
    return bstar, ndot / (2 * math.pi) * _DAY_S**2 / 2.0


@dataclass
class Population:
    """A generated catalogue and how many objects each family holds."""

    sets: list[ElementSet]
    families: dict[str, int]
    seed: int
    epoch_us: int


def _gmst_deg(epoch_us: int) -> float:
    d = epoch_us / 86_400e6 + 2440587.5 - 2451545.0
    return (280.46061837 + 360.98564736629 * d) % 360.0


def generate_population(objects: int, *, seed: int = 0,
                        epoch_us: int = POPULATION_EPOCH_US,
                        first_norad: int = 100_000) -> Population:
    """``objects`` element sets (one per object) of a realistic synthetic catalogue.

    The same ``objects``, ``seed`` and ``epoch_us`` give the same catalogue.
    Catalogue numbers run from ``first_norad`` (above the real catalogue's).
    """
    if objects < 1 or objects > 5_000_000:
        raise UserError(f"--objects: expected 1 to 5,000,000 objects, found {objects}")
    counts = family_counts(objects)
    streams = np.random.SeedSequence(seed).spawn(2 * len(FAMILIES))
    gmst = _gmst_deg(epoch_us)
    sets: list[ElementSet] = []
    families: dict[str, int] = {}
    launch = [2019, 1]
    for f, (name, (_, build, _)) in enumerate(FAMILIES.items()):
        count = counts[name]
        families[name] = int(count)
        if count == 0:
            continue
        rng = np.random.default_rng(streams[2 * f])
        o = build(rng, int(count), gmst)
        side = np.random.default_rng(streams[2 * f + 1])
        bstar, ndot = _drag(side, o)
        epochs = np.full(count, epoch_us, dtype=np.int64)
        if name not in PHASED:
            epochs -= side.integers(0, 86_400_000_000, count)
        n_rev = np.sqrt(_MU / o.a**3) * _DAY_S / (2 * math.pi)
        per_launch = 60 if o.kind == "payload" else 14_000
        for k in range(count):
            if k % per_launch == 0 and k:
                launch[1] += 1
                if launch[1] > 999:
                    launch[0], launch[1] = launch[0] + 1, 1
            sets.append(ElementSet(
                norad=first_norad + len(sets), epoch_us=int(epochs[k]),
                mean_motion=float(n_rev[k]), eccentricity=float(o.e[k]),
                inclination=float(np.clip(o.i[k], 0.0, 180.0)), raan=float(o.raan[k] % 360),
                arg_perigee=float(o.argp[k] % 360), mean_anomaly=float(o.ma[k] % 360),
                bstar=float(bstar[k]), mean_motion_dot=float(ndot[k]), name=o.names[k],
                intldes=f"{launch[0]}-{launch[1]:03d}{piece(k % per_launch)}",
                element_set_no=999, rev_at_epoch=0, source="synthetic", format="omm-json"))
        launch[1] += 1
    return Population(sets, families, seed, epoch_us)


def write_population(pop: Population, path: str | Path) -> Path:
    """Write the catalogue as CelesTrak-style OMM JSON (gzip when ``path`` ends in .gz)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write("[\n")
        for k, es in enumerate(pop.sets):
            fh.write((",\n" if k else "") + json.dumps(omm_to_dict(es)))
        fh.write("\n]\n")
    return path
