"""Paper and evidence on a phone: the champion prints a blank form and registers the signed one with a
scan (JavaScript off), a coordinator approves it and downloads the evidence bundle; every hash in the
bundle's manifest matches its file and `flask verify-log` passes.

Every page visited goes through ``check_page`` (screenshot, axe, touch targets, no sideways scroll) and a
check that every form control has a label.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.passwords import hash_password
from portal.commitments import service, texts
from portal.domain.codes import new_code
from portal.extensions import db
from portal.households import service as households
from portal.models import (
    Commitment,
    CommitmentStatus,
    Household,
    Initiative,
    Municipality,
    Relation,
    Role,
    RoleGrant,
    User,
)
from portal.models.base import utcnow
from tests.browser.conftest import PAGE_PROBLEMS, LiveServer
from tests.browser.helpers import unlabelled_controls
from tests.conftest import PASSWORD

Check = Callable[[Page, str], None]
SLUG = "lindelaan"
# A real (tiny) PNG: what a phone photo of the form is, as far as the checks go.
SCAN = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
        b"\x00\x00\x00\nIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def check(check_page: Check, request: pytest.FixtureRequest) -> Check:
    found = request.node.stash.setdefault(PAGE_PROBLEMS, [])

    def run(page: Page, step: str) -> None:
        check_page(page, step)
        problems = unlabelled_controls(page)
        if problems:
            found.append(f"{len(problems)} problem(s) on {page.url} (step {step!r}):\n"
                         + "\n".join(f"- {problem}" for problem in problems))

    return run


def make_street(live_server: LiveServer) -> dict[str, str]:
    """Lindelaan 2–12 in preparation, a champion, a coordinator, one household that signed online."""
    emails = {who: f"{who}-{secrets.token_hex(4)}@example.nl" for who in ("champion", "coordinator", "resident")}
    with live_server.app.test_request_context():
        texts.ensure_default_texts()
        municipality = Municipality(name="Utrecht", slug="utrecht")
        db.session.add(municipality)
        db.session.flush()
        initiative = Initiative(municipality_id=municipality.id, slug=SLUG, name="Mini-warmtenet Lindelaan",
                                streets="Lindelaan", place="Utrecht")
        db.session.add(initiative)
        db.session.flush()
        homes = [Household(initiative_id=initiative.id, street="Lindelaan", house_number=n, postcode="3581 AB",
                           place="Utrecht", position=n, block="1", code=new_code(secrets.randbelow))
                 for n in range(2, 13, 2)]
        db.session.add_all(homes)
        users = {who: User(name=name, email=emails[who], confirmed_at=utcnow(), locale="nl",
                           password_hash=hash_password(PASSWORD))
                 for who, name in (("champion", "Joost de Vries"), ("coordinator", "Carla Oord"),
                                   ("resident", "Anna Bakker"))}
        db.session.add_all(users.values())
        db.session.flush()
        db.session.add_all([RoleGrant(user_id=users["champion"].id, role=Role.champion, initiative_id=initiative.id),
                            RoleGrant(user_id=users["coordinator"].id, role=Role.coordinator,
                                      municipality_id=municipality.id)])
        households.join(homes[0], users["resident"], relation=Relation.owner, share_with_champion=False)
        service.sign(homes[0], users["resident"], level="intent", typed_name="Anna Bakker",
                     consent_text="Ik teken.", form_token=secrets.token_urlsafe(16),
                     conditions=service.Conditions(min_n=2),
                     evidence=service.Evidence(ip="127.0.0.1", user_agent="browser test"))
        db.session.commit()
    return emails


def log_in(page: Page, live_server: LiveServer, email: str, path: str) -> None:
    page.goto(f"{live_server.url}/account/login?next={path}")
    page.get_by_label(re.compile(r"^e-?mailadres", re.IGNORECASE)).fill(email)
    page.get_by_label(re.compile("wachtwoord", re.IGNORECASE)).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{live_server.url}{path}")


def test_paper_form_from_print_to_evidence_bundle(live_server: LiveServer, new_page: Callable[..., Page],
                                                  check: Check, tmp_path: Path) -> None:
    # In a thread of its own: sealing the receipt runs pyHanko's asyncio loop, and Playwright's sync API
    # already runs one in this thread (the live server's threads sign the same way).
    with ThreadPoolExecutor(max_workers=1) as pool:
        emails = pool.submit(make_street, live_server).result()

    # The champion's pages, checked (axe needs JavaScript in the page: Playwright's evaluate hangs without).
    looker = new_page()
    log_in(looker, live_server, emails["champion"], f"/i/{SLUG}/paper")
    check(looker, "paper-index")
    looker.get_by_role("link", name=re.compile("Getekend formulier invoeren.*Lindelaan 4")).click()
    expect(looker.get_by_role("heading", level=1, name="Papieren formulier invoeren")).to_be_visible()
    check(looker, "paper-register")
    looker.get_by_role("button", name="Formulier invoeren").click()  # nothing filled in: messages
    expect(looker.get_by_role("main")).to_contain_text("Vul de naam in van degene die heeft getekend.")
    expect(looker.get_by_role("main")).to_contain_text("Kies de scan van het getekende formulier.")
    check(looker, "paper-register-errors")

    # The champion, on a phone without JavaScript: print a blank form for Lindelaan 4.
    champion = new_page(java_script_enabled=False)
    log_in(champion, live_server, emails["champion"], f"/i/{SLUG}/paper")
    expect(champion.get_by_role("heading", level=1, name="Papieren formulieren")).to_be_visible()
    item = champion.locator("li.door", has=champion.get_by_role("heading", name="Lindelaan 4", exact=True))
    with champion.expect_download() as info:
        item.get_by_role("link", name=re.compile("Leeg formulier")).click()
    blank = tmp_path / "blank.pdf"
    info.value.save_as(blank)
    text = "".join("".join(page.extract_text() or "" for page in PdfReader(blank).pages).split())
    assert "Intentieverklaring" in text and "Lindelaan4,3581ABUtrecht" in text

    # … and register it, signed, with a photo.
    item.get_by_role("link", name=re.compile("Getekend formulier invoeren")).click()
    expect(champion.get_by_role("heading", level=1, name="Papieren formulier invoeren")).to_be_visible()
    champion.get_by_label("Intentieverklaring").check()
    champion.get_by_label("Naam van degene die tekende, zoals op het formulier").fill("Gerda Smit")
    champion.get_by_label("Datum op het formulier").fill(utcnow().date().isoformat())
    champion.get_by_label(re.compile("Alleen als minstens")).fill("2")
    scan = tmp_path / "formulier.png"
    scan.write_bytes(SCAN)
    champion.get_by_label("Scan of foto van het getekende formulier").set_input_files(str(scan))
    champion.get_by_role("button", name="Formulier invoeren").click()
    expect(champion).to_have_url(f"{live_server.url}/i/{SLUG}/paper")
    expect(champion.get_by_role("main")).to_contain_text("Het papieren formulier van Lindelaan 4 is ingevoerd.")
    expect(champion.get_by_role("main")).to_contain_text("papier, nog te controleren")
    looker.goto(champion.url)
    check(looker, "paper-registered")

    # The coordinator checks the scan against what was entered and approves it.
    coordinator = new_page()
    log_in(coordinator, live_server, emails["coordinator"], f"/i/{SLUG}/evidence")
    main = coordinator.get_by_role("main")
    expect(main).to_contain_text("Papieren formulieren om te controleren")
    check(coordinator, "evidence-pending")
    with coordinator.expect_download() as info:
        main.get_by_role("link", name="Open de scan van Lindelaan 4").click()
    assert Path(info.value.path()).read_bytes() == SCAN
    main.get_by_role("button", name=re.compile("Goedkeuren")).click()
    expect(main).to_contain_text("Het papieren formulier is goedgekeurd")
    expect(main).to_contain_text("Er wachten geen papieren formulieren.")
    expect(main).to_contain_text("Met de huidige toezeggingen is het haalbaar met 2 van de 6 woningen.")
    check(coordinator, "evidence-approved")
    with live_server.app.app_context():
        statuses = sorted((c.channel, c.status) for c in db.session.scalars(select(Commitment)))
    assert statuses == [("online", CommitmentStatus.valid), ("paper", CommitmentStatus.valid)]

    # The evidence bundle: every file's hash is the one in the manifest; the log is intact.
    with coordinator.expect_download() as info:
        main.get_by_role("link", name="Bewijsmap (ZIP)").click()
    assert re.fullmatch(r"bewijsmap-lindelaan-\d{4}-\d{2}-\d{2}\.zip", info.value.suggested_filename)
    bundle = zipfile.ZipFile(info.value.path())
    manifest = list(csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    assert {row["soort"] for row in manifest} == {"evidence", "pdf", "snapshot", "scan", "log", "readme"}
    for row in manifest:
        assert hashlib.sha256(bundle.read(row["bestand"])).hexdigest() == row["sha256"], row["bestand"]
        assert row["sha256_vastgelegd"] in ("", row["sha256"]), row["bestand"]
    (scan_row,) = [row for row in manifest if row["soort"] == "scan"]
    assert bundle.read(scan_row["bestand"]) == SCAN and scan_row["huishouden"] == "Lindelaan 4"
    assert len([row for row in manifest if row["soort"] == "pdf"]) == 2
    assert "in orde (" in bundle.read("LEESMIJ.txt").decode()
    with live_server.app.app_context():
        result = live_server.app.test_cli_runner().invoke(args=["verify-log"])
    assert result.exit_code == 0 and result.output.startswith("OK"), result.output
