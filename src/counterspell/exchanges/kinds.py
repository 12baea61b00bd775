"""The kinds of exchange: python-threatexchange's ``SignalExchangeAPI`` implementations, built
from an exchange's settings and credentials, and their records turned into bank hashes.

Facts about the library are from threatexchange 1.2.17 as installed (read 2026-12-02):
``exchanges/impl/{file_api,static_sample,stop_ncii_api,ncmec_api,fb_threatexchange_api}.py``
and ``exchanges/clients/{stopncii/api.py,ncmec/hash_api.py}``
(https://github.com/facebook/ThreatExchange/tree/main/python-threatexchange).

Every kind's ``fetch_iter`` yields ``FetchDelta`` pages of ``{key: value or None}``; None means the
record was deleted upstream. What a key and a value are differs: a ``(signal type, hash)`` pair
with its metadata for files, samples, StopNCII and ThreatExchange; an NCMEC entry id with an
entry holding several fingerprints. :func:`signals_of` hides that difference.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from ..errors import CounterspellError


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    required: tuple[str, ...] = ()  # settings that must be given
    optional: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()  # fields of the credentials JSON (all required)
    optional_credentials: tuple[str, ...] = ()
    snapshot: bool = False  # every fetch returns the whole list: what is missing was deleted
    feedback: bool = False  # reviewers' decisions can be sent back


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("file", "a local file of 'pdq <hex>' lines (a partner's list)", ("file",),
             ("signal_type",), snapshot=True),
        Kind("sample", "python-threatexchange's built-in sample signals (a demonstration)",
             snapshot=True),
        Kind("stopncii", "StopNCII.org's hash API (https://api.stopncii.org/v1)", (),
             ("base_url",), ("fetch_function_key", "subscription_key"),
             ("feedback_function_key",), feedback=True),
        Kind("ncmec", "NCMEC's hash sharing API (https://report.cybertip.org/hashsharing/v2/documentation.pdf)",
             ("environment",), ("base_url", "only_esp_ids", "feedback_reason"),
             ("user", "password"), feedback=True),
        Kind("fb_threatexchange", "Meta's ThreatExchange (threat_updates of one privacy group)",
             ("privacy_group",), ("base_url",), ("api_token",)),
    )
}  # fmt: skip


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise CounterspellError(f"exchange type {name!r}: choose {', '.join(KINDS)}") from None


def _require_library() -> None:
    try:
        import threatexchange  # noqa: F401
    except ImportError:
        raise CounterspellError(
            "exchanges need python-threatexchange: pip install 'counterspell[exchange]'"
        ) from None


@dataclass(frozen=True)
class _Endpoint:
    """Stands in for ``NCMECEnvironment``: ``NCMECHashAPI`` reads only ``environment.value``, its
    base URL (hash_api.py, 1.2.17), so a test server or a proxy can be named without patching."""

    value: str


def api_class(kind_name: str) -> Any:
    _require_library()
    from threatexchange.exchanges.impl.fb_threatexchange_api import (
        FBThreatExchangeSignalExchangeAPI,
    )
    from threatexchange.exchanges.impl.file_api import LocalFileSignalExchangeAPI
    from threatexchange.exchanges.impl.ncmec_api import NCMECSignalExchangeAPI
    from threatexchange.exchanges.impl.static_sample import StaticSampleSignalExchangeAPI
    from threatexchange.exchanges.impl.stop_ncii_api import StopNCIISignalExchangeAPI

    return {
        "file": LocalFileSignalExchangeAPI,
        "sample": StaticSampleSignalExchangeAPI,
        "stopncii": StopNCIISignalExchangeAPI,
        "ncmec": NCMECSignalExchangeAPI,
        "fb_threatexchange": FBThreatExchangeSignalExchangeAPI,
    }[kind_name]


def build(name: str, kind_name: str, settings: dict[str, str], creds: dict[str, str]) -> Any:
    """A ready ``SignalExchangeAPI`` for one exchange (credentials passed in, never discovered
    from the environment or ``~/.tx_*`` files as ``for_collab`` would)."""
    cls = api_class(kind_name)
    if kind_name == "file":
        from threatexchange.exchanges.impl.file_api import FileCollaborationConfig

        return cls.for_collab(
            FileCollaborationConfig(
                name=name, filename=settings["file"], signal_type=settings.get("signal_type")
            )
        )
    if kind_name == "sample":
        from threatexchange.exchanges.collab_config import CollaborationConfigBase

        return cls.for_collab(CollaborationConfigBase(name=name, api="sample", enabled=True))
    if kind_name == "stopncii":
        from threatexchange.exchanges.clients.stopncii import api as sapi
        from threatexchange.exchanges.collab_config import CollaborationConfigBase

        extra = {}
        if creds.get("feedback_function_key"):
            extra[sapi.StopNCIIEndpoint.SubmitFeedback] = creds["feedback_function_key"]
        client = sapi.StopNCIIAPI(
            creds["subscription_key"],
            creds["fetch_function_key"],
            additional_function_keys=extra,
            base_url_override=settings.get("base_url") or None,
        )
        from .stopncii import StopNCIIExchange

        collab = CollaborationConfigBase(name=name, api="stopncii", enabled=True)
        return StopNCIIExchange(collab, client)
    if kind_name == "ncmec":
        return cls(ncmec_collab(name, settings), creds["user"], creds["password"])
    from threatexchange.exchanges.clients.fb_threatexchange.api import ThreatExchangeAPI
    from threatexchange.exchanges.impl.fb_threatexchange_api import FBThreatExchangeCollabConfig

    te_client = ThreatExchangeAPI(creds["api_token"], endpoint_override=settings.get("base_url"))
    collab = FBThreatExchangeCollabConfig(name=name, privacy_group=int(settings["privacy_group"]))
    return cls(te_client, collab)


def ncmec_collab(name: str, settings: dict[str, str]) -> Any:
    from threatexchange.exchanges.clients.ncmec.hash_api import NCMECEnvironment
    from threatexchange.exchanges.impl.ncmec_api import NCMECCollabConfig

    env: Any = NCMECEnvironment[settings["environment"]]
    if settings.get("base_url"):
        env = _Endpoint(settings["base_url"].rstrip("/"))
    ids = {int(x) for x in settings.get("only_esp_ids", "").split(",") if x.strip()}
    return NCMECCollabConfig(name=name, environment=env, only_esp_ids=ids)


def check_settings(kind_name: str, settings: dict[str, str]) -> None:
    """Refuse settings a kind does not take or lacks, and values it cannot use."""
    k = kind(kind_name)
    unknown = sorted(set(settings) - set(k.required) - set(k.optional))
    if unknown:
        allowed = ", ".join((*k.required, *k.optional)) or "none"
        raise CounterspellError(
            f"exchange type {kind_name}: no setting {unknown[0]!r} (it takes: {allowed})"
        )
    missing = [r for r in k.required if not settings.get(r)]
    if missing:
        raise CounterspellError(f"exchange type {kind_name} needs --{missing[0].replace('_', '-')}")
    if kind_name == "ncmec" and not settings.get("base_url"):
        _require_library()
        from threatexchange.exchanges.clients.ncmec.hash_api import NCMECEnvironment

        if settings["environment"] not in NCMECEnvironment.__members__:
            raise CounterspellError(
                f"--environment {settings['environment']!r}: choose {', '.join(NCMECEnvironment.__members__)}"
            )
    if kind_name == "fb_threatexchange" and not settings["privacy_group"].isdigit():
        raise CounterspellError("--privacy-group: the numeric id of a ThreatPrivacyGroup")
    if settings.get("base_url") and not settings["base_url"].startswith(("https://", "http://")):
        raise CounterspellError("--base-url must start with https:// or http://")


def check_credentials(kind_name: str, creds: dict[str, str], where: str) -> None:
    k = kind(kind_name)
    missing = [f for f in k.credentials if not isinstance(creds.get(f), str) or not creds[f]]
    if missing:
        raise CounterspellError(
            f"{where}: credentials for {kind_name} need {', '.join(k.credentials)} (missing {missing[0]})"
        )
    unknown = sorted(set(creds) - set(k.credentials) - set(k.optional_credentials))
    if unknown:
        raise CounterspellError(f"{where}: unknown credential field {unknown[0]!r}")


# Signal types: python-threatexchange's names -> the bank's (matching.signals aliases map
# "video_md5" to md5). NCMEC names fingerprints per entry type.
_NCMEC = {("image", "pdq"): "pdq", ("video", "md5"): "md5", ("image", "md5"): "md5"}


@dataclass(frozen=True)
class Raw:
    """One signal of a record before it is checked: the exchange's own type name, the value, and
    what feedback on it needs (JSON)."""

    type_name: str
    value: str
    meta: str = "{}"


def signals_of(kind_name: str, key: Any, value: Any, settings: dict[str, str]) -> list[Raw] | None:
    """The signals a record holds, or None when the record is a deletion."""
    if value is None:
        return None
    if kind_name == "ncmec":
        if value.deleted:
            return None
        only = {int(x) for x in settings.get("only_esp_ids", "").split(",") if x.strip()}
        if only and value.member_id not in only:
            return []
        etype = value.entry_type.value
        return [
            Raw(
                _NCMEC.get((etype, fp.lower()), f"{etype}_{fp.lower()}"),
                fv,
                json.dumps(
                    {"esp_id": value.member_id, "entry_id": value.id, "fingerprint": fp.upper()}
                ),
            )
            for fp, fv in sorted(value.fingerprints.items())
        ]
    type_name, signal = key
    if kind_name == "fb_threatexchange":
        type_name = {"HASH_PDQ": "pdq", "HASH_VIDEO_MD5": "video_md5", "HASH_MD5": "md5"}.get(
            type_name, type_name.lower()
        )
    return [Raw(type_name, signal, json.dumps({"type": key[0], "value": signal}))]


def key_text(key: Any) -> str:
    """A record's key as stored (JSON: a pair becomes a list)."""
    return json.dumps(list(key) if isinstance(key, tuple) else key)


def checkpoint_json(checkpoint: Any) -> str:
    return json.dumps(dataclasses.asdict(checkpoint) if checkpoint is not None else None)


def checkpoint_from(kind_name: str, text: str | None) -> Any:
    """The stored checkpoint as the library's own class (None: fetch from the start)."""
    if not text:
        return None
    data = json.loads(text)
    if data is None:
        return None
    import dacite

    cls = api_class(kind_name).get_checkpoint_cls()
    return dacite.from_dict(cls, data) if data else cls()
