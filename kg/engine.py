"""Run extraction on a Dask cluster: batches of documents map to shards, the driver merges them.

Extraction of a batch of documents is a pure function of the batch
(:func:`kg.extract.run.extract_shard`): entity keys are minted from normalised names,
per document, so a batch read on any machine gives the same plain data (evidence per
fact and sentence, and the names and classes each entity key was read as). The one
step that needs every document at once — choosing each entity's canonical label,
class and aliases from the counts of all documents, pooling the evidence of equal
facts across documents and settling classes against the facts
(:func:`kg.extract.run.merge_shards`) — runs on the driver, on the shards' outputs.
So a distributed build gives exactly the graph of a local build, whatever the batches.

On each worker the spaCy model is loaded once (:func:`worker_pipeline`: a per-process
cache guarded by a lock, so the worker's threads share one load) and reused for every
batch the worker reads.

Examples
--------
>>> from kg.model import Document
>>> docs = [Document.from_text(t) for t in ("a" * 10, "b" * 10, "c" * 30, "d")]
>>> [[d.text[0] for d in b] for b in make_batches(docs, parts=2, max_chars=25)]
[['a', 'b'], ['c'], ['d']]
"""
from __future__ import annotations

import collections
import itertools
import logging
import math
import os
import threading
from typing import Any, Callable, Iterable, Iterator, Sequence

from .errors import KGError
from .extract.run import extract_shard, merge_shards
from .model import Document, Entity, Fact, Shard
from .progress import BuildProgress

__all__ = ["ENGINES", "EngineError", "check_engine", "make_batches", "iter_batches", "batch_chars_for", "peek", "prepend",
           "worker_pipeline", "extract_batch",
           "extract_distributed", "extract_parallel", "auto_workers"]

#: Extraction engines of :func:`kg.api.build`.
ENGINES = ("local", "dask")
#: Characters of article text in one batch at the most (a batch holds at least one document).
BATCH_CHARS = 200_000
#: Batches per worker at the least, so that a slow batch does not leave the other workers idle.
BATCHES_PER_WORKER = 4

_LOAD_LOCK = threading.Lock()
_PIPELINES: dict[str | None, Any] = {}
_LOADS: list[int] = [0]


class EngineError(KGError):
    """The distributed engine cannot run: Dask is not installed, the scheduler cannot be reached,
    or a worker failed."""

    exit_code = 2


def check_engine(engine: str, scheduler: str | None = None) -> None:
    """Fail early on an unknown engine, a scheduler without ``dask``, or Dask not installed.

    Raises
    ------
    EngineError

    Examples
    --------
    >>> check_engine("local")
    >>> check_engine("spark")
    Traceback (most recent call last):
    kg.engine.EngineError: unknown engine 'spark'; choose one of local, dask
    >>> check_engine("local", "tcp://10.0.0.5:8786")
    Traceback (most recent call last):
    kg.engine.EngineError: --scheduler goes with --engine dask; add --engine dask or drop --scheduler
    """
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if scheduler is not None and engine != "dask":
        raise EngineError("--scheduler goes with --engine dask; add --engine dask or drop --scheduler")
    if engine == "dask":
        _import_distributed()


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise EngineError("--engine dask needs Dask distributed, which is not installed; install it with "
                          "`pip install 'kg[dask]'` (or `pip install dask distributed`)") from None
    return distributed


def make_batches(documents: Sequence[Document], parts: int = 1, max_chars: int = BATCH_CHARS) -> list[list[Document]]:
    """Split documents, in order, into batches of about ``len(documents) / parts`` documents and at most
    ``max_chars`` characters (a longer document is a batch of its own).

    >>> docs = [Document.from_text(str(i)) for i in range(5)]
    >>> [len(b) for b in make_batches(docs, parts=2)]
    [3, 2]
    >>> make_batches([])
    []
    """
    per_batch = max(1, math.ceil(len(documents) / max(1, parts)))
    return list(iter_batches(documents, per_batch, max_chars))


