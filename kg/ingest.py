"""Read articles from files, folders and strings into :class:`~kg.model.Document`.

Supported inputs:

* ``.txt`` and ``.md``: plain text with optional YAML front matter (a ``---``
  block at the top with ``title``, ``source`` or ``url``, ``date``,
  ``publisher``, ``license``). The document text is the body after the block.
* ``.html`` and ``.htm``: main text and metadata extracted with trafilatura
  (offline; nothing is fetched).
* ``.jsonl``: one article per line, a JSON object with ``text`` and optional
  ``id``, ``title``, ``url``/``source``, ``date``, ``publisher``, ``license``.
* ``.pdf`` (pypdf) and ``.docx`` (python-docx): the text, the title from the
  metadata or the first line (:mod:`kg.documents`).
* ``.rss``, ``.atom`` and ``.xml`` files whose root is ``rss`` or ``feed``: each
  item an article (:mod:`kg.feeds`).
* ``http://`` and ``https://`` URLs: a page (main text extracted as for
  ``.html``), a feed or a PDF, fetched within limits (:mod:`kg.fetch`); the URL
  is the document's source.

Folders are walked recursively in sorted order; hidden entries (names that
start with ``.``), files with other extensions and folders that hold the
outputs of a kg build are passed over. Problems with one file, line or URL
(bad encoding, binary data, malformed JSON, a 404...) never stop the others:
they become :class:`IngestWarning` objects. Only a missing input path (or a
URL under ``--offline``) raises :class:`~kg.errors.InputError`.

The text is kept as it is, except that line ends become ``\\n`` and lone UTF-16
surrogates and C0 control characters other than ``\\n`` and ``\\t`` are
removed (:func:`normalise_text`), so evidence offsets
point into :attr:`Document.text`. Documents are identified by a hash of their
text: the same text met twice is kept once.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     _ = (Path(folder) / "peru.txt").write_text("---\\ntitle: Peru\\n---\\nPeru produces copper.\\n")
...     _ = (Path(folder) / "reprint.txt").write_text("Peru produces copper.\\n")
...     _ = (Path(folder) / "empty.md").write_text("   ")
...     result = read_documents([folder])
>>> [(d.name, d.title, d.text) for d in result.documents]
[('peru.txt', 'Peru', 'Peru produces copper.\\n')]
>>> [(Path(w.path).name, w.reason, w.kind) for w in result.warnings]
[('empty.md', 'empty, skipped', 'warning'), ('reprint.txt', 'duplicate of peru.txt, skipped', 'duplicate')]
"""
from __future__ import annotations

import codecs
import datetime as _dt
import json
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, Mapping, Union

import yaml

from kg.documents import DocumentFormatError, text_of_docx, text_of_pdf
from kg.errors import InputError
from kg.feeds import FeedError, feed_root, parse_feed
from kg.fetch import FEED_TYPES, Fetched, FetchError, FetchOptions, fetch, is_url
from kg.model import Document
from kg.outset import SET_MARKERS
from kg.text import clean_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "IngestWarning",
    "IngestResult",
    "read_documents",
    "iter_documents",
    "DocumentStream",
    "input_size",
    "parse_front_matter",
    "documents_from_jsonl",
    "document_from_html",
    "documents_from_strings",
    "normalise_text",
    "OUTPUT_FILE_NAMES",
    "OUTPUT_SET_MARKERS",
    "FetchOptions",
]

DEFAULT_MAX_BYTES = 20_000_000
"""Files larger than this many bytes are skipped with a warning."""

#: document formats kg does not read; met in a folder, each is named in a warning, never read as text
UNREAD_DOCUMENTS: Mapping[str, str] = {
    ".doc": "an old-format Word document", ".odt": "an OpenDocument text",
    ".rtf": "an RTF document", ".epub": "an e-book", ".pptx": "a presentation", ".xlsx": "a spreadsheet",
}
#: the first bytes of binary document formats (a file given directly is checked whatever its name)
_DOCUMENT_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"), (b"PK\x03\x04", "a zipped document (Word, OpenDocument, e-book...)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"), (b"{\\rtf", "an RTF document"),
)
_UNREAD_HINT = "kg reads .txt, .md, .html, .jsonl, .pdf, .docx and RSS/Atom feeds: save it as text first"

SUPPORTED_EXTENSIONS: Mapping[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".pdf": "pdf",
    ".docx": "docx",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "xml",
}
"""File extension (lower case) -> how the file is read."""

OUTPUT_FILE_NAMES = frozenset({"report.md", "graph.html"})
"""The article-like files that ``kg build`` writes into its output folder."""

OUTPUT_SET_MARKERS = SET_MARKERS
"""A folder holding all the files of one of these sets is a kg output folder, not an input
(:data:`kg.outset.SET_MARKERS`)."""

PathLike = Union[str, "os.PathLike[str]"]
WarningCallback = Callable[["IngestWarning"], None]

_NO_ARTICLES = "no articles found (.txt, .md, .html, .jsonl, .pdf, .docx, .rss, .atom)"
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*\n")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.MULTILINE)
_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")
_FRONT_MATTER_MAX_CHARS = 65_536
_BINARY_SNIFF_BYTES = 8_000
# Byte order marks other than UTF-8's, longest first (UTF-32-LE starts like UTF-16-LE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32_le"),
    (codecs.BOM_UTF32_BE, "utf_32_be"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)
# Single-byte code pages that charset-normalizer often cannot tell apart on
# short Western text; cp1252 is by far the most common of them.
_PREFERRED_LEGACY = "cp1252"
_LEGACY_CHAOS_MARGIN = 0.1
# Document field -> metadata keys that can fill it, in order of preference.
_META_FIELDS = (
    ("title", ("title",)),
    ("source", ("source", "url")),
    ("date", ("date",)),
    ("publisher", ("publisher",)),
    ("license", ("license",)),
)


