"""RSS and Atom feeds: each item an article (title, link, date and its text).

Parsed with :mod:`defusedxml`: a feed that declares entities (the "billion laughs" bomb)
or refers to external ones is refused, never expanded. RSS 2.0 (and 0.9x), RSS 1.0 (RDF)
and Atom 1.0 are read. An item's text is its full content when the feed carries it
(``content:encoded``, Atom ``content``), else its description or summary; HTML is turned
into plain text (paragraphs separated by a blank line, scripts and styles dropped). The
item's link is not fetched here (see ``--follow-links`` in :mod:`kg.ingest`).

Examples
--------
>>> rss = b'''<?xml version="1.0"?><rss version="2.0"><channel><title>Mining Daily</title>
... <item><title>Peru and copper</title><link>https://news.example/peru</link>
... <pubDate>Sat, 03 Feb 2024 10:00:00 GMT</pubDate>
... <description>&lt;p&gt;Peru produces copper.&lt;/p&gt;&lt;p&gt;Chile mines lithium.&lt;/p&gt;</description>
... </item></channel></rss>'''
>>> feed = parse_feed(rss)
>>> feed.title, [(i.title, i.link, i.date) for i in feed.items]
('Mining Daily', [('Peru and copper', 'https://news.example/peru', '2024-02-03T10:00:00+00:00')])
>>> feed.items[0].text
'Peru produces copper.\\n\\nChile mines lithium.'
>>> feed_root(b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>"), feed_root(b"<html/>")
('atom', None)
"""
from __future__ import annotations

import email.utils
import re
import urllib.parse
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from .errors import InputError

__all__ = ["Feed", "FeedError", "FeedItem", "feed_root", "html_to_text", "parse_feed"]

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML = "{http://www.w3.org/XML/1998/namespace}"

_ROOTS = {"rss": "rss", f"{ATOM}feed": "atom", f"{RDF}RDF": "rdf"}
# the root element's name, read from the start of the document without parsing it
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)[\s/>]")
_PROLOGUE = re.compile(rb"\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*", re.DOTALL)
_SNIFF = 4096
_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                     "pre", "table", "tr", "section", "article", "header", "footer", "figure", "figcaption",
                     "dd", "dt", "hr"})
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math")
_SPACE = re.compile(r"[ \t\u00a0]+")
_TAG = re.compile(r"<[^>]*>")


class FeedError(InputError):
    """A feed that cannot be read (malformed XML, entities declared, not RSS or Atom)."""


@dataclass(frozen=True)
class FeedItem:
    """One item (RSS) or entry (Atom) of a feed; ``text`` is plain text, maybe empty."""

    title: str | None
    link: str | None
    date: str | None
    text: str


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its kind (``rss``, ``atom`` or ``rdf``), title and items in document order."""

    kind: str
    title: str | None
    items: list[FeedItem] = field(default_factory=list)


def feed_root(data: bytes) -> str | None:
    """``"rss"``, ``"atom"`` or ``"rdf"`` when the document's root element is a feed's, else None.

    Only the first bytes are looked at (after the XML declaration, comments and a DOCTYPE),
    so that a large XML file that is not a feed is not parsed.
    """
    head = data[:_SNIFF].removeprefix(b"\xef\xbb\xbf")
    start = _PROLOGUE.match(head)
    m = _ROOT_TAG.match(head, start.end() if start else 0)
    if not m:
        return None
    tag = m.group(1).decode("ascii", "replace")
    local = tag.rsplit(":", 1)[-1]
    if local == "rss":
        return "rss"
    if local == "RDF":
        return "rdf"
    if local == "feed":
        return "atom"
    return None


def _text(el: Element | None) -> str | None:
    if el is None:
        return None
    value = "".join(el.itertext()).strip()
    return value or None


def _first(el: Element, *tags: str) -> Element | None:
    for tag in tags:
        found = el.find(tag)
        if found is not None:
            return found
    return None


def _date(text: str | None) -> str | None:
    """An RFC 822 date (RSS) as ISO 8601; an ISO date (Atom, Dublin Core) as it is."""
    if not text:
        return None
    text = " ".join(text.split())
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return text


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: blocks become paragraphs separated by a blank line.

    Scripts, styles and embedded objects are dropped; nothing is fetched.

    >>> html_to_text("<p>Peru <b>produces</b> copper.</p><script>x()</script><p>Chile&nbsp;mines lithium.</p>")
    'Peru produces copper.\\n\\nChile mines lithium.'
    >>> html_to_text("no markup at all")
    'no markup at all'
    """
    import lxml.etree
    import lxml.html

    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):  # not parseable as HTML: drop anything tag-like
        return _paragraphs(_TAG.sub(" ", html))
    for el in list(root.iter(*_DROP)):
        el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n\n" + (el.text or "")
    return _paragraphs(root.text_content())


def _paragraphs(text: str) -> str:
    """Collapse spaces; keep one blank line between paragraphs."""
    blocks = (_SPACE.sub(" ", " ".join(b.split("\n"))).strip() for b in re.split(r"\n\s*\n", text))
    return "\n\n".join(b for b in blocks if b)


