"""Commitments on a phone, without JavaScript: a resident signs a conditional intent, downloads the sealed
PDF, opens /v/<code> from what the QR code holds, a co-owner co-signs, and the resident withdraws.

Every page goes through ``check_page`` (screenshot, axe, touch targets, no sideways scroll). The PDF's
text is checked with pypdf and its seal with pyHanko's validator.
"""

from __future__ import annotations

import io
import re
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

from asn1crypto import pem, x509
from playwright.sync_api import Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.passwords import hash_password
from portal.commitments import seal
from portal.commitments.texts import ensure_default_texts
from portal.conditions.service import ensure_catalogue
from portal.domain.codes import new_code
from portal.extensions import db
from portal.models import Commitment, Household, Initiative, Membership, Municipality, OutboxMessage, Relation, User
from portal.models.base import utcnow
from tests.browser.conftest import LiveServer
from tests.browser.test_feasibility_walk import mirror_check
from tests.conftest import PASSWORD, link_in

Check = Callable[[Page, str], None]
SLUG = "hofje"

# Dutch texts from translations/nl/LC_MESSAGES/messages.po (English msgid in the comment).
COMMIT = "Toezeggen"  # "Commit"
READ_AND_SIGN = "Lezen en tekenen"  # "Read and sign"
INTENT = "Intentieverklaring"  # "Letter of intent"
SIGN = "Tekenen"  # "Sign"
CONSENT = re.compile(r"^Ik heb de tekst hierboven gelezen")  # "I have read the text above …"
PENDING = "Wacht op de handtekening van een mede-eigenaar"  # "Waiting for a co-owner's signature"
VALID = "Geldig"  # "Valid"
WITHDRAWN = "Ingetrokken"  # "Withdrawn"
DOWNLOAD = "De pdf downloaden"  # "Download the PDF"
COSIGN = "Mee-ondertekenen"  # "Co-sign"
WITHDRAW = "Intrekken"  # "Withdraw"
YES_WITHDRAW = "Ja, intrekken"  # "Yes, withdraw"
MATCHES = "Dit bestand is precies de pdf die wij voor deze code uitgaven."  # "This file is exactly the PDF …"


def make_household(live_server: LiveServer) -> tuple[str, str]:
    """Four homes in the Hofje; the first has two owners, and this initiative wants every owner to sign."""
    def user(name: str) -> User:
        return User(name=name, email=f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.nl",
                    confirmed_at=utcnow(), locale="nl", password_hash=hash_password(PASSWORD))

    with live_server.app.app_context():
        ensure_catalogue()
        ensure_default_texts()
        municipality = Municipality(name="Utrecht", slug="utrecht")
        db.session.add(municipality)
        db.session.flush()
        initiative = Initiative(municipality_id=municipality.id, slug=SLUG, name="Mini-warmtenet Hofje De Linde",
                                streets="Hofje De Linde", place="Utrecht", requires_all_owners=True)
        db.session.add(initiative)
        db.session.flush()
        homes = [Household(initiative_id=initiative.id, street="Hofje De Linde", house_number=n, position=n,
                           block="1", place="Utrecht", gas_m3=1100, code=new_code(secrets.randbelow),
                           code_issued_at=utcnow()) for n in range(1, 5)]
        anna, bas = user("Anna de Vries"), user("Bas de Vries")
        db.session.add_all([*homes, anna, bas])
        db.session.flush()
        for person in (anna, bas):
            db.session.add(Membership(household_id=homes[0].id, initiative_id=initiative.id, user_id=person.id,
                                      relation=Relation.owner))
        db.session.commit()
        return anna.email, bas.email


def log_in(page: Page, live_server: LiveServer, path: str, email: str) -> None:
    page.goto(live_server.url + path)
    page.get_by_label(re.compile(r"^e-?mailadres", re.IGNORECASE)).fill(email)
    page.get_by_label(re.compile(r"wachtwoord", re.IGNORECASE)).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(live_server.url + path)


def seal_is_valid(app_instance: str, data: bytes) -> bool:
    """pyHanko's validator runs its own asyncio loop; Playwright's sync API holds one in this thread."""
    return seal.off_the_event_loop(lambda: _seal_is_valid(app_instance, data))


def _seal_is_valid(app_instance: str, data: bytes) -> bool:
    certificate = x509.Certificate.load(pem.unarmor(seal.development_seal_files(app_instance)[0].read_bytes())[2])
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[certificate], allow_fetching=False))
    return bool(status.intact and status.valid and status.trusted)


