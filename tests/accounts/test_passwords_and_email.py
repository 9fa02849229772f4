import datetime as dt

from sqlalchemy import select

from portal.extensions import db
from portal.models import AccountToken, User
from tests.conftest import PASSWORD, link_in, without_csrf_tokens


def test_reset_link_sets_a_new_password_once(client, make_user, outbox):
    user = make_user()
    client.post("/account/forgot-password", data={"email": user.email})
    path = link_in(outbox()[-1])
    assert client.post(path, data={"password": "mijn-nieuwe-lange-zin"}).status_code == 302
    assert client.post("/account/login", data={"email": user.email, "password": "mijn-nieuwe-lange-zin"}
                       ).status_code == 302
    client.post("/account/logout")
    # used once: the same link no longer works
    response = client.post(path, data={"password": "nog-een-andere-zin-123"})
    assert response.status_code == 400


def test_reset_tokens_are_stored_hashed(client, make_user, outbox):
    user = make_user()
    client.post("/account/forgot-password", data={"email": user.email})
    raw = link_in(outbox()[-1]).rsplit("/", 1)[1]
    stored = db.session.scalars(select(AccountToken.token_hash)).one()
    assert raw not in stored and len(stored) == 64


def test_an_expired_reset_link_is_refused(client, make_user, outbox):
    user = make_user()
    client.post("/account/forgot-password", data={"email": user.email})
    token = db.session.scalars(select(AccountToken)).one()
    token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    response = client.post(link_in(outbox()[-1]), data={"password": "mijn-nieuwe-lange-zin"})
    assert response.status_code == 400


def test_a_newer_reset_link_spends_the_older_ones(client, make_user, outbox):
    user = make_user()
    client.post("/account/forgot-password", data={"email": user.email})
    first = link_in(outbox()[-1])
    client.post("/account/forgot-password", data={"email": user.email})
    second = link_in(outbox()[-1])
    assert client.post(second, data={"password": "mijn-nieuwe-lange-zin"}).status_code == 302
    assert client.post(first, data={"password": "weer-een-andere-zin"}).status_code == 400


def test_forgot_password_answers_the_same_for_unknown_addresses(client, make_user, outbox):
    make_user(email="els@example.nl")
    known = client.post("/account/forgot-password", data={"email": "els@example.nl"})
    unknown = client.post("/account/forgot-password", data={"email": "niemand@example.nl"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_tokens(known.get_data(as_text=True)).replace("els@example.nl", "X") == (
        without_csrf_tokens(unknown.get_data(as_text=True)).replace("niemand@example.nl", "X"))
    assert len(outbox()) == 1


def test_changing_the_email_address_takes_effect_after_the_link(client, make_user, login, outbox):
    user = make_user(email="oud@example.nl")
    login(user)
    response = client.post("/account/email", data={"email-email": "Nieuw@Example.nl",
                                                    "email-current_password": PASSWORD})
    assert response.status_code == 302
    assert db.session.get(User, user.id).email == "oud@example.nl"
    to_new = next(m for m in outbox() if m.to_address == "nieuw@example.nl")
    assert any(m.to_address == "oud@example.nl" for m in outbox())
    client.post(link_in(to_new))
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "nieuw@example.nl"


def test_changing_to_an_address_of_another_account_does_not_reveal_or_take_it(
        client, make_user, login, outbox):
    make_user(email="bezet@example.nl")
    user = make_user(email="ik@example.nl")
    login(user)
    response = client.post("/account/email", data={"email-email": "bezet@example.nl",
                                                    "email-current_password": PASSWORD})
    assert response.status_code == 302
    assert not any(m.to_address == "bezet@example.nl" for m in outbox())


def test_deleting_the_account_removes_personal_data(client, make_user, login):
    user = make_user(name="Els Jansen", email="els@example.nl")
    login(user)
    assert client.post("/account/delete", data={"current_password": PASSWORD}).status_code == 422
    response = client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    stored = db.session.get(User, user.id)
    assert stored.deleted_at is not None
    assert "Els" not in stored.name and "els@" not in stored.email
    assert client.get("/account/").status_code == 302
