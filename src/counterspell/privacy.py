"""Pseudonyms for target identifiers: the lake, the reports and exports never hold a clear name
or handle of a woman who was targeted, only a keyed HMAC of it.

The key lives in the workspace's ``.secrets/`` (never in settings or the lake), so a pseudonym is
stable within a workspace and meaningless outside it; the operational store keeps the clear value
for case work, behind roles and an audited reveal.
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: bytes, kind: str, value: str, scope: str = "") -> str:
    """Keyed HMAC of an identifier: stable within a workspace, meaningless outside it.

    Names are scoped (to a community) because a first name alone does not identify a person;
    platform handles are global.
    """
    material = f"{kind}\x1f{scope if kind == 'name' else ''}\x1f{value.casefold()}".encode()
    return "tgt_" + hmac.new(key, material, hashlib.sha256).hexdigest()[:20]


__all__ = ["pseudonym"]
