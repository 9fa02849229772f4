import datetime as dt
import re
from email.utils import parsedate_to_datetime

from flask_login import current_user

from tests.conftest import PASSWORD


def is_logged_in(client) -> bool:
    with client:
        client.get("/")
        return bool(current_user.is_authenticated)


def copy_cookies(source, target):
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_copied_cookie_stops_working_after_logout(app, client, make_user, login):
    user = make_user()
    login(user)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert is_logged_in(thief)
    client.post("/account/logout")
    assert not is_logged_in(thief)


def test_log_out_everywhere_ends_every_session(app, client, make_user, login):
    user = make_user()
    login(user)
    other_device = app.test_client()
    other_device.post("/account/login", data={"email": user.email, "password": PASSWORD})
    client.post("/account/logout-everywhere")
    assert not is_logged_in(client)
    assert not is_logged_in(other_device)


def test_changing_the_password_keeps_this_device_and_ends_the_others(app, client, make_user, login, outbox):
    user = make_user()
    login(user)
    other_device = app.test_client()
    other_device.post("/account/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/account/password", data={
        "password-current_password": PASSWORD, "password-password": "een-nieuwe-lange-zin"})
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_device)
    assert outbox()[-1].subject == "Uw wachtwoord is gewijzigd"


def test_changing_the_password_needs_the_current_one(client, make_user, login):
    login(make_user())
    response = client.post("/account/password", data={
        "password-current_password": "niet-mijn-wachtwoord", "password-password": "een-nieuwe-lange-zin"})
    assert response.status_code == 422
    assert "Dit is niet uw huidige wachtwoord." in response.get_data(as_text=True)


def test_a_cookie_with_a_malformed_user_id_is_ignored(app, client):
    with client.session_transaction() as session:
        session["_user_id"] = "1:x"
    assert not is_logged_in(client)


def test_pages_for_accounts_need_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/account/login?next=" in response.headers["Location"]


def test_a_logged_in_session_cookie_is_renewed_at_most_once_an_hour(client, make_user, login):
    """portal/session_cookie.py: no Set-Cookie on every page, but the session still lasts 14 days from the
    last visit, give or take the hour."""
    login(make_user())
    client.get("/")  # shows the welcome message: the session changes, so its cookie is sent
    response = client.get("/account/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # signed moments ago
    assert "Cookie" in response.vary  # what is shown depends on the cookie


def test_an_older_session_cookie_is_renewed_with_fourteen_days_to_go(app, client, make_user, login):
    login(make_user())
    client.get("/")
    app.config["SESSION_REFRESH_AFTER"] = dt.timedelta(0)  # as if the cookie was signed over an hour ago
    response = client.get("/account/")
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith(app.config["SESSION_COOKIE_NAME"] + "=")
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert abs(expires - (dt.datetime.now(dt.UTC) + dt.timedelta(days=14))) < dt.timedelta(minutes=1)
    assert is_logged_in(client)


def test_a_session_cookie_older_than_its_lifetime_is_not_accepted(app, client, make_user, login):
    login(make_user())
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(seconds=-1)  # every signature is now too old
    assert not is_logged_in(client)
