"""Confirming the e-mail address signs in only in the browser that registered (registering_browser.py)."""

import datetime as dt

import pytest
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.registering_browser import MARKER
from portal.extensions import db
from portal.models import AuditEntry, User
from tests.conftest import PASSWORD, link_in


def register(client, email="lotte@example.nl", next_path=None):
    data = {"name": "Lotte van Dijk", "email": email, "password": PASSWORD}
    return client.post("/account/register", data=data | ({"next": next_path} if next_path else {}))


def signed_in_as(client):
    with client:
        client.get("/")
        return current_user.email if current_user.is_authenticated else None


def test_the_browser_that_registered_is_signed_in_on_confirmation(client, outbox):
    register(client, next_path="/c/ABCDEFGH/join")
    response = client.post(link_in(outbox()[-1]))
    assert response.headers["Location"] == "/c/ABCDEFGH/join"
    assert signed_in_as(client) == "lotte@example.nl"
    user = db.session.scalars(select(User)).one()
    assert user.confirmed_at is not None and user.last_login_at is not None
    assert db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action == "account.signed_in_on_confirmation")).all() == ["account.signed_in_on_confirmation"]
    with client.session_transaction() as session:
        assert MARKER not in session  # used once


def test_without_a_next_page_the_signed_in_resident_lands_on_the_home_page(client, outbox):
    register(client)
    assert client.post(link_in(outbox()[-1])).headers["Location"] == "/"
    assert signed_in_as(client) == "lotte@example.nl"


def test_another_device_confirms_but_must_log_in_with_the_password(app, client, outbox):
    register(client, next_path="/c/ABCDEFGH/join")
    phone = app.test_client()
    response = phone.post(link_in(outbox()[-1]))
    assert response.headers["Location"].startswith("/account/login?")
    assert "lotte" not in response.headers["Location"]  # the address is not put in a link: logs keep links
    login_page = phone.get(response.headers["Location"])
    assert 'value="lotte@example.nl"' in login_page.get_data(as_text=True)  # but the form is filled in
    assert login_page.headers["Cache-Control"] == "no-store"
    assert "lotte@example.nl" not in phone.get("/account/login").get_data(as_text=True)  # once
    assert signed_in_as(phone) is None
    assert db.session.scalars(select(User)).one().confirmed_at is not None
    # The browser that registered is not signed in either: it did not press the button.
    assert signed_in_as(client) is None


def test_someone_elses_link_opened_here_signs_nobody_in(app, client, outbox):
    """The attack: a browser that registered one account opens the confirmation link of another."""
    register(client, email="mallory@example.nl")
    victim = app.test_client()
    register(victim, email="victim@example.nl")
    victims_link = link_in(next(m for m in outbox() if m.to_address == "victim@example.nl"))
    response = client.post(victims_link)
    assert response.headers["Location"] == "/account/login"  # no address in it
    assert signed_in_as(client) is None
    assert signed_in_as(victim) is None
    # Mallory's own marker is untouched: her own link still signs her in, and only her.
    client.post(link_in(next(m for m in outbox() if m.to_address == "mallory@example.nl")))
    assert signed_in_as(client) == "mallory@example.nl"


def test_a_link_sent_to_someone_else_does_not_log_them_in_to_the_senders_account(app, client, outbox):
    """Login CSRF by mail: an attacker registers, then sends their own confirmation link to a victim."""
    register(client, email="mallory@example.nl")
    victim = app.test_client()
    victim.post(link_in(outbox()[-1]))
    assert signed_in_as(victim) is None


def test_a_forged_marker_is_ignored(app, client, outbox, make_user):
    """The marker lives in the signed session: one made with another key does not count."""
    register(client)
    other = app.test_client()
    other.application.secret_key = "someone-elses-key"
    try:
        with other.session_transaction() as session:
            session[MARKER] = {"user": 1, "version": 0, "until": 4_000_000_000}
    finally:
        other.application.secret_key = app.config["SECRET_KEY"]
    other.post(link_in(outbox()[-1]))
    assert signed_in_as(other) is None


@pytest.mark.parametrize("change", ["expired", "password_changed"])
def test_an_old_marker_does_not_sign_in(client, outbox, change):
    register(client)
    user = db.session.scalars(select(User)).one()
    if change == "expired":
        with client.session_transaction() as session:
            marker = dict(session[MARKER])
            marker["until"] = int((dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).timestamp())
            session[MARKER] = marker
    else:  # e.g. a password reset, or "log out everywhere", after registering on a shared computer
        user.session_version += 1
        db.session.commit()
    response = client.post(link_in(outbox()[-1]))
    assert response.headers["Location"] == "/account/login"
    assert signed_in_as(client) is None


def test_logging_in_unconfirmed_resends_a_link_that_signs_in_this_browser(app, client, outbox):
    register(app.test_client())  # registered on a computer at the library
    response = client.post("/account/login", data={"email": "lotte@example.nl", "password": PASSWORD,
                                                   "next": "/c/ABCDEFGH/join"})
    assert "Kijk in uw e-mail" in response.get_data(as_text=True)
    assert client.post(link_in(outbox()[-1])).headers["Location"] == "/c/ABCDEFGH/join"
    assert signed_in_as(client) == "lotte@example.nl"


def test_registering_an_address_that_has_an_account_leaves_no_marker(client, make_user):
    make_user(email="lotte@example.nl")
    register(client)
    with client.session_transaction() as session:
        assert MARKER not in session