def _one_line(text: str) -> str:
    """Collapse line breaks and control characters into single spaces."""
    return _ONE_LINE.sub(" ", text).strip()


@dataclass(frozen=True)
class IngestWarning:
    """A problem met while reading the inputs; the other inputs are still read.

    ``kind`` is ``"warning"`` for a real problem (counted by ``--strict``),
    ``"duplicate"`` for a text that was already read, or ``"info"`` for a note
    on what was passed over on purpose (an earlier build's output folder);
    neither of the last two is a problem.

    Examples
    --------
    >>> str(IngestWarning("news.jsonl", "invalid JSON\\n(bad)", line=3))
    'news.jsonl:3: invalid JSON (bad)'
    >>> str(IngestWarning("a.txt", "empty, skipped"))
    'a.txt: empty, skipped'
    """

    path: str
    reason: str
    line: int | None = None
    kind: str = "warning"

    def __str__(self) -> str:
        where = _one_line(self.path)
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {_one_line(self.reason)}"


@dataclass
class IngestResult:
    """The documents read, the warnings met and how many inputs were skipped.

    ``skipped`` counts the files and JSONL lines not built: those dropped because
    of a problem and the repeats of a text already read (which are not problems).

    Examples
    --------
    >>> r = IngestResult(warnings=[IngestWarning("a.txt", "empty, skipped"),
    ...                            IngestWarning("b.txt", "duplicate of a.txt, skipped", kind="duplicate")])
    >>> [str(w) for w in r.problems]
    ['a.txt: empty, skipped']
    """

    documents: list[Document] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    skipped: int = 0

    @property
    def problems(self) -> list[IngestWarning]:
        """The warnings that are real problems (not duplicates)."""
        return [w for w in self.warnings if w.kind == "warning"]


def normalise_text(text: str) -> str:
    """Make line ends ``\\n``; drop lone surrogates and C0 controls except ``\\n`` and ``\\t``.

    Lone UTF-16 surrogates (a JSON ``"\\ud800"`` escape, a string from
    Python) cannot be encoded, so the tokenizer and every writer would fail
    on them: they are removed, and a valid surrogate pair is joined into its
    character (:func:`kg.text.clean_text`). Nothing else changes: no
    trimming, no Unicode normalisation. Every text (files, JSONL lines, HTML,
    strings given to the API, metadata) goes through this before a
    :class:`Document` is made, so evidence offsets point into the result.

    >>> normalise_text("a\\r\\nb\\rc\\x00d\\te\\x0c ")
    'a\\nb\\ncd\\te '
    >>> normalise_text("Chile\\ud800 exports lithium.\\ud83d\\ude00") == "Chile exports lithium.\\U0001F600"
    True
    """
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))


def _meta_str(value: object) -> str | None:
    """A metadata value as a stripped one-line string, or None when there is none.

    >>> _meta_str(_dt.date(2024, 2, 3)), _meta_str(2024), _meta_str("  x "), _meta_str("")
    ('2024-02-03', '2024', 'x', None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (_dt.date, _dt.datetime)):
        text = value.isoformat()
    elif isinstance(value, (list, tuple)):
        # Only scalar items: nested structures are not metadata (and YAML aliases could explode).
        items = (_meta_str(v) for v in value if not isinstance(v, (list, tuple, dict)))
        text = ", ".join(v for v in items if v)
    elif isinstance(value, dict):
        return None
    else:
        text = str(value)
    text = _one_line(normalise_text(text))
    return text or None


def _document_fields(meta: Mapping[str, object]) -> dict[str, str]:
    """Pick the :class:`Document` metadata fields out of a metadata mapping."""
    fields: dict[str, str] = {}
    for name, keys in _META_FIELDS:
        for key in keys:
            value = _meta_str(meta.get(key))
            if value:
                fields[name] = value
                break
    return fields


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that dates and times stay the strings written.

    ``date: 2024-02-30`` is then kept as text (and reported when the graph is
    made) instead of failing to become a ``datetime.date``.
    """


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_front_matter(
    text: str, *, warn: Callable[[str, int | None], None] | None = None
) -> tuple[dict[str, str], str, int]:
    """Split YAML front matter from the body of a text.

    Parameters
    ----------
    text : str
        The whole file, line ends already normalised to ``\\n``.
    warn : callable, optional
        Called as ``warn(reason, line)`` when the block is malformed; the
        line number (1-based, in ``text``) may be None.

    Returns
    -------
    meta : dict of str to str
        The front matter with lower-case keys and string values (dates are
        kept as written, even impossible ones like ``2024-02-30``; numbers
        and booleans parsed by YAML are turned back into strings; empty
        values are dropped). Empty when there is no front matter or it is malformed.
    body : str
        The text after the block and the blank lines that follow it, or the
        whole text when there is no block.
    body_offset : int
        Where ``body`` starts in ``text``.

    Examples
    --------
    >>> text = "---\\ntitle: Peru\\ndate: 2024-02-03\\nsource: https://x (mirror of https://y)\\n---\\n\\nPeru produces copper.\\n"
    >>> meta, body, offset = parse_front_matter(text)
    >>> meta
    {'title': 'Peru', 'date': '2024-02-03', 'source': 'https://x (mirror of https://y)'}
    >>> body, text[offset:] == body
    ('Peru produces copper.\\n', True)
    >>> parse_front_matter("No front matter.")
    ({}, 'No front matter.', 0)
    >>> parse_front_matter("---\\ntitle: [oops\\n---\\nBody", warn=lambda reason, line: print(line, reason))
    3 malformed YAML front matter (expected ',' or ']', but got '<stream end>'); read the rest as text
    ({}, 'Body', 21)
    """
    opening = _FRONT_MATTER_OPEN.match(text)
    if not opening:
        return {}, text, 0
    closing = _FRONT_MATTER_CLOSE.search(text, opening.end(), _FRONT_MATTER_MAX_CHARS)
    if not closing:
        if warn:
            warn("front matter has no closing '---'; read as text", 1)
        return {}, text, 0
    offset = _BLANK_LINES.match(text, closing.end()).end()
    body = text[offset:]
    block = text[opening.end():closing.start()]
    try:
        data = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        if warn:
            problem = getattr(exc, "problem", None) or "cannot parse"
            mark = getattr(exc, "problem_mark", None)
            warn(f"malformed YAML front matter ({problem}); read the rest as text",
                 mark.line + 2 if mark is not None else None)
        return {}, body, offset
    except (ValueError, OverflowError, RecursionError) as exc:
        # a value YAML cannot construct (``!!float x``, ``!!timestamp 2024-02-30``)
        # or nesting too deep for the parser: malformed too, the body is still read
        if warn:
            problem = "nested too deeply" if isinstance(exc, RecursionError) else _one_line(str(exc))
            warn(f"malformed YAML front matter ({problem or 'cannot parse'}); read the rest as text", None)
        return {}, body, offset
    if data is None:
        return {}, body, offset
    if not isinstance(data, dict):
        if warn:
            warn("front matter is not a YAML mapping; ignored", 2)
        return {}, body, offset
    meta = {}
    for key, value in data.items():
        value = _meta_str(value)
        if value is not None:
            meta[_one_line(str(key)).lower()] = value
    return meta, body, offset