def iter_batches(documents: Iterable[Document], max_documents: int | None = None,
                 max_chars: int = BATCH_CHARS) -> Iterator[list[Document]]:
    """Batches of at most ``max_documents`` documents and ``max_chars`` characters (a longer document
    is a batch of its own), in order, taken from ``documents`` as they come: each batch is made when
    it is asked for, so a stream of documents is read one batch ahead at the most.

    >>> docs = (Document.from_text(t) for t in ("a" * 10, "b" * 10, "c" * 30, "d"))
    >>> batches = iter_batches(docs, max_chars=25)
    >>> [d.text[0] for d in next(batches)]
    ['a', 'b']
    >>> [[d.text[0] for d in b] for b in batches]
    [['c'], ['d']]
    """
    batch: list[Document] = []
    size = 0
    for doc in documents:
        if batch and ((max_documents is not None and len(batch) >= max_documents) or size + len(doc.text) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(doc)
        size += len(doc.text)
    if batch:
        yield batch


def batch_chars_for(expected_chars: int | None, parts: int, limit: int = BATCH_CHARS) -> int:
    """Characters per batch so that an input of about ``expected_chars`` characters makes at least
    ``parts`` batches (at most ``limit``; ``limit`` when the size is not known).

    >>> batch_chars_for(1_000, 4), batch_chars_for(10**9, 4), batch_chars_for(None, 4)
    (250, 200000, 200000)
    """
    if not expected_chars:
        return limit
    return max(1, min(limit, math.ceil(expected_chars / max(1, parts))))


def worker_pipeline(model: str | None = None):
    """The spaCy pipeline of this process, loaded on first use and then reused (one load per worker).

    >>> worker_pipeline() is worker_pipeline()
    True
    """
    with _LOAD_LOCK:
        if model not in _PIPELINES:
            from .pipeline import load_pipeline

            _PIPELINES[model] = load_pipeline(model)
            _LOADS[0] += 1
        return _PIPELINES[model]


def extract_batch(documents: list[Document], model: str | None = None, extractor: str = "rules",
                  models: str | None = None, explain: bool = False) -> tuple[Shard, dict[str, int]]:
    """The task that runs on a worker: one batch of documents to one :class:`~kg.extract.run.Shard`.

    Returns the shard and where it was made (``{"pid": ..., "loads": ...}``: the process and how
    many times it has loaded a model so far).
    """
    nlp = worker_pipeline(model)
    shard = extract_shard(documents, nlp=nlp, explain=explain, on_warning=_keep_in_shard,
                          extractor=extractor, models=models)
    return shard, {"pid": os.getpid(), "loads": _LOADS[0]}


def _keep_in_shard(message: str) -> None:
    """Sentence warnings stay in the shard; the driver reports them in document order."""


def _connect(scheduler: str | None, n_workers: int | None, timeout: float, documents: int = 1):
    """A Dask client: to the scheduler at ``scheduler``, else to a new LocalCluster (closed with it) of
    ``n_workers`` processes (default: one per core, no more than there are documents)."""
    distributed = _import_distributed()
    if scheduler is None:
        workers = n_workers or max(1, min(os.cpu_count() or 1, documents))
        try:
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                               processes=True, dashboard_address=None,
                                               silence_logs=logging.ERROR)
        except Exception as exc:  # noqa: BLE001 - any failure to start is the user's environment
            raise EngineError(f"cannot start a local Dask cluster ({type(exc).__name__}: {exc}); "
                              "pass --scheduler ADDRESS of a running one") from None
        return distributed.Client(cluster), cluster
    try:
        return distributed.Client(scheduler, timeout=timeout), None
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a bad address...
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise EngineError(f"cannot reach the Dask scheduler at {scheduler} ({reason[:160]}); check the address "
                          "(tcp://HOST:8786) and that `dask scheduler` is running there") from None


