"""Signing in on confirmation, but only in the browser that chose the password.

The confirmation link proves the mailbox; a marker in this browser's session proves that the person
here typed the account's password a moment ago (they registered, or logged in while unconfirmed).
Together they stand in for a log-in, so a new resident goes on to the join step without typing the
password again. Without the marker — the link opened on another device, or someone else's link
opened here — confirming only confirms, and the person logs in as before.

The marker lives in the signed session cookie (it cannot be forged or moved to another account),
names one account and its session version (a password change or "log out everywhere" voids it),
expires after ``CONFIRM_SIGN_IN_WINDOW`` and is used once.
"""

from __future__ import annotations

from flask import current_app, session

from portal.models import User
from portal.models.base import utcnow

MARKER = "registered_here"


def remember(user: User) -> None:
    """This browser has just shown it knows the password of ``user``."""
    until = utcnow() + current_app.config["CONFIRM_SIGN_IN_WINDOW"]
    session[MARKER] = {"user": user.id, "version": user.session_version, "until": int(until.timestamp())}


def claim(user: User) -> bool:
    """Whether confirming ``user``'s address here may sign them in; spends a matching marker.

    A marker for another account stays: it is not this link's to spend.
    """
    marker = session.get(MARKER)
    if not isinstance(marker, dict) or marker.get("user") != user.id:
        return False
    session.pop(MARKER)
    return marker.get("version") == user.session_version and int(marker.get("until", 0)) > utcnow().timestamp()