def _html_paragraphs(text: str) -> str:
    """Separate trafilatura's lines (paragraphs, headings, list items) by a blank line."""
    lines = [line.strip() for line in normalise_text(text).split("\n")]
    return "\n\n".join(line for line in lines if line)


def document_from_html(html: str | bytes, name: str, *, path: str | None = None) -> Document | None:
    """Extract the main text and metadata of an HTML page with trafilatura.

    Nothing is fetched from the network. Paragraphs of the main text are
    separated by a blank line; navigation, scripts, footers and comments are
    left out. Metadata: ``title``, ``url`` (as ``source``), ``date``,
    ``sitename`` (as ``publisher``) and ``license``, when the page has them.

    Parameters
    ----------
    html : str or bytes
        The page.
    name : str
        The document name.
    path : str, optional
        The file the page was read from.

    Returns
    -------
    Document or None
        None when trafilatura finds no main text.

    Examples
    --------
    >>> page = ("<html><head><title>Copper</title><script>var junk = 1;</script></head><body>"
    ...         "<nav>Home | About</nav><article><p>" + "Peru produces copper and zinc for export. " * 5 +
    ...         "</p><p>" + "Chile is the largest producer of copper in the world. " * 5 + "</p></article></body></html>")
    >>> doc = document_from_html(page, "copper.html")
    >>> doc.title, doc.text.startswith("Peru produces copper"), "junk" in doc.text
    ('Copper', True, False)
    >>> document_from_html("<html><body><script>x()</script></body></html>", "empty.html") is None
    True
    """
    import trafilatura  # slow to import: only when a page is read

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if extracted is None:
        return None
    data = extracted if isinstance(extracted, dict) else extracted.as_dict()
    text = _html_paragraphs(data.get("text") or "")
    if not text:
        return None
    meta = {
        "title": data.get("title"),
        "url": data.get("url"),
        "date": data.get("date"),
        "publisher": data.get("sitename"),
        "license": data.get("license"),
    }
    return Document.from_text(text, name, path=path, **_document_fields(meta))


