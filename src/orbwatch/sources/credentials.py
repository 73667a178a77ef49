"""Space-Track credentials: arguments, else environment, else netrc.

The environment variables are ``SPACETRACK_IDENTITY`` (or ``SPACETRACK_USER``)
and ``SPACETRACK_PASSWORD``; the netrc file is ``$NETRC`` or ``~/.netrc``
(which must be private to the user) and only its ``www.space-track.org``
entry is used, never its ``default`` entry.  No message or repr ever shows
the password.
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from orbwatch.errors import AuthenticationError

__all__ = ["Credentials", "resolve_credentials", "NETRC_MACHINE"]

NETRC_MACHINE = "www.space-track.org"


@dataclass(frozen=True)
class Credentials:
    """An identity and password, and where they came from (``origin``)."""

    identity: str
    password: str = field(repr=False)
    origin: str = "arguments"


def _netrc_entry(environ: Mapping[str, str]) -> tuple[str | None, str | None, str]:
    """(login, password, description) of the Space-Track entry in the netrc file."""
    explicit = environ.get("NETRC")
    path = os.path.expanduser(explicit) if explicit else os.path.expanduser("~/.netrc")
    where = f"netrc file {path}"
    if not os.path.isfile(path):
        return None, None, where
    try:
        # file=None makes netrc check that ~/.netrc is private to the user.
        parsed = netrc.netrc(path if explicit else None)
    except netrc.NetrcParseError as exc:
        if "permissive" in exc.msg or "owner" in exc.msg:
            raise AuthenticationError(
                f"refusing {where}: it is readable by others or not yours; expected a file "
                f"only you can read (chmod 600 {path})"
            ) from None
        # Other parse messages may quote a token (a password): not shown.
        raise AuthenticationError(
            f"could not parse {where} near line {exc.lineno}; expected "
            f"'machine {NETRC_MACHINE} login IDENTITY password PASSWORD'"
        ) from None
    except OSError as exc:
        raise AuthenticationError(f"could not read {where}: {exc.strerror}") from None
    # Only an entry for Space-Track itself: never the netrc 'default' entry.
    entry = parsed.hosts.get(NETRC_MACHINE) or parsed.hosts.get("space-track.org")
    if not entry:
        return None, None, where
    login, _account, password = entry
    return login or None, password or None, where


def resolve_credentials(
    identity: str | None = None,
    password: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Credentials | None:
    """Credentials from arguments, else the environment, else netrc; None if none.

    The identity is the first one found in that order.  A password is taken
    from the first place that has one and whose identity (if it names one)
    matches the chosen identity, so an environment password is never sent
    with someone else's netrc login, and vice versa.
    """
    env = os.environ if environ is None else environ
    sources: list[tuple[str | None, str | None, str]] = [(identity, password, "arguments")]
    env_identity = env.get("SPACETRACK_IDENTITY") or env.get("SPACETRACK_USER")
    sources.append((env_identity, env.get("SPACETRACK_PASSWORD"), "environment"))
    # netrc is read only when arguments and environment do not settle it.
    return _pick(sources) or _pick([*sources, _netrc_entry(env)])


def _pick(sources: list[tuple[str | None, str | None, str]]) -> Credentials | None:
    chosen, who = next(((i, o) for i, _p, o in sources if i), (None, ""))
    if chosen is None:
        return None
    for src_identity, src_password, origin in sources:
        if src_password and (src_identity is None or src_identity == chosen):
            label = who if origin == who else f"{who} (password from {origin})"
            return Credentials(chosen, src_password, label)
    return None
