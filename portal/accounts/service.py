"""Account use cases. Services flush, never commit: the view or command owns the transaction."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import mail
from portal.accounts import passwords, tokens
from portal.audit.service import record
from portal.extensions import db
from portal.models import Membership, RoleGrant, TokenPurpose, User
from portal.models.base import utcnow


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_user(alternative_id: str) -> User | None:
    """Flask-Login loader: the cookie holds ``<id>:<session_version>``; an old version is logged out."""
    user_id, _sep, version = alternative_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    # One query: the grants come along for the access checks.
    user = db.session.scalars(
        select(User).options(joinedload(User.grants)).where(User.id == int(user_id))
    ).unique().first()
    if user is None or user.session_version != int(version) or user.deleted_at is not None:
        return None
    return user


def user_by_email(email: str) -> User | None:
    return db.session.scalars(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    ).first()


def register(name: str, email: str, password: str, locale: str, next_path: str | None = None) -> User | None:
    """Create an account and send the confirmation e-mail.

    For an address that already has an account nothing is created; its owner gets a notice
    instead, so the form's answer never tells a stranger whether an address is registered.
    """
    existing = user_by_email(email)
    if existing is not None:
        mail.queue(existing.email, "account_exists", locale=existing.locale or locale, name=existing.name,
                   login_url=url_for("accounts.login", _external=True),
                   reset_url=url_for("accounts.forgot_password", _external=True))
        return None
    user = User(name=name.strip(), email=normalise_email(email),
                password_hash=passwords.hash_password(password), locale=locale)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user, next_path)
    record("account.registered", user.id, user)
    return user


def send_confirmation(user: User, next_path: str | None = None) -> None:
    """The link carries where the person was going (e.g. joining a household) past the e-mail step."""
    raw = tokens.issue(user, TokenPurpose.confirm_email, current_app.config["TOKEN_LIFETIME_CONFIRM"])
    mail.queue(user.email, "confirm_email", locale=user.locale, name=user.name,
               url=url_for("accounts.confirm_email", token=raw, next=next_path or None, _external=True))


def confirm_email(raw: str) -> User | None:
    token = tokens.find_usable(raw, TokenPurpose.confirm_email)
    if token is None:
        return None
    tokens.use(token)
    token.user.confirmed_at = token.user.confirmed_at or utcnow()
    record("account.confirmed", token.user_id, token.user)
    return token.user


def signed_in(user: User) -> None:
    """A sign-in without a password form: confirming the address in the browser that registered."""
    user.last_login_at = utcnow()
    record("account.signed_in_on_confirmation", user.id, user)


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; unknown e-mail and wrong password look the same."""
    user = user_by_email(email)
    if user is None:
        passwords.burn_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        record("account.login_failed", user.id, user)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def request_password_reset(email: str) -> None:
    user = user_by_email(email)
    if user is None:
        return
    raw = tokens.issue(user, TokenPurpose.reset_password, current_app.config["TOKEN_LIFETIME_RESET"])
    mail.queue(user.email, "reset_password", locale=user.locale, name=user.name,
               url=url_for("accounts.reset_password", token=raw, _external=True))


def reset_password(raw: str, new_password: str) -> User | None:
    token = tokens.find_usable(raw, TokenPurpose.reset_password)
    if token is None:
        return None
    tokens.use(token)
    user = token.user
    _set_password(user, new_password)
    # The link reached the mailbox, so the address is confirmed too.
    user.confirmed_at = user.confirmed_at or utcnow()
    record("account.password_reset", user.id, user)
    return user


def change_password(user: User, new_password: str) -> None:
    _set_password(user, new_password)
    record("account.password_changed", user.id, user)


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.session_version += 1  # every other session, and any copied cookie, stops working
    mail.queue(user.email, "password_changed", locale=user.locale, name=user.name,
               reset_url=url_for("accounts.forgot_password", _external=True))


def request_email_change(user: User, new_email: str) -> None:
    """Send a confirmation link to the new address; the old one is told. Nothing changes yet."""
    new_email = normalise_email(new_email)
    raw = tokens.issue(user, TokenPurpose.change_email, current_app.config["TOKEN_LIFETIME_CONFIRM"],
                       new_email=new_email)
    if user_by_email(new_email) is None:
        mail.queue(new_email, "change_email", locale=user.locale, name=user.name,
                   url=url_for("accounts.confirm_email_change", token=raw, _external=True))
    mail.queue(user.email, "email_change_requested", locale=user.locale, name=user.name)
    record("account.email_change_requested", user.id, user)


def confirm_email_change(raw: str) -> User | None:
    token = tokens.find_usable(raw, TokenPurpose.change_email)
    if token is None or token.new_email is None or user_by_email(token.new_email) is not None:
        return None
    tokens.use(token)
    token.user.email = token.new_email
    token.user.confirmed_at = utcnow()
    record("account.email_changed", token.user_id, token.user)
    return token.user


def log_out(user: User) -> None:
    """Ends this session and any copy of its cookie (which is every session of this account)."""
    user.session_version += 1


def log_out_everywhere(user: User) -> None:
    user.session_version += 1
    record("account.logged_out_everywhere", user.id, user)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def delete_account(user: User) -> None:
    """Erase the account: personal data removed, memberships and roles ended, every session logged out.

    The row stays (pseudonymised) so that foreign keys in the audit log keep pointing somewhere.
    Signed commitments stay as evidence under a pseudonym (portal/commitments/privacy.py says what
    happens to each), as the privacy statement explains.
    """
    from portal.privacy.service import erase

    now = utcnow()
    erase(user)  # rankings go; signed commitments stay as evidence, pseudonymised (portal/privacy/service.py)
    for membership in db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.ended_at.is_(None))
    ):
        membership.ended_at = now
        membership.end_reason = "account_deleted"
    for grant in db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)):
        db.session.delete(grant)
    user.name = "—"
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.password_hash = "!"  # noqa: S105  (not a password: a hash no password matches)  # nosec B105
    user.locale = None
    user.deleted_at = now
    user.session_version += 1
    record("account.deleted", user.id, user)
