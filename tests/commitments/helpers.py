"""Signing through the service, for tests that need a commitment but do not test the form."""

from __future__ import annotations

from decimal import Decimal

from portal.commitments import service
from portal.extensions import db
from portal.models import Commitment, Household, User


def signed(household: Household, user: User, level: str = "intent", *, min_n: int | None = None,
           max_monthly_delta_eur: Decimal | None = None) -> Commitment:
    from flask import current_app

    with current_app.test_request_context():
        result = service.sign(
            household, user, level=level, typed_name=user.name, consent_text="Ik teken.",
            form_token=service.new_form_token(),
            conditions=service.Conditions(min_n=min_n, max_monthly_delta_eur=max_monthly_delta_eur),
            evidence=service.Evidence(ip="192.0.2.1", user_agent="pytest"))
        db.session.commit()
    return result.commitment