class _Reader:
    """One run of reading: the options, the warnings so far and the texts seen."""

    def __init__(self, max_bytes: int, on_warning: WarningCallback | None,
                 exclude: PathLike | Iterable[PathLike] = (), fetch: FetchOptions | None = None) -> None:
        self.max_bytes = max_bytes
        self.on_warning = on_warning
        self.fetch = fetch or FetchOptions()
        self.result = IngestResult()
        self._seen: dict[str, str] = {}
        self.excluded = _folder_keys(exclude)
        self.bytes_read = 0  # sizes of the files read so far (for a progress estimate)

    # --- bookkeeping ----------------------------------------------------
    def warn(self, path: object, reason: str, line: int | None = None, *,
             skipped: bool = False, kind: str = "warning") -> None:
        warning = IngestWarning(str(path), reason, line, kind)
        self.result.warnings.append(warning)
        if skipped:
            self.result.skipped += 1
        if self.on_warning is not None:
            self.on_warning(warning)

    def keep(self, doc: Document, where: str, line: int | None = None) -> bool:
        """True for a new text; for a text already read, warn that it is a duplicate."""
        first = self._seen.get(doc.id)
        if first is not None:
            self.warn(where, f"duplicate of {first}, skipped", line, skipped=True, kind="duplicate")
            return False
        self._seen[doc.id] = doc.name
        return True

    # --- inputs ---------------------------------------------------------
    def read_paths(self, paths: PathLike | Iterable[PathLike]) -> Iterator[Document]:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        # all missing paths (and URLs under --offline) fail before any reading
        checked = [_checked_url(p, self.fetch) if is_url(p) else _existing_path(p) for p in paths]
        for p in checked:
            if isinstance(p, str):
                yield from self.read_url(p)
            elif p.is_dir():
                yield from self.read_folder(p)
            else:
                yield from self.read_file(p, p.name, SUPPORTED_EXTENSIONS.get(p.suffix.lower()))

    def read_strings(self, texts: Iterable[object]) -> Iterator[Document]:
        """Documents of strings, named ``text-1``, ``text-2``...; empty ones, other objects and
        repeats (of a string or of a file read before) are skipped with a warning."""
        for number, text in enumerate(texts, start=1):
            name = f"text-{number}"
            if not isinstance(text, str):
                self.warn(name, f"not a string ({type(text).__name__}), skipped", skipped=True)
                continue
            text = normalise_text(text)
            if not text.strip():
                self.warn(name, "empty, skipped", skipped=True)
                continue
            doc = Document.from_text(text, name)
            if self.keep(doc, name):
                yield doc

    def read_folder(self, root: Path) -> Iterator[Document]:
        found = False
        for path, name, kind in self._walk(root):
            found = True
            yield from self.read_file(path, name, kind)
        if not found:
            self.warn(root, _NO_ARTICLES)

    def _walk(self, root: Path) -> Iterator[tuple[Path, str, str]]:
        """Supported files under ``root``: (path, name relative to root, kind), in name order.

        Depth-first with an explicit stack (no recursion limit); each folder
        remembers its ancestors' (device, inode) so that symlink loops are
        reported instead of followed.
        """
        try:
            st = root.stat()
        except OSError as exc:
            self.warn(root, f"cannot read folder ({_os_reason(exc)}), skipped", skipped=True)
            return
        stack: list[tuple] = [(root, PurePosixPath(), frozenset({(st.st_dev, st.st_ino)}))]
        while stack:
            item = stack.pop()
            if isinstance(item[2], str):  # a file: (path, name, kind)
                yield item
                continue
            folder, rel, ancestors = item
            # INPUT is OUT itself: its articles are read, the files kg wrote there are not
            own_outputs = rel == PurePosixPath() and bool(self.excluded & ancestors)
            if rel == PurePosixPath() and not own_outputs:
                marker = _output_set_marker(folder)
                if marker:  # INPUT is an earlier build's folder: the same, with a note
                    own_outputs = True
                    self.warn(folder, f"holds the outputs of a kg build ({marker}): its report.md and graph.html "
                                      "are not read as articles", kind="info")
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self.warn(folder, f"cannot read folder ({_os_reason(exc)}), skipped", skipped=True)
                continue
            children: list[tuple] = []
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path = Path(entry.path)
                if _is_dir(entry):
                    try:
                        st = path.stat()
                    except OSError as exc:
                        self.warn(path, f"cannot read folder ({_os_reason(exc)}), skipped", skipped=True)
                        continue
                    key = (st.st_dev, st.st_ino)
                    if key in self.excluded:  # the output folder of this build: not an input
                        continue
                    marker = _output_set_marker(path)
                    if marker:  # an earlier build's outputs: its report.md is not an article
                        self.warn(path, f"holds the outputs of a kg build ({marker}), not read as articles",
                                  kind="info")
                        continue
                    if key in ancestors:
                        self.warn(path, "directory loop, skipped", skipped=True)
                    else:
                        children.append((path, rel / entry.name, ancestors | {key}))
                    continue
                ext = os.path.splitext(entry.name)[1].lower()
                kind = SUPPORTED_EXTENSIONS.get(ext)
                if kind == "xml":  # in a folder, an .xml file is read only when it is a feed
                    kind = "xml-if-feed"
                if kind is not None and not (own_outputs and entry.name in OUTPUT_FILE_NAMES):
                    children.append((path, (rel / entry.name).as_posix(), kind))
                elif ext in UNREAD_DOCUMENTS:
                    self.warn(path, f"{UNREAD_DOCUMENTS[ext]}, not read ({_UNREAD_HINT}), skipped", skipped=True)
            stack.extend(reversed(children))

    def read_bytes(self, path: Path) -> bytes | None:
        """The file's bytes, or None (with a warning) when it cannot or should not be read."""
        try:
            st = path.stat()
        except FileNotFoundError:
            reason = "broken symlink" if path.is_symlink() else "no such file"
            self.warn(path, f"{reason}, skipped", skipped=True)
            return None
        except OSError as exc:
            self.warn(path, f"cannot read ({_os_reason(exc)}), skipped", skipped=True)
            return None
        if not stat.S_ISREG(st.st_mode):
            self.warn(path, "not a regular file, skipped", skipped=True)
            return None
        self.bytes_read += st.st_size
        if st.st_size > self.max_bytes:
            self.warn(path, f"too large ({st.st_size} bytes > {self.max_bytes}), skipped", skipped=True)
            return None
        try:
            with open(path, "rb") as fh:
                data = fh.read(self.max_bytes + 1)
        except OSError as exc:
            self.warn(path, f"cannot read ({_os_reason(exc)}), skipped", skipped=True)
            return None
        if len(data) > self.max_bytes:  # grew since stat
            self.warn(path, f"too large (over {self.max_bytes} bytes), skipped", skipped=True)
            return None
        return data

    def read_text(self, path: Path) -> str | None:
        """The file decoded and normalised, or None (with a warning)."""
        data = self.read_bytes(path)
        if data is None:
            return None
        return self.decode_text(data, path)

    def decode_text(self, data: bytes, path: object) -> str | None:
        """Bytes decoded and normalised, or None (with a warning) for empty or binary data."""
        if not data.strip():
            self.warn(path, "empty, skipped", skipped=True)
            return None
        for magic, what in _DOCUMENT_MAGIC:
            if data.startswith(magic):  # never parse a binary document format as text
                self.warn(path, f"{what}, not read ({_UNREAD_HINT}), skipped", skipped=True)
                return None
        text, encoding = _decode(data)
        if text is None:
            self.warn(path, "binary file, skipped", skipped=True)
            return None
        if encoding is not None:
            self.warn(path, f"not UTF-8; read as {encoding}")
        text = normalise_text(text)
        if not text.strip():
            self.warn(path, "empty, skipped", skipped=True)
            return None
        return text

    def read_file(self, path: Path, name: str, kind: str | None) -> Iterator[Document]:
        """Documents of one file; ``kind`` None means an unknown extension (read as text)."""
        data = self.read_bytes(path)
        if data is None:
            return
        if not data.strip():
            self.warn(path, "empty, skipped", skipped=True)
            return
        if kind in ("pdf", "docx") or data.startswith(b"%PDF-"):
            # a PDF whatever its name; a .docx by its name (other zips are named by the magic check)
            yield from self.binary_document(data, path, name, "docx" if kind == "docx" else "pdf")
            return
        if kind in ("feed", "xml", "xml-if-feed"):
            if kind == "xml-if-feed" and feed_root(data) is None:
                return  # an XML file in a folder that is not a feed: not an article, like a .csv
            yield from self.feed_documents(data, str(path), name)
            return
        text = self.decode_text(data, path)
        if text is None:
            return
        if kind is None:
            self.warn(path, f"unknown extension {path.suffix or '(none)'!r}; read as plain text")
            kind = "text"
        if kind == "jsonl":
            yield from self.jsonl_documents(text, path, name)
        elif kind == "html":
            yield from self.html_document(text, path, name)
        else:
            yield from self.text_document(text, path, name)

    def text_document(self, text: str, path: Path | str, name: str, *,
                      source: str | None = None) -> Iterator[Document]:
        meta, body, _ = parse_front_matter(text, warn=lambda reason, line: self.warn(path, reason, line))
        if not body.strip():
            self.warn(path, "empty (no text after the front matter), skipped", skipped=True)
            return
        if source is not None:  # fetched from a URL: that is where it came from
            meta = {**meta, "source": source}
        doc = Document.from_text(body, name, path=str(path), **_document_fields(meta))
        if self.keep(doc, str(path)):
            yield doc

    def html_document(self, html: str | bytes, path: Path | str, name: str, *,
                      source: str | None = None) -> Iterator[Document]:
        try:
            doc = document_from_html(html, name, path=str(path))
        except ImportError as exc:  # a broken install: say so, and go on with the other files
            self.warn(path, f"cannot read HTML: trafilatura unavailable ({exc}), skipped", skipped=True)
            return
        if doc is None:
            self.warn(path, "no main text found in the HTML, skipped", skipped=True)
            return
        if source is not None:  # the URL it was fetched from, not what the page says of itself
            doc = replace(doc, source=source)
        if self.keep(doc, str(path)):
            yield doc

    # --- PDF, Word, feeds and URLs (see kg.documents, kg.feeds, kg.fetch) --------------
    def binary_document(self, data: bytes, path: Path | str, name: str, kind: str, *,
                        source: str | None = None) -> Iterator[Document]:
        """The document of a PDF (``kind`` ``"pdf"``) or a .docx (``"docx"``)."""
        reader = text_of_docx if kind == "docx" else text_of_pdf
        try:
            found = reader(data)
        except DocumentFormatError as exc:
            self.warn(path, f"{exc}, skipped", skipped=True)
            return
        except ImportError as exc:  # a broken install: say so, and go on with the other files
            self.warn(path, f"cannot read {kind.upper()} files: {exc.name or exc} is not installed, skipped",
                      skipped=True)
            return
        text = normalise_text(found.text)
        fields = _document_fields({"title": found.title, "source": source})
        doc = Document.from_text(text, name, path=str(path), **fields)
        if self.keep(doc, str(path)):
            yield doc

    def feed_documents(self, data: bytes, where: str, name: str, *, base: str | None = None) -> Iterator[Document]:
        """One document per item of an RSS or Atom feed, named ``NAME#N`` (N from 1).

        The item's link is its source. With ``follow_links`` the linked page is fetched
        and its main text read instead of the item's description (the description
        stays when the page cannot be had, with a warning).
        """
        try:
            feed = parse_feed(data, base=base)
        except FeedError as exc:
            self.warn(where, f"{exc}, skipped", skipped=True)
            return
        if not feed.items:
            self.warn(where, f"the {'Atom' if feed.kind == 'atom' else 'RSS'} feed has no items, skipped",
                      skipped=True)
            return
        for number, item in enumerate(feed.items, start=1):
            text, source, title, date = normalise_text(item.text), item.link, item.title, item.date
            if self.fetch.follow_links and item.link:
                page = self.linked_page(item.link, where, number)
                if page is not None:
                    text, source = page.text, page.source
                    title, date = title or page.title, date or page.date
            if not text.strip():
                hint = "" if self.fetch.follow_links else " (--follow-links reads the page it links to)"
                self.warn(where, f"item {number} has no text{hint}, skipped", skipped=True)
                continue
            meta = {"title": title, "source": source, "date": date, "publisher": feed.title}
            doc = Document.from_text(text, f"{name}#{number}", path=where, **_document_fields(meta))
            if self.keep(doc, f"{where}#{number}"):
                yield doc

    def linked_page(self, link: str, where: str, number: int) -> Document | None:
        """The main text of the page a feed item links to, or None (with a warning)."""
        if not is_url(link):
            self.warn(where, f"item {number}: link {link!r} is not an http(s) URL, not followed; "
                             "read the item's own text")
            return None
        try:
            got = fetch(link, self.fetch)
        except FetchError as exc:
            self.warn(where, f"item {number}: {link}: {exc}; read the item's own text instead")
            return None
        if got.content_type not in _PAGE_TYPES:
            self.warn(where, f"item {number}: {link}: not a web page ({got.content_type or 'no content type'}); "
                             "read the item's own text")
            return None
        page = document_from_html(_html_input(got), link)
        if page is None:
            self.warn(where, f"item {number}: {link}: no main text found; read the item's own text")
            return None
        return replace(page, source=got.url)

    def read_url(self, url: str) -> Iterator[Document]:
        """The documents of a URL: a page, a feed (one per item), a PDF or plain text."""
        url = url.strip()
        try:
            got = fetch(url, self.fetch)
        except FetchError as exc:
            self.warn(url, f"{exc}, skipped", skipped=True)
            return
        kind = _fetched_kind(got)
        if kind is None:
            what = got.content_type or "no content type"
            self.warn(url, f"not a web page, a feed or a PDF ({what}), skipped", skipped=True)
        elif not got.body.strip():
            self.warn(url, "empty, skipped", skipped=True)
        elif kind == "feed":
            yield from self.feed_documents(got.body, url, url, base=got.url)
        elif kind in ("pdf", "docx"):
            yield from self.binary_document(got.body, url, url, kind, source=got.url)
        elif kind == "html":
            yield from self.html_document(_html_input(got), url, url, source=got.url)
        else:
            text = self.decode_text(got.body, url) if got.charset is None else _decode_declared(got)
            if got.charset is not None and text is None:
                self.warn(url, "empty, skipped", skipped=True)
            elif text is not None:
                yield from self.text_document(text, url, url, source=got.url)

    def jsonl_documents(self, text: str, path: Path, name: str) -> Iterator[Document]:
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                self.warn(path, f"invalid JSON ({exc.msg} at column {exc.colno}), skipped", number, skipped=True)
                continue
            except RecursionError:
                self.warn(path, "invalid JSON (nested too deeply), skipped", number, skipped=True)
                continue
            if not isinstance(record, dict):
                self.warn(path, f"not a JSON object ({type(record).__name__}), skipped", number, skipped=True)
                continue
            body = record.get("text")
            if not isinstance(body, str) or not body.strip():
                problem = "missing" if body is None else ("not a string" if not isinstance(body, str) else "empty")
                self.warn(path, f'"text" {problem}, skipped', number, skipped=True)
                continue
            body = normalise_text(body)
            if not body.strip():
                self.warn(path, '"text" empty, skipped', number, skipped=True)
                continue
            record_id = _meta_str(record.get("id"))
            doc = Document.from_text(body, f"{name}#{record_id or number}", path=str(path),
                                     **_document_fields(record))
            if self.keep(doc, str(path), number):
                yield doc


