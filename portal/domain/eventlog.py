"""Append-only, hash-chained event log for commitments (SPEC §6, SECURITY.md).

Each entry stores the SHA-256 of the previous entry (``prev_hash``) and its own hash over
``canonical(seq, kind, payload, prev_hash)``; the first entry points at :data:`GENESIS`.
Changing, deleting, inserting or reordering any entry breaks the chain at that entry,
which :func:`first_broken` / :func:`verify` report by sequence number (STYLE.md §7
snippet 5). Deleting entries at the *end* leaves a valid shorter chain; pass the last
known ``head`` hash to :func:`verify` to detect that too.

Payloads are JSON objects of strings, integers, booleans, None, lists and objects.
Amounts must already be strings ("12.50"), never floats; NaN/Infinity are refused. The
hash covers the exact characters: "é" composed and decomposed are different payloads,
so store what was hashed and normalise (if at all) *before* appending.

The adapter (``audit/service.py``) reads the head row, calls :func:`append` and writes the
returned entry; on PostgreSQL it locks the head row so concurrent writers cannot fork.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["GENESIS", "Entry", "append", "append_after", "canonical", "first_broken", "verify"]

GENESIS = "0" * 64
"""``prev_hash`` of the first entry (64 hex zeros)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One log row: 1-based ``seq``, event ``kind`` (e.g. "signed"), JSON ``payload``,
    the previous entry's hash and this entry's hash (both 64 lower-case hex)."""

    seq: int
    kind: str
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str


def canonical(seq: int, kind: str, payload: Mapping[str, Any], prev_hash: str) -> bytes:
    """Bytes that are hashed. Sorted keys and fixed separators keep the hash stable across Python
    versions and databases; amounts must already be strings like "12.50".

    UTF-8 without ``\\u`` escapes (``ensure_ascii=False``). Read-only mappings (e.g.
    ``MappingProxyType``) are serialised like dicts. Raises ``ValueError`` for NaN or
    infinite floats and ``TypeError`` for values JSON cannot represent (Decimal, dates).
    """
    body = {"seq": seq, "kind": kind, "payload": payload, "prev": prev_hash}
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_mapping
    ).encode()


def append(last: Entry | None, kind: str, payload: Mapping[str, Any]) -> Entry:
    """The entry that follows ``last`` (None: the first entry, seq 1, after GENESIS)."""
    return append_after(None if last is None else (last.seq, last.hash), kind, payload)


def append_after(head: tuple[int, str] | None, kind: str, payload: Mapping[str, Any]) -> Entry:
    """``append`` knowing only the newest entry's ``(seq, hash)``: all that the next entry chains to."""
    seq, prev = (1, GENESIS) if head is None else (head[0] + 1, head[1])
    return Entry(seq, kind, payload, prev, hashlib.sha256(canonical(seq, kind, payload, prev)).hexdigest())


def first_broken(entries: Iterable[Entry]) -> int | None:
    """Sequence number of the first entry that does not fit the chain, or None if intact.

    ``entries`` in stored order (by seq). An entry does not fit when its seq is not the
    next number, its ``prev_hash`` is not the previous entry's hash (GENESIS for the
    first), or its ``hash`` does not match its content.
    """
    prev, expected = GENESIS, 1
    for e in entries:
        if (e.seq, e.prev_hash) != (expected, prev) or \
                e.hash != hashlib.sha256(canonical(e.seq, e.kind, e.payload, prev)).hexdigest():
            return e.seq
        prev, expected = e.hash, expected + 1
    return None


def verify(entries: Iterable[Entry], *, head: str | None = None) -> int | None:
    """None if the chain is intact, else the sequence number where it breaks.

    Same as :func:`first_broken`, plus, when ``head`` (the hash of the last entry as
    recorded elsewhere, e.g. in a backup or a signed PDF) is given: if the chain is intact
    but does not end at ``head``, the entries after the stored ones are missing and the
    result is the first missing seq (last seq + 1, or 1 for an empty log). An empty log
    with ``head`` None or GENESIS is intact.
    """
    last: list[Entry] = []

    def remember(items: Iterable[Entry]) -> Iterable[Entry]:
        for entry in items:
            last[:] = [entry]
            yield entry

    broken = first_broken(remember(entries))
    if broken is not None:
        return broken
    last_seq, last_hash = (last[0].seq, last[0].hash) if last else (0, GENESIS)
    if head is not None and head != last_hash:
        return last_seq + 1
    return None


def _mapping(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not allowed in an event payload; use a string")
