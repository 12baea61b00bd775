"""Links and invites, including the disguised ones these boards use to move people elsewhere.

``t[.]me/+abc``, ``t dot me slash abc``, ``disc0rd gg/abc``, ``discord.gg / abc``, ``kik: name``,
``kik me @name``, ``teleguard id ABC123``, Session ids, Signal links, file hosts. Invite codes are
case-sensitive, so matching runs on :func:`~counterspell.stages.normalize.clean` text (look-alikes
and zero-width removed, case and digits kept) with case-insensitive patterns that spell out the
disguises of the host names.

``destinations`` uses a fixed vocabulary: telegram, discord, kik, teleguard, session, signal,
mega, filehost, other.
"""

from __future__ import annotations

import re

from ..textutil import extract_urls, normalise_url
from .cues import COMMON_WORDS

DESTINATIONS = (
    "telegram",
    "discord",
    "kik",
    "teleguard",
    "session",
    "signal",
    "mega",
    "filehost",
    "other",
)

_DOT = r"\s{0,3}(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\bdot\b|,)\s{0,3}"
_SLASH = r"\s{0,3}(?:/|\bslash\b|\\)\s{0,3}"
_TELEGRAM = re.compile(
    r"(?<![a-z0-9])(?:t|telegram)" + _DOT + r"me" + _SLASH + r"(\+?[a-z0-9_-]{4,64})"
    r"|(?<![a-z0-9])(?:t|telegram)\s{1,3}me\s{0,3}/\s{0,3}(\+?[a-z0-9_-]{4,64})",
    re.IGNORECASE,
)
_DISCORD = re.compile(
    r"(?<![a-z0-9])d[i1!|l]sc[o0]rd(?:app)?(?:"
    + _DOT
    + r"|\s{1,3})(?:gg|com"
    + _SLASH
    + r"invite)"
    + _SLASH
    + r"([a-z0-9-]{2,32})",
    re.IGNORECASE,
)
_KIK = re.compile(
    r"(?<![a-z0-9])kik\b[\s:\-]{0,3}(?:me\b\s{0,3})?(?:(?:@|at\s|is\s|id\s?:?)\s{0,2})?@?([a-z][a-z0-9._]{2,31})",
    re.IGNORECASE,
)
# "there's a kik group, ask X": a pointer to a group whose name is not given. It stays a link (it
# is an invite for the roles), but it is no invite key: every community that mentions "a kik
# group" would otherwise share the invite "kik:group" and be bridged to the others by it.
KIK_UNNAMED = ("kik:group", "kik:groups", "kik:channel", "kik:chat", "kik:chats")
# "kik: name", "kik @name", "kik is name", "kik id name": a username follows, whatever the word
_KIK_MARKED = re.compile(r"kik\b[\s\-]{0,3}(?:me\b\s{0,3})?(?::|@|at\s|is\s|id\b)", re.IGNORECASE)
_KIK_STOP = frozenset(
    {
        "me",
        "is",
        "at",
        "id",
        "or",
        "and",
        "the",
        "for",
        "if",
        "pls",
        "please",
        "too",
        "only",
        "name",
        "app",
        # what people say about Kik ("kik me back", "kik was down all day"): after "kik" these
        # are not a username ("kik group" is kept: it points to a group, see KIK_UNNAMED)
        "back",
        "user",
        "users",
        "username",
        "account",
        "link",
        "messenger",
        "bot",
        "bots",
        "was",
        "has",
        "still",
        "sucks",
        "died",
        "down",
        "later",
        "tonight",
        "instead",
        "anymore",
    }
)
_TELEGUARD = re.compile(
    r"(?<![a-z0-9])tele\s?guard\b[\s:\-]{0,3}(?:id\b[\s:\-]{0,3})?([a-z0-9]{6,12})\b", re.IGNORECASE
)
_SESSION = re.compile(r"(?<![0-9a-f])(05[0-9a-f]{64})(?![0-9a-f])", re.IGNORECASE)
_SIGNAL = re.compile(r"(?<![a-z0-9])(signal\.(?:me|group)/[^\s<>\"']{2,200})", re.IGNORECASE)
_FILEHOSTS = {
    "mega": ("mega.nz", "mega.io", "mega.co.nz"),
    "filehost": (
        "gofile.io", "catbox.moe", "litter.catbox.moe", "pixeldrain.com", "bunkr", "anonfiles", "mediafire.com",
        "krakenfiles.com", "cyberdrop", "1fichier.com", "dropbox.com", "wetransfer.com", "files.fm", "terabox",
        "pomf", "uguu.se", "sendvid.com", "drive.google.com",
    ),
}  # fmt: skip
_HOST_DEST = (
    ("t.me", "telegram"), ("telegram.me", "telegram"), ("telegram.dog", "telegram"),
    ("discord.gg", "discord"), ("discord.com", "discord"), ("discordapp.com", "discord"),
    ("kik.me", "kik"), ("signal.me", "signal"), ("signal.group", "signal"), ("getsession.org", "session"),
)  # fmt: skip
# Platforms named in words, without a link ("more on my tg", "join the discord").
_NAMED = [
    (
        "telegram",
        "t",
        re.compile(
            r"\btelegram\b|\b(?:my|the|our|on|in|join)\s(?:tg|tele)\b|\btg\s(?:channel|group|link|chat)\b"
        ),
    ),
    ("discord", "d", re.compile(r"\bdiscord\b|\b(?:my|the|our|on|in|join)\sdc\b")),
    ("kik", "kik", re.compile(r"\bkik\b")),
    ("teleguard", "guard", re.compile(r"\btele\s?guard\b")),
    ("session", "session", re.compile(r"\bsession\s(?:id|app|messenger)\b|\bgetsession\b")),
    ("signal", "signal", re.compile(r"\bon\ssignal\b|\bsignal\s(?:app|me|id|group)\b")),
    ("mega", "mega", re.compile(r"\bmega\s?(?:\.nz|link|folder|drive)\b|\bon\smega\b")),
    (
        "filehost",
        "",
        re.compile(r"\b(?:gofile|catbox|pixeldrain|bunkr|mediafire|krakenfiles|cyberdrop)\b"),
    ),
]


