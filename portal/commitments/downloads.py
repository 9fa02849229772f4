"""What a coordinator downloads as evidence: one household's PDF, one combined PDF of the valid
commitments, the evidence bundle (a streamed ZIP) and a CSV for Excel (SPEC §6 "Coordinator downloads").

The bundle is **streamed**: the ZIP is written while it is sent, PDFs and scans are read in small
batches as the stream reaches them, so the memory it needs does not grow with the number of
households (bench/evidence_bundle.py measures it at 20 and 150). Its ``manifest.csv`` is the last
entry, so it can hold the SHA-256 of every file *as it went into the ZIP* (computed while streaming)
next to the hash recorded when the commitment was signed or the scan uploaded: if the two differ,
the stored file was changed afterwards. ``SHA256SUMS`` holds the same hashes in the format of
``sha256sum -c``; ``LEESMIJ.txt`` explains in Dutch how to check everything.

Every download is recorded in the audit log by the caller's service function here (ids and counts
only, no names), in the same transaction the view commits before sending.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import render_template, url_for
from sqlalchemy import Text, cast, func, select
from zipstream import ZIP_DEFLATED, ZipStream

from portal.audit.service import record
from portal.commitments import scans
from portal.domain import csvsafe, eventlog
from portal.domain.addresses import format_address
from portal.extensions import db
from portal.models import (
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    CommitmentText,
    Household,
    Initiative,
    PaperForm,
    Signature,
    User,
)
from portal.pdf import merge_pdfs

__all__ = [
    "BATCH_SIZE", "BundleFile", "CommitmentRow", "LogCheck", "bundle_name", "combined_pdf", "commitment_rows",
    "csv_table", "evidence_bundle", "household_pdf", "record_download",
]

BATCH_SIZE = 8
"""Commitments whose PDF and snapshot are fetched per round trip while the bundle streams."""

MANIFEST_HEADER = ("bestand", "soort", "sha256", "sha256_vastgelegd", "huishouden", "niveau", "status",
                   "kanaal", "ondertekend_op")
CSV_HEADER = ("huishouden", "postcode", "niveau", "status", "kanaal", "minimaal_aantal_huishoudens",
              "maximale_stijging_per_maand_eur", "ondertekenaars", "ondertekend_op", "eind_op",
              "verificatiecode", "pdf_sha256")


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    """One commitment as the downloads list it (no PDF bytes: those are read when needed)."""

    id: int
    household_id: int
    address: str
    postcode: str
    level: str
    status: str
    channel: str
    min_n: int | None
    max_monthly_delta_eur: Decimal | None
    verify_code: str
    pdf_sha256: str | None
    has_pdf: bool
    signed_at: dt.datetime | None
    ended_at: dt.datetime | None
    scan_name: str | None
    scan_type: str | None
    scan_sha256: str | None
    flagged_at: dt.datetime | None = None  # a withdrawn agreement the coordinator has to look at

    @property
    def stem(self) -> str:
        """ASCII file name stem: "lindelaan-12a_intent_17"."""
        return f"{_slug(self.address)}_{self.level}_{self.id}"


@dataclass(slots=True)
class BundleFile:
    """A file in the bundle; ``sha256`` is filled in while its bytes stream into the ZIP."""

    name: str
    kind: str  # pdf | scan | snapshot | log | readme
    row: CommitmentRow | None
    recorded_sha256: str | None
    sha256: str | None = None


@dataclass(slots=True)
class LogCheck:
    """The verification of the whole event chain, made while the bundle streams."""

    intact: bool = False
    entries: int = 0
    head: str = eventlog.GENESIS
    first_broken: int | None = None
    extract: list[dict[str, Any]] = field(default_factory=list)


def commitment_rows(initiative: Initiative, *, valid_only: bool = False) -> list[CommitmentRow]:
    """Every commitment of the initiative (or the valid ones) in street order: one query."""
    first_signed = (select(func.min(Signature.signed_at)).where(Signature.commitment_id == Commitment.id)
                    .correlate(Commitment).scalar_subquery())
    query = (
        select(Commitment.id, Commitment.household_id, Household.street, Household.house_number,
               Household.addition, Household.postcode, Commitment.level, Commitment.status, Commitment.channel,
               Commitment.min_n, Commitment.max_monthly_delta_eur, Commitment.verify_code,
               Commitment.pdf_sha256, Commitment.pdf.is_not(None), first_signed, Commitment.created_at,
               Commitment.ended_at, PaperForm.scan_name, PaperForm.scan_type, PaperForm.scan_sha256,
               Commitment.flagged_at)
        .join(Household, Household.id == Commitment.household_id)
        .outerjoin(PaperForm, PaperForm.commitment_id == Commitment.id)
        .where(Commitment.initiative_id == initiative.id)
        .order_by(Household.position, Household.street, Household.house_number, Household.addition,
                  Commitment.id)
    )
    if valid_only:
        query = query.where(Commitment.status == CommitmentStatus.valid)
    return [
        CommitmentRow(id=r[0], household_id=r[1], address=format_address(r[2], r[3], r[4]), postcode=r[5] or "",
                      level=r[6], status=r[7], channel=r[8], min_n=r[9], max_monthly_delta_eur=r[10],
                      verify_code=r[11], pdf_sha256=r[12], has_pdf=bool(r[13]), signed_at=r[14] or r[15],
                      ended_at=r[16], scan_name=r[17], scan_type=r[18], scan_sha256=r[19], flagged_at=r[20])
        for r in db.session.execute(query)
    ]


def household_pdf(initiative: Initiative, commitment_id: int) -> tuple[bytes, str] | None:
    """The stored PDF of one commitment of this initiative, with its download name; None if absent."""
    found = db.session.execute(
        select(Commitment.pdf, Commitment.level, Household.street, Household.house_number, Household.addition)
        .join(Household, Household.id == Commitment.household_id)
        .where(Commitment.id == commitment_id, Commitment.initiative_id == initiative.id,
               Commitment.pdf.is_not(None))
    ).first()
    if found is None:
        return None
    pdf, level, street, number, addition = found
    return pdf or b"", f"toezegging-{_slug(format_address(street, number, addition))}-{level}-{commitment_id}.pdf"


def combined_pdf(initiative: Initiative) -> bytes | None:
    """The PDFs of all valid commitments as one document (street order); None when there are none."""
    rows = [row for row in commitment_rows(initiative, valid_only=True) if row.has_pdf]
    if not rows:
        return None
    return merge_pdfs(pdf for _id, pdf, _snapshot in _stored_files(rows) if pdf)


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed, as the coordinator sees it: the typed name, or only a pseudonym once the signer deleted
    their account (the name then stays in the sealed PDF, the evidence, until the retention period ends)."""

    typed_name: str
    pseudonym: str | None
    purged: bool = False  # the retention period ended: name, IP, user agent and PDF are gone

    @property
    def shown(self) -> str:
        return self.pseudonym or self.typed_name


