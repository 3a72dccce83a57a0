"""Certificates made for one test: a CA, a server certificate for 127.0.0.1/localhost, a client one.

Written as PEM files, as an operator would mount them (``cryptography`` is a test dependency).
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
from pathlib import Path
from typing import Optional

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Certificates", "make_certificates"]


@dataclasses.dataclass(frozen=True)
class Certificates:
    """Paths of the PEM files."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path  # a CA that signed nothing here: trusting it must fail

    def read(self, name: str) -> bytes:
        """The bytes of one file by attribute name."""
        return Path(getattr(self, name)).read_bytes()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(subject: str, key: ec.EllipticCurvePrivateKey, issuer_key: ec.EllipticCurvePrivateKey,
           issuer: Optional[x509.Name], *, ca: bool = False, server: bool = False) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer or _name(subject))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    if not ca:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_certificates(folder: Path) -> Certificates:
    """Make and write a CA, a server and a client certificate (and an unrelated CA)."""
    pem = serialization.Encoding.PEM
    ca_key, server_key, client_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(4))
    ca = _issue("berth test CA", ca_key, ca_key, None, ca=True)
    other = _issue("some other CA", other_key, other_key, None, ca=True)
    server = _issue("localhost", server_key, ca_key, ca.subject, server=True)
    client = _issue("berth webserver", client_key, ca_key, ca.subject)
    return Certificates(
        ca=_write(folder, "ca.pem", ca.public_bytes(pem)),
        server_cert=_write(folder, "server.pem", server.public_bytes(pem)),
        server_key=_write(folder, "server-key.pem", _key_pem(server_key)),
        client_cert=_write(folder, "client.pem", client.public_bytes(pem)),
        client_key=_write(folder, "client-key.pem", _key_pem(client_key)),
        other_ca=_write(folder, "other-ca.pem", other.public_bytes(pem)),
    )
