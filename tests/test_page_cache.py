"""Rendered pages filed under the data version (portal/page_cache.py, portal/models/data_version.py):
served again only while nothing in the database changed, never to another account, with this session's
form token, in the language asked for, and never with a flashed message baked in."""

from __future__ import annotations

import logging
import re

import pytest
from flask import g
from sqlalchemy import text

from portal.accounts.routes import LOGIN_EMAIL
from portal.extensions import db
from portal.households.routes import CODE_GUESSES_PER_HOUR
from portal.models import AuditEntry, Base, Initiative, Membership, Relation, Role, RoleGrant, User
from portal.models.data_version import NOT_COUNTED
from portal.page_cache import TOKEN_PLACEHOLDER, Page, PageCache, cached_page, data_version, version_reads
from tests.conftest import PASSWORD, without_csrf_tokens


@pytest.fixture
def config(config):
    return config | {"PAGE_CACHE_SIZE": 64}


@pytest.fixture
def cache(app) -> PageCache:
    return app.extensions["page_cache"]


def counted_tables() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%\\_data\\_version'"
    else:
        query = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_data\\_version\\_%' " \
                "ESCAPE '\\'"
    return {row[0] for row in db.session.execute(text(query))}


def test_every_table_counts_its_writes_so_a_new_table_cannot_be_forgotten(app):
    assert counted_tables() == set(Base.metadata.tables) - NOT_COUNTED


def test_a_committed_write_raises_the_version(app, make_initiative):
    before = data_version()
    make_initiative()
    assert data_version() > before


def test_a_page_is_served_again_until_anything_changes(client, cache, make_initiative):
    initiative = make_initiative(name="Mini-warmtenet Eikenlaan")
    first = client.get(f"/i/{initiative.slug}")
    assert first.status_code == 200 and "Eikenlaan" in first.get_data(as_text=True)
    again = client.get(f"/i/{initiative.slug}")
    assert cache.hits == 1 and again.get_data() == first.get_data()

    initiative.name = "Mini-warmtenet Beukenlaan"
    db.session.commit()
    changed = client.get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert cache.hits == 1 and "Beukenlaan" in changed and "Eikenlaan" not in changed


def test_a_change_made_outside_the_app_shows_at_once(client, cache, make_initiative):
    initiative = make_initiative(name="Mini-warmtenet Eikenlaan")
    initiative_id, path = initiative.id, f"/i/{initiative.slug}"
    client.get(path)
    db.session.rollback()  # SQLite: let go of the read, so the other connection may write
    with db.engine.begin() as connection:  # another process, a maintainer's psql session
        connection.execute(text("UPDATE initiative SET name = 'Mini-warmtenet Iepenlaan' WHERE id = :id"),
                           {"id": initiative_id})
    assert "Iepenlaan" in client.get(path).get_data(as_text=True)


def test_two_accounts_never_get_each_others_page(app, cache, make_user, make_initiative, make_household):
    pages = {}
    for street in ("Lindelaan", "Kastanjelaan"):
        initiative = make_initiative(name=f"Mini-warmtenet {street}")
        household = make_household(initiative, street=street, house_number=3)
        user = make_user()
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id,
                                  relation=Relation.owner))
        db.session.commit()
        client = app.test_client()
        client.post("/account/login", data={"email": user.email, "password": PASSWORD})
        client.get("/")  # shows and so clears the welcome message of the log-in
        client.get("/")
        pages[street] = client.get("/").get_data(as_text=True)
    assert cache.hits == 2
    assert "Lindelaan 3" in pages["Lindelaan"] and "Kastanjelaan" not in pages["Lindelaan"]
    assert "Kastanjelaan 3" in pages["Kastanjelaan"] and "Lindelaan" not in pages["Kastanjelaan"]


