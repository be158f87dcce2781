"""Self-signed certificates for the emulator: the loopback TLS certificate and app certificates.

Everything here is generated in memory on demand; nothing is read or written at import time.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_CERT_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True)
class CertificateBundle:
    """A certificate and its private key, both PEM."""

    cert_pem: bytes
    key_pem: bytes

    @property
    def combined_pem(self) -> bytes:
        """Key followed by certificate: the single PEM file azure-identity's CertificateCredential reads."""
        return self.key_pem + self.cert_pem


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _key_pem(key: CertificateIssuerPrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def self_signed_certificate(
    key: CertificateIssuerPrivateKeyTypes,
    common_name: str,
    *,
    valid_days: int = 7,
    ip_addresses: Iterable[str] = (),
    dns_names: Iterable[str] = (),
    ca: bool = False,
    server_auth: bool = False,
) -> x509.Certificate:
    """A self-signed certificate for ``key``; optionally a CA with SANs, usable as its own trust root."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns_names]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if server_auth:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(key, hashes.SHA256())


def generate_tls_certificate(
    common_name: str = "etd-readiness Graph emulator",
    *,
    ip_addresses: Iterable[str] = ("127.0.0.1", "::1"),
    dns_names: Iterable[str] = ("localhost",),
    valid_days: int = 7,
) -> CertificateBundle:
    """A self-signed ECDSA P-256 server certificate that is its own CA (``cert_pem`` is the CA bundle)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = self_signed_certificate(
        key,
        common_name,
        valid_days=valid_days,
        ip_addresses=ip_addresses,
        dns_names=dns_names,
        ca=True,
        server_auth=True,
    )
    return CertificateBundle(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def generate_app_certificate(
    common_name: str = "etd-readiness auditor", *, valid_days: int = 365, key_size: int = 2048
) -> CertificateBundle:
    """An RSA certificate for an app registration (what CertificateCredential signs assertions with)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    cert = self_signed_certificate(key, common_name, valid_days=valid_days)
    return CertificateBundle(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def load_certificate(pem: bytes) -> x509.Certificate:
    """The first certificate in a PEM blob (other blocks, such as a private key, are ignored)."""
    match = _CERT_BLOCK.search(pem)
    if match is None:
        raise ValueError("no PEM certificate found")
    return x509.load_pem_x509_certificate(match.group(0))


def b64url(data: bytes) -> str:
    """Unpadded base64url, as used in JOSE headers."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def x5t(cert: x509.Certificate) -> str:
    """The JOSE ``x5t`` of a certificate: base64url of its SHA-1 thumbprint."""
    return b64url(cert.fingerprint(hashes.SHA1()))  # noqa: S324 - SHA-1 is what x5t is defined as


def x5t_s256(cert: x509.Certificate) -> str:
    """The JOSE ``x5t#S256`` of a certificate: base64url of its SHA-256 thumbprint."""
    return b64url(cert.fingerprint(hashes.SHA256()))
