"""The portal's seal on commitment receipts: a PAdES signature (pyHanko) with ``SEAL_CERT``/``SEAL_KEY``.

A PDF reader then shows whether the file was changed after the portal issued it. In production the
certificate and key are PEM files given by ``SEAL_CERT`` and ``SEAL_KEY`` (paths). In development,
when they are not set, a self-signed certificate is generated once into ``instance/seal-cert.pem``
and ``instance/seal-key.pem`` (the key readable by the owner only).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from asn1crypto import keys, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

__all__ = ["SealError", "development_seal_files", "off_the_event_loop", "seal_pdf", "sealer"]

T = TypeVar("T")

FIELD_NAME = "PortaalZegel"
_lock = threading.Lock()
_cache: dict[tuple[str, str, float, float], signers.SimpleSigner] = {}


class SealError(RuntimeError):
    """No seal certificate configured (production) or the files cannot be read."""


def development_seal_files(instance_path: str | Path) -> tuple[Path, Path]:
    """A self-signed seal certificate and key in ``instance/``; made once, kept after."""
    folder = Path(instance_path)
    cert_path, key_path = folder / "seal-cert.pem", folder / "seal-key.pem"
    with _lock:
        if cert_path.exists() and key_path.exists():
            return cert_path, key_path
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = cx509.Name([
            cx509.NameAttribute(NameOID.COMMON_NAME, "Warmteburen zegel (ontwikkeling)"),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "Warmteburen"),
            cx509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        ])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(cx509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(cx509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(cx509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                          crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256())
        )
        key_bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
        # Written under temporary names and renamed (key first, certificate last), so a process starting
        # at the same moment never reads half a file.
        suffix = f".{os.getpid()}.tmp"
        key_tmp, cert_tmp = key_path.with_name(key_path.name + suffix), cert_path.with_name(cert_path.name + suffix)
        descriptor = os.open(key_tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key_bytes)
        cert_tmp.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        os.replace(key_tmp, key_path)
        os.replace(cert_tmp, cert_path)
    return cert_path, key_path


def _seal_paths() -> tuple[Path, Path]:
    cert, key = current_app.config.get("SEAL_CERT"), current_app.config.get("SEAL_KEY")
    if cert and key:
        return Path(cert), Path(key)
    if current_app.config["PORTAL_ENV"] == "production":
        raise SealError("SEAL_CERT and SEAL_KEY must be set in production")
    return development_seal_files(current_app.instance_path)


def _der(pem_or_der: bytes) -> bytes:
    if pem_or_der.lstrip().startswith(b"-----"):
        from asn1crypto import pem

        _kind, _headers, der = pem.unarmor(pem_or_der)
        return bytes(der)
    return pem_or_der


def sealer() -> signers.SimpleSigner:
    """The signer for the configured files, loaded once per file version (cached by path and mtime)."""
    cert_path, key_path = _seal_paths()
    try:
        cache_key = (str(cert_path), str(key_path), cert_path.stat().st_mtime, key_path.stat().st_mtime)
    except OSError as error:
        raise SealError(f"seal files not readable: {error}") from None
    with _lock:
        found = _cache.get(cache_key)
        if found is None:
            certificate = x509.Certificate.load(_der(cert_path.read_bytes()))
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None) \
                if key_path.read_bytes().lstrip().startswith(b"-----") \
                else serialization.load_der_private_key(key_path.read_bytes(), password=None)
            key_info = keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            found = signers.SimpleSigner(signing_cert=certificate, signing_key=key_info,
                                         cert_registry=SimpleCertificateStore.from_certs([certificate]))
            _cache.clear()
            _cache[cache_key] = found
    return found


def off_the_event_loop(work: Callable[[], T]) -> T:
    """Run ``work`` here, or in a worker thread when this thread already runs an asyncio loop.

    pyHanko's synchronous API calls ``asyncio.run``, which refuses to start inside a running loop (an
    async server, or Playwright's sync API in the same test process)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def seal_pdf(pdf: bytes, *, reason: str, location: str = "Warmteburen") -> bytes:
    """``pdf`` with a PAdES seal (an incremental update; the original bytes stay in front)."""
    signer = sealer()

    def sign() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
            reason=reason, location=location)
        return signers.sign_pdf(writer, metadata, signer=signer).getvalue()

    return off_the_event_loop(sign)