def signers(initiative: Initiative) -> dict[int, list[Signer]]:
    """The signers of every commitment of the initiative, by commitment id, in signing order: one query."""
    found: dict[int, list[Signer]] = {}
    for commitment_id, name, pseudonym, purged_at in db.session.execute(
            select(Signature.commitment_id, Signature.typed_name, Signature.signer_pseudonym, Signature.purged_at)
            .join(Commitment, Commitment.id == Signature.commitment_id)
            .where(Commitment.initiative_id == initiative.id).order_by(Signature.id)):
        found.setdefault(commitment_id, []).append(Signer(name, pseudonym, purged_at is not None))
    return found


def csv_table(initiative: Initiative) -> tuple[Sequence[str], list[list[object]]]:
    """Header and rows for the Excel CSV: every commitment with its signers (two queries); a signer who
    deleted their account appears as their pseudonym."""
    rows = commitment_rows(initiative)
    signed_by = signers(initiative)
    table: list[list[object]] = [
        [row.address, row.postcode, row.level, row.status, row.channel, row.min_n, row.max_monthly_delta_eur,
         ", ".join(signer.shown for signer in signed_by.get(row.id, [])), _utc(row.signed_at), _utc(row.ended_at),
         row.verify_code, row.pdf_sha256]
        for row in rows
    ]
    return CSV_HEADER, table


def record_download(kind: str, actor: User, initiative: Initiative, **details: Any) -> None:
    """Audit a download (``kind``: household_pdf, combined_pdf, bundle, csv, scan)."""
    record(f"commitments.download_{kind}", actor.id, initiative, **details)


def bundle_name(initiative: Initiative, today: dt.date) -> str:
    return f"bewijsmap-{initiative.slug}-{today.isoformat()}.zip"


