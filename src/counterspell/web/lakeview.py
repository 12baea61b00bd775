"""What a reviewer sees of the lake around one queue item, with target identifiers masked.

Only text, times, hashes, sizes and provenance leave here: never media bytes, never a file path,
never the raw markup (which could carry an image tag). Clear identifiers known to the store are
replaced by their pseudonym unless the caller was allowed to reveal them (and audited it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..lake.datasets import enriched_sql, relation
from ..lake.query import connect, partition_sql, sql_path
from ..lake.workspace import Workspace
from ..lake.writer import partition_dir
from ..store.records import QueueItem

THREAD_WINDOW = 6
POST_COLUMNS = (
    "uid, post_id, thread_id, created_at, author_key, author_name, subject, text, is_op, kind"
)
AUTHOR_POSTS = 15
CAMPAIGN_POSTS = 40


_WORD = re.compile(r"\w+")


@dataclass
class Masker:
    """Replaces each known clear identifier by a label, wherever it appears as whole words.

    Identifiers are matched word by word (case-blind; ``@`` and the punctuation of handles such as
    ``ruby.x`` or ``ruby_x`` in between words are allowed), through a dictionary keyed by the
    first word: the cost grows with the text, not with the number of identities, so a page can
    mask against every identity the store holds, not only those tied to the posts shown.
    """

    values: dict[str, str] = field(default_factory=dict)  # clear value -> label
    _first: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for value, label in self.values.items():
            words = tuple(w.lower() for w in _WORD.findall(value))
            if words:
                self._first.setdefault(words[0], []).append((words, label))
        for options in self._first.values():
            options.sort(key=lambda o: -len(o[0]))  # the longest identifier wins

    def __call__(self, text: str | None) -> str:
        if not text or not self._first:
            return text or ""
        words = list(_WORD.finditer(text))
        out: list[str] = []
        last = i = 0
        while i < len(words):
            hit = self._match(text, words, i)
            if hit is None:
                i += 1
                continue
            n, label = hit
            start = words[i].start()
            if start > 0 and text[start - 1] == "@":
                start -= 1
            out.append(text[last:start])
            out.append(label)
            last = words[i + n - 1].end()
            i += n
        out.append(text[last:])
        return "".join(out)

    def _match(self, text: str, words: list[re.Match[str]], i: int) -> tuple[int, str] | None:
        for key, label in self._first.get(words[i].group(0).lower(), ()):
            n = len(key)
            if i + n > len(words):
                continue
            ok = all(
                words[i + k].group(0).lower() == key[k]
                and len(gap := text[words[i + k - 1].end() : words[i + k].start()]) <= 2
                and not any(ch.isalnum() for ch in gap)
                for k in range(1, n)
            )
            if ok:
                return n, label
        return None


# the last masker made without a reveal, and the identities it was made from: every page masks
# against all the store's identities, which change rarely, and comparing two dictionaries is far
# cheaper than building a masker; a new or changed identity makes a new masker at once
_last: tuple[dict[str, dict[str, str]], Masker] | None = None


def masker(identities: dict[str, dict[str, str]], revealed: frozenset[str] = frozenset()) -> Masker:
    """Masks every identity except the ``revealed`` pseudonyms (those the caller audited)."""
    global _last
    last = _last
    if not revealed and last is not None and last[0] == identities:
        return last[1]
    made = Masker(
        {
            i["value"].lower(): f"[target {p[:12]}]"
            for p, i in identities.items()
            if i["value"] and p not in revealed
        }
    )
    if not revealed:
        _last = ({p: dict(i) for p, i in identities.items()}, made)  # a copy: callers own theirs
    return made


_FLAG_WHY = re.compile(r"^flag (\w+): (.*)$")
_QUOTED = re.compile(r"'([^']{2,80})'")


def flag_cues(why: list[str] | None) -> tuple[dict[str, list[str]], list[str]]:
    """Each flag's reasons as the analyser wrote them in ``why`` (``'year 11'``, ``inherited:
    answers a minor-risk post``), and the quoted words to highlight in the post."""
    reasons: dict[str, list[str]] = {}
    words: list[str] = []
    for line in why or []:
        m = _FLAG_WHY.match(line)
        if m:
            reasons.setdefault(m.group(1), []).append(m.group(2))
            words.extend(_QUOTED.findall(m.group(2)))
    return reasons, sorted(set(words), key=len, reverse=True)


def community_names(ws: Workspace, con: Any = None) -> dict[tuple[str, str], str]:
    """Names from ``communities import``: pages show them, with the id kept on hover."""
    con = con or connect()
    rows = con.execute(
        f"SELECT platform, community, any_value(name) FROM {relation(ws, 'communities')} "
        "WHERE name IS NOT NULL GROUP BY ALL"
    ).fetchall()
    return {(str(p), str(c)): str(n) for p, c, n in rows}


SNIPPET_CHARS = 160


def snippet_texts(ws: Workspace, items: list[QueueItem], con: Any = None) -> dict[str, str]:
    """The unmasked text of each item's post (subject first), read in one query over the
    partitions of every community on the page."""
    parts: dict[tuple[str, str], str] = {}
    for it in items:
        key = (it.platform, it.community)
        if key not in parts:
            d = partition_dir(ws.dataset("posts"), it.platform, it.community)
            if d.has_files("part-*.parquet"):
                parts[key] = str(d / "part-*.parquet")
    if not parts:
        return {}
    uids = [it.uid for it in items if (it.platform, it.community) in parts]
    files = ", ".join(sql_path(p) for p in parts.values())
    rows = (
        (con or connect())
        .execute(
            "SELECT uid, coalesce(subject || ': ', '') || coalesce(text, '') "
            f"FROM read_parquet([{files}], union_by_name = true) WHERE list_contains(?, uid)",
            [uids],
        )
        .fetchall()
    )
    return {str(u): str(t) for u, t in rows}


def mask_snippets(texts: dict[str, str], identities: dict[str, dict[str, str]]) -> dict[str, str]:
    """The start of each text, masked like the item page, on one line."""
    mask = masker(identities)
    return {
        uid: (lambda t: t if len(t) <= SNIPPET_CHARS else t[: SNIPPET_CHARS - 1] + "…")(
            " ".join(mask(text).split())
        )
        for uid, text in texts.items()
    }


def snippets(
    ws: Workspace, items: list[QueueItem], identities: dict[str, dict[str, str]]
) -> dict[str, str]:
    """The start of each item's post, masked like the item page (uncached)."""
    return mask_snippets(snippet_texts(ws, items), identities)


