"""A coordinator at work, on a phone (360×740) and at a desk (1280×800): accepts a new initiative, follows
the programme's funnel, filters the dashboard, opens an initiative, links a provider and a document, and
reads the audit log. Every page goes through ``check_page`` (axe, touch targets, no sideways scroll)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal import demo
from portal.extensions import db
from portal.models import Initiative, InitiativeLink
from tests.browser.conftest import LiveServer

Check = Callable[[Page, str], None]
VIEWPORTS = {"phone": (360, 740), "desk": (1280, 800)}


@pytest.fixture
def seeded(live_server: LiveServer) -> LiveServer:
    with live_server.app.app_context():
        demo.seed()
        db.session.commit()
    return live_server


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_coordinator_walks_the_workspace(seeded: LiveServer, new_page: Callable[..., Page], check_page: Check,
                                          viewport: str, tmp_path: Path) -> None:
    width, height = VIEWPORTS[viewport]
    page = new_page(width=width, height=height)
    url = seeded.url
    page.goto(url + "/coordinator")
    expect(page).to_have_url(re.compile(r"/account/login\?"))
    page.get_by_label(re.compile(r"^e-?mailadres", re.IGNORECASE)).fill("coordinator-amersfoort@demo.warmteburen.nl")
    page.get_by_label(re.compile(r"wachtwoord", re.IGNORECASE)).fill(demo.PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(url + "/coordinator")
    expect(page.get_by_role("heading", name="1 nieuw initiatief wacht op u")).to_be_visible()
    check_page(page, "dashboard")

    # Accept the new initiative.
    page.get_by_role("link", name="Eikenhof").first.click()
    expect(page.get_by_role("heading", name="Nieuw initiatief: Eikenhof")).to_be_visible()
    check_page(page, "review")
    page.get_by_label("Sluiten: het initiatief stopt").check()
    page.get_by_role("button", name="Besluit opslaan").click()
    expect(page.get_by_text("Schrijf waarom u het initiatief sluit.").first).to_be_visible()
    check_page(page, "review-error")
    page.get_by_label("Accepteren: het initiatief doet mee in het programma").check()
    page.get_by_role("button", name="Besluit opslaan").click()
    expect(page.get_by_text("Eikenhof is geaccepteerd.")).to_be_visible()

    # The funnel, then the dashboard filtered by stage from there.
    page.get_by_role("link", name="Programma", exact=True).click()
    expect(page.get_by_role("heading", name="Initiatieven per fase van het programma")).to_be_visible()
    check_page(page, "programme")
    page.get_by_role("link", name="Inventariseren").click()
    expect(page).to_have_url(re.compile(r"stage=inventory"))
    page.get_by_label("Zoeken").fill("vogel")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_text("1 initiatief", exact=True)).to_be_visible()
    check_page(page, "filtered")

    # Open the initiative; add a provider and a document; link both.
    page.get_by_role("link", name="Mini-warmtenet Vogelbuurt").click()
    expect(page.get_by_role("heading", name="Mini-warmtenet Vogelbuurt")).to_be_visible()
    check_page(page, "initiative")
    page.get_by_role("link", name="Aanbieders en documenten").click()
    page.get_by_role("link", name="Aanbieders in Amersfoort").click()
    page.get_by_label("Naam").fill("Boorbedrijf De Eem")
    page.get_by_label("Soort").select_option("driller")
    page.get_by_label("Contact").fill("info@eem.example")
    page.get_by_role("button", name="Aanbieder toevoegen").click()
    expect(page.get_by_text("Boorbedrijf De Eem is toegevoegd.")).to_be_visible()
    check_page(page, "providers")
    contract = tmp_path / "modelcontract.pdf"
    contract.write_bytes(b"%PDF-1.7\n%%EOF\n")
    page.goto(url + "/municipalities/amersfoort/documents")
    page.get_by_label("Titel").fill("Modelcontract zelfbeheer")
    page.get_by_label("Soort").select_option("model_contract")
    page.get_by_label("Bestand").set_input_files(str(contract))
    page.get_by_role("button", name="Document toevoegen").click()
    expect(page.get_by_text("Modelcontract zelfbeheer staat nu in de bibliotheek.")).to_be_visible()
    check_page(page, "documents")
    page.goto(url + "/i/vogelbuurt-amersfoort/links")
    for target in ("Aanbieder: Boorbedrijf De Eem", "Document: Modelcontract zelfbeheer"):
        page.get_by_label("Aanbieder of document", exact=True).select_option(label=target)
        page.get_by_role("button", name="Koppelen aan dit initiatief").click()
        expect(page.get_by_text("Gekoppeld.", exact=False)).to_be_visible()
    check_page(page, "links")
    with seeded.app.app_context():
        initiative = db.session.scalars(select(Initiative).where(Initiative.slug == "vogelbuurt-amersfoort")).one()
        assert len(db.session.scalars(select(InitiativeLink).where(
            InitiativeLink.initiative_id == initiative.id)).all()) == 2

    # The audit log shows what just happened.
    page.get_by_role("link", name="Coördinatie").click()
    page.get_by_role("link", name="Logboek").click()
    expect(page.get_by_text("initiative.accepted")).to_be_visible()
    expect(page.get_by_text("knowledge.linked").first).to_be_visible()
    check_page(page, "audit")