def test_sign_verify_cosign_and_withdraw_without_javascript(
    new_page: Callable[..., Page], live_server: LiveServer, check_page: Check, tmp_path: Path
) -> None:
    anna_email, bas_email = make_household(live_server)
    anna = new_page(java_script_enabled=False, accept_downloads=True)
    check_page = mirror_check(check_page, new_page())  # axe needs JavaScript: it checks a copy of each page

    log_in(anna, live_server, f"/i/{SLUG}/commitment", anna_email)
    anna.goto(live_server.url + f"/i/{SLUG}")  # the path a resident takes: the initiative page
    anna.get_by_role("main").get_by_role("link", name=COMMIT, exact=True).click()
    check_page(anna, "overview")
    anna.get_by_role("region", name=INTENT).get_by_role("link", name=READ_AND_SIGN).click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(INTENT)
    anna.get_by_label(re.compile(r"^Alleen als minstens zoveel huishoudens")).fill("3")
    anna.get_by_label(re.compile(r"^Alleen als mijn maandlasten met hoogstens")).fill("12,50")
    anna.get_by_label("Uw volledige naam").fill("Anna de Vries")
    anna.get_by_label(CONSENT).check()
    check_page(anna, "sign")
    anna.get_by_role("button", name=SIGN, exact=True).click()
    expect(anna.get_by_role("heading", level=2, name=PENDING)).to_be_visible()
    check_page(anna, "signed")

    with anna.expect_download() as download_info:
        anna.get_by_role("link", name=DOWNLOAD).click()
    receipt = Path(download_info.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt)).pages)
    compact = re.sub(r"\s+", "", text)
    assert "Intentieverklaring" in text
    assert "Anna de Vries" in text
    assert "Alleen als minstens 3 huishoudens meedoen." in text
    assert "Alleen als mijn maandlasten met hoogstens € 12,50 stijgen." in text.replace("\xa0", " ")
    assert seal_is_valid(live_server.app.instance_path, receipt)
    with live_server.app.app_context():
        commitment = db.session.scalars(select(Commitment)).one()
        assert receipt == commitment.pdf
        code = commitment.verify_code
    # The QR code holds the verification URL; the receipt prints the same URL under it.
    qr_url = re.search(r"(http://127\.0\.0\.1:\d+/v/[0-9A-Z]{12})", compact).group(1)
    assert qr_url.endswith(f"/v/{code}")

    visitor = new_page(java_script_enabled=False)
    visitor.goto(qr_url)
    expect(visitor.get_by_role("heading", level=2, name=PENDING)).to_be_visible()
    assert "Anna" not in visitor.content()
    receipt_file = tmp_path / "toezegging.pdf"
    receipt_file.write_bytes(receipt)
    visitor.get_by_label("De pdf die u kreeg").set_input_files(str(receipt_file))
    visitor.get_by_role("button", name="Dit bestand controleren").click()
    expect(visitor.get_by_text(MATCHES)).to_be_visible()
    check_page(visitor, "verify")

    with live_server.app.app_context():
        invite = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == bas_email)).one()
        invite_path = link_in(invite)
    bas = new_page(java_script_enabled=False)
    log_in(bas, live_server, invite_path, bas_email)
    bas.get_by_label("Uw volledige naam").fill("Bas de Vries")
    bas.get_by_label(re.compile(r"^Ik heb de tekst gelezen en ik teken ook")).check()
    check_page(bas, "cosign")
    bas.get_by_role("button", name=COSIGN).click()
    expect(bas.get_by_role("heading", level=2, name=VALID)).to_be_visible()
    check_page(bas, "cosigned")

    anna.goto(live_server.url + f"/i/{SLUG}/commitment/{commitment.id}")
    expect(anna.get_by_role("heading", level=2, name=VALID)).to_be_visible()
    anna.get_by_role("link", name=WITHDRAW, exact=True).click()
    check_page(anna, "withdraw")
    anna.get_by_role("button", name=YES_WITHDRAW).click()
    expect(anna.get_by_role("heading", level=2, name=WITHDRAWN)).to_be_visible()
    check_page(anna, "withdrawn")

    visitor.goto(qr_url)
    expect(visitor.get_by_role("heading", level=2, name=WITHDRAWN)).to_be_visible()
    with live_server.app.app_context():
        from portal.commitments.service import verify_log

        assert verify_log().ok
        assert db.session.scalar(select(Commitment.status)) == "withdrawn"
