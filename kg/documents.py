"""The text of PDF files (pypdf) and Word ``.docx`` files (python-docx).

Both are read from bytes already in memory (the reader has checked their size). A file that
cannot be read (encrypted, corrupt, a scanned PDF without a text layer) raises
:class:`DocumentFormatError` with the reason; the reader turns it into a warning that names
the file. The title is the document's own (PDF ``/Title``, Word core property) when it has
one, else the first line of its text.

Examples
--------
>>> text_of_pdf(b"%PDF-1.4 not really")
Traceback (most recent call last):
...
kg.documents.DocumentFormatError: cannot read the PDF (corrupt or truncated: ...)
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass

from .errors import InputError

__all__ = ["MAX_UNZIPPED_RATIO", "DocumentFormatError", "DocumentText", "text_of_docx", "text_of_pdf"]

#: a .docx whose parts unzip to more than this many times its size is refused (a zip bomb)
MAX_UNZIPPED_RATIO = 100
_MIN_UNZIPPED_LIMIT = 50_000_000
_FIRST_LINE_CHARS = 200
_LINE_BREAKS = re.compile(r"[ \t]*\n[ \t]*")


class DocumentFormatError(InputError):
    """A PDF or Word file that cannot be read; the message is the reason, without the file name."""


@dataclass(frozen=True)
class DocumentText:
    """The text of a document and its title (its metadata's, else its first line).

    Creation dates are left out: a file's is often its template's, not the article's.
    """

    text: str
    title: str | None = None


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line[:_FIRST_LINE_CHARS]
    return None


def _quiet_pypdf() -> None:
    """pypdf logs every oddity of a file it can read anyway; keep that off the user's terminal.

    A handler on pypdf's logger stops Python's last-resort handler from printing; an
    application that configures logging still receives the records.
    """
    logger = logging.getLogger("pypdf")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def text_of_pdf(data: bytes) -> DocumentText:
    """The text of a PDF, page after page (pages separated by a blank line).

    An encrypted PDF is read when it opens with an empty password (many do: the encryption
    only restricts printing or copying); otherwise it is refused.

    Raises
    ------
    DocumentFormatError
        Encrypted with a password, corrupt, or without any text (a scan).
    """
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    _quiet_pypdf()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise DocumentFormatError(f"an encrypted PDF kg cannot open ({exc}); save it without "
                                          "encryption first") from None
            if not opened:
                raise DocumentFormatError("an encrypted PDF (it needs a password); save it without a password "
                                          "or as text first")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title = info.title if info is not None else None
    except DocumentFormatError:
        raise
    except FileNotDecryptedError:
        raise DocumentFormatError("an encrypted PDF (it needs a password); save it without a password "
                                  "or as text first") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, AssertionError, zipfile.BadZipFile) as exc:
        # pypdf meets hostile and broken files with many kinds of exception: all mean the same here
        reason = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise DocumentFormatError(f"cannot read the PDF (corrupt or truncated: {reason})") from None
    text = "\n\n".join(_LINE_BREAKS.sub("\n", p).strip() for p in pages if p.strip())
    if not text.strip():
        raise DocumentFormatError("the PDF has no text layer (a scan?); run OCR on it or save it as text first")
    title = (title or "").strip() or _first_line(text)
    return DocumentText(text=text, title=title)


def _check_unzipped_size(data: bytes) -> None:
    """Refuse a zip whose parts would unzip to far more than the file (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentFormatError(f"cannot read the Word document (not a valid .docx zip: {exc})") from None
    limit = max(_MIN_UNZIPPED_LIMIT, MAX_UNZIPPED_RATIO * len(data))
    if total > limit:
        raise DocumentFormatError(f"the Word document unzips to {total} bytes (over {limit}): refused")


def text_of_docx(data: bytes) -> DocumentText:
    """The text of a ``.docx``: its paragraphs and table cells, each a paragraph.

    Raises
    ------
    DocumentFormatError
        Not a valid .docx (an old ``.doc``, an encrypted file, a corrupt zip), or no text.
    """
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentFormatError("an old-format or encrypted Word file (OLE, not .docx); save it as .docx "
                                  "without a password, or as text")
    _check_unzipped_size(data)
    import docx
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.extend(cell.text for cell in row.cells)
        props = document.core_properties
        title = props.title
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, OSError,
            SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        reason = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise DocumentFormatError(f"cannot read the Word document (corrupt: {reason})") from None
    text = "\n\n".join(p.strip() for p in paragraphs if p and p.strip())
    if not text:
        raise DocumentFormatError("the Word document has no text")
    title = (title or "").strip() or _first_line(text)
    return DocumentText(text=text, title=title)
