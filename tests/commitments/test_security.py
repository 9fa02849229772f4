"""Commitments with CSRF protection and rate limits on: forged posts, the limit on /v/<code>, download headers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.commitments.routes import VERIFY_LOOKUPS_PER_HOUR
from portal.extensions import db
from portal.models import Commitment
from tests.commitments.helpers import signed


@pytest.fixture
def config(config):
    return config | {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}


def csrf_login(client, user):
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/account/login", data={"email": user.email, "password": "lange-zin-voor-tests", "csrf_token": token})


def test_a_signing_post_without_the_csrf_token_writes_nothing(client, street, resident):
    initiative, _homes = street
    csrf_login(client, resident)
    page = client.get(f"/i/{initiative.slug}/commitment/sign/intent").get_data(as_text=True)
    form_token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/i/{initiative.slug}/commitment/sign/intent",
                           data={"form_token": form_token, "typed_name": "Anna de Vries", "consent": "y"})
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_a_withdrawal_without_the_csrf_token_changes_nothing(client, street, resident):
    initiative, homes = street
    commitment = signed(homes[0], resident)
    csrf_login(client, resident)
    response = client.post(f"/i/{initiative.slug}/commitment/{commitment.id}/withdraw")
    assert response.status_code in (400, 422)
    db.session.refresh(commitment)
    assert commitment.status == "valid"


def test_verification_lookups_are_rate_limited(client, street, resident):
    _initiative, homes = street
    commitment = signed(homes[0], resident)
    statuses = [client.get(f"/v/AAAABBBBCCC{n % 10}").status_code for n in range(VERIFY_LOOKUPS_PER_HOUR)]
    assert set(statuses) == {200}
    assert client.get(f"/v/{commitment.verify_code}").status_code == 429


def test_the_receipt_is_served_as_an_attachment_only_to_its_household(client, street, resident):
    initiative, homes = street
    commitment = signed(homes[0], resident)
    assert client.get(f"/i/{initiative.slug}/commitment/{commitment.id}/pdf").status_code == 302  # log in first
    csrf_login(client, resident)
    response = client.get(f"/i/{initiative.slug}/commitment/{commitment.id}/pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    name = f"toezegging-{commitment.verify_code.lower()}.pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_signing_posts_are_limited_per_account(client, street, resident):
    initiative, _homes = street
    csrf_login(client, resident)
    statuses = [client.post(f"/i/{initiative.slug}/commitment/sign/intent", data={}).status_code for _n in range(21)]
    assert set(statuses[:20]) <= {400, 422}  # refused (no CSRF token), but counted
    assert statuses[20] == 429