def evidence_bundle(initiative: Initiative, *, made_by: str, now: dt.datetime) -> Iterator[bytes]:
    """The evidence ZIP as a stream of chunks. Run it inside the request (``stream_with_context``):
    it reads the database while it streams. ``made_by`` (the coordinator's name) goes in LEESMIJ.txt."""
    rows = commitment_rows(initiative)
    files: list[BundleFile] = []
    stream = ZipStream(compress_type=ZIP_DEFLATED, compress_level=6)
    stored = _stored_files(rows)
    current: dict[str, Any] = {}

    def next_stored(row_id: int) -> tuple[bytes | None, str | None]:
        if current.get("id") != row_id:
            found_id, pdf, snapshot = next(stored)
            if found_id != row_id:  # pragma: no cover - the order is fixed by _stored_files
                raise RuntimeError("evidence bundle files out of order")
            current.update(id=found_id, pdf=pdf, snapshot=snapshot)
        return current["pdf"], current["snapshot"]

    def add(entry: BundleFile, chunks: Iterable[bytes]) -> None:
        files.append(entry)
        stream.add(_hashing(entry, chunks), entry.name)

    def stored_pdf(row_id: int) -> Iterator[bytes]:  # generators: nothing is read before the stream gets here
        yield next_stored(row_id)[0] or b""

    def stored_snapshot(row_id: int) -> Iterator[bytes]:
        yield _snapshot_json(next_stored(row_id)[1])

    def made(make: Callable[[], bytes]) -> Iterator[bytes]:
        yield make()

    records = _signature_records(initiative)

    def evidence_of(row: CommitmentRow) -> Iterator[bytes]:
        yield _evidence_json(row, records.get(row.id))

    for row in rows:
        add(BundleFile(f"bewijs/{row.stem}.json", "evidence", row, None), evidence_of(row))
        if row.has_pdf:
            add(BundleFile(f"toezeggingen/{row.stem}.pdf", "pdf", row, row.pdf_sha256), stored_pdf(row.id))
        add(BundleFile(f"momentopnamen/{row.stem}.json", "snapshot", row, None), stored_snapshot(row.id))
        if row.scan_name:
            extension = row.scan_name.rpartition(".")[2]
            add(BundleFile(f"scans/{row.stem}.{extension}", "scan", row, row.scan_sha256),
                _file_chunks(row.scan_name))
    check = LogCheck()
    ids = {row.id for row in rows}
    def log_extract() -> bytes:
        stored.close()  # every stored file is in the ZIP now: release the cursor before the next query
        return _log_extract(ids, check, now)

    add(BundleFile("gebeurtenissen.json", "log", None, None), made(log_extract))
    add(BundleFile("LEESMIJ.txt", "readme", None, None), made(lambda: _readme(
        initiative, made_by, now, check, commitments=len(rows), scans=sum(1 for r in rows if r.scan_name))))
    stream.add(made(lambda: _manifest(files)), "manifest.csv")  # after every file, so every hash is known
    stream.add(made(lambda: _sha256sums(files)), "SHA256SUMS")
    yield from stream


# ---------------------------------------------------------------------------------------------- helpers


def _stored_files(rows: Sequence[CommitmentRow]) -> Generator[tuple[int, bytes | None, str | None], None, None]:
    """(id, pdf, snapshot as stored JSON text) for ``rows`` in their order: one query whose rows are
    fetched a few at a time (a server-side cursor on PostgreSQL), so memory stays flat however many
    there are — a street's snapshot holds every home's figures, ~1 MB at 150 homes. The snapshot is
    not parsed: the bundle gets it exactly as stored."""
    if not rows:
        return
    ids = [row.id for row in rows]
    position = {commitment_id: index for index, commitment_id in enumerate(ids)}
    query = (select(Commitment.id, Commitment.pdf, cast(Commitment.snapshot, Text))
             .where(Commitment.id.in_(ids)).execution_options(yield_per=BATCH_SIZE))
    pending: dict[int, tuple[bytes | None, str | None]] = {}
    expected = 0
    result = db.session.execute(query)
    try:
        for commitment_id, pdf, snapshot in result:
            pending[position[commitment_id]] = (pdf, snapshot)
            while expected in pending:  # the database may return them in another order; hold only those early
                pdf_of, snapshot_of = pending.pop(expected)
                yield ids[expected], pdf_of, snapshot_of
                expected += 1
    finally:  # also when the caller stops after the last row it needed (a server-side cursor stays open)
        result.close()


