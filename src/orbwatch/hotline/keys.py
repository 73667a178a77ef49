"""Which key each party may sign with, at each position of the log.

Keys change only through entries of the log itself, so anyone holding the
log (and the log's public key) can replay the history:

* ``party_registration`` (author ``@log``, signed by the log's key) admits a
  party with its first key, or gives a party whose key was revoked a new one;
* ``key_rotation`` (signed by the party's current key) replaces that key by
  ``new_public_key``; the old key signs nothing after the rotation entry;
* ``key_revocation`` (signed by the party's current key) revokes one of its
  keys; revoking the current key leaves the party unable to publish until
  the log registers a new key for it.

A key, once used, can never be registered again (by anyone).  A key is valid
for the positions ``valid_from .. valid_until`` (inclusive; ``None``: still
current), so an old entry verifies with the key valid at its position.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from orbwatch.hotline.entries import LOG_AUTHOR, Party, load_public_key, verify_entry
from orbwatch.hotline.errors import (
    BadSignatureError,
    EntryError,
    RetiredKeyError,
    RevokedKeyError,
    UnknownPartyError,
    WrongAuthorError,
)

__all__ = ["KeyRecord", "KeyRing", "KEY_TYPES"]

KEY_TYPES = ("party_registration", "key_rotation", "key_revocation")


@dataclass
class KeyRecord:
    party: str
    public_key: str  # base64 of the 32 raw bytes
    valid_from: int
    valid_until: int | None = None
    revoked: bool = False

    def valid_at(self, index: int) -> bool:
        return self.valid_from <= index and (self.valid_until is None or index <= self.valid_until)


class KeyRing:
    """Key history of every party, replayed from the log's key entries."""

    def __init__(self, log_public_key: Ed25519PublicKey | bytes | str) -> None:
        self.log_key = load_public_key(log_public_key)
        self.records: dict[str, KeyRecord] = {}
        self.current: dict[str, str | None] = {}  # party -> key (None: revoked)

    # ----- queries ----------------------------------------------------------
    def parties(self) -> list[str]:
        return sorted(self.current)

    def current_key(self, party: str) -> str:
        if party not in self.current:
            raise UnknownPartyError(f"{party!r} is not a registered party")
        key = self.current[party]
        if key is None:
            raise RevokedKeyError(f"{party!r}'s key was revoked; the log must register a new one")
        return key

    def key_at(self, party: str, index: int) -> str:
        """The key ``party`` signed with at log position ``index``."""
        for rec in self.records.values():
            if rec.party == party and rec.valid_at(index):
                return rec.public_key
        raise UnknownPartyError(f"{party!r} held no key at log position {index}")

    def history(self, party: str) -> list[KeyRecord]:
        return sorted((r for r in self.records.values() if r.party == party),
                      key=lambda r: r.valid_from)

    # ----- checking and applying --------------------------------------------
    def verify(self, entry: dict, **window) -> str:
        """Check ``entry`` as the next one, at ``index`` (entries are replayed in
        log order, so the current key is the one valid there): signature, and
        what a key entry may do; returns the type."""
        author = entry.get("author")
        if author == LOG_AUTHOR:
            if entry.get("type") != "party_registration":
                raise WrongAuthorError(f"the log signs only party_registration entries, "
                                       f"not {entry.get('type')!r}")
            kind = verify_entry(entry, self.log_key, **window)
        else:
            if entry.get("type") == "party_registration":
                raise WrongAuthorError(f"party_registration is signed by the log, "
                                       f"not by {author!r}")
            kind = self._verify_party(entry, author, **window)
        self._check_key_entry(entry, kind)
        return kind

    def _verify_party(self, entry: dict, author: str, **window) -> str:
        key = self.current_key(author)
        try:
            return verify_entry(entry, Party(author, key), **window)
        except BadSignatureError:
            for rec in self.history(author):
                if rec.public_key == key:
                    continue
                try:
                    verify_entry(entry, Party(author, rec.public_key), **window)
                except EntryError:
                    continue
                what = ("revoked" if rec.revoked else "rotated away")
                raise (RevokedKeyError if rec.revoked else RetiredKeyError)(
                    f"{author!r} signed with a key it {what} at log position "
                    f"{rec.valid_until}") from None
            raise

    def _check_key_entry(self, entry: dict, kind: str) -> None:
        payload = entry["payload"]
        if kind in KEY_TYPES and "to" in entry:
            raise EntryError(f"a {kind} entry is public: it cannot have addressees")
        if kind == "party_registration":
            party, key = payload["party"], payload["public_key"]
            if key in self.records:
                raise EntryError(f"key {key} was already used by {self.records[key].party!r}")
            if self.current.get(party) is not None:
                raise EntryError(f"{party!r} is registered with a valid key; it must rotate "
                                 "or revoke that key itself")
        elif kind == "key_rotation":
            key = payload["new_public_key"]
            if key in self.records:
                raise EntryError(f"key {key} was already used by {self.records[key].party!r}")
            load_public_key(key)
        elif kind == "key_revocation":
            rec = self.records.get(payload["public_key"])
            if rec is None or rec.party != entry["author"]:
                raise EntryError(f"{entry['author']!r} never held key {payload['public_key']}")
            if rec.revoked:
                raise EntryError(f"key {payload['public_key']} is already revoked")

    def apply(self, entry: dict, index: int) -> list[KeyRecord]:
        """Record the effect of the (already verified) entry at ``index``;
        returns the key records it created or changed."""
        kind, payload = entry["type"], entry["payload"]
        changed: list[KeyRecord] = []
        if kind == "party_registration":
            rec = KeyRecord(payload["party"], payload["public_key"], index + 1)
            self.records[rec.public_key] = rec
            self.current[rec.party] = rec.public_key
            changed.append(rec)
        elif kind == "key_rotation":
            old = self.records[self.current[entry["author"]]]
            old.valid_until = index
            new = KeyRecord(entry["author"], payload["new_public_key"], index + 1)
            self.records[new.public_key] = new
            self.current[entry["author"]] = new.public_key
            changed += [old, new]
        elif kind == "key_revocation":
            rec = self.records[payload["public_key"]]
            rec.revoked = True
            if rec.valid_until is None:
                rec.valid_until = index
                self.current[rec.party] = None
            changed.append(rec)
        return changed
