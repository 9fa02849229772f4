"""Rules of commitments that need no database (SPEC §6): levels per phase, texts and their hashes, typed
names, a household's own conditions, verification codes.
"""

from __future__ import annotations

import hashlib
import unicodedata
from decimal import Decimal
from typing import Final

from portal.domain.codes import ALPHABET
from portal.domain.errors import DomainError

__all__ = [
    "LEVELS", "LEVELS_BY_PHASE", "MAX_MONTHLY_DELTA", "VERIFY_CODE_LENGTH", "CommitmentRuleError",
    "allowed_levels", "check_conditions", "format_verify_code", "normalise_text", "normalise_verify_code",
    "same_name", "text_sha256",
]

LEVELS: Final = ("interest", "intent", "agreement")
# agreement (binding) only in development and realisation; nothing once the initiative is closed.
LEVELS_BY_PHASE: Final[dict[str, tuple[str, ...]]] = {
    "preparation": ("interest", "intent"),
    "development": LEVELS,
    "realisation": LEVELS,
    "closed": (),
}
MAX_MONTHLY_DELTA: Final = Decimal("1000.00")
"""A cost condition beyond ± € 1.000 a month is a typing mistake, not a condition."""
VERIFY_CODE_LENGTH: Final = 12
"""60 bits from the household-code alphabet (no look-alikes); shown as XXXX-XXXX-XXXX."""


class CommitmentRuleError(DomainError):
    """``code``: name_empty, name_mismatch, min_n_range, max_delta_range; ``field``: the form field."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.field = field


def allowed_levels(phase: str) -> tuple[str, ...]:
    return LEVELS_BY_PHASE.get(phase, ())


def normalise_text(body: str) -> str:
    """The exact characters stored and hashed: NFC, Unix line ends, no trailing spaces, one final newline."""
    lines = unicodedata.normalize("NFC", body).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def text_sha256(body: str) -> str:
    """SHA-256 (hex) of the UTF-8 bytes of a stored (normalised) text."""
    return hashlib.sha256(body.encode()).hexdigest()


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def same_name(typed: str, account_name: str) -> bool:
    """The typed signature is the account's name, ignoring case, extra spaces and accents."""
    return bool(typed.strip()) and _name_key(typed) == _name_key(account_name)


def check_typed_name(typed: str, account_name: str) -> None:
    if not typed.strip():
        raise CommitmentRuleError("name_empty", "typed_name")
    if not same_name(typed, account_name):
        raise CommitmentRuleError("name_mismatch", "typed_name")


def check_conditions(min_n: int | None, max_monthly_delta_eur: Decimal | None, home_count: int) -> None:
    """``min_n``: 2 up to the number of homes; ``max_monthly_delta_eur``: € per month, may be 0 or negative."""
    if min_n is not None and not 2 <= min_n <= home_count:
        raise CommitmentRuleError("min_n_range", "min_n")
    if max_monthly_delta_eur is not None and not -MAX_MONTHLY_DELTA <= max_monthly_delta_eur <= MAX_MONTHLY_DELTA:
        raise CommitmentRuleError("max_delta_range", "max_monthly_delta_eur")


def normalise_verify_code(typed: str) -> str | None:
    """Tolerant of case, spaces and dashes, and of O/I/L/U typed for 0/1/1/V; None when it cannot be a code."""
    cleaned = "".join(typed[:60].split()).replace("-", "").upper().translate(str.maketrans("OILU", "011V"))
    if len(cleaned) != VERIFY_CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def format_verify_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
