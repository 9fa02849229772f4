from tests.conftest import PASSWORD
from tests.security.conftest import csrf_token_from


def post_login(client, email, password):
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    return client.post("/account/login", data={"email": email, "password": password, "csrf_token": token})


def test_the_sixth_failed_login_in_a_minute_gets_a_dutch_429(client, make_user):
    user = make_user()
    for _attempt in range(5):
        assert post_login(client, user.email, "verkeerd-wachtwoord-1").status_code == 422
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]


def test_successful_logins_do_not_count_towards_the_limit(client, make_user):
    user = make_user()
    for _attempt in range(7):
        assert post_login(client, user.email, PASSWORD).status_code == 302
        token = csrf_token_from(client.get("/").get_data(as_text=True))
        client.post("/account/logout", data={"csrf_token": token})


def test_password_reset_requests_are_limited(client):
    statuses = []
    for _attempt in range(6):
        token = csrf_token_from(client.get("/account/forgot-password").get_data(as_text=True))
        statuses.append(client.post("/account/forgot-password",
                                    data={"email": "els@example.nl", "csrf_token": token}).status_code)
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


def test_guessing_household_codes_is_stopped_with_a_dutch_429(client):
    statuses = [client.get(f"/c/ZZZZZZ{n:02d}").status_code for n in range(20)]
    assert statuses[:10] == [404] * 10
    assert set(statuses[10:]) == {429}
    assert "Te veel pogingen" in client.get("/c/ZZZZZZ99").get_data(as_text=True)


def test_typed_codes_share_the_limit_with_links(client):
    for n in range(10):
        client.get(f"/c/ZZZZZZ{n:02d}")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/c", data={"code": "ZZZZ-ZZZZ", "csrf_token": token}).status_code == 429


def test_a_real_code_is_not_counted_as_a_guess(client, make_initiative, make_household):
    household = make_household(make_initiative())
    for _attempt in range(15):
        assert client.get(f"/c/{household.code}").status_code == 200
