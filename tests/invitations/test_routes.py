import io
from urllib.parse import unquote

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.domain.codes import format_code
from portal.extensions import db
from portal.models import Invitation, Role


@pytest.fixture
def street(make_initiative, make_household, make_user, grant, login):
    initiative = make_initiative(slug="lindelaan", name="Mini-warmtenet Lindelaan")
    households = [make_household(initiative, house_number=n) for n in range(2, 26, 2)]
    champion = make_user(name="Joost de Vries")
    grant(champion, Role.champion, initiative_id=initiative.id)
    login(champion)
    return initiative, households


def pdf_pages(response):
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]


def test_batch_flyers_one_a4_page_per_household_with_its_code(client, street):
    _initiative, households = street
    pages = pdf_pages(client.get("/i/lindelaan/flyers.pdf?layout=a4&language=nl"))
    assert len(pages) == 12
    for page, household in zip(pages, households, strict=True):
        assert format_code(household.code) in page
        assert f"/c/{household.code}" in page.replace("\n", "")


def test_batch_flyers_two_a5_per_page(client, street):
    assert len(pdf_pages(client.get("/i/lindelaan/flyers.pdf?layout=a5&cut_marks=y&language=en"))) == 6


def test_bad_flyer_options_are_refused(client, street):
    assert client.get("/i/lindelaan/flyers.pdf?layout=a3").status_code == 400
    assert client.get("/i/lindelaan/flyers.pdf?language=de").status_code == 400


def test_one_household_flyer_and_the_poster(client, street):
    _initiative, households = street
    (page,) = pdf_pages(client.get(f"/i/lindelaan/households/{households[0].id}/flyer.pdf"))
    assert format_code(households[0].code) in page
    poster = pdf_pages(client.get("/i/lindelaan/poster.pdf?language=nl"))
    assert any("/i/lindelaan" in p.replace("\n", "") for p in poster)
    assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == 2


def test_invite_by_email_sends_the_household_link(client, street, outbox):
    _initiative, households = street
    response = client.post("/i/lindelaan/invite", data={"household_id": households[1].id,
                                                        "email": "buurvrouw@example.nl"})
    assert response.status_code == 302
    (message,) = outbox()
    assert message.to_address == "buurvrouw@example.nl"
    assert f"/c/{households[1].code}" in message.body_text
    assert "Joost" in message.body_text
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.channel, invitation.household_id, invitation.outbox_message_id) == (
        "email", households[1].id, message.id)


def test_invite_needs_a_valid_address_and_household(client, street, outbox, make_initiative, make_household):
    foreign = make_household(make_initiative())
    assert client.post("/i/lindelaan/invite", data={"household_id": foreign.id,
                                                    "email": "a@example.nl"}).status_code == 422
    assert client.post("/i/lindelaan/invite", data={"household_id": street[1][0].id,
                                                    "email": "geen-adres"}).status_code == 422
    assert outbox() == []


def test_whatsapp_link_carries_a_dutch_text_and_the_public_url(client, street):
    html = client.get("/i/lindelaan/invite").get_data(as_text=True)
    link = html.split('href="https://wa.me/?text=', 1)[1].split('"', 1)[0]
    text = unquote(link)
    assert "mini-warmtenet" in text and "/i/lindelaan" in text


def test_flyers_of_another_initiative_are_404(client, street, make_initiative, make_household):
    other = make_initiative()
    household = make_household(other)
    assert client.get(f"/i/{other.slug}/flyers.pdf").status_code == 404
    assert client.get(f"/i/lindelaan/households/{household.id}/flyer.pdf").status_code == 404


def test_an_invitation_says_who_sent_it_and_where_to_report_abuse(client, street, outbox):
    _initiative, households = street
    client.post("/i/lindelaan/invite", data={"household_id": households[1].id, "email": "buurvrouw@example.nl"})
    (message,) = outbox()
    for body in (message.body_text, message.body_html):
        assert "Joost, buurtambassadeur van Mini-warmtenet Lindelaan, heeft deze uitnodiging" in body
        assert "misbruik@warmteburen.localhost" in body
    assert "vanwege uw account" not in message.body_html  # the recipient has no account
