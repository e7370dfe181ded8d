"""A test certificate authority and C2PA signing with c2pa-python, made fresh in each test run."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from clearsight.provenance.c2pa import TRUST_CONFIG

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Clearsight Test")])


def _usage(signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=False, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=not signing, crl_sign=not signing, encipher_only=False, decipher_only=False)


@dataclass
class CertificateAuthority:
    """A root CA and a leaf with digitalSignature + emailProtection (c2pa refuses self-signed leaves)."""

    root_pem: bytes
    chain_pem: bytes
    key_pem: bytes

    @classmethod
    def create(cls, eku: x509.ObjectIdentifier = ExtendedKeyUsageOID.EMAIL_PROTECTION) -> CertificateAuthority:
        """`eku`: the leaf's one extended key usage (real C2PA signers use the C2PA claim-signing,
        document-signing or Microsoft's C2PA OID rather than e-mail protection)."""
        now = datetime.datetime.now(datetime.UTC)
        root_key = ec.generate_private_key(ec.SECP256R1())
        leaf_key = ec.generate_private_key(ec.SECP256R1())

        def builder(subject: str, issuer: x509.Name, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
            return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer).public_key(public)
                    .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                    .not_valid_after(now + datetime.timedelta(days=30)))

        root = (builder("Clearsight Test Root", _name("Clearsight Test Root"), root_key.public_key())
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(_usage(signing=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
                .sign(root_key, hashes.SHA256()))
        leaf = (builder("Clearsight Test Signer", root.subject, leaf_key.public_key())
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_usage(signing=True), critical=True)
                .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
                .sign(root_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        key = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return cls(root.public_bytes(pem), leaf.public_bytes(pem) + root.public_bytes(pem), key)

    def write_anchors(self, folder: Path) -> Path:
        path = folder / "anchors.pem"
        path.write_bytes(self.root_pem)
        return path

    def sign(self, data: bytes, mime: str, source_type: str, generator: str = "benign-generator", edited_with: str | None = None) -> bytes:
        """Sign with a `c2pa.created` action of `source_type`, and a `c2pa.edited` one of `edited_with` if given
        (c2pa checks its own signer's certificate uses: those Clearsight allows)."""
        actions = [{"action": "c2pa.created", "digitalSourceType": IPTC + source_type}]
        if edited_with:
            actions.append({"action": "c2pa.edited", "digitalSourceType": IPTC + edited_with})
        return self.sign_manifest(data, mime, {
            "claim_generator_info": [{"name": generator, "version": "1.0"}],
            "title": "test image",
            "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}],
        })

    def sign_manifest(self, data: bytes, mime: str, manifest: dict[str, Any], parent: bytes | None = None, remote_url: str | None = None,
                      legacy: bool = False) -> bytes:
        """Sign `manifest` into `data`; `parent`: a signed file added as the `parentOf` ingredient
        (label `parent`); `remote_url`: keep the manifest outside the file, referenced from XMP;
        `legacy`: a version 1 claim, unchecked after signing, as manifests before C2PA 2 were
        (today's c2pa would refuse a `c2pa.created` without a source type)."""
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", self.chain_pem, self.key_pem, None))
        out = io.BytesIO()
        settings: dict[str, Any] = {"trust": {"trust_config": TRUST_CONFIG}}
        if legacy:
            manifest, settings["verify"] = {**manifest, "claim_version": 1}, {"verify_after_sign": False}
        with c2pa.Builder(manifest, c2pa.Context.from_dict(settings)) as builder:
            if parent is not None:
                builder.add_ingredient({"title": "parent", "relationship": "parentOf", "label": "parent"}, mime, io.BytesIO(parent))
            if remote_url is not None:
                builder.set_no_embed()
                builder.set_remote_url(remote_url)
            builder.sign(signer, mime, io.BytesIO(data), out)
        return out.getvalue()
