"""Plain text from platform markup, and the links in it.

4chan's comment HTML is small and regular (``<br>``, ``<wbr>``, quote links, greentext spans,
spoilers, code blocks), so a handful of linear regexes turn it into plain text faster than an
HTML parser would, and they cannot backtrack catastrophically: every pattern is bounded by a
negated character class.
"""

from __future__ import annotations

import html
import re

__all__ = ["QuoteRef", "extract_urls", "fourchan_html_to_text", "normalise_url"]

# A quote link: href="#p123", "123#p456", "/r/thread/123#p456", "//boards.4chan.org/r/thread/1#p2"
_QUOTELINK = re.compile(
    r'<a\s+href="(?:(?://boards\.4chan(?:nel)?\.org)?/(?P<board>[a-z0-9]+)/(?:thread|res)/)?(?P<thread>\d+)?(?:\.html)?#p(?P<post>\d+)"[^>]*>'
)
# A board or catalog link: >>>/po/ or >>>/po/lft (no post number)
_BOARDLINK = re.compile(
    r'<a\s+href="[^"#]*?/(?P<board>[a-z0-9]+)/(?:catalog[^"]*|)"\s+class="quotelink"[^>]*>'
)
_DEADLINK = re.compile(
    r'<span class="deadlink">&gt;&gt;(?:&gt;/(?P<board>[a-z0-9]+)/)?(?P<post>\d+)</span>'
)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WBR = re.compile(r"<wbr\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_HREF = re.compile(r'<a\s[^>]*?href="(?P<href>https?://[^"]{1,2000})"', re.IGNORECASE)
_PLAIN_QUOTE = re.compile(r">>(?:>/(?P<board>[a-z0-9]{1,10})/)?(?P<post>\d{1,12})\b")


QuoteRef = tuple[str | None, str]  # (board, or None for the same board; post number)


def fourchan_html_to_text(com: str) -> tuple[str, list[QuoteRef], list[str]]:
    """Plain text, quoted posts and hyperlink targets of a 4chan ``com`` field."""
    if "<" not in com and "&" not in com:
        return com, [], []
    # Each pattern runs only where its literal start occurs: most comments have no links.
    quotes: list[QuoteRef] = []
    if 'href="' in com:
        quotes = [(m.group("board"), m.group("post")) for m in _QUOTELINK.finditer(com)]
    if "deadlink" in com:
        quotes.extend((m.group("board"), m.group("post")) for m in _DEADLINK.finditer(com))
    hrefs = [m.group("href") for m in _HREF.finditer(com)] if 'href="http' in com else []
    text = _WBR.sub("", com) if "<w" in com or "<W" in com else com
    if "\n" in text:  # literal newlines are HTML whitespace; <br> carries the line breaks
        text = text.replace("\r", "").replace(">\n", ">").replace("\n", " ")
    if "<" in text:
        text = _BR.sub("\n", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text, quotes, hrefs


def plain_quotes(text: str) -> list[QuoteRef]:
    """Quote references written as plain text (FoolFuuka ``comment``, generic JSONL)."""
    if ">>" not in text:
        return []
    return [(m.group("board"), m.group("post")) for m in _PLAIN_QUOTE.finditer(text)]


_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'`{}|\\^\[\]]{1,2000}"
    r"|\b(?:discord(?:app)?\.(?:gg|com/invite)|t\.me|telegram\.me|chat\.whatsapp\.com)/[A-Za-z0-9_+\-/]{1,200}",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"*"


_HOST_END = re.compile(r"[/?#&;]")
_ENTITY_END = re.compile(r"(?:&(?:#[0-9]{1,7};?|#x[0-9a-fA-F]{1,6};?|[a-zA-Z]{2,8};))+$")


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, add a scheme to bare hosts, drop trailing punctuation.

    A host ends at the first ``/``, ``?`` or ``#``; one that runs into ``&`` or ``;`` was cut by
    an HTML entity left in the text (``https://t.c&#8230;``, a shortened link in a catalog teaser
    or a twice-escaped export), so the address ends there: an entity is never part of a host, and
    keeping it made hosts and destinations out of markup."""
    if "&" in url:
        url = _ENTITY_END.sub("", url)
    url = url.rstrip(_TRAILING)
    if "://" not in url:
        url = "https://" + url
    scheme, _, rest = url.partition("://")
    end = _HOST_END.search(rest)
    if end is None:
        return f"{scheme.lower()}://{rest.lower()}"
    host, tail = rest[: end.start()], rest[end.start() :]
    if tail[0] in "&;":
        tail = ""
    return f"{scheme.lower()}://{host.lower()}{tail}"


def extract_urls(text: str, extra: list[str] | None = None) -> list[str]:
    """Distinct normalised URLs in order of first appearance."""
    found: list[str] = []
    if extra:
        found.extend(normalise_url(u) for u in extra)
    if "." in text:
        found.extend(normalise_url(m.group(0)) for m in _URL.finditer(text))
    if not found:
        return []
    return list(dict.fromkeys(u for u in found if len(u) > len("https://")))
