from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User
from tests.conftest import PASSWORD
from tests.security.conftest import csrf_token_from


def test_every_post_route_refuses_a_request_without_token(app, client, make_user):
    """Walks the URL map, so a new POST view without CSRF protection fails here."""
    user = make_user()
    # no token, so not logged in: @login_required views answer with the login redirect
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.rule.replace("<token>", "abc").replace("<int:message_id>", "1")
        response = client.post(url, data={"email": "x@example.nl", "password": PASSWORD, "name": "X"})
        assert response.status_code in (302, 400, 422), (url, response.status_code)
        if response.status_code == 302:  # only the login redirect for @login_required views
            assert "/account/login" in response.headers["Location"], url
        checked += 1
    assert checked >= 10
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_stale_token_keeps_the_form_and_explains_in_dutch(client):
    response = client.post("/account/register", data={
        "name": "Lotte van Dijk", "email": "lotte@example.nl", "password": PASSWORD,
        "csrf_token": "verlopen"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "lang open" in html
    assert 'value="Lotte van Dijk"' in html and 'value="lotte@example.nl"' in html
    assert PASSWORD not in html
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_valid_token_is_accepted(client):
    token = csrf_token_from(client.get("/account/register").get_data(as_text=True))
    response = client.post("/account/register", data={
        "name": "Lotte van Dijk", "email": "lotte@example.nl", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_logout_without_token_does_not_log_out(client, make_user):
    user = make_user()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/account/logout").status_code == 400
    assert client.get("/account/").status_code == 200
