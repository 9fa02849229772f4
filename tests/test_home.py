"""The home page (issue 10): the code box first for newcomers, their own initiatives first for members."""

import re

import pytest

from portal.extensions import db
from portal.models import Membership, Relation, Role

NEWCOMER_TEXT = ("Wat is een mini-warmtenet?", "Waarom samen?", "Hoe doe ik mee?")


def headings(html: str) -> list[str]:
    main = html[html.index("<main"):html.index("</main>")]
    return re.findall(r"<(h[1-6])\b", main)


def test_a_newcomer_finds_the_code_box_under_the_title_and_above_the_explanation(client):
    html = client.get("/").get_data(as_text=True)
    assert headings(html)[0] == "h1"
    code_box = html.index('name="code"')
    assert html.index("<h1") < code_box < html.index("Een mini-warmtenet verwarmt")
    assert all(code_box < html.index(text) for text in NEWCOMER_TEXT)


@pytest.fixture
def member(make_user, make_initiative, make_household, login):
    initiative = make_initiative(name="Mini-warmtenet Lindelaan")
    household = make_household(initiative, street="Lindelaan", house_number=8)
    user = make_user()
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id,
                              relation=Relation.owner, lives_here=False))
    db.session.commit()
    login(user)
    return user


def test_a_member_sees_their_initiative_first_and_no_newcomer_text(client, member):
    html = client.get("/").get_data(as_text=True)
    assert headings(html)[0] == "h1"
    assert re.search(r"<h1>\s*Uw initiatieven\s*</h1>", html)
    assert html.index("Mini-warmtenet Lindelaan") < html.index('name="code"')
    assert "Lindelaan 8" in html and "Mede-eigenaar · woont elders" in html
    assert not any(text in html for text in NEWCOMER_TEXT)


def test_a_champion_sees_the_initiatives_they_run_first(client, make_user, make_initiative, grant, login):
    initiative = make_initiative(name="Hofje De Linde")
    champion = make_user()
    grant(champion, Role.champion, initiative_id=initiative.id)
    login(champion)
    html = client.get("/").get_data(as_text=True)
    assert headings(html)[0] == "h1" and "Hofje De Linde" in html
    assert not any(text in html for text in NEWCOMER_TEXT)


def test_logged_in_without_a_household_still_gets_the_newcomer_page(client, make_user, login):
    login(make_user())
    html = client.get("/").get_data(as_text=True)
    assert headings(html)[0] == "h1" and "Heeft u een folder met een code?" in html
    assert all(text in html for text in NEWCOMER_TEXT)
