"""Provenance signals in image files: what generators and editors write about themselves.

Found here: IPTC/XMP ``DigitalSourceType`` (e.g. ``trainedAlgorithmicMedia``), the generator
parameters AI tools write into PNG text chunks (``parameters`` from the Stable Diffusion web UIs,
``prompt``/``workflow`` from ComfyUI, ``Dream``/``sd-metadata`` from others), and EXIF
``Software``/``ImageDescription``/``UserComment`` naming a generator, and C2PA manifests (read with
``c2pa-python``, the ``[c2pa]`` extra, with remote manifest fetching and OCSP off: hashing must
never reach the network): the ``digitalSourceType`` of the active manifest's actions (e.g.
``trainedAlgorithmicMedia``), the generator that made the claim, the signer's organisation and
whether the manifest validates.

Only the *fact* of a signal is kept (its kind, the key, a tool name); prompt texts are never
stored: they can name the depicted woman and describe the abuse. Absence of a signal proves
nothing: re-encoding and every upload to these boards strips metadata.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

_SOURCE_TYPE = re.compile(rb"DigitalSourceType[\"'>=\s]*(?:[^\"'<>\s]*/)?([A-Za-z]+)")
_GENERATOR_KEYS = {
    "parameters": "stable-diffusion-webui",
    "prompt": "comfyui",
    "workflow": "comfyui",
    "dream": "invokeai",
    "sd-metadata": "invokeai",
    "invokeai_metadata": "invokeai",
    "novelai": "novelai",
    "comment": None,  # NovelAI puts JSON here; other tools put anything
}
_TOOL_WORDS = re.compile(
    r"stable ?diffusion|automatic1111|comfyui|invokeai|novelai|midjourney|dall[- ]?e|firefly|flux|"
    r"fooocus|leonardo|nightcafe|dreamstudio|imagen|ideogram|runway|faceswap|deepfacelab|roop",
    re.IGNORECASE,
)
_EXIF_TEXT_TAGS = {
    0x0131: "Software",
    0x010E: "ImageDescription",
    0x9286: "UserComment",
    0x013B: "Artist",
}


def provenance_signals(path: str, head_bytes: bytes | None = None) -> list[dict[str, Any]]:
    """Signals found in one image file (empty when there are none or the file is not an image)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            info = dict(im.info)
            exif = im.getexif()
    except Exception:
        return []
    return signals_from(info, exif, path, head_bytes)


def signals_from(
    info: dict[Any, Any], exif: Any, path: str, head_bytes: bytes | None = None
) -> list[dict[str, Any]]:
    """Signals from what Pillow already read of an image (``info``, ``getexif()``) and the first
    megabyte of the file (``head_bytes``, read from ``path`` when not given)."""
    signals: list[dict[str, Any]] = []
    for key, value in info.items():
        k = str(key).lower()
        if k in _GENERATOR_KEYS and isinstance(value, str | bytes):
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            tool = _GENERATOR_KEYS[k]
            if tool is None:
                m = _TOOL_WORDS.search(text)
                tool = m.group(0).lower() if m else None
                if tool is None:
                    continue
            signals.append({"kind": "generator_parameters", "key": str(key), "tool": tool})
        if k in ("xml:com.adobe.xmp", "xmp") and isinstance(value, str | bytes):
            signals.extend(_xmp_signals(value.encode() if isinstance(value, str) else value))
    for tag, name in _EXIF_TEXT_TAGS.items():
        value = exif.get(tag)
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        if isinstance(value, str):
            m = _TOOL_WORDS.search(value)
            if m:
                signals.append({"kind": "exif_tool", "key": name, "tool": m.group(0).lower()})
    data = head_bytes
    if data is None:
        with open(path, "rb") as f:
            data = f.read(1 << 20)  # XMP packets and C2PA manifests sit near the start
    if not any(s["kind"] == "digital_source_type" for s in signals):
        signals.extend(_xmp_signals(data))
    if b"c2pa" in data and (b"jumb" in data or b"caBX" in data):
        signals.extend(c2pa_signals(path))
    return _unique(signals)


_C2PA_CONTEXT: Any = None


def c2pa_signals(path: str) -> list[dict[str, Any]]:
    """What the active C2PA manifest of a file says about its source (nothing fetched remotely)."""
    global _C2PA_CONTEXT
    try:
        import c2pa
    except ImportError:
        return [{"kind": "c2pa", "error": "manifest present; install the [c2pa] extra to read it"}]
    try:
        if _C2PA_CONTEXT is None:
            _C2PA_CONTEXT = c2pa.Context.from_dict(
                {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
            )
        with c2pa.Reader(path, context=_C2PA_CONTEXT) as reader:
            store = orjson.loads(reader.json())
            state = reader.get_validation_state()
    except Exception as exc:  # a broken manifest is itself a signal
        return [{"kind": "c2pa", "error": str(exc).splitlines()[0][:200]}]
    manifest = (store.get("manifests") or {}).get(store.get("active_manifest") or "", {})
    sources = []
    for a in manifest.get("assertions") or []:
        if str(a.get("label", "")).startswith("c2pa.actions"):
            for act in (a.get("data") or {}).get("actions") or []:
                dst = act.get("digitalSourceType")
                if isinstance(dst, str):
                    sources.append(dst.rstrip("/").rsplit("/", 1)[-1])
    generators = [
        str(g.get("name")) for g in manifest.get("claim_generator_info") or [] if g.get("name")
    ]
    out: dict[str, Any] = {
        "kind": "c2pa",
        "validation": str(state) if state is not None else None,
        "generator": generators[0] if generators else manifest.get("claim_generator"),
        "issuer": (manifest.get("signature_info") or {}).get("issuer"),
    }
    if sources:
        out["digital_source_type"] = sources[0]
    return [out]


def _xmp_signals(data: bytes) -> list[dict[str, Any]]:
    return [
        {"kind": "digital_source_type", "value": m.group(1).decode("ascii")}
        for m in _SOURCE_TYPE.finditer(data)
    ][:1]


def _unique(signals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[tuple[str, Any], ...]] = set()
    out = []
    for s in signals:
        key = tuple(sorted(s.items()))
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