def _body(el: Element | None, default: str) -> str:
    """The plain text of a description or content element.

    ``default`` is the kind when the element has no ``type``: ``"html"`` for RSS (whose
    descriptions hold escaped HTML), ``"text"`` for Atom (the standard's default).
    """
    if el is None:
        return ""
    kind = (el.get("type") or default).lower()
    if kind == "xhtml" or kind.endswith("+xml"):
        for node in el.iter():  # the XHTML namespace, dropped, lets the HTML parser see <p> as <p>
            if isinstance(node.tag, str) and node.tag.startswith("{"):
                node.tag = node.tag.split("}", 1)[1]
        import xml.etree.ElementTree as ET

        markup = (el.text or "") + "".join(ET.tostring(child, encoding="unicode", method="html") for child in el)
        return html_to_text(markup)
    raw = "".join(el.itertext())
    if kind in ("text", "text/plain"):
        return _paragraphs(raw)
    return html_to_text(raw)


def _atom_link(entry: Element, base: str | None) -> str | None:
    chosen = None
    for link in entry.findall(f"{ATOM}link"):
        rel = (link.get("rel") or "alternate").lower()
        if rel == "alternate" and link.get("href"):
            chosen = link.get("href")
            break
    if chosen is None:
        return None
    return urllib.parse.urljoin(base, chosen.strip()) if base else chosen.strip()


def _atom_base(root: Element, url: str | None) -> str | None:
    """What relative links of an Atom feed are resolved against: its ``xml:base`` (itself
    resolved against the URL the feed came from), else that URL, else (a feed read from a
    file) the feed's own ``self`` link."""
    declared = root.get(f"{XML}base")
    if declared:
        return urllib.parse.urljoin(url, declared.strip()) if url else declared.strip()
    if url:
        return url
    for link in root.findall(f"{ATOM}link"):
        if (link.get("rel") or "").lower() == "self" and link.get("href"):
            return link.get("href").strip()
    return None


def _rss_items(channel: Element, items: list[Element]) -> list[FeedItem]:
    out = []
    for item in items:
        link = _text(_first(item, "link", f"{RSS1}link"))
        if link is None:
            guid = item.find("guid")
            if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
                link = _text(guid)
        body = _first(item, f"{CONTENT}encoded", "description", f"{RSS1}description")
        out.append(FeedItem(
            title=_text(_first(item, "title", f"{RSS1}title")),
            link=link,
            date=_date(_text(_first(item, "pubDate", f"{DC}date"))),
            text=_body(body, "html"),
        ))
    return out


def _atom_items(root: Element, base: str | None) -> list[FeedItem]:
    out = []
    for entry in root.findall(f"{ATOM}entry"):
        body = _first(entry, f"{ATOM}content", f"{ATOM}summary")
        if body is not None and body.get("src"):  # content elsewhere: the summary is what the feed holds
            body = entry.find(f"{ATOM}summary")
        out.append(FeedItem(
            title=_text(entry.find(f"{ATOM}title")),
            link=_atom_link(entry, base),
            date=_date(_text(_first(entry, f"{ATOM}published", f"{ATOM}updated"))),
            text=_body(body, "text"),
        ))
    return out


def parse_feed(data: bytes, *, base: str | None = None) -> Feed:
    """Parse an RSS or Atom feed.

    Parameters
    ----------
    data : bytes
        The feed document.
    base : str, optional
        The feed's URL, against which relative Atom links are resolved.

    Returns
    -------
    Feed

    Raises
    ------
    FeedError
        When the XML is malformed, declares entities or refers to external ones, or its root
        is not ``rss``, Atom ``feed`` or RSS 1.0 ``rdf:RDF``.

    Examples
    --------
    >>> bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss>&b;</rss>'
    >>> parse_feed(bomb)
    Traceback (most recent call last):
    ...
    kg.feeds.FeedError: the XML declares entities (refused: they could expand without bound)
    """
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.EntitiesForbidden:
        raise FeedError("the XML declares entities (refused: they could expand without bound)") from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise FeedError("the XML refers to external entities (refused)") from None
    except ParseError as exc:
        raise FeedError(f"malformed XML ({exc})") from None
    kind = _ROOTS.get(root.tag)
    if kind is None:
        raise FeedError(f"not an RSS or Atom feed (the root element is <{root.tag}>)")
    if kind == "atom":
        return Feed("atom", _text(root.find(f"{ATOM}title")), _atom_items(root, _atom_base(root, base)))
    if kind == "rdf":
        channel = root.find(f"{RSS1}channel")
        title = _text(channel.find(f"{RSS1}title")) if channel is not None else None
        return Feed("rdf", title, _rss_items(root, root.findall(f"{RSS1}item")))
    channel = root.find("channel")
    if channel is None:
        raise FeedError("an RSS document without a <channel>")
    return Feed("rss", _text(channel.find("title")), _rss_items(channel, channel.findall("item")))