@pytest.fixture
def resident(app, make_user, make_initiative, make_household) -> tuple[User, str]:
    """A resident of Lindelaan 3 and the page of that initiative's estimate (logged-in only)."""
    initiative = make_initiative(name="Mini-warmtenet Lindelaan")
    household = make_household(initiative, street="Lindelaan", house_number=3)
    user = make_user()
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id,
                              relation=Relation.owner))
    db.session.commit()
    return user, f"/i/{initiative.slug}/conditions/results"


def get_counting_statements(client, path, count_queries):
    """The page and the SQL statements it cost, with the data version, which PostgreSQL reads on a
    connection of its own, past SQLAlchemy."""
    reads = version_reads()
    with count_queries() as queries:
        response = client.get(path)
        return response, queries() + version_reads() - reads


def test_a_kept_page_is_served_with_one_query_before_the_account_is_loaded(client, cache, resident,
                                                                           count_queries):
    user, page = resident
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    client.get("/")  # shows the welcome message
    first = client.get(page)
    assert first.status_code == 200
    again, statements = get_counting_statements(client, page, count_queries)
    assert statements == 1  # the data version; not the account, its grants, nor the page's data
    assert cache.hits == 1 and again.get_data() == first.get_data()
    assert "_login_user" not in g  # Flask-Login never ran: the log-in check is above the cache


@pytest.mark.parametrize("path", ["/", "/account/login"])
def test_a_page_that_shows_visitors_no_data_is_served_to_them_without_any_query(client, cache, path,
                                                                                count_queries):
    first = client.get(path)
    assert first.status_code == 200
    again, statements = get_counting_statements(client, path, count_queries)
    assert statements == 0
    assert cache.hits == 1
    assert without_csrf_tokens(again.get_data(as_text=True)) == without_csrf_tokens(
        first.get_data(as_text=True))


def test_a_page_that_shows_visitors_no_data_still_reads_the_version_for_an_account(client, cache, resident,
                                                                                   count_queries):
    user, _page = resident
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    client.get("/")  # shows the welcome message
    client.get("/")
    page, statements = get_counting_statements(client, "/", count_queries)
    assert "Lindelaan" in page.get_data(as_text=True) and statements == 1
    assert cache.hits == 1


def test_a_view_that_claims_to_show_visitors_no_data_but_reads_some_is_not_kept(app, client, cache, caplog,
                                                                                make_initiative):
    initiative_id = make_initiative(name="Mini-warmtenet Eikenlaan").id

    @cached_page(visitors_read_no_data=True)
    def wrongly_marked() -> str:
        return db.session.get(Initiative, initiative_id).name

    app.add_url_rule("/wrongly-marked", view_func=wrongly_marked)
    db.session.close()
    with caplog.at_level(logging.ERROR, logger="portal.page_cache"):
        assert client.get("/wrongly-marked").get_data(as_text=True) == "Mini-warmtenet Eikenlaan"
    assert len(cache) == 0
    assert "wrongly_marked read the database for a visitor" in caplog.text
    db.session.get(Initiative, initiative_id).name = "Mini-warmtenet Beukenlaan"
    db.session.commit()
    assert client.get("/wrongly-marked").get_data(as_text=True) == "Mini-warmtenet Beukenlaan"


def test_a_kept_page_needs_the_log_in_it_was_made_for(app, client, cache, resident):
    user, page = resident
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    client.get("/")
    client.get(page)
    assert len(cache) >= 1

    stranger = app.test_client()
    assert stranger.get(page).status_code == 302  # not logged in: to the log-in page, not the kept page

    old_session = app.test_client()  # a cookie of an older log-in of this account (session version 0)
    with old_session.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version + 1}"
        session["_fresh"] = True
    assert old_session.get(page).status_code == 302
    assert cache.hits == 0


@pytest.fixture
def coordinator_page(make_user, make_municipality, grant) -> tuple[User, RoleGrant, str]:
    user = make_user(name="Fatima Bakker", email="coordinator@example.nl")
    role = grant(user, Role.coordinator, municipality_id=make_municipality(name="Gemeente Hier", slug="hier").id)
    return user, role, "/coordinator"


