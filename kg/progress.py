"""The progress bar of a streamed build: documents, words/s and the time left.

A build reads its inputs one at a time while it extracts (:func:`kg.api.build`), so the number
of words to come is not known when the bar starts. It is estimated cheaply: the sizes of the
input files are summed without reading them (:func:`kg.ingest.input_size`), and as documents
are read the words per byte seen so far turn the bytes into words. Texts given as strings count
exactly. Without an estimate (URLs), the bar shows the words and documents done and the rate,
and no total.

Examples
--------
>>> p = BuildProgress(total_bytes=1_000, show=False)
>>> p.read(words=50, bytes_read=250)
>>> p.estimated_words()
200
>>> p.parsed("doc-1", 30)
>>> p.parsed("doc-1", 20)
>>> p.done(documents=3, words=100)
>>> (p.documents, p.words)
(4, 150)
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Document

__all__ = ["BuildProgress"]


class BuildProgress:
    """Counts what was read and parsed, and draws it on stderr (tqdm) when ``show``.

    Parameters
    ----------
    total_bytes
        The sizes of the input files, summed; ``None`` when not known (URLs).
    text_words
        Words of the texts given as strings (known exactly).
    show
        Draw the bar (``False``: count only).
    """

    def __init__(self, total_bytes: int | None = None, text_words: int = 0, *, show: bool = True):
        self.total_bytes = total_bytes
        self.text_words = text_words
        self.words_read = 0  # words of the documents read from files so far
        self.bytes_read = 0  # bytes of the input files read so far
        self.documents = 0  # documents parsed (at least in part)
        self.words = 0  # words parsed
        self.total_documents: int | None = None  # known for a list of documents
        self.documents_read = 0  # documents read from files so far
        self._last: str | None = None
        self._bar: Any = self._new_bar(self.estimated_words()) if show else None

    @staticmethod
    def _new_bar(total: int | None) -> Any:
        """The tqdm bar on stderr (``None`` without tqdm)."""
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover
            return None
        return tqdm(total=total, unit=" words", unit_scale=True, desc="reading", leave=False,
                    dynamic_ncols=True, smoothing=0.1)

    @classmethod
    def over(cls, documents: Iterable[Document], *, show: bool = True) -> BuildProgress:
        """A bar for some documents: their words are the total when they are a list (a stream's
        total is not known)."""
        if not isinstance(documents, Sequence):
            return cls(None, show=show)
        progress = cls(0, sum(len(d.text.split()) for d in documents), show=show)
        progress.total_documents = len(documents)
        return progress

    @classmethod
    def of(cls, progress: bool | BuildProgress, documents: Iterable[Document]) -> tuple[BuildProgress | None, bool]:
        """The counter that a call given ``progress`` (a flag, or a counter to count into) updates,
        and whether the call made it (and so closes it)."""
        if isinstance(progress, BuildProgress):
            return progress, False
        if not progress:
            return None, False
        return cls.over(documents), True

    def estimated_words(self) -> int | None:
        """The words the whole build will parse, as far as can be told now (``None``: unknown)."""
        if self.total_bytes is None:
            return None
        if self.total_bytes == 0:
            return self.text_words or None
        if self.bytes_read == 0:
            return None
        per_byte = self.words_read / self.bytes_read
        return self.text_words + round(per_byte * max(self.total_bytes, self.bytes_read))

    def read(self, words: int, bytes_read: int) -> None:
        """A document was read from a file: its words, and the input bytes read so far."""
        self.words_read += words
        self.documents_read += 1
        self.bytes_read = bytes_read
        if self._bar is not None:
            total = self.estimated_words()
            if total is not None:
                self._bar.total = max(total, self.words)
                self._bar.refresh()

    def parsed(self, doc_id: str, words: int) -> None:
        """``words`` more words of document ``doc_id`` were parsed."""
        if doc_id != self._last:
            self._last = doc_id
            self.documents += 1
        self.words += words
        if self._bar is not None:
            if self._bar.total is not None and self.words > self._bar.total:
                self._bar.total = self.words
            self._bar.set_postfix_str(f"{self.documents}{self._of_documents()} documents", refresh=False)
            self._bar.update(words)

    def _of_documents(self) -> str:
        """``/N`` for a known number of documents, ``/~N`` for an estimate, else nothing."""
        if self.total_documents is not None:
            return f"/{self.total_documents}"
        if self.total_bytes and self.bytes_read and not self.text_words:
            return f"/~{max(self.documents, round(self.documents_read * self.total_bytes / self.bytes_read))}"
        return ""

    def done(self, documents: int, words: int) -> None:
        """A batch of ``documents`` documents and ``words`` words was parsed (by a worker)."""
        self._last = None
        self.documents += documents - 1
        self.parsed("", words)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