_OTHER_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _fetched_kind(got: Fetched) -> str | None:
    """How a fetched body is read: ``feed``, ``pdf``, ``docx``, ``html``, ``text``, or None (refused).

    The content type decides, except that a feed served as HTML, XML or plain text is
    recognised by its root element, and a PDF by its first bytes; a body that starts
    like another binary document format is never read as text.
    """
    ct = got.content_type
    if got.body.startswith(b"%PDF-") or ct == "application/pdf":
        return "pdf"
    if ct == _DOCX_TYPE:
        return "docx"
    if any(got.body.startswith(magic) for magic, _ in _DOCUMENT_MAGIC):
        return None
    if ct in FEED_TYPES:
        return "feed"  # XML that is not a feed: parse_feed says what root it found instead
    if (ct in _PAGE_TYPES or ct == "text/plain") and feed_root(got.body) is not None:
        return "feed"
    if ct in _PAGE_TYPES:
        return "html"
    if ct in ("text/plain", "text/markdown"):
        return "text"
    return None


def _html_input(got: Fetched) -> str | bytes:
    """The page as text when the server named its charset, else bytes (trafilatura guesses)."""
    if got.charset:
        try:
            return got.body.decode(got.charset, errors="replace")
        except LookupError:  # an unknown charset name
            pass
    return got.body


