"""The code-of-conduct engine: rules as data, attribution, notifications, findings.

>>> from orbwatch.norms import default_code, judge
>>> findings = judge(events, store.objects(), default_code(), notifications)

* :mod:`~orbwatch.norms.code`: rule files (TOML/YAML), validation, the default code;
* :mod:`~orbwatch.norms.conditions`: the safe structured condition language;
* :mod:`~orbwatch.norms.facts`: derived facts rules may test;
* :mod:`~orbwatch.norms.attribution`: objects -> parties (joint owners, debris parents);
* :mod:`~orbwatch.norms.notifications`: declared intentions matched to events;
* :mod:`~orbwatch.norms.engine`: :func:`judge` and :class:`Finding`.
"""

from orbwatch.norms.attribution import UNATTRIBUTED, Attributed, Attribution
from orbwatch.norms.code import Code, Rule, default_code, load_code, parse_code
from orbwatch.norms.engine import FINDING_SCHEMA, Finding, findings_to_json, judge
from orbwatch.norms.errors import CodeError, NotificationError
from orbwatch.norms.facts import FACTS
from orbwatch.norms.notifications import (
    Notification,
    NotificationMatch,
    load_notifications,
    parse_notifications,
)

__all__ = ["UNATTRIBUTED", "Attributed", "Attribution", "Code", "Rule", "default_code",
           "load_code", "parse_code", "FINDING_SCHEMA", "Finding", "findings_to_json", "judge",
           "CodeError", "NotificationError", "FACTS", "Notification", "NotificationMatch",
           "load_notifications", "parse_notifications"]
