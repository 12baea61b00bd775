"""Provenance signals: generator parameters, EXIF tools, IPTC DigitalSourceType; never prompts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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
