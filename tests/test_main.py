from unittest import mock

from flask_login import current_user
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import User


def test_home_explains_in_dutch(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "2 tot 100 woningen" in html
    assert "K7PM-3QXD" in html


def test_statements_are_linked_from_every_page(client):
    html = client.get("/account/login").get_data(as_text=True)
    assert 'href="/privacy"' in html and 'href="/toegankelijkheid"' in html
    assert "Hoe lang" in client.get("/privacy").get_data(as_text=True)


def test_language_switch_is_remembered_in_a_cookie(client):
    response = client.post("/language", data={"language": "en", "next": "/privacy"})
    assert response.headers["Location"] == "/privacy"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_language_switch_is_remembered_on_the_account(client, make_user, login):
    user = make_user(locale="nl")
    login(user)
    client.post("/language", data={"language": "en", "next": "/"})
    assert db.session.get(User, user.id).locale == "en"


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"language": "xx"}).status_code == 400


def test_language_switch_does_not_redirect_elsewhere(client):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_error_pages_are_dutch(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)
    response = client.delete("/")
    assert response.status_code == 405


def test_unexpected_errors_get_a_dutch_500_page(app, client):
    app.config["TEST_RENDER_500"] = True
    with mock.patch("portal.main.routes.render_template", side_effect=RuntimeError("boom")):
        response = client.get("/privacy")
    assert response.status_code == 500
    assert "onze fout" in response.get_data(as_text=True)


def test_too_large_requests_get_a_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/account/login", data={"email": "x" * 5000})
    assert response.status_code == 413


def test_healthz_reports_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": True}


def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch.object(db.session, "execute", side_effect=OperationalError("SELECT 1", {}, Exception())):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_logged_in_header_offers_account_and_logout(client, make_user, login):
    login(make_user())
    html = client.get("/").get_data(as_text=True)
    assert "Mijn account" in html and "Uitloggen" in html
    with client:
        client.get("/")
        assert current_user.is_authenticated