def _decode_declared(got: Fetched) -> str | None:
    """A text body in the charset the server declared (undecodable bytes replaced)."""
    try:
        text = got.body.decode(got.charset or "utf-8", errors="replace")
    except LookupError:
        text = got.body.decode("utf-8", errors="replace")
    text = normalise_text(text)
    return text if text.strip() else None


def _checked_url(url: str, options: FetchOptions) -> str:
    """``url`` stripped; InputError under ``--offline`` (checked before anything is read)."""
    if options.offline:
        raise InputError(_one_line(f"{url}: a URL, and --offline refuses network input; save the page and "
                                   "give the file, or drop --offline"))
    return url.strip()


def _output_set_marker(folder: Path) -> str | None:
    """The marker files (joined by ``+``) when ``folder`` holds a kg output set, else None."""
    for marker in OUTPUT_SET_MARKERS:
        if all(os.path.isfile(folder / name) for name in marker):
            return " + ".join(marker)
    return None


def _existing_path(path: PathLike) -> Path:
    """``path`` as a Path; InputError when nothing is there (a broken symlink is there)."""
    if not os.fspath(path):
        raise InputError("(empty path): no such file or directory")
    try:
        os.lstat(path)
    except FileNotFoundError:
        if _OTHER_URL.match(os.fspath(path)):
            raise InputError(_one_line(f"{os.fspath(path)}: only http:// and https:// URLs are read; download it "
                                       "and give the file")) from None
        raise InputError(_one_line(f"{os.fspath(path)}: no such file or directory")) from None
    except OSError:
        pass  # there, but cannot be looked at: warned about when read
    return Path(path)


