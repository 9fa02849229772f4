import pytest

from portal.app import try_again_in
from portal.extensions import limiter
from portal.households.routes import CODE_GUESSES_PER_HOUR
from portal.models import Role
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
    assert 1 <= int(response.headers["Retry-After"]) <= 61  # until the minute of this limit is over
    assert "X-RateLimit-Remaining" not in response.headers  # off: two Redis round trips per request


def test_a_household_code_limit_says_when_to_try_again(client):
    for n in range(CODE_GUESSES_PER_HOUR):
        client.get(f"/c/ZZZZZ{n:03d}")
    response = client.get("/c/ZZZZZ999")
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 60 < wait <= 3600  # the hour's window, just begun
    minutes = -(-wait // 60)
    waiting = "een uur" if minutes == 60 else f"{minutes} minuten"
    assert f"Wacht {waiting} en probeer het dan opnieuw." in response.get_data(as_text=True)


@pytest.mark.parametrize(("seconds", "message"), [
    (1, "Wacht een minuut en probeer het dan opnieuw."),
    (60, "Wacht een minuut en probeer het dan opnieuw."),
    (61, "Wacht 2 minuten en probeer het dan opnieuw."),
    (3540, "Wacht 59 minuten en probeer het dan opnieuw."),
    (3600, "Wacht een uur en probeer het dan opnieuw."),
])
def test_a_429_page_says_how_long_to_wait(app, seconds, message):
    with app.test_request_context():
        assert message in try_again_in(seconds)


def test_a_household_code_page_asks_the_limit_store_once_not_twice(client, monkeypatch, make_user):
    """Below the code limit, failing closed needs no ping of its own: the limit just reached the store.
    Where no limit was counted first (co-signing), the ping is still sent."""
    pings = []
    monkeypatch.setattr(limiter.storage, "check", lambda: pings.append(1) or True)
    assert client.get("/c/ZZZZZZ01").status_code == 404
    assert client.post("/c", data={"code": "ZZZZ-ZZ02"}).status_code in (400, 422)
    assert pings == []
    client.post("/account/login", data={"email": make_user().email, "password": PASSWORD})
    pings.clear()
    client.post("/i/straat-1/commitment/1/cosign")
    assert pings == [1]


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
    statuses = [client.get(f"/c/ZZZZZ{n:03d}").status_code for n in range(CODE_GUESSES_PER_HOUR + 10)]
    assert statuses[:CODE_GUESSES_PER_HOUR] == [404] * CODE_GUESSES_PER_HOUR
    assert set(statuses[CODE_GUESSES_PER_HOUR:]) == {429}
    assert "Te veel pogingen" in client.get("/c/ZZZZZZ99").get_data(as_text=True)


def test_typed_codes_share_the_limit_with_links(client):
    for n in range(CODE_GUESSES_PER_HOUR):
        client.get(f"/c/ZZZZZ{n:03d}")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/c", data={"code": "ZZZZ-ZZZZ", "csrf_token": token}).status_code == 429


def test_a_real_code_is_not_counted_as_a_guess(client, make_initiative, make_household):
    household = make_household(make_initiative())
    for _attempt in range(CODE_GUESSES_PER_HOUR + 5):
        assert client.get(f"/c/{household.code}").status_code == 200


# Routes where a household code arrives in a form field rather than in the URL.
CODE_FORMS = [("POST", "/c"), ("POST", "/i/{slug}/join")]


def _routes_taking_a_code(app, slug):
    """Every (method, URL) that looks up a household code: each rule with a <code> part, and the forms."""
    routes = [(method, url.format(slug=slug)) for method, url in CODE_FORMS]
    for rule in app.url_map.iter_rules():
        if "code" in rule.arguments:
            url = rule.build({name: "ZZZZZZZZ" if name == "code" else slug if name == "slug" else "1"
                              for name in rule.arguments})[1]
            routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def _guess(client, method, url):
    if method == "GET":
        return client.get(url)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"code": "ZZZZ-ZZZZ", "csrf_token": token})


def test_every_route_that_takes_a_household_code_shares_one_limit(app, client, make_user, make_initiative):
    """The last wrong guess on any one of them fills the limit, and all of them answer 429 (also for a
    logged-in account). The guesses before it go to /c/<code>, which is quicker to send."""
    slug = make_initiative().slug
    post_login(client, make_user().email, PASSWORD)
    routes = _routes_taking_a_code(app, slug)
    assert ("GET", "/c/ZZZZZZZZ/join") in routes and ("POST", "/c/ZZZZZZZZ/join") in routes
    for guessed_on in routes:
        limiter.reset()
        for _attempt in range(CODE_GUESSES_PER_HOUR - 1):
            assert client.get("/c/ZZZZZZZZ").status_code == 404
        assert _guess(client, *guessed_on).status_code in (404, 422), guessed_on
        statuses = {route: _guess(client, *route).status_code for route in routes}
        assert set(statuses.values()) == {429}, (guessed_on, statuses)


@pytest.fixture
def champion_of_two(make_initiative, make_household, make_user, grant):
    """A champion of two initiatives with an open address each, logged in."""
    champion = make_user()
    initiatives = [make_initiative(), make_initiative()]
    for initiative in initiatives:
        grant(champion, Role.champion, initiative_id=initiative.id)
    households = [make_household(initiative) for initiative in initiatives]
    return champion, initiatives, households


def _invite(client, initiative, household, email="buur@example.nl"):
    token = csrf_token_from(client.get(f"/i/{initiative.slug}/invite").get_data(as_text=True))
    return client.post(f"/i/{initiative.slug}/invite",
                       data={"household_id": household.id, "email": email, "csrf_token": token})


def test_invitations_are_limited_per_account_across_initiatives(client, champion_of_two, outbox):
    champion, (first, second), (first_household, second_household) = champion_of_two
    post_login(client, champion.email, PASSWORD)
    for _attempt in range(20):
        assert _invite(client, first, first_household).status_code == 302
    response = _invite(client, second, second_household)
    assert response.status_code == 429
    assert "per uur kunnen er 20 weg, per dag 100" in response.get_data(as_text=True)  # the limit, in Dutch
    assert len(outbox()) == 20


def test_invitations_are_limited_per_initiative_across_champions(client, champion_of_two, make_user, grant):
    champion, (initiative, _other), (household, _other_household) = champion_of_two
    post_login(client, champion.email, PASSWORD)
    for _attempt in range(20):
        assert _invite(client, initiative, household).status_code == 302
    second = make_user()
    grant(second, Role.champion, initiative_id=initiative.id)
    other_client = client.application.test_client()
    post_login(other_client, second.email, PASSWORD)
    assert _invite(other_client, initiative, household).status_code == 429


def test_an_invitation_sent_back_with_an_error_does_not_count(client, champion_of_two, outbox):
    champion, (initiative, _other), (household, _other_household) = champion_of_two
    post_login(client, champion.email, PASSWORD)
    for _attempt in range(25):
        assert _invite(client, initiative, household, email="geen-adres").status_code == 422
    assert _invite(client, initiative, household).status_code == 302
