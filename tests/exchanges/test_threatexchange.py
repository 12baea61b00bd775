"""Meta's ThreatExchange through python-threatexchange's client against a loopback fake of the
Graph API's threat_updates: paging, the checkpoint's start time, tombstones, a refused token that
never appears in the error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from counterspell import Workspace
from counterspell.errors import CounterspellError
from counterspell.exchanges.config import add_exchange
from counterspell.exchanges.fetch import fetch
from tests.exchanges.fakes import ThreatExchange, Update, bank_pairs, pdq_for


@pytest.fixture
def server() -> Iterator[ThreatExchange]:
    fake = ThreatExchange(page_size=2)
    yield fake
    fake.close()


def test_threat_updates_pages_checkpoint_and_tombstones(
    ws: Workspace, server: ThreatExchange
) -> None:
    server.updates = [Update(i + 1, "HASH_PDQ", pdq_for(i), 1000 + i) for i in range(3)]
    server.updates.append(Update(9, "HASH_VIDEO_MD5", "ab" * 16, 1003))
    server.updates.append(Update(10, "URI", "https://example.org/", 1004))
    add_exchange(ws, "te", "fb_threatexchange", creds={"api_token": server.TOKEN},
                 settings={"privacy_group": "303", "base_url": server.url})  # fmt: skip
    r = fetch(ws, "te")
    assert r.pages == 3 and dict(r.skipped) == {"uri": 1}
    assert bank_pairs(ws, "te") == {("pdq", pdq_for(i)) for i in range(3)} | {("md5", "ab" * 16)}
    assert server.requests[0].path == "/303/threat_updates/"
    server.requests.clear()
    server.updates.append(Update(2, "HASH_PDQ", pdq_for(1), 1010, should_delete=True))
    r = fetch(ws, "te")
    assert r.resumed and server.requests[0].query["start_time"] == "1004"
    assert bank_pairs(ws, "te") == {("pdq", pdq_for(0)), ("pdq", pdq_for(2)), ("md5", "ab" * 16)}


def test_a_refused_token_never_appears_in_the_error(ws: Workspace, server: ThreatExchange) -> None:
    add_exchange(ws, "te", "fb_threatexchange", creds={"api_token": "1234|wrong-token-x"},
                 settings={"privacy_group": "303", "base_url": server.url})  # fmt: skip
    with pytest.raises(CounterspellError) as err:
        fetch(ws, "te")
    assert "HTTP 400 at /303/threat_updates/" in str(err.value) and "wrong-token" not in str(
        err.value
    )
