"""Every built-in adapter passes the contract a plugin author's adapter must pass
(:class:`counterspell.testing.AdapterContract`): on the hand-written corpus, on a synthetic
corpus, and on the recorded real exports where they are present."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import ClassVar

from counterspell.adapters.discord import DiscordChatExporter
from counterspell.adapters.foolfuuka import FoolFuukaThread
from counterspell.adapters.fourchan import FourchanJson
from counterspell.adapters.jsonl import GenericJsonl
from counterspell.adapters.telegram import TelegramExport
from counterspell.synth import generate
from counterspell.testing import AdapterContract
from tests.conftest import REAL, REPO

HANDWRITTEN = REPO / "tests" / "fixtures" / "handwritten"


@cache
def _corpus() -> Path:
    root = Path(tempfile.mkdtemp(prefix="cs-contract-"))
    generate(root, posts=2500, seed=3, media_files=False)
    return root


CORPUS = _corpus()


class TestFourchanContract(AdapterContract):
    adapter = FourchanJson
    fixtures: ClassVar[list[Path]] = [
        *sorted((HANDWRITTEN / "4chan").glob("*.json"))[:2],
        *sorted((CORPUS / "4chan" / "r" / "thread").glob("*.json"))[:2],
        REAL / "4chan" / "official-thread-po-570368.json",
    ]


class TestFoolFuukaContract(AdapterContract):
    adapter = FoolFuukaThread
    fixtures: ClassVar[list[Path]] = sorted((CORPUS / "4chan-archive" / "r").glob("*.json"))[:2]


class TestTelegramContract(AdapterContract):
    adapter = TelegramExport
    fixtures: ClassVar[list[Path]] = [HANDWRITTEN / "telegram" / "result.json",
                *sorted((CORPUS / "telegram").glob("*/result.json"))]  # fmt: skip


class TestDiscordContract(AdapterContract):
    adapter = DiscordChatExporter
    fixtures: ClassVar[list[Path]] = [HANDWRITTEN / "discord" / "export.json",
                *sorted((CORPUS / "discord").glob("*.json"))[:2],
                REAL / "discord" / "dce-example-guild-general.json"]  # fmt: skip


class TestJsonLinesContract(AdapterContract):
    adapter = GenericJsonl
    any_platform = True
    fixtures: ClassVar[list[Path]] = [REPO / "tests" / "fixtures" / "contract" / "posts.jsonl"]
