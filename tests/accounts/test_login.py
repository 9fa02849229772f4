import pytest
from flask_login import current_user
from sqlalchemy import select

from portal.accounts import passwords
from portal.extensions import db
from portal.models import AuditEntry, User
from tests.conftest import PASSWORD


def test_logging_in_with_the_right_password(client, make_user, login):
    user = make_user(name="Els Jansen")
    response = login(user)
    assert response.status_code == 302
    assert "Welkom, Els." in client.get("/").get_data(as_text=True)


def test_email_casing_does_not_matter_for_logging_in(client, make_user):
    make_user(email="els@example.nl")
    response = client.post("/account/login", data={"email": " ELS@Example.nl ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("email", ["els@example.nl", "onbekend@example.nl"])
def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user, email):
    make_user(email="els@example.nl")
    response = client.post("/account/login", data={"email": email, "password": "helemaal-fout-wachtwoord"})
    assert response.status_code == 422
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in response.get_data(as_text=True)


def test_empty_login_form_names_each_field(client):
    html = client.post("/account/login", data={}).get_data(as_text=True)
    assert "Vul uw e-mailadres in." in html
    assert "Vul uw wachtwoord in." in html


def test_unconfirmed_account_gets_a_new_link_instead_of_a_session(client, make_user, outbox, login):
    user = make_user(confirmed_at=None)
    response = login(user)
    assert response.status_code == 200
    with client:
        client.get("/")
        assert not current_user.is_authenticated
    assert "/account/confirm/" in outbox()[-1].body_text


def test_next_parameter_only_returns_to_our_own_pages(client, make_user):
    user = make_user()
    cases = [("/privacy", "/privacy"), ("https://evil.example/", "/"), ("//evil.example", "/"),
             ("/\\evil.example", "/")]
    for target, expected in cases:
        data = {"email": user.email, "password": PASSWORD, "next": target}
        response = client.post("/account/login", data=data)
        assert response.headers["Location"] == expected
        client.post("/account/logout")


def test_old_hash_parameters_are_upgraded_on_login(app, client, make_user, login):
    app.config["ARGON2_TIME_COST"] = 1
    user = make_user()
    old_hash = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    login(user)
    new_hash = db.session.scalars(select(User.password_hash)).one()
    assert new_hash != old_hash and "t=2" in new_hash
    assert passwords.verify_password(new_hash, PASSWORD)


def test_failed_logins_are_audited_without_the_password(client, make_user):
    user = make_user()
    client.post("/account/login", data={"email": user.email, "password": "geheim-geheim-123"})
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.login_failed")).one()
    assert "geheim" not in str(entry.details)


def test_deleted_accounts_cannot_log_in(client, make_user, login):
    user = make_user()
    login(user)
    client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert login(user).status_code == 422