def test_the_coordinator_workspace_serves_a_kept_page_before_its_role_check(client, cache, coordinator_page,
                                                                           count_queries):
    user, _role, page = coordinator_page
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    client.get("/")
    first = client.get(page)
    assert first.status_code == 200 and "Gemeente Hier" in first.get_data(as_text=True)
    reads = version_reads()
    with count_queries() as queries:
        again = client.get(page)
        assert queries() + version_reads() - reads == 1  # the data version only
    assert cache.hits == 1 and again.get_data() == first.get_data()
    assert "_login_user" not in g  # the blueprint's check (log-in, role) did not run for the kept page
    assert client.get("/coordinator/region").status_code == 200  # not kept: checked and rendered as before


def test_a_kept_coordinator_page_is_never_served_to_anyone_the_check_would_refuse(app, client, cache,
                                                                                 coordinator_page, make_user):
    user, role, page = coordinator_page
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    client.get("/")  # shows the welcome message
    assert client.get(page).status_code == 200
    assert len(cache) >= 1

    assert app.test_client().get(page).status_code == 302  # not logged in: to the log-in page
    resident = make_user(name="Bewoner", email="bewoner@example.nl")
    other = app.test_client()
    other.post("/account/login", data={"email": resident.email, "password": PASSWORD})
    assert other.get(page).status_code == 404  # another account: the workspace does not exist for it

    db.session.delete(db.session.get(RoleGrant, role.id))  # the municipality takes the role away
    db.session.commit()
    assert client.get(page).status_code == 404
    assert cache.hits == 0


def test_a_page_a_view_marks_no_store_is_never_kept(app, client, cache):
    """The log-in form filled in with an address (after confirming in another browser) is not kept for
    the next visitor, even with no flashed message waiting."""
    client.get("/")
    with client.session_transaction() as session:
        session[LOGIN_EMAIL] = "lotte@example.nl"
    assert "lotte@example.nl" in client.get("/account/login").get_data(as_text=True)
    assert "lotte@example.nl" not in app.test_client().get("/account/login").get_data(as_text=True)
    assert cache.hits == 0


def test_a_remember_me_cookie_is_not_answered_from_the_cache(app):
    from portal.page_cache import account_in_cookie

    with app.test_request_context("/", headers={"Cookie": "remember_token=1|abc"}):
        assert account_in_cookie() == (False, None)  # Flask-Login might log this browser in
    with app.test_request_context("/"):
        assert account_in_cookie() == (True, None)
    app.config["SESSION_PROTECTION"] = "strong"
    with app.test_request_context("/"):
        assert account_in_cookie() == (False, None)  # a moved session would be ended


