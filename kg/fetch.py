"""Fetch an article or a feed over HTTP(S), within a time limit and a size limit.

``kg build https://...`` reads a web page (or an RSS/Atom feed) as it reads a file. Only what
the user names is fetched (and, with ``--follow-links``, the links of a feed's items), with
the standard library (:mod:`urllib.request`); nothing is fetched when kg is imported.

Every fetch is bounded:

* ``timeout``: seconds for the whole request (connecting, waiting and reading together);
  a server that trickles its answer a byte at a time is cut off too;
* ``max_bytes``: a body announced as larger is refused before it is read, and one that
  turns out larger is read only up to the limit, then dropped (the rest is never read);
* ``max_redirects``: redirects followed, each to ``http`` or ``https`` only; a redirect
  back to a URL already visited is reported as a loop.

A failure raises :class:`FetchError`, whose message says what went wrong in a few words
("HTTP 404 Not Found", "timed out after 20 s", "redirect loop", ...); the reader turns it
into a warning that names the URL and goes on with the other inputs.

Examples
--------
>>> is_url("https://example.org/news/1"), is_url("HTTP://EXAMPLE.ORG"), is_url("news/https.txt")
(True, True, False)
>>> parse_size("10MB"), parse_size("500k"), parse_size("2048")
(10485760, 512000, 2048)
"""
from __future__ import annotations

import http.client
import math
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message

from .errors import InputError, KGError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_TIMEOUT",
    "FEED_TYPES",
    "TEXT_TYPES",
    "FetchError",
    "FetchOptions",
    "Fetched",
    "fetch",
    "is_url",
    "parse_size",
]

DEFAULT_TIMEOUT = 20.0
"""Seconds a fetch may take, from connecting to the last byte."""
DEFAULT_MAX_BYTES = 10 * 1024 ** 2
"""Largest body read (bytes); a page or feed over it is skipped."""
DEFAULT_MAX_REDIRECTS = 5
"""Redirects followed before giving up."""

#: content types read as a page (main text extracted) or as plain text
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/markdown"})
#: content types read as an RSS or Atom feed (``text/xml`` and ``application/xml`` when the root says so)
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/xml", "text/xml"})
_URL = re.compile(r"https?://", re.IGNORECASE)
_CHUNK = 65_536
_USER_AGENT = "kg/0.1 (knowledge-graph builder; reads one page on request)"
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(KGError):
    """A URL could not be read; the message is the reason, without the URL."""

    exit_code = 2


@dataclass(frozen=True)
class FetchOptions:
    """How URLs are fetched.

    Attributes
    ----------
    timeout : float
        Seconds for one whole fetch.
    max_bytes : int
        Largest body read.
    max_redirects : int
        Redirects followed.
    offline : bool
        Refuse every URL (``--offline``).
    follow_links : bool
        Fetch the page that each feed item links to and read its main text instead of the
        item's own description (``--follow-links``).
    """

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    offline: bool = False
    follow_links: bool = False

    def __post_init__(self) -> None:
        if not (isinstance(self.timeout, (int, float)) and math.isfinite(self.timeout) and self.timeout > 0):
            raise InputError(f"fetch timeout must be a positive number of seconds, not {self.timeout!r}")
        if not (isinstance(self.max_bytes, int) and self.max_bytes > 0):
            raise InputError(f"fetch size limit must be a positive number of bytes, not {self.max_bytes!r}")
        if not (isinstance(self.max_redirects, int) and self.max_redirects >= 0):
            raise InputError(f"the redirect limit must be 0 or more, not {self.max_redirects!r}")
        if self.offline and self.follow_links:
            raise InputError("--follow-links fetches the page of each feed item and --offline refuses the "
                             "network: drop one of them")


@dataclass(frozen=True)
class Fetched:
    """A body read from the network.

    Attributes
    ----------
    url : str
        The URL the body came from (after redirects).
    content_type : str
        The media type, lower case, without parameters (``""`` when the server sent none).
    charset : str or None
        The ``charset`` parameter of the content type.
    body : bytes
        The body, at most ``max_bytes`` long.
    """

    url: str
    content_type: str
    charset: str | None
    body: bytes


def is_url(text: object) -> bool:
    """True for a string that starts with ``http://`` or ``https://`` (any case)."""
    return isinstance(text, str) and bool(_URL.match(text.strip()))


def parse_size(text: str) -> int:
    """A size in bytes from ``"10MB"``, ``"500k"``, ``"1.5G"`` or a plain number, in the units of
    every other size kg reads (:func:`kg.limits.parse_size`: powers of 1024).

    Raises
    ------
    ValueError
        When ``text`` is not a positive size.
    """
    from .errors import InputError
    from .limits import parse_size as parse_bytes

    try:
        return parse_bytes(text, "size")
    except InputError as exc:
        raise ValueError(str(exc).removeprefix("size: ")) from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back as responses: :func:`fetch` follows them itself, counted and checked."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirect())