def extract_distributed(documents: Iterable[Document], *, scheduler: str | None = None, model: str | None = None,
                        extractor: str = "rules", models: str | None = None, explain: list | None = None,
                        on_warning: Callable[[str], None] | None = None, progress: bool | BuildProgress = False,
                        n_workers: int | None = None, batch_chars: int = BATCH_CHARS, timeout: float = 10.0,
                        where: list[dict[str, int]] | None = None,
                        expected_chars: int | None = None) -> tuple[dict[str, Entity], list[Fact]]:
    """Extract entities and facts on a Dask cluster; the same result as :func:`kg.extract.extract`.

    Parameters
    ----------
    documents
        The documents: a list, or a stream read as batches are sent (a few batches per worker are
        in flight at a time; a batch's texts are dropped here once it is sent).
    scheduler
        Address of a running Dask scheduler (``tcp://HOST:8786``); ``None`` starts a LocalCluster of
        ``n_workers`` processes (default: one per core) for this call.
    model, extractor, models
        As for :func:`kg.extract.extract`. Every worker needs kg and the model installed, and
        ``models`` (a folder) readable at the same path.
    explain
        Receives the :class:`~kg.model.SentenceTrace` records, in document order.
    on_warning
        Called on the driver with each sentence that could not be read, in document order.
    progress
        Show a progress bar on stderr (or a :class:`kg.progress.BuildProgress` to count into).
    batch_chars
        Characters of text per batch at the most.
    timeout
        Seconds to wait for the scheduler to answer.
    where
        When given, receives per batch the worker process id and its model-load count.
    expected_chars
        About how many characters a stream holds (to make several batches per worker of a small one).

    Raises
    ------
    EngineError
        Dask is not installed, the scheduler cannot be reached, or a worker failed.
    """
    documents, count = peek(documents, os.cpu_count() or 1)
    client, cluster = _connect(scheduler, n_workers, timeout, count)
    previous = logging.getLogger("distributed").level
    logging.getLogger("distributed").setLevel(logging.ERROR)  # no shutdown chatter on the user's terminal
    bar, own = BuildProgress.of(progress, documents)
    try:
        from distributed import as_completed

        workers = max(1, len(client.scheduler_info().get("workers", {})))
        batches = enumerate(_batches_of(documents, workers * BATCHES_PER_WORKER, batch_chars, expected_chars))
        running = as_completed()
        about: dict[str, tuple[int, int, int]] = {}  # future key -> (batch number, documents, words)

        def send() -> bool:
            for i, batch in batches:
                future = client.submit(extract_batch, batch, model=model, extractor=extractor, models=models,
                                       explain=explain is not None, pure=False)
                about[future.key] = (i, len(batch), _words(batch) if bar is not None else 0)
                running.add(future)
                return True
            return False

        for _ in range(workers * IN_FLIGHT_PER_WORKER):
            if not send():
                break
        done: dict[int, Shard] = {}
        for future in running:
            try:
                shard, origin = future.result()
            except KGError:
                raise
            except Exception as exc:  # noqa: BLE001 - a worker's failure, reported in one line
                raise EngineError(f"a Dask worker failed on a batch ({type(exc).__name__}: "
                                  f"{' '.join(str(exc).split())[:160]}); kg and its spaCy model must be "
                                  "installed on every worker") from None
            i, n_docs, words = about.pop(future.key)
            done[i] = shard
            if bar is not None:
                bar.done(n_docs, words)
            if where is not None:
                where.append(origin)
            send()
    finally:
        if own:
            bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
        logging.getLogger("distributed").setLevel(previous)
    return _merge_in_order([done[i] for i in range(len(done))], explain, on_warning)


#: Batches in flight per worker (sent and not yet merged): enough to keep every worker busy while
#: the driver reads the next documents, few enough that the corpus is never held.
IN_FLIGHT_PER_WORKER = 2


def peek(documents: Iterable[Document], n: int) -> tuple[Iterable[Document], int]:
    """``documents`` (unchanged if a list; else the same stream, its first ``n`` read) and how many
    there are, counting no further than ``n``."""
    if isinstance(documents, Sequence):
        return documents, min(n, len(documents))
    documents = iter(documents)
    head = list(itertools.islice(documents, n))
    return prepend(head, documents), len(head)


def prepend(head: list, rest: Iterable) -> Iterator:
    """The items of ``head``, then those of ``rest``; unlike :func:`itertools.chain`, an item of
    ``head`` is let go once handed on (``head`` is emptied).

    >>> head = [1, 2]
    >>> items = prepend(head, iter([3]))
    >>> next(items), head
    (1, [2])
    >>> list(items), head
    ([2, 3], [])
    """
    head.reverse()
    while head:
        yield head.pop()
    yield from rest


def _batches_of(documents: Iterable[Document], parts: int, batch_chars: int,
                expected_chars: int | None) -> Iterator[list[Document]]:
    """A list in about ``parts`` batches (:func:`make_batches`); a stream in batches of a size made
    from its expected size (:func:`batch_chars_for`), read as they are asked for."""
    if isinstance(documents, Sequence):
        return iter(make_batches(documents, parts=parts, max_chars=batch_chars))
    return iter_batches(documents, None, batch_chars_for(expected_chars, parts, batch_chars))


def _words(batch: list[Document]) -> int:
    return sum(len(d.text.split()) for d in batch)


def _merge_in_order(shards: list[Shard], explain: list | None,
                    on_warning: Callable[[str], None] | None) -> tuple[dict[str, Entity], list[Fact]]:
    """Traces and warnings of the shards in document order, then the driver's merge."""
    for shard in shards:
        if explain is not None:
            explain.extend(shard.traces)
        for message in shard.warnings:
            if on_warning is not None:
                on_warning(message)
    return merge_shards(shards)


