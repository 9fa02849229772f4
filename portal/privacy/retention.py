"""What the portal keeps about people, why, for how long and who sees it: the privacy statement's table is
built from RETENTION_ROWS and the configured periods, and ``purge_expired`` applies those periods, so the
statement and the code cannot drift apart (tests/privacy checks both)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from portal.extensions import db
from portal.models import AccountToken, AuditEntry, OutboxMessage, OutboxStatus, RoleGrant, User


@dataclass(frozen=True, slots=True)
class RetentionRow:
    what: object
    why: object
    who: object
    period_key: str | None  # a key of RETENTION_DAYS, or None when ``until`` says how long
    until: object = None


RETENTION_ROWS = [
    RetentionRow(_l("Name, e-mail address, password (encrypted), language"), _l("To log in and to send you messages"),
                 _l("You; administrators"), None, _l("Until you delete your account")),
    RetentionRow(_l("That you take part for an address, and as owner or resident"),
                 _l("To make an offer to every home and to count who takes part"),
                 _l("You; the champion only if you agree; coordinators of the municipality"), None,
                 _l("Until you move or delete your account")),
    RetentionRow(_l("Your order of conditions"),
                 _l("To show what neighbours find important (only totals of 3 households or more)"),
                 _l("You; others only totals"), None, _l("Until you delete your account")),
    RetentionRow(_l("Gas use, indoor costs and income indication (optional)"),
                 _l("To calculate your own estimate; nobody else sees the income indication"), _l("You"), None,
                 _l("Until you change or delete them, or the household leaves the initiative")),
    RetentionRow(_l("Log of actions (without passwords, codes or addresses)"),
                 _l("Security and finding mistakes"), _l("Administrators; coordinators for their municipality"),
                 "audit_log"),
    RetentionRow(_l("E-mails we sent you"), _l("To send them again when a mail server was down"),
                 _l("Administrators"), "sent_email"),
    RetentionRow(_l("Links to confirm your e-mail address or set a new password"),
                 _l("To check that a link is yours; only a fingerprint of the link is kept"), _l("Nobody"),
                 "account_tokens"),
    RetentionRow(_l("Accounts whose e-mail address was never confirmed"),
                 _l("Someone started but did not finish creating an account"), _l("Administrators"),
                 "unconfirmed_accounts"),
    RetentionRow(_l("A signed agreement (binding): your typed name, the signed PDF, date, IP address and "
                    "browser. Counted from when the agreement ended; also after you delete your account, "
                    "then under a pseudonym"),
                 _l("Evidence of what was agreed, for the households, the energy cooperative and the "
                    "municipality"),
                 _l("You; coordinators of the municipality"), "signed_agreements"),
    RetentionRow(_l("A signed interest or letter of intent: the same data. Counted from when it ended; also "
                    "after you delete your account, then under a pseudonym"),
                 _l("To show how the group of households was formed"),
                 _l("You; coordinators of the municipality"), "signed_interest_and_intent"),
]


def period_days(key: str) -> int:
    return int(current_app.config["RETENTION_DAYS"][key])


@dataclass(frozen=True, slots=True)
class Purged:
    audit_log: int
    sent_email: int
    account_tokens: int
    unconfirmed_accounts: int
    signed_agreements: int  # signatures whose name, IP, user agent and PDF were removed
    signed_interest_and_intent: int


def purge_expired(now: dt.datetime) -> Purged:
    """Delete what passed its retention period. The one place that removes audit entries: the application
    itself never changes or deletes them (portal.audit.service), only this retention task does.

    Bulk statements, flushed by the caller's commit."""
    def before(key: str) -> dt.datetime:
        return now - dt.timedelta(days=period_days(key))

    audit = db.session.execute(delete(AuditEntry).where(AuditEntry.at < before("audit_log")))
    mail = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.status.in_([OutboxStatus.sent, OutboxStatus.failed]),
        OutboxMessage.created_at < before("sent_email")))
    tokens = db.session.execute(delete(AccountToken).where(
        or_(AccountToken.used_at < before("account_tokens"), AccountToken.expires_at < before("account_tokens"))))
    stale = select(User.id).where(User.confirmed_at.is_(None), User.deleted_at.is_(None),
                                  User.created_at < before("unconfirmed_accounts"),
                                  ~User.id.in_(select(RoleGrant.user_id)))
    stale_ids = list(db.session.scalars(stale))
    if stale_ids:
        # Never confirmed, so never logged in: only their tokens point to them, and audit entries, whose
        # actor the database empties (ON DELETE SET NULL).
        db.session.execute(delete(AccountToken).where(AccountToken.user_id.in_(stale_ids)))
        db.session.execute(delete(User).where(User.id.in_(stale_ids)))
    from portal.commitments.privacy import purge_ended  # the commitments feature knows its evidence

    agreements = purge_ended(("agreement",), before("signed_agreements"), now)
    non_binding = purge_ended(("interest", "intent"), before("signed_interest_and_intent"), now)
    return Purged(audit_log=audit.rowcount or 0, sent_email=mail.rowcount or 0,  # type: ignore[attr-defined]
                  account_tokens=tokens.rowcount or 0,  # type: ignore[attr-defined]
                  unconfirmed_accounts=len(stale_ids), signed_agreements=agreements,
                  signed_interest_and_intent=non_binding)
