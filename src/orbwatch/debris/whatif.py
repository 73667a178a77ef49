"""A breakup scenario from start to years later, as one JSON-ready result.

:func:`run_scenario` takes a catalogued object's element set and a kind of
event ("collision", "explosion", or "none": the intact object, the baseline
of a what-if), fragments it with the NASA standard breakup model, evolves
every piece under drag and J2, and reports what remains after 1, 5 and 25
years, which altitude bands the pieces cross, and the extra collision rate
they bring to chosen satellites.  ``orbwatch debris simulate`` and
``orbwatch debris whatif`` print it.
"""

from __future__ import annotations

import numpy as np

from orbwatch.errors import UserError

__all__ = ["run_scenario", "orbit_arrays", "REPORT_YEARS", "FIRST_NORAD"]

#: years after the event at which the objects left in orbit are counted
REPORT_YEARS = (1, 5, 25)
#: catalogue number of the first simulated fragment
FIRST_NORAD = 900000


def orbit_arrays(sets) -> tuple[np.ndarray, ...]:
    """``(a km, e, i rad, RAAN rad, argument of perigee rad)`` arrays of element
    sets, in the order :func:`~orbwatch.debris.lifetime.evolve` takes them."""
    return tuple(np.array([f(s) for s in sets], float) for f in (
        lambda s: s.semi_major_axis_km, lambda s: s.eccentricity,
        lambda s: np.radians(s.inclination), lambda s: np.radians(s.raan),
        lambda s: np.radians(s.arg_perigee)))


def run_scenario(parent, event: str, *, epoch_us: int, years: float, target_mass_kg: float,
                 target_area_m2: float, impactor_mass_kg: float, impact_speed_kms: float,
                 min_size_m: float, material: str, seed: int, targets: list, space_weather,
                 step_days: float, figures: str | None = None) -> dict:
    """One scenario ("collision", "explosion" or "none": the intact target)
    from breakup to ``years`` later, as a JSON-ready dict."""
    from orbwatch.debris.breakup_model import fragments_to_element_sets, simulate_breakup
    from orbwatch.debris.flux import collision_rate_increase
    from orbwatch.debris.lifetime import band_crossings, evolve, remaining_after

    info: dict = {"event": event}
    if event == "none":
        objs, am = [parent], np.array([target_area_m2 / target_mass_kg])
    else:
        cloud = simulate_breakup(event, target_mass_kg, impactor_mass_kg=impactor_mass_kg
                                 if event == "collision" else None,
                                 impact_speed_kms=impact_speed_kms if event == "collision"
                                 else None, min_size_m=min_size_m, material=material,
                                 seed=seed)
        objs = fragments_to_element_sets(cloud, parent, epoch_us, first_norad=FIRST_NORAD)
        am = cloud.am_m2_kg[np.array([s.norad - FIRST_NORAD for s in objs], int)]
        info.update(catastrophic=cloud.catastrophic, energy_j_g=cloud.energy_j_g,
                    fragments_simulated=len(cloud), fragments_escaped=len(cloud) - len(objs))
    if not objs:
        raise UserError("no fragment stays in orbit; nothing to evolve")
    ev = evolve(*orbit_arrays(objs), am, epoch_us, years, step_days=step_days,
                space_weather=space_weather)
    yrs = [y for y in REPORT_YEARS if y < years] + [years]
    rates = collision_rate_increase(ev, targets)
    info.update(
        objects_in_orbit_initial=len(objs),
        remaining_after_years=remaining_after(ev, yrs),
        band_crossings_objects=band_crossings(ev),
        collision_rate_increase=[{
            "norad": r.norad, "name": r.name, "cross_section_m2": r.cross_section_m2,
            "v_rel_kms": r.v_rel_kms, "mean_extra_collisions_per_year": r.mean_rate_per_year,
            "first_year_extra_collisions_per_year": r.first_year_rate_per_year,
            "expected_extra_collisions_over_run": r.expected_collisions} for r in rates])
    if figures and event != "none":
        from orbwatch.debris.figures import write_figures

        paths = write_figures(ev, figures, prefix=f"{parent.norad}_{event}_",
                              title=f"{parent.name or parent.norad}")
        info["figures"] = [str(p) for p in paths]
    return info