def _reason(exc: BaseException, timeout: float) -> str:
    """What went wrong, in a few words, for a network exception."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}".strip()
    inner = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(inner, (socket.timeout, TimeoutError)):
        return f"timed out after {timeout:g} s (raise it with --timeout)"
    if isinstance(inner, socket.gaierror):
        return "host not found (DNS lookup failed: check the address and the network)"
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused (is the server up?)"
    if isinstance(inner, ssl.SSLError):
        return f"TLS error ({getattr(inner, 'reason', None) or inner})"
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    return str(inner) or inner.__class__.__name__


def _media_type(headers: Message) -> tuple[str, str | None]:
    content_type = headers.get_content_type() if headers.get("Content-Type") else ""
    return content_type.lower(), headers.get_content_charset()


def _read_body(response, max_bytes: int, deadline: float, timeout: float) -> bytes:
    """Read at most ``max_bytes`` in chunks; FetchError past the limit or the deadline."""
    length = response.headers.get("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise FetchError(f"too large ({int(length)} bytes > {max_bytes}; raise it with --max-size)")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {timeout:g} s while reading (raise it with --timeout)")
        chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:  # stop here: the rest of the body is never read
            raise FetchError(f"too large (over {max_bytes} bytes; raise it with --max-size)")
        chunks.append(chunk)


def fetch(url: str, options: FetchOptions | None = None) -> Fetched:
    """Fetch ``url`` within the limits of ``options``.

    Parameters
    ----------
    url : str
        An ``http`` or ``https`` URL.
    options : FetchOptions, optional
        The limits (default: :class:`FetchOptions()`).

    Returns
    -------
    Fetched

    Raises
    ------
    FetchError
        ``--offline``, a timeout, an HTTP error status, a redirect loop or too many redirects,
        a redirect to another scheme, a body over the limit, a DNS or connection failure.
    """
    options = options or FetchOptions()
    if options.offline:
        raise FetchError("network input refused by --offline; save the page and give the file, or drop --offline")
    deadline = time.monotonic() + options.timeout
    opener = _opener()
    seen = [url]
    current = url
    while True:
        scheme = urllib.parse.urlsplit(current).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"redirected to a {scheme or 'relative'}: URL ({current}), not followed")
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"timed out after {options.timeout:g} s (raise it with --timeout)")
        request = urllib.request.Request(current, headers={"User-Agent": _USER_AGENT, "Accept": "*/*",
                                                           "Accept-Encoding": "identity"})
        try:
            response = opener.open(request, timeout=left)
        except urllib.error.HTTPError as exc:
            if exc.code not in _REDIRECTS:
                exc.close()
                raise FetchError(f"{_reason(exc, options.timeout)}") from None
            response = exc
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            raise FetchError(f"{_reason(exc, options.timeout)}") from None
        with response:
            status = getattr(response, "status", None) or response.getcode()
            if status in _REDIRECTS:
                target = response.headers.get("Location")
                if not target:
                    raise FetchError(f"HTTP {status} redirect without a Location")
                current = urllib.parse.urljoin(current, target.strip())
                if current in seen:
                    raise FetchError(f"redirect loop ({' -> '.join(seen[-3:])} -> {current})")
                if len(seen) > options.max_redirects:
                    raise FetchError(f"more than {options.max_redirects} redirects")
                seen.append(current)
                continue
            content_type, charset = _media_type(response.headers)
            try:
                body = _read_body(response, options.max_bytes, deadline, options.timeout)
            except (OSError, http.client.HTTPException) as exc:
                raise FetchError(f"{_reason(exc, options.timeout)} while reading") from None
            body = _decompress(body, response.headers.get("Content-Encoding"), options.max_bytes)
            return Fetched(url=current, content_type=content_type, charset=charset, body=body)


def _decompress(body: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """A body sent compressed although kg asked for none (``gzip``, ``deflate``), unpacked.

    The unpacked size is bounded by ``max_bytes`` too: a small body that would unpack to
    gigabytes stops at the limit.
    """
    encoding = (encoding or "identity").strip().lower()
    if encoding in ("identity", ""):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"sent compressed with {encoding!r}, which kg cannot unpack")
    unpacker = zlib.decompressobj(wbits=47 if encoding != "deflate" else 15)
    try:
        out = unpacker.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(f"a corrupt {encoding} body ({exc})") from None
    if len(out) > max_bytes or unpacker.unconsumed_tail:
        raise FetchError(f"too large once unpacked (over {max_bytes} bytes; raise it with --max-size)")
    return out

