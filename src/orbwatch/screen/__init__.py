"""Conjunction screening of whole catalogues, collision probability, CCSDS CDMs.

* :func:`screen` -- all-vs-all or primaries-vs-all close approaches over a
  window, with a proven no-miss bound (:mod:`orbwatch.screen.sieve`), TCA
  refinement (:mod:`orbwatch.screen.refine`) and co-moving pairs reported as
  long-duration proximities.
* :func:`assess` -- events with Pc (:mod:`orbwatch.screen.pc`), the default
  TLE covariance model (:mod:`orbwatch.screen.covariance`) and hard-body radii
  (:mod:`orbwatch.screen.hbr`).
* :mod:`orbwatch.screen.cdm` -- CCSDS CDMs in and out (KVN, XML).
"""

from orbwatch.screen.assess import Assessment, assess, encounter_cdm
from orbwatch.screen.cdm import Cdm, parse_cdm, read_cdm, write_cdm_kvn, write_cdm_xml
from orbwatch.screen.engine import Encounter, Proximity, ScreenResult, screen
from orbwatch.screen.pc import max_pc_unknown_covariance, pc2d_foster, pc2d_foster_batch

__all__ = [
    "Assessment",
    "Cdm",
    "Encounter",
    "Proximity",
    "ScreenResult",
    "assess",
    "encounter_cdm",
    "max_pc_unknown_covariance",
    "parse_cdm",
    "pc2d_foster",
    "pc2d_foster_batch",
    "read_cdm",
    "screen",
    "write_cdm_kvn",
    "write_cdm_xml",
]
