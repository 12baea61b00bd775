"""Provenance signals: generator parameters, EXIF tools, IPTC DigitalSourceType; never prompts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from counterspell.matching.hashing import hash_file
from counterspell.matching.provenance import provenance_signals
from tests.conftest import real

XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
    'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>'
    "</rdf:RDF></x:xmpmeta>"
)


def _image() -> Image.Image:
    return Image.fromarray(np.random.default_rng(3).integers(0, 255, (32, 32, 3), dtype=np.uint8))


def test_png_generator_parameters_are_found_but_prompts_not_kept(tmp_path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters", "a landscape with mountains\nSteps: 20, Sampler: Euler a, CFG scale: 7"
    )
    info.add_text("workflow", '{"nodes": []}')
    _image().save(tmp_path / "gen.png", pnginfo=info)
    signals = provenance_signals(str(tmp_path / "gen.png"))
    assert {
        "kind": "generator_parameters",
        "key": "parameters",
        "tool": "stable-diffusion-webui",
    } in signals
    assert {"kind": "generator_parameters", "key": "workflow", "tool": "comfyui"} in signals
    assert "landscape" not in repr(signals)  # the prompt text is never kept


def test_xmp_digital_source_type_and_exif_software(tmp_path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP)
    _image().save(tmp_path / "xmp.png", pnginfo=info)
    assert {
        "kind": "digital_source_type",
        "value": "trainedAlgorithmicMedia",
    } in provenance_signals(str(tmp_path / "xmp.png"))
    exif = Image.Exif()
    exif[0x0131] = "Adobe Firefly 3"
    _image().save(tmp_path / "ff.jpg", exif=exif)
    assert {"kind": "exif_tool", "key": "Software", "tool": "firefly"} in provenance_signals(
        str(tmp_path / "ff.jpg")
    )
    assert hash_file(str(tmp_path / "ff.jpg")).provenance == [
        {"kind": "exif_tool", "key": "Software", "tool": "firefly"}
    ]


def test_ordinary_photos_have_no_signals() -> None:
    for name in (
        "misc-images/wee.jpg",
        "reg-test-input/dih/bridge-1-original.jpg",
        "misc-images/c.png",
    ):
        assert provenance_signals(str(real(f"pdq/{name}"))) == [], name


def test_not_an_image_has_no_signals(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"nope")
    assert provenance_signals(str(tmp_path / "x.png")) == []


def _signed_c2pa_jpeg(path: Path, source_type: str) -> None:
    """A JPEG with a C2PA manifest signed by a throwaway test CA (made here, never shipped)."""
    import datetime
    import io

    c2pa = pytest.importorskip("c2pa", reason="the [c2pa] extra (c2pa-python) is not installed")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Generator Inc")])  # fmt: skip

    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("Test CA")).issuer_name(name("Test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - day).not_valid_after(now + 365 * day)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    leaf = (
        x509.CertificateBuilder().subject_name(name("Test Signer")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - day).not_valid_after(now + 365 * day)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    pkey = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(alg=b"es256", sign_cert=chain, private_key=pkey, ta_url=None)
    )
    manifest = {
        "claim_generator_info": [{"name": "example-generator", "version": "1"}],
        "title": "a prompt that names someone",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
            "action": "c2pa.created",
            "digitalSourceType": f"http://cv.iptc.org/newscodes/digitalsourcetype/{source_type}",
        }]}}],
    }  # fmt: skip
    src, dst = io.BytesIO(), io.BytesIO()
    _image().save(src, "JPEG")
    src.seek(0)
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/jpeg", src, dst)
    path.write_bytes(dst.getvalue())


def test_c2pa_manifest_source_type_generator_and_validation(tmp_path: Path) -> None:
    _signed_c2pa_jpeg(tmp_path / "made.jpg", "trainedAlgorithmicMedia")
    (c2pa_signal,) = [
        s for s in hash_file(str(tmp_path / "made.jpg")).provenance or [] if s["kind"] == "c2pa"
    ]
    assert c2pa_signal["digital_source_type"] == "trainedAlgorithmicMedia"
    assert c2pa_signal["generator"] == "example-generator"
    assert c2pa_signal["issuer"] == "Example Generator Inc"
    assert c2pa_signal["validation"] in ("Valid", "Trusted")  # untrusted CA, intact signature
    assert "prompt" not in repr(c2pa_signal)  # the title is not kept
    _image().save(tmp_path / "plain.jpg", "JPEG")
    assert provenance_signals(str(tmp_path / "plain.jpg")) == []


def test_c2pa_tampered_file_is_a_signal_not_a_crash(tmp_path: Path) -> None:
    _signed_c2pa_jpeg(tmp_path / "made.jpg", "compositeWithTrainedAlgorithmicMedia")
    data = bytearray((tmp_path / "made.jpg").read_bytes())
    data[-200:-100] = bytes(100)  # damage the image data the manifest's hash covers
    (tmp_path / "edited.jpg").write_bytes(bytes(data))
    signals = [s for s in provenance_signals(str(tmp_path / "edited.jpg")) if s["kind"] == "c2pa"]
    assert len(signals) == 1
    assert signals[0]["validation"] == "Invalid"  # the edit breaks the hard binding