def _folder_keys(paths: PathLike | Iterable[PathLike]) -> frozenset[tuple[int, int]]:
    """(device, inode) of each existing folder in ``paths`` (missing ones are ignored)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    keys = set()
    for p in paths:
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            continue
        if stat.S_ISDIR(st.st_mode):
            keys.add((st.st_dev, st.st_ino))
    return frozenset(keys)


def _is_dir(entry: os.DirEntry) -> bool:
    """True for a folder or a symlink to one; False when that cannot be told."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _os_reason(exc: OSError) -> str:
    """The short reason of an OS error, without the file name."""
    return exc.strerror or exc.__class__.__name__


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """Decode file bytes: (text, encoding if not UTF-8), or (None, None) for binary data.

    UTF-8 first (a BOM is dropped); then a UTF-16/32 byte order mark; then
    charset-normalizer, preferring cp1252 when it is about as plausible as
    the best guess.

    >>> _decode("café".encode("utf-8-sig"))
    ('café', None)
    >>> _decode("Le café — “cher”, São Paulo, Genève et Zürich.".encode("cp1252"))
    ('Le café — “cher”, São Paulo, Genève et Zürich.', 'cp1252')
    >>> _decode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR")
    (None, None)
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        wide = _utf16_without_bom(data)
        if wide is not None:
            return wide
        return None, None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None, None
    best = matches[0]
    for match in matches:
        if (_PREFERRED_LEGACY in match.could_be_from_charset
                and match.chaos <= best.chaos + _LEGACY_CHAOS_MARGIN):
            try:
                return data.decode(_PREFERRED_LEGACY), _PREFERRED_LEGACY
            except UnicodeDecodeError:
                break
    return str(best), best.encoding


_UTF16_NUL_SHARE = 0.9
_UTF16_MAX_CONTROLS = 0.01


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte order mark, told by its NULs, or None.

    Text in the Latin script written as UTF-16 has a zero byte in every other place: the
    high byte of each character (the odd places for little-endian, the even ones for
    big-endian). When nearly all bytes of one parity are zero and almost none of the other,
    and the decoded text has (almost) no control characters, it is text; a binary file
    with many NULs does not look like that.

    >>> _utf16_without_bom("Peru produces copper.".encode("utf-16-le"))
    ('Peru produces copper.', 'utf_16_le (no byte order mark)')
    >>> _utf16_without_bom("Perú produce cobre.".encode("utf-16-be"))
    ('Perú produce cobre.', 'utf_16_be (no byte order mark)')
    >>> _utf16_without_bom(bytes(range(256)) * 4) is None
    True
    """
    sample = data[:_BINARY_SNIFF_BYTES - _BINARY_SNIFF_BYTES % 2]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    even_nuls = sample[0::2].count(0) / pairs
    odd_nuls = sample[1::2].count(0) / pairs
    if odd_nuls >= _UTF16_NUL_SHARE and even_nuls <= 1 - _UTF16_NUL_SHARE:
        encoding = "utf_16_le"
    elif even_nuls >= _UTF16_NUL_SHARE and odd_nuls <= 1 - _UTF16_NUL_SHARE:
        encoding = "utf_16_be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text if c < " " and c not in "\n\r\t\f")
    if controls > _UTF16_MAX_CONTROLS * len(text):
        return None
    return text, f"{encoding} (no byte order mark)"


def read_documents(
    paths: PathLike | Iterable[PathLike],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_warning: WarningCallback | None = None,
    exclude: PathLike | Iterable[PathLike] = (),
    fetch: FetchOptions | None = None,
) -> IngestResult:
    """Read every article in the given files and folders.

    Parameters
    ----------
    paths : path or iterable of paths
        Files (any extension: unknown ones are read as plain text, with a
        warning), folders (walked recursively in name order; only ``.txt``,
        ``.md``, ``.html``, ``.htm``, ``.jsonl``, ``.pdf``, ``.docx``,
        ``.rss``, ``.atom`` and feed ``.xml`` files are read; a subfolder
        that holds a kg output set, ``kg-manifest.json`` or ``graph.ttl``
        with ``report.md``, is passed over with an ``"info"`` note) and
        ``http(s)://`` URLs (fetched with the limits of ``fetch``).
    max_bytes : int
        Larger files are skipped with a warning.
    on_warning : callable, optional
        Called with each :class:`IngestWarning` as it happens.
    exclude : path or iterable of paths
        Folders that are not inputs (``kg build`` passes its output folder,
        so that ``kg build notes -o notes/out`` never reads its own
        ``report.md``): a folder met while walking an input folder is
        skipped, silently, when it is one of these (the same folder on disk,
        however it is spelt). When an input folder *is* one of these, its
        articles are read except the files kg writes (``report.md``,
        ``graph.html``). Missing folders are ignored.
    fetch : FetchOptions, optional
        Timeout, size limit and redirects for URLs, ``offline`` (refuse them)
        and ``follow_links`` (read the page each feed item links to).

    Returns
    -------
    IngestResult
        Documents in input order (names relative to the folder given, or the
        file name for a file given directly), warnings, and the count of
        skipped files and lines.

    Raises
    ------
    InputError
        When a path does not exist, or a URL is given with ``fetch.offline``
        (checked before anything is read).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "b.txt").write_text("Chile produces copper.")
    ...     _ = (Path(tmp) / "a.md").write_text("---\\ntitle: Peru\\n---\\nPeru produces zinc.")
    ...     _ = (Path(tmp) / "notes.csv").write_text("ignored")
    ...     result = read_documents([tmp])
    >>> [(d.name, d.title, d.text) for d in result.documents]
    [('a.md', 'Peru', 'Peru produces zinc.'), ('b.txt', None, 'Chile produces copper.')]
    >>> read_documents("no/such/file.txt")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: no/such/file.txt: no such file or directory
    """
    reader = _Reader(max_bytes, on_warning, exclude, fetch)
    reader.result.documents.extend(reader.read_paths(paths))
    return reader.result