def test_the_request_log_names_the_account_of_a_kept_page(client, cache, resident, caplog):
    user, page = resident
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    client.get("/")
    client.get(page)
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        client.get(page)
    assert cache.hits == 1
    assert [record.request["user_id"] for record in caplog.records if record.name == "portal.requests"] == [user.id]


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_served_page_carries_this_sessions_form_token_and_it_works(app, cache, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    first, second = app.test_client(), app.test_client()
    first_token = token_in(first.get("/account/login").get_data(as_text=True))
    served = second.get("/account/login").get_data(as_text=True)
    assert cache.hits == 1 and TOKEN_PLACEHOLDER not in served
    second_token = token_in(served)
    assert second_token != first_token
    answer = second.post("/account/login", base_url="https://localhost",
                         headers={"Referer": "https://localhost/account/login"},
                         data={"email": user.email, "password": PASSWORD, "csrf_token": second_token})
    assert answer.status_code == 302  # the token was accepted and the log-in went through


def test_languages_are_kept_apart(client, cache):
    dutch = client.get("/").get_data(as_text=True)
    client.set_cookie("lang", "en")
    english = client.get("/").get_data(as_text=True)
    assert 'lang="nl"' in dutch and 'lang="en"' in english and cache.hits == 0


def test_a_flashed_message_is_shown_once_and_never_kept(client, cache):
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Gelukt, buurman!")]
    assert "Gelukt, buurman!" in client.get("/").get_data(as_text=True)
    assert "Gelukt, buurman!" not in client.get("/").get_data(as_text=True)


def test_a_page_rendered_while_the_data_changed_is_not_kept(app, client, cache):
    @app.route("/_writes")
    @cached_page
    def writes() -> str:
        db.session.add(AuditEntry(action="test.viewed", object_type="page", object_id=1))
        db.session.commit()
        return "<p>viewed</p>"

    client.get("/_writes")
    client.get("/_writes")
    assert cache.hits == 0 and len(cache) == 0
    assert db.session.scalar(text("SELECT count(*) FROM audit_entry WHERE action = 'test.viewed'")) == 2


def test_only_pages_that_are_the_same_for_the_next_request_are_kept(client, cache):
    assert client.get("/i/does-not-exist").status_code == 404
    assert client.post("/account/login", data={"email": "x@example.nl", "password": "fout"}).status_code == 422
    assert len(cache) == 0


def test_the_cache_keeps_the_most_recently_used_pages():
    cache = PageCache(2)
    for key in ("a", "b"):
        cache.put(key, Page(key, ()))
    cache.get("a")
    cache.put("c", Page("c", ()))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 2


@pytest.mark.parametrize(("environment", "size", "kept"), [
    ("production", None, 512), ("development", None, None), ("production", 0, None), ("development", 8, 8)])
def test_on_in_production_unless_switched_off(environment, size, kept):
    from flask import Flask

    from portal.page_cache import init_page_cache

    app = Flask(__name__)
    app.config.update(PORTAL_ENV=environment, PAGE_CACHE_SIZE=size)
    init_page_cache(app)
    cache = app.extensions.get("page_cache")
    assert (cache.size if cache is not None else None) == kept


def test_limits_on_codes_still_answer_before_a_kept_page(make_app, make_initiative, make_household):
    """/c/<code> keeps its page below the code limit: once a browser guessed too often, a kept page of a
    code that does exist must not tell it so."""
    code = make_household(make_initiative()).code
    limited = make_app(PAGE_CACHE_SIZE=64, RATELIMIT_ENABLED=True)  # the same database
    client = limited.test_client()
    assert [client.get(f"/c/{code}").status_code for _twice in range(2)] == [200, 200]
    assert limited.extensions["page_cache"].hits == 1
    guesses = [client.get(f"/c/ZZZZZ{n:03d}").status_code for n in range(CODE_GUESSES_PER_HOUR)]
    assert guesses == [404] * CODE_GUESSES_PER_HOUR
    assert client.get(f"/c/{code}").status_code == 429


def test_the_version_is_read_again_after_the_database_dropped_the_connection(client, cache, resident):
    """PostgreSQL: the version has a connection of its own; after a server restart (here: the backend
    ended by an administrator) the next read opens a new one instead of failing the page."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the separate version connection is PostgreSQL's")
    client.get("/i/does-not-exist")  # opens the version connection
    db.session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND query LIKE 'SELECT n FROM data_version%'"))
    db.session.commit()
    assert client.get("/").status_code == 200


def test_hits_and_misses_are_counted_for_metrics(client, cache, make_initiative):
    from portal.monitoring import PAGE_CACHE

    def counted(result: str) -> float:
        return sum(sample.value for metric in PAGE_CACHE.collect() for sample in metric.samples
                   if sample.name.endswith("_total") and sample.labels == {"endpoint": "initiatives.show",
                                                                           "result": result})

    before = counted("hit"), counted("miss")
    path = f"/i/{make_initiative().slug}"
    for _three_times in range(3):
        client.get(path)
    assert (counted("hit") - before[0], counted("miss") - before[1]) == (2, 1)