def _extract_task(task: tuple) -> Shard:
    """One batch in a worker process of :func:`extract_parallel`."""
    return extract_batch(*task)[0]


def _worker_signals() -> None:
    """In a worker process: Ctrl-C is the parent's to handle (it stops the workers), and SIGTERM
    ends the worker (a forked worker would otherwise inherit kg's handler and carry on)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _pool_context():
    import multiprocessing as mp

    # fork where there is one: the workers start at once, sharing a model the parent has loaded
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


#: ``workers="auto"`` starts processes only for at least this many characters of text: below,
#: starting them (each loads the model) costs more than it saves.
AUTO_MIN_CHARS = 400_000


def auto_workers(documents: Sequence[Document] | int) -> int:
    """Local worker processes for ``workers="auto"``: one per core for a large input, else 1.

    ``documents``: the documents, or (for a stream) about how many characters of text it holds.

    >>> from kg.model import Document
    >>> auto_workers([Document.from_text("Peru produces copper.")])
    1
    >>> auto_workers(1_000)
    1
    """
    if isinstance(documents, int):
        if documents < AUTO_MIN_CHARS:
            return 1
        count = documents
    else:
        if len(documents) < 2 or sum(len(d.text) for d in documents) < AUTO_MIN_CHARS:
            return 1
        count = len(documents)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, count))


def extract_parallel(documents: Iterable[Document], workers: int, *, nlp=None, model: str | None = None,
                     extractor: str = "rules", models: str | None = None, explain: list | None = None,
                     on_warning: Callable[[str], None] | None = None, progress: bool | BuildProgress = False,
                     batch_chars: int = BATCH_CHARS,
                     expected_chars: int | None = None) -> tuple[dict[str, Entity], list[Fact]]:
    """Extract with ``workers`` local processes; the same result as :func:`kg.extract.extract`.

    The documents go to a process pool in batches (:func:`make_batches` for a list, several per
    worker so that one long batch does not leave the others idle; a stream is read batch by batch
    as the workers take them, with :data:`IN_FLIGHT_PER_WORKER` batches per worker sent at a time,
    so it is never held whole); each process loads the model once (:func:`worker_pipeline`;
    forked workers share a pipeline this process has loaded, or ``nlp``) and returns a shard; the
    shards are merged here in document order. ``expected_chars``: about how many characters a
    stream holds (see :func:`batch_chars_for`).

    Examples
    --------
    >>> from kg.model import Document
    >>> docs = [Document.from_text("Peru produces copper."), Document.from_text("Chile produces lithium.")]
    >>> ents, facts = extract_parallel(docs, 2)
    >>> sorted((f.subject, f.predicate, f.object) for f in facts)
    [('chile', 'produces', 'lithium'), ('peru', 'produces', 'copper')]
    """
    context = _pool_context()
    if nlp is not None:
        if context.get_start_method() != "fork" and model is None:
            raise EngineError("worker processes load the spaCy model by its name: pass model=NAME instead of "
                              "a loaded pipeline, or workers=1")
        if context.get_start_method() == "fork":
            with _LOAD_LOCK:
                _PIPELINES[model] = nlp  # the forked workers inherit it: no second load
    bar, own = BuildProgress.of(progress, documents)
    batches = _batches_of(documents, max(1, workers) * BATCHES_PER_WORKER, batch_chars, expected_chars)
    head = list(itertools.islice(batches, max(1, workers)))  # no more processes than batches
    workers = max(1, min(workers, len(head)))
    batches = prepend(head, batches)
    pool = context.Pool(processes=workers, initializer=_worker_signals)
    running: collections.deque = collections.deque()
    shards: list[Shard] = []

    def collect() -> None:
        result, n_docs, words = running.popleft()
        shards.append(result.get())  # in order; a worker's exception is raised here
        if bar is not None:
            bar.done(n_docs, words)

    try:
        for batch in batches:
            task = (batch, model, extractor, models, explain is not None)
            running.append((pool.apply_async(_extract_task, (task,)), len(batch),
                            _words(batch) if bar is not None else 0))
            del batch, task  # the pool holds the batch until a worker has it
            while len(running) >= workers * IN_FLIGHT_PER_WORKER:
                collect()
        while running:
            collect()
        pool.close()
    except BaseException:  # Ctrl-C, SIGTERM, a failed batch: the workers stop now, not after their batch
        pool.terminate()
        raise
    finally:
        pool.join()
        if own:
            bar.close()
    return _merge_in_order(shards, explain, on_warning)
