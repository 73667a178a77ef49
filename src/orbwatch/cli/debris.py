"""``orbwatch debris simulate`` and ``orbwatch debris whatif``: what a breakup
of a catalogued object would leave in orbit, for how long, and what it adds to
the collision risk of operational satellites."""

from __future__ import annotations

import sys

import typer

from orbwatch.cli.app import DbOption, app
from orbwatch.cli.catalog import load_sets
from orbwatch.cli.output import OutputFormat, emit, err_console
from orbwatch.debris.whatif import run_scenario
from orbwatch.errors import UserError

__all__ = ["debris_app", "simulate_cmd", "whatif_cmd"]

debris_app = typer.Typer(help="Debris consequence model: breakup, lifetime, collision risk.",
                         no_args_is_help=True)
app.add_typer(debris_app, name="debris")

DEFAULT_AGAINST = (25544, 48274)  # ISS, CSS (Tianhe), when present in the catalogue


def _set_at(sets: list, norad: int, epoch_us: int | None):
    """The object's newest set at or before ``epoch_us`` (else its nearest)."""
    own = [s for s in sets if s.norad == norad]
    if not own:
        return None
    if epoch_us is None:
        return max(own, key=lambda s: s.epoch_us)
    before = [s for s in own if s.epoch_us <= epoch_us]
    return max(before, key=lambda s: s.epoch_us) if before else \
        min(own, key=lambda s: abs(s.epoch_us - epoch_us))


def _space_weather(option: str | None):
    """CelesTrak online (falling back, with a message, when offline), a file, or the model."""
    from orbwatch.debris.density import SpaceWeather
    from orbwatch.errors import OfflineError

    if not option:
        return SpaceWeather.fallback()
    if option.lower() == "celestrak":
        try:
            return SpaceWeather.from_celestrak()
        except OfflineError as exc:
            err_console.print(f"space weather: CelesTrak unreachable ({exc}); using the "
                              "fallback solar-cycle model", highlight=False, markup=False)
            return SpaceWeather.fallback()
    return SpaceWeather.from_file(option)


def _prepare(event: str, checks: tuple, common: tuple):
    """The checks and the loading that simulate and whatif share."""
    if event not in ("collision", "explosion"):
        raise UserError(f"--event must be 'collision' or 'explosion', not {event!r}")
    _check(*checks)
    return _common(*common)


def _common(target, catalog, db, epoch, space_weather, against):
    from orbwatch.time import format_iso, parse_iso

    epoch_us = parse_iso(epoch) if epoch else None
    sw = _space_weather(space_weather)
    sets = load_sets(catalog, db)
    parent = _set_at(sets, target, epoch_us)
    if parent is None:
        raise UserError(f"object {target} has no element sets in the catalogue")
    if epoch_us is None:
        epoch_us = parent.epoch_us
    wanted = against or [n for n in DEFAULT_AGAINST if n != target]
    targets = [t for t in (_set_at(sets, n, epoch_us) for n in wanted) if t is not None]
    missing = sorted(set(wanted) - {t.norad for t in targets})
    if against and missing:
        raise UserError(f"--against objects without element sets: "
                        f"{', '.join(map(str, missing))}")
    head = {"target": target, "target_name": parent.name, "target_set_epoch":
            format_iso(parent.epoch_us), "epoch": format_iso(epoch_us),
            "target_perigee_km": parent.perigee_km, "target_apogee_km": parent.apogee_km,
            "space_weather": sw.label, "space_weather_detail": sw.describe()}
    return parent, epoch_us, sw, targets, head


def _check(years, step_days, min_size, target_mass, target_area):
    if not 0 < years <= 200:
        raise UserError("--years must be in (0, 200]")
    if not 0 < step_days <= 30:
        raise UserError("--step-days must be in (0, 30]")
    if min_size <= 0 or target_mass <= 0 or target_area <= 0:
        raise UserError("--min-size, --target-mass and --target-area must be positive")


TargetOpt = typer.Option(..., "--target", help="Catalogue number of the object broken up.")
CatalogOpt = typer.Option(None, "--catalog", help="Element-set files instead of the database.")
EpochOpt = typer.Option(None, "--epoch", help="Breakup time, ISO UTC [default: the target's "
                        "newest set].")
YearsOpt = typer.Option(25.0, "--years", help="Years to evolve.")
MinSizeOpt = typer.Option(0.1, "--min-size", help="Smallest fragment (m).")
MassOpt = typer.Option(1000.0, "--target-mass", help="Target mass (kg).")
AreaOpt = typer.Option(4.0, "--target-area", help="Target mean drag area (m^2), for the "
                       "intact object.")
ImpMassOpt = typer.Option(20.0, "--impactor-mass", help="Impactor mass (kg).")
ImpSpeedOpt = typer.Option(10.0, "--impact-speed", help="Impact speed (km/s).")
SwOpt = typer.Option(None, "--space-weather",
                     help="'celestrak' (download SW-All.csv, cached) or a local SW-All.csv "
                          "copy [default: the offline fallback solar-cycle model].")
FigOpt = typer.Option(None, "--figures", help="Write Gabbard, count and altitude PNGs here.")
SeedOpt = typer.Option(1, "--seed", help="Random seed of the breakup model.")
AgainstOpt = typer.Option(None, "--against", help="Satellites whose collision rate is "
                          "computed [default: ISS 25544 and CSS 48274 when present].")
StepOpt = typer.Option(5.0, "--step-days", help="Integration step (days).")
MaterialOpt = typer.Option("spacecraft", "--material", help="spacecraft | rocket body")
FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="table | json")