def _hashing(entry: BundleFile, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Hand ``chunks`` to zipstream, hashing them; the hash is recorded once the file is complete."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    entry.sha256 = digest.hexdigest()


def _file_chunks(name: str, size: int = 256 * 1024) -> Iterator[bytes]:
    with scans.path_of(name).open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def _signature_records(initiative: Initiative) -> dict[int, dict[str, Any]]:
    """Per commitment: the text it was signed on and every signature's evidence (SPEC §6), from one
    query without the receipts' bytes (those are in toezeggingen/)."""
    records: dict[int, dict[str, Any]] = {}
    for (commitment_id, version, text_sha256, language, signature_id, typed_name, account, pseudonym, signed_at,
         auth_context, ip, user_agent, consent, receipt_sha256, head) in db.session.execute(
            select(Commitment.id, CommitmentText.version, CommitmentText.sha256, CommitmentText.language,
                   Signature.id, Signature.typed_name, Signature.user_id, Signature.signer_pseudonym,
                   Signature.signed_at, Signature.auth_context, Signature.ip, Signature.user_agent,
                   Signature.consent_text, Signature.pdf_sha256, Signature.log_head_hash)
            .join(CommitmentText, CommitmentText.id == Commitment.text_id)
            .outerjoin(Signature, Signature.commitment_id == Commitment.id)
            .where(Commitment.initiative_id == initiative.id).order_by(Commitment.id, Signature.id)):
        record = records.setdefault(commitment_id, {
            "text": {"version": version, "sha256": text_sha256, "language": language}, "signatures": []})
        if signature_id is not None:
            record["signatures"].append({
                "id": signature_id, "typed_name": typed_name, "account": account,
                "pseudonym": pseudonym,  # once the signer deleted their account (account is then empty)
                "signed_at_utc": _utc(signed_at),
                "auth_context": auth_context, "ip": ip, "user_agent": user_agent, "consent_text": consent,
                "receipt_sha256": receipt_sha256, "log_head_hash": head})
    return records


def _evidence_json(row: CommitmentRow, record: dict[str, Any] | None) -> bytes:
    body = {
        "commitment": row.id, "verify_code": row.verify_code, "level": row.level, "status": row.status,
        "channel": row.channel, "household": {"id": row.household_id, "address": row.address,
                                              "postcode": row.postcode},
        "conditions": {"min_n": row.min_n, "max_monthly_delta_eur": None if row.max_monthly_delta_eur is None
                       else str(row.max_monthly_delta_eur)},
        "pdf_sha256": row.pdf_sha256, "ended_at_utc": _utc(row.ended_at),
        "scan_sha256": row.scan_sha256,
    } | (record or {})
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


def _snapshot_json(snapshot: str | None) -> bytes:
    return (snapshot if snapshot is not None and snapshot != "null" else "null").encode() + b"\n"


def _log_extract(commitment_ids: set[int], check: LogCheck, now: dt.datetime) -> bytes:
    """Verify the whole chain (streamed from the database) and keep this initiative's entries."""
    query = (select(CommitmentEvent.seq, CommitmentEvent.kind, CommitmentEvent.payload, CommitmentEvent.prev_hash,
                    CommitmentEvent.hash, CommitmentEvent.commitment_id, CommitmentEvent.at)
             .order_by(CommitmentEvent.seq).execution_options(yield_per=500))

    result = db.session.execute(query)

    def entries() -> Iterator[eventlog.Entry]:
        for seq, kind, payload, prev_hash, entry_hash, commitment_id, at in result:
            check.entries += 1
            check.head = entry_hash
            if commitment_id in commitment_ids:
                check.extract.append({"seq": seq, "kind": kind, "commitment_id": commitment_id,
                                      "at": _utc(at), "payload": payload, "prev_hash": prev_hash,
                                      "hash": entry_hash})
            yield eventlog.Entry(seq, kind, payload, prev_hash, entry_hash)

    try:
        check.first_broken = eventlog.verify(entries())
    finally:  # verify stops at the first broken entry: close the (server-side) cursor either way
        result.close()
    check.intact = check.first_broken is None
    body = {
        "checked_at": _utc(now),
        "chain": {"intact": check.intact, "entries": check.entries, "head_hash": check.head,
                  "first_broken_seq": check.first_broken},
        "hash_rule": "sha256 of JSON {seq, kind, payload, prev} with sorted keys, separators (',', ':'), "
                     "UTF-8 without escapes; prev of seq 1 is 64 zeros",
        "entries": check.extract,
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


def _readme(initiative: Initiative, made_by: str, now: dt.datetime, check: LogCheck, *, commitments: int,
            scans: int) -> bytes:
    """LEESMIJ.txt, in Dutch (see the template), with Windows line ends so Notepad shows it right."""
    if check.intact:
        result = (f"in orde ({check.entries} gebeurtenissen, laatste hash {check.head})" if check.entries
                  else "in orde (het logboek is leeg)")
    else:
        result = f"NIET IN ORDE: de keten breekt bij gebeurtenis {check.first_broken}"
    text = render_template(
        "commitments/bundle_leesmij.txt", initiative_name=initiative.name, made_by=made_by,
        made_at=_utc(now), commitments=commitments, scans=scans, log_result=result,
        verify_url=url_for("main.home", _external=True).rstrip("/") + "/v/")  # the printed short URL /v/<code>
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def _manifest(files: Sequence[BundleFile]) -> bytes:
    rows = [[f.name, f.kind, f.sha256, f.recorded_sha256, f.row.address if f.row else None,
             f.row.level if f.row else None, f.row.status if f.row else None, f.row.channel if f.row else None,
             _utc(f.row.signed_at) if f.row else None] for f in files]
    return csvsafe.rows_to_csv(MANIFEST_HEADER, rows).encode("utf-8")


def _sha256sums(files: Sequence[BundleFile]) -> bytes:
    return "".join(f"{f.sha256}  {f.name}\n" for f in files).encode()


def _utc(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60] or "huishouden"