def iter_documents(
    paths: PathLike | Iterable[PathLike],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_warning: WarningCallback | None = None,
    exclude: PathLike | Iterable[PathLike] = (),
    fetch: FetchOptions | None = None,
) -> Iterator[Document]:
    """Like :func:`read_documents`, but yield documents one at a time.

    Warnings reach only ``on_warning``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.txt").write_text("Peru produces zinc.")
    ...     _ = (Path(tmp) / "b.txt").write_text("")
    ...     names = [d.name for d in iter_documents(tmp, on_warning=lambda w: print(w.reason))]
    empty, skipped
    >>> names
    ['a.txt']
    """
    yield from _Reader(max_bytes, on_warning, exclude, fetch).read_paths(paths)


class DocumentStream:
    """The documents of some inputs, read lazily, one file at a time, as they are asked for.

    Files and folders first, then ``texts`` (strings, as :func:`documents_from_strings` reads them;
    a text already read from a file is a duplicate). What :func:`read_documents` reads, with the
    same warnings (passed to ``on_warning`` as they happen), duplicate detection and skip counts,
    but no document is held here: only the ids and names of the texts met (to tell a duplicate)
    and the counts. Iterate it once.

    Attributes
    ----------
    skipped : int
        Files and lines not read so far (problems and duplicates).
    bytes_read : int
        The sizes of the files opened so far (see :func:`input_size`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.txt").write_text("Peru produces zinc.")
    ...     _ = (Path(tmp) / "b.txt").write_text("Peru produces zinc.")
    ...     stream = DocumentStream(tmp)
    ...     first = next(iter(stream))
    ...     before = stream.bytes_read
    ...     rest = list(stream)
    >>> first.name, before, [d.name for d in rest], stream.skipped, stream.bytes_read
    ('a.txt', 19, [], 1, 38)
    """

    def __init__(self, paths: PathLike | Iterable[PathLike], *, texts: Iterable[object] = (),
                 max_bytes: int = DEFAULT_MAX_BYTES, on_warning: WarningCallback | None = None,
                 exclude: PathLike | Iterable[PathLike] = (), fetch: FetchOptions | None = None) -> None:
        self._reader = _Reader(max_bytes, on_warning, exclude, fetch)
        self._documents = self._read(paths, texts)

    def _read(self, paths: PathLike | Iterable[PathLike], texts: Iterable[object]) -> Iterator[Document]:
        yield from self._reader.read_paths(paths)
        yield from self._reader.read_strings(texts)

    def __iter__(self) -> Iterator[Document]:
        return self._documents

    def __next__(self) -> Document:
        return next(self._documents)

    @property
    def skipped(self) -> int:
        return self._reader.result.skipped

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read


def input_size(paths: PathLike | Iterable[PathLike], *,
               exclude: PathLike | Iterable[PathLike] = ()) -> tuple[int, int] | None:
    """How many files reading ``paths`` would open and their summed sizes, without reading them.

    Folders are walked as :func:`read_documents` walks them (the same files are counted); a file
    that cannot be looked at counts 0 bytes. ``None`` when an input is a URL (its size is not known).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.txt").write_text("Peru produces zinc.")
    ...     _ = (Path(tmp) / "notes.csv").write_text("not an article")
    ...     input_size([tmp]), input_size([tmp, "https://example.org/"])
    ((1, 19), None)
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    if any(is_url(p) for p in paths):
        return None
    walker = _Reader(DEFAULT_MAX_BYTES, None, exclude)  # its warnings are said when the files are read
    count = total = 0
    for p in map(Path, paths):
        try:
            files = [path for path, _, _ in walker._walk(p)] if p.is_dir() else [p]
        except OSError:
            continue
        count += len(files)
        for path in files:
            try:
                total += path.stat().st_size
            except OSError:
                pass
    return count, total


def documents_from_jsonl(
    path: PathLike,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_warning: WarningCallback | None = None,
) -> IngestResult:
    """Read a JSON Lines file: one article per line.

    Each line is an object with ``text`` and optional ``id``, ``title``,
    ``url`` or ``source``, ``date``, ``publisher``, ``license``. A malformed
    line is skipped with a warning that names its line number. Documents are
    named ``f"{name}#{id or line number}"``; ``name`` defaults to the file name.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "news.jsonl"
    ...     _ = p.write_text('{"id": 7, "text": "Peru produces zinc.", "url": "https://x"}\\nnot json\\n{"text": "Chile."}\\n')
    ...     result = documents_from_jsonl(p)
    >>> [(d.name, d.source) for d in result.documents]
    [('news.jsonl#7', 'https://x'), ('news.jsonl#3', None)]
    >>> [(w.line, w.reason) for w in result.warnings]
    [(2, 'invalid JSON (Expecting value at column 1), skipped')]
    """
    path = _existing_path(path)
    reader = _Reader(max_bytes, on_warning)
    text = reader.read_text(path)
    if text is not None:
        reader.result.documents.extend(reader.jsonl_documents(text, path, name or path.name))
    return reader.result


def documents_from_strings(texts: Iterable[str], *, on_warning: WarningCallback | None = None) -> list[Document]:
    """Make documents from strings (for the Python API), named ``text-1``, ``text-2``...

    Texts are normalised like files. Empty ones and repeats are skipped;
    ``on_warning`` hears about them.

    >>> docs = documents_from_strings(["Peru produces copper.\\r\\n", "", "Peru produces copper.\\n"],
    ...                               on_warning=print)
    text-2: empty, skipped
    text-3: duplicate of text-1, skipped
    >>> [(d.name, d.text) for d in docs]
    [('text-1', 'Peru produces copper.\\n')]
    """
    reader = _Reader(DEFAULT_MAX_BYTES, on_warning)
    reader.result.documents.extend(reader.read_strings(texts))
    return reader.result.documents