def _emit(doc: dict, fmt: OutputFormat, title: str) -> None:
    if fmt is OutputFormat.json:
        emit([], fmt, document=doc)
        return
    rows = []
    for k, v in doc.items():
        if isinstance(v, dict) and k != "scenarios":
            rows += [{"quantity": f"{k}: {kk}", "value": vv} for kk, vv in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            rows += [{"quantity": f"{k}: {r['norad']} {r.get('name') or ''}".strip(),
                      "value": f"{r['mean_extra_collisions_per_year']:.3g} /yr"} for r in v]
        else:
            rows.append({"quantity": k, "value": v})
    emit(rows, fmt, title=title)


@debris_app.command("simulate")
def simulate_cmd(
    target: int = TargetOpt, event: str = typer.Option(..., "--event",
                                                       help="collision | explosion"),
    impactor_mass: float = ImpMassOpt, impact_speed: float = ImpSpeedOpt,
    years: float = YearsOpt, min_size: float = MinSizeOpt, target_mass: float = MassOpt,
    target_area: float = AreaOpt, material: str = MaterialOpt,
    catalog: list[str] | None = CatalogOpt, db: str | None = DbOption,
    epoch: str | None = EpochOpt, space_weather: str | None = SwOpt,
    figures: str | None = FigOpt, seed: int = SeedOpt, against: list[int] | None = AgainstOpt,
    step_days: float = StepOpt, fmt: OutputFormat = FormatOpt,
) -> None:
    """Break up a catalogued object and follow its fragments for years."""
    parent, epoch_us, sw, targets, doc = _prepare(
        event, (years, step_days, min_size, target_mass, target_area),
        (target, catalog, db, epoch, space_weather, against))
    doc.update(years=years, target_mass_kg=target_mass, min_size_m=min_size, seed=seed)
    if event == "collision":
        doc.update(impactor_mass_kg=impactor_mass, impact_speed_kms=impact_speed)
    doc.update(run_scenario(parent, event, epoch_us=epoch_us, years=years,
                            target_mass_kg=target_mass, target_area_m2=target_area,
                            impactor_mass_kg=impactor_mass, impact_speed_kms=impact_speed,
                            min_size_m=min_size, material=material, seed=seed,
                            targets=targets, space_weather=sw, step_days=step_days,
                            figures=figures))
    _emit(doc, fmt, f"debris simulate {target} ({event})")
    for p in doc.get("figures", []):
        err_console.print(f"wrote {p}", highlight=False, markup=False)


@debris_app.command("whatif")
def whatif_cmd(
    target: int = TargetOpt,
    event: str = typer.Option("collision", "--event", help="the hypothetical destructive "
                              "event: collision | explosion"),
    impactor_mass: float = ImpMassOpt, impact_speed: float = ImpSpeedOpt,
    years: float = YearsOpt, min_size: float = MinSizeOpt, target_mass: float = MassOpt,
    target_area: float = AreaOpt, material: str = MaterialOpt,
    catalog: list[str] | None = CatalogOpt, db: str | None = DbOption,
    epoch: str | None = EpochOpt, space_weather: str | None = SwOpt,
    figures: str | None = FigOpt, seed: int = SeedOpt, against: list[int] | None = AgainstOpt,
    step_days: float = StepOpt, fmt: OutputFormat = FormatOpt,
) -> None:
    """Side by side: a non-destructive test (no breakup; the intact target, as
    in the 2020/2021 Nudol tests that destroyed nothing) against a destructive
    one on the same target."""
    parent, epoch_us, sw, targets, doc = _prepare(
        event, (years, step_days, min_size, target_mass, target_area),
        (target, catalog, db, epoch, space_weather, against))
    kw = dict(epoch_us=epoch_us, years=years, target_mass_kg=target_mass,
              target_area_m2=target_area, impactor_mass_kg=impactor_mass,
              impact_speed_kms=impact_speed, min_size_m=min_size, material=material,
              seed=seed, targets=targets, space_weather=sw, step_days=step_days,
              figures=figures)
    doc.update(years=years, target_mass_kg=target_mass, min_size_m=min_size, seed=seed,
               impactor_mass_kg=impactor_mass, impact_speed_kms=impact_speed)
    scen = {"non_destructive": run_scenario(parent, "none", **kw),
            "destructive": run_scenario(parent, event, **kw)}
    doc["scenarios"] = scen
    if fmt is OutputFormat.json:
        emit([], fmt, document=doc)
        return
    rows = [{"quantity": k, "non_destructive": "", "destructive": v} for k, v in doc.items()
            if k != "scenarios"]
    for key in ("objects_in_orbit_initial", "remaining_after_years", "band_crossings_objects",
                "collision_rate_increase"):
        a, b = scen["non_destructive"][key], scen["destructive"][key]
        if isinstance(a, dict):
            rows += [{"quantity": f"{key}: {k}", "non_destructive": a[k],
                      "destructive": b[k]} for k in b]
        elif isinstance(a, list):
            rows += [{"quantity": f"extra collisions/yr: {x['norad']}",
                      "non_destructive": f"{x['mean_extra_collisions_per_year']:.3g}",
                      "destructive": f"{y['mean_extra_collisions_per_year']:.3g}"}
                     for x, y in zip(a, b, strict=True)]
        else:
            rows.append({"quantity": key, "non_destructive": a, "destructive": b})
    emit(rows, fmt, title=f"debris whatif {target}")
    sys.stderr.flush()
