"""/v/<code>: public, no personal data, the same page shape for unknown codes, PDF upload by SHA-256."""

from __future__ import annotations

import io
import re

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portal.commitments import seal, service
from portal.extensions import db
from tests.commitments.helpers import signed


@pytest.fixture
def commitment(street, resident):
    _initiative, homes = street
    return signed(homes[0], resident, min_n=3)


def labels(page: str) -> list[str]:
    return re.findall(r"<dt>(.*?)</dt>", page)


def test_a_known_code_shows_status_and_hashes_but_no_personal_data(client, commitment):
    page = client.get(f"/v/{commitment.verify_code}").get_data(as_text=True)
    assert "Geldig" in page
    assert "Intentieverklaring" in page
    assert commitment.initiative.name in page
    assert commitment.text.sha256 in page
    assert commitment.pdf_sha256 in page
    assert "Ja, deze hash staat in de keten." in page
    for private in ("Anna", "Vries", "Lindelaan", "192.0.2.1", commitment.household.code):
        assert private not in page


def test_the_code_is_read_tolerantly(client, commitment):
    typed = service.format_verify_code(commitment.verify_code).lower()
    assert "Geldig" in client.get(f"/v/{typed}").get_data(as_text=True)


@pytest.mark.parametrize("code", ["AAAABBBBCCCC", "kort", "%3Cscript%3E", "X" * 300])
def test_unknown_or_malformed_codes_get_the_same_page_shape(client, commitment, code):
    known = client.get(f"/v/{commitment.verify_code}")
    unknown = client.get(f"/v/{code}")
    assert unknown.status_code == known.status_code == 200
    page = unknown.get_data(as_text=True)
    assert labels(page) == labels(known.get_data(as_text=True))
    assert "We kennen deze code niet" in page
    assert "<script>" not in page


def test_status_follows_withdrawal(client, commitment, resident):
    service.withdraw(commitment, resident)
    db.session.commit()
    assert "Ingetrokken" in client.get(f"/v/{commitment.verify_code}").get_data(as_text=True)


def upload(client, code, data, name="bewijs.pdf"):
    return client.post(f"/v/{code}", data={"pdf": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_issued_pdf_matches(client, commitment):
    page = upload(client, commitment.verify_code, commitment.pdf).get_data(as_text=True)
    assert "precies de pdf die wij voor deze code uitgaven" in page


def test_a_pdf_changed_by_one_byte_does_not_match(client, commitment):
    changed = bytearray(commitment.pdf)
    changed[len(changed) // 2] ^= 0x01
    response = upload(client, commitment.verify_code, bytes(changed))
    assert response.status_code == 200
    assert "komt niet overeen" in response.get_data(as_text=True)


def test_a_receipt_of_another_code_is_named_so(client, commitment, street, member):
    _initiative, homes = street
    other = signed(homes[1], member(homes[1], name="Bert Bakker"))
    assert "voor een andere code" in upload(client, commitment.verify_code, other.pdf).get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a not a pdf", "geen pdf"),
    (b"%PDF-" + b"0" * 2000, "groter dan 5 MB"),
])
def test_uploads_that_are_not_what_they_claim_get_a_dutch_message(app, client, commitment, data, message):
    app.config["COMMITMENT_UPLOAD_MAX"] = 1000  # small, so the test client does not spool to a file
    response = upload(client, commitment.verify_code, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_upload_without_a_file_gets_a_message(client, commitment):
    response = client.post(f"/v/{commitment.verify_code}", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Kies het pdf-bestand" in response.get_data(as_text=True)


def test_the_receipt_is_sealed_and_a_change_breaks_the_seal(app, commitment):
    cert_path, _key = seal.development_seal_files(app.instance_path)
    from asn1crypto import pem, x509

    root = x509.Certificate.load(pem.unarmor(cert_path.read_bytes())[2])
    context = ValidationContext(trust_roots=[root], allow_fetching=False)

    def validate(data: bytes):  # pyHanko runs asyncio itself: off any loop a browser test left running
        [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
        return signature, seal.off_the_event_loop(lambda: validate_pdf_signature(signature, context))

    signature, status = validate(commitment.pdf)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert signature.signer_cert.subject.native["organization_name"] == "Warmteburen"
    data = bytearray(commitment.pdf)
    data[300] ^= 0x01  # one byte inside the sealed range
    assert not validate(bytes(data))[1].intact
