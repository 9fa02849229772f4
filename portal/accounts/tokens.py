"""Single-use e-mail tokens: the link carries the secret, the database only its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from portal.extensions import db
from portal.models import AccountToken, TokenPurpose, User
from portal.models.base import utcnow


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User, purpose: TokenPurpose, lifetime: dt.timedelta, new_email: str | None = None) -> str:
    """Create a token and return the raw secret for the e-mail link."""
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user=user,
            purpose=purpose,
            token_hash=_digest(raw),
            new_email=new_email,
            expires_at=utcnow() + lifetime,
        )
    )
    return raw


def find_usable(raw: str, purpose: TokenPurpose) -> AccountToken | None:
    """The token behind a link, if it exists, has this purpose, is unused and not expired."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalars(
        select(AccountToken).where(AccountToken.token_hash == _digest(raw), AccountToken.purpose == purpose)
    ).first()
    if token is None or not token.is_usable(utcnow()) or token.user.deleted_at is not None:
        return None
    return token


def use(token: AccountToken) -> None:
    """Spend the token and every other open token of the same purpose for that user."""
    now = utcnow()
    others = db.session.scalars(
        select(AccountToken).where(
            AccountToken.user_id == token.user_id,
            AccountToken.purpose == token.purpose,
            AccountToken.used_at.is_(None),
        )
    )
    for other in others:
        other.used_at = now
    token.used_at = now