def _host_destination(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    for known, dest in _HOST_DEST:
        if host == known or host.endswith("." + known):
            return dest
    for dest, hosts in _FILEHOSTS.items():
        if any(h in host for h in hosts):
            return dest
    return "other"


def find_links(
    clean_text: str, norm: str, known_links: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """Normalised links and invites, and the destinations they (or the words) name."""
    links: list[str] = []
    low = norm  # cheap substring tests decide which patterns are worth running
    if "me" in low:
        for m in _TELEGRAM.finditer(clean_text):
            links.append("https://t.me/" + (m.group(1) or m.group(2)))
    if "rd" in low and ("gg" in low or "invite" in low):
        for m in _DISCORD.finditer(clean_text):
            links.append("https://discord.gg/" + m.group(1))
    if "kik" in low:
        for m in _KIK.finditer(clean_text):
            name = m.group(1).rstrip(".")
            if name.lower() not in _KIK_STOP and not (
                name.lower() in COMMON_WORDS and not _KIK_MARKED.match(m.group(0))
            ):
                links.append("kik:" + name.lower())
    if "guard" in low:
        links.extend("teleguard:" + m.group(1).upper() for m in _TELEGUARD.finditer(clean_text))
    if "05" in clean_text:
        links.extend("session:" + m.group(1).lower() for m in _SESSION.finditer(clean_text))
    if "signal." in low:
        links.extend(normalise_url(m.group(1)) for m in _SIGNAL.finditer(clean_text))
    links.extend(extract_urls(clean_text, known_links))
    links = list(dict.fromkeys(links))
    dests: list[str] = []
    for link in links:
        kind = link.split(":", 1)[0]
        dests.append(kind if kind in ("kik", "teleguard", "session") else _host_destination(link))
    for dest, keyword, pattern in _NAMED:
        if keyword in norm and pattern.search(norm):
            dests.append(dest)
    ordered = [d for d in DESTINATIONS if d in dests]
    return links, ordered


# Invite keys: one spelling per destination, so that a link posted in one community can be matched
# to the community it opens. Telegram "+" codes and Discord codes are case-sensitive; public
# Telegram usernames and Kik names are not. The patterns run both here and in DuckDB (RE2).
TELEGRAM_INVITE_RE = r"^https?://(?:www\.)?(?:t|telegram)\.me/(?:joinchat/)?(\+?[A-Za-z0-9_-]+)"
DISCORD_INVITE_RE = r"^https?://(?:www\.)?discord(?:app)?\.(?:gg|com/invite)/([A-Za-z0-9-]+)"
_TG_INVITE = re.compile(TELEGRAM_INVITE_RE)
_DC_INVITE = re.compile(DISCORD_INVITE_RE)


def invite_key(link: str) -> str | None:
    """``telegram:+Code``, ``telegram:name``, ``discord:Code``, ``kik:name``... or None."""
    link = link.strip()
    if not link.startswith(("http://", "https://")) and (
        "t.me/" in link or "discord" in link or "telegram.me/" in link
    ):
        link = "https://" + link
    m = _TG_INVITE.match(link)
    if m:
        code = m.group(1)
        if "joinchat/" in link and not code.startswith("+"):
            code = "+" + code
        return "telegram:" + (code if code.startswith("+") else code.lower())
    m = _DC_INVITE.match(link)
    if m:
        return "discord:" + m.group(1)
    kind, sep, value = link.partition(":")
    if link.lower() in KIK_UNNAMED:
        return None
    if sep and kind.lower() in ("kik", "teleguard", "session") and value:
        return f"{kind.lower()}:{value.lower() if kind.lower() != 'teleguard' else value.upper()}"
    return None


def invite_key_sql(link: str) -> str:
    """:func:`invite_key` for the normalised links the text stages store (a DuckDB expression)."""
    tg = f"regexp_extract({link}, '{TELEGRAM_INVITE_RE}', 1)"
    dc = f"regexp_extract({link}, '{DISCORD_INVITE_RE}', 1)"
    return f"""CASE
        WHEN {tg} <> '' THEN 'telegram:' || CASE WHEN {link} LIKE '%/joinchat/%' AND NOT starts_with({tg}, '+')
                                            THEN '+' || {tg} WHEN starts_with({tg}, '+') THEN {tg} ELSE lower({tg}) END
        WHEN {dc} <> '' THEN 'discord:' || {dc}
        WHEN lower({link}) IN ({", ".join(f"'{k}'" for k in KIK_UNNAMED)}) THEN NULL
        WHEN starts_with({link}, 'kik:') OR starts_with({link}, 'session:') THEN lower({link})
        WHEN starts_with({link}, 'teleguard:') THEN 'teleguard:' || upper(substr({link}, 11))
    END"""