def _post_rows(con: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def item_context(
    ws: Workspace,
    item: QueueItem,
    identities: dict[str, dict[str, str]],
    revealed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The post, its thread around it, its campaign, its author's other posts, signals and media.

    ``identities`` are the store's clear identifiers by pseudonym (all of them); each is masked
    wherever it appears in what is shown, except the ``revealed`` pseudonyms: a reveal shows
    exactly the identities its audit entry names, not the thread's others.
    """
    return mask_view(read_item(ws, item), identities, revealed)


def read_item(ws: Workspace, item: QueueItem, con: Any = None) -> dict[str, Any]:
    """What :func:`item_context` shows, read from the lake and not yet masked: what a cache may
    keep (it holds no reveal and no viewer's choice; :func:`mask_view` applies those).

    ``con``: a DuckDB connection to reuse (opening one cost about as much as the reads). The
    post, its thread and its author's posts are all in the item's community, so their roles and
    flags are read from that community's enrichments only, not the whole lake's.
    """
    posts = partition_sql(ws, "posts", item.platform, item.community)
    if posts is None:
        return {"post": None}
    if con is None:
        con = connect()
        con.execute("SET threads = 1")  # small lookups: one thread each serves many better
    enr = enriched_sql(ws, item.platform, item.community)
    cols = POST_COLUMNS
    found = _post_rows(
        con,
        f"""SELECT {cols}, [m.size FOR m IN media] AS sizes, links FROM {posts} WHERE uid = ?""",
        [item.uid],
    )
    if not found:
        return {"post": None}
    post = found[0]
    signals = _post_rows(
        con,
        f"SELECT role, role_scores, why, flags, destinations, tools, target_relationship, target_kinds FROM {enr} WHERE uid = ?",
        [item.uid],
    )
    thread = _post_rows(
        con,
        f"""WITH t AS (SELECT {cols}, row_number() OVER (ORDER BY created_at, uid) AS n
                       FROM {posts} WHERE thread_id = ?),
                 me AS (SELECT n FROM t WHERE uid = ?)
            SELECT t.* EXCLUDE (n), e.role FROM t LEFT JOIN {enr} e USING (uid), me
            WHERE t.n BETWEEN me.n - {THREAD_WINDOW} AND me.n + {THREAD_WINDOW} ORDER BY t.n""",
        [post["thread_id"], item.uid],
    )
    author = _post_rows(
        con,
        f"""SELECT {cols}, e.role FROM {posts} p LEFT JOIN {enr} e USING (uid)
            WHERE p.author_key = ? AND p.uid <> ? ORDER BY p.created_at DESC, p.uid
            LIMIT {AUTHOR_POSTS}""",
        [post["author_key"], item.uid],
    ) if post["author_key"] else []  # fmt: skip
    campaign: list[dict[str, Any]] = []
    if item.campaign_id:
        campaign = _post_rows(
            con,
            f"""SELECT m.uid, m.platform, m.community, m.part, m.method, m.confidence, e.role
                FROM {relation(ws, "campaign_members")} m
                     LEFT JOIN (SELECT uid, role FROM {relation(ws, "enrichments")}) e USING (uid)
                WHERE m.campaign_id = ? ORDER BY m.part, m.uid LIMIT {CAMPAIGN_POSTS}""",
            [item.campaign_id],
        )
    media = _post_rows(
        con,
        f"""SELECT media_index, lower(coalesce(md5, reported_md5)) AS md5, sha256, pdq, pdq_quality,
                   error, provenance
            FROM {relation(ws, "media")} WHERE uid = ? ORDER BY media_index""",
        [item.uid],
    )
    sizes = post.pop("sizes") or []
    for m in media:
        i = m["media_index"]
        m["size"] = sizes[i] if i is not None and i < len(sizes) else None
        m["provenance"] = orjson.loads(m["provenance"]) if m["provenance"] else []
    matches = _post_rows(
        con,
        f"""SELECT bank, entry_id, signal_type, distance, quarantined_entry
            FROM {relation(ws, "matches")} WHERE uid = ? ORDER BY bank, distance, entry_id""",
        [item.uid],
    )
    return {
        "post": post,
        "signals": signals[0] if signals else None,
        "thread": thread,
        "author_posts": author,
        "campaign": campaign,
        "media": media,
        "matches": matches,
    }


def mask_view(
    view: dict[str, Any],
    identities: dict[str, dict[str, str]],
    revealed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A copy of a view from :func:`read_item` with identities masked; ``view`` is untouched, so
    one read serves every viewer, each masked for the reveal they made (or none)."""
    if view.get("post") is None:
        return {"post": None}
    # every identity the store holds, not only those tied to these posts: a known handle in a
    # context post the analyser did not link to a target must not show in the clear either
    mask = masker(identities, revealed)

    def masked(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "text": mask(row.get("text")), "subject": mask(row.get("subject")),
                "author_name": mask(row.get("author_name"))}  # fmt: skip

    post = masked(view["post"])
    post["links"] = [mask(x) for x in view["post"].get("links") or []]
    return {
        "post": post,
        "signals": dict(view["signals"]) if view["signals"] is not None else None,
        "thread": [masked(r) for r in view["thread"]],
        "author_posts": [masked(r) for r in view["author_posts"]],
        "campaign": [dict(r) for r in view["campaign"]],
        "media": [dict(r) for r in view["media"]],
        "matches": [dict(r) for r in view["matches"]],
    }
