"""Household codes: printed on flyers, typed in by residents (SPEC §5).

A code is 8 characters from :data:`ALPHABET`, shown as two groups of four
(``K7PM-QXD3``) and used in the short URL ``/c/<code>``.

**Alphabet and strength.** SPEC §5 asks for 8 characters *and* ≥ 40 bits, which needs at
least 32 symbols (2**5 = 32; 31 symbols give only 8 × log2(31) = 39.6 bits). The alphabet
is therefore Crockford's Base32 symbol set, 32 symbols = exactly 40.0 bits
(:data:`CODE_BITS`): digits ``0-9`` and letters without ``I``, ``L``, ``O``, ``U``. Each
removed letter has a twin that stays, and :func:`normalise_code` reads the removed one as
its twin, so the classic look-alikes can never be mistyped:

* ``O``/``o`` → ``0``  (zero and oh)
* ``I``/``i``/``L``/``l`` → ``1``  (one, capital i, lower-case L)
* ``U``/``u`` → ``V``

``S``/``5``, ``Z``/``2``, ``B``/``8`` both stay (dropping one of each pair would leave 29
symbols, 38.9 bits; 9 characters would then be needed). Print the codes in a font that
keeps those apart (e.g. DejaVu Sans Mono).

**Storage.** Codes are secrets: store :func:`code_digest` (HMAC-SHA256 with a server key;
deterministic, so a typed code is looked up by its digest) and :func:`code_hint`, the last
two characters, so a champion can tell printed flyers apart. Showing the hint reveals 10
of the 40 bits: show it only to people who may see the code anyway (champion,
coordinator).

Invalid input is not an exception here: :func:`normalise_code` returns None, and the web
layer answers "unknown or mistyped code" (after rate limiting).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import unicodedata
from collections.abc import Callable

__all__ = [
    "ALPHABET",
    "CODE_BITS",
    "CODE_LENGTH",
    "code_digest",
    "code_hint",
    "format_code",
    "new_code",
    "normalise_code",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""The 32 code symbols (Crockford Base32): no I, L, O, U."""

CODE_LENGTH = 8
"""Characters in a code (without the display dash)."""

CODE_BITS = CODE_LENGTH * math.log2(len(ALPHABET))
"""Entropy of a random code in bits: 8 × log2(32) = 40.0."""

HINT_LENGTH = 2
"""Characters of the non-secret hint (the last ones of the code)."""

MIN_KEY_BYTES = 16
"""Shortest accepted HMAC key for :func:`code_digest`."""

# Characters people type that mean one of the alphabet's symbols.
_LOOKALIKES = {"O": "0", "I": "1", "L": "1", "U": "V"}
# What may separate groups when typed or pasted: spaces, dashes of all kinds, dots, underscores.
_SEPARATORS = frozenset(" \t.-_\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_MAX_INPUT = 64  # longer input is never a code; stop before any work
_SYMBOLS = frozenset(ALPHABET)


def new_code(randbelow: Callable[[int], int]) -> str:
    """A fresh random code, canonical form (8 symbols, no dash).

    ``randbelow(n)`` must return a uniform integer in ``[0, n)``; pass
    ``secrets.randbelow`` (tests pass a deterministic function). Uniqueness within an
    initiative is the caller's job (retry on a digest collision).
    """
    symbols = []
    for _position in range(CODE_LENGTH):
        index = randbelow(len(ALPHABET))
        if not 0 <= index < len(ALPHABET):
            raise ValueError(f"randbelow returned {index!r}, outside [0, {len(ALPHABET)})")
        symbols.append(ALPHABET[index])
    return "".join(symbols)


def normalise_code(text: str) -> str | None:
    """The canonical code for what a resident typed, or None if it cannot be a code.

    Tolerant of case, spaces, dashes (also en/em dashes that phones insert), dots and
    underscores, and of full-width characters (NFKC). ``O`` is read as ``0``, ``I``/``L``
    as ``1`` and ``U`` as ``V`` — unambiguous because those letters are not in
    :data:`ALPHABET`. Wrong length or any other character gives None.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    cleaned = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch in _SEPARATORS or ch.isspace():
            continue
        if not ch.isascii():  # before upper(): "ß".upper() is "SS"
            return None
        ch = _LOOKALIKES.get(ch.upper(), ch.upper())
        if ch not in _SYMBOLS:
            return None
        cleaned.append(ch)
    if len(cleaned) != CODE_LENGTH:
        return None
    return "".join(cleaned)


def format_code(code: str) -> str:
    """Display form in two groups of four: ``"K7PMQXD3"`` → ``"K7PM-QXD3"``.

    Accepts anything :func:`normalise_code` accepts; raises ``ValueError`` otherwise
    (a programming error: only format codes you generated or normalised).
    """
    canonical = _canonical(code)
    half = CODE_LENGTH // 2
    return f"{canonical[:half]}-{canonical[half:]}"


def code_digest(code: str, key: bytes) -> str:
    """HMAC-SHA256 of the canonical code under the server ``key``, as 64 hex characters.

    Deterministic, so the digest is both what is stored and what a typed code is looked
    up by (no separate verify step). Normalises first, so "k7pm qxd3" and "K7PM-QXD3" give
    the same digest. ``key`` must be at least 16 bytes; raises ``ValueError`` for a bad
    code or key.
    """
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"code_digest needs a key of at least {MIN_KEY_BYTES} bytes")
    return hmac.new(bytes(key), _canonical(code).encode("ascii"), hashlib.sha256).hexdigest()


def code_hint(code: str) -> str:
    """Non-secret hint stored beside the digest: the last two symbols (``"D3"``)."""
    return _canonical(code)[-HINT_LENGTH:]


def _canonical(code: str) -> str:
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError("not a household code")
    return canonical
