"""Element sets and catalogue records: parse, validate, write.

One constructor per input format, one validated result (`ElementSet`):

- `orbwatch.elements.tle`: TLE / 2LE / 3LE (Alpha-5)
- `orbwatch.elements.omm`: CCSDS OMM as JSON, CSV, XML, KVN
- `orbwatch.elements.keeptrack`: keeptrack.space JSON catalogues
- `orbwatch.elements.satcat`: SATCAT and objects-in-orbit tables
- `orbwatch.elements.readers`: format sniffing for any file
- `orbwatch.elements.maneuver_logs`: operator manoeuvre histories (ground truth)
"""

from orbwatch.elements.model import ElementSet, identity_key, normalize_intldes, validate
from orbwatch.elements.tle import ReadResult, format_tle, parse_tle, read_tle

__all__ = [
    "ElementSet",
    "ReadResult",
    "format_tle",
    "identity_key",
    "normalize_intldes",
    "parse_tle",
    "read_tle",
    "validate",
]
