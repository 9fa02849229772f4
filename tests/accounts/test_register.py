from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User
from tests.conftest import PASSWORD, link_in


def register(client, **overrides):
    data = {"name": "Lotte van Dijk", "email": "lotte@example.nl", "password": PASSWORD} | overrides
    return client.post("/account/register", data=data)


def test_registering_creates_an_unconfirmed_account_and_sends_a_link(client, outbox):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalars(select(User)).one()
    assert user.confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    (message,) = outbox()
    assert message.to_address == "lotte@example.nl"
    assert "/account/confirm/" in link_in(message)


def test_confirming_needs_a_button_press_not_only_the_link(client, outbox):
    register(client)
    path = link_in(outbox()[0])
    assert client.get(path).status_code == 200
    assert db.session.scalars(select(User)).one().confirmed_at is None
    response = client.post(path)
    assert response.status_code == 302
    assert db.session.scalars(select(User)).one().confirmed_at is not None


def test_a_confirmation_link_works_only_once(client, outbox):
    register(client)
    path = link_in(outbox()[0])
    client.post(path)
    response = client.post(path)
    assert response.status_code == 400
    assert "werkt niet meer" in response.get_data(as_text=True)


def test_emoji_and_right_to_left_names_are_kept_exactly(client):
    name = "Noor 🌻 نور"
    register(client, name=name)
    assert db.session.scalars(select(User)).one().name == name


def test_email_in_other_casing_is_the_same_account(client, outbox):
    register(client, email="Lotte@Example.NL")
    register(client, email="lotte@example.nl")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalars(select(User)).one().email == "lotte@example.nl"
    # The owner of the address is told; the form answers the same as for a new address.
    assert [m.to_address for m in outbox()] == ["lotte@example.nl", "lotte@example.nl"]


def test_existing_address_gets_the_same_answer_as_a_new_one(client, make_user):
    make_user(email="els@example.nl")
    response = register(client, email="ELS@example.nl")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-email")


def test_bad_input_gets_field_messages_and_keeps_what_was_typed(client):
    response = register(client, name="", email="geen-mailadres", password="kort")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul uw naam in." in html
    assert 'aria-describedby="email-error"' in html
    assert 'value="geen-mailadres"' in html
    assert "kort" not in html.split("<main", 1)[1]  # passwords are never sent back
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_10000_character_name_is_refused_with_a_message(client):
    response = register(client, name="a" * 10_000)
    assert response.status_code == 422
    assert "100 tekens" in response.get_data(as_text=True)


def test_common_passwords_are_refused(client):
    response = register(client, password="wachtwoord1234")
    assert response.status_code == 422
    assert "te makkelijk te raden" in response.get_data(as_text=True)


def test_the_email_address_itself_is_not_a_password(client):
    response = register(client, email="lotte.vandijk@example.nl", password="lotte.vandijk@example.nl")
    assert response.status_code == 422


def test_a_password_of_a_megabyte_is_refused_before_hashing(client):
    response = register(client, password="x" * 1_000_000)
    assert response.status_code in (413, 422)
