"""Features of a candidate pair for the relation classifier.

Sparse string features, read off the parse: the classes of the two mentions, their order and
distance, the words between them, the dependency path between their heads (with and without
its words), the ontology's trigger words met on the path or between (so the classifier
generalises over the trigger lists of ``ontologies/kg.ttl``), the words around the mentions, how
each mention was found, and the votes of the rule families.

Examples
--------
>>> import spacy
>>> from kg.extract.mentions import Mention
>>> from kg.extract.candidates import PairCandidate, Vote
>>> nlp = spacy.blank("en")
>>> doc = nlp("Peru mines copper")
>>> c = PairCandidate(Mention("Peru", "Country", 0, 4), Mention("copper", "Mineral", 11, 17), (0, 1), (2, 3),
...                   (Vote("produces", "verb:mine", 0.8, "asserted", True),))
>>> sorted(f for f in pair_features(doc, doc[:], c) if f.startswith(("cls:", "btw", "vote")))
['btw:mines', 'btwseq:mines', 'cls:Country>Mineral', 'vote:produces', 'vote:produces:verb', 'vote:produces:verb:mine']
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

from .candidates import PairCandidate
from .rules.base import rule_family
from .rules.lists import list_intro

if TYPE_CHECKING:
    from .rules.base import TriggerIndex

_BUCKETS = (0, 1, 2, 3, 5, 8, 12, 20, 40)


def _bucket(n: int) -> int:
    for b in reversed(_BUCKETS):
        if n >= b:
            return b
    return 0


def _head(doc: Doc, span: tuple[int, int]) -> Token:
    toks = doc[span[0]:span[1]]
    return toks.root


def _word(t: Token) -> str:
    if t.like_num:
        return "<num>"
    if t.ent_type_ and t.pos_ == "PROPN":
        return "<" + t.ent_type_ + ">"
    return t.lemma_.lower() or t.lower_


def _path(a: Token, b: Token, limit: int = 8) -> list[tuple[str, Token | None]] | None:
    """The dependency path from ``a`` up to the lowest common ancestor and down to ``b``."""
    up_a = [a] + list(a.ancestors)
    up_b = [b] + list(b.ancestors)
    index_b = {t.i: k for k, t in enumerate(up_b)}
    for k, t in enumerate(up_a):
        if t.i in index_b:
            j = index_b[t.i]
            if k + j > limit:
                return None
            steps: list[tuple[str, Token | None]] = []
            for x in up_a[:k]:
                steps.append(("^" + x.dep_, x.head if x.head.i != t.i else None))
            steps.append(("@", t))
            for x in reversed(up_b[:j]):
                steps.append(("v" + x.dep_, None))
            return steps
    return None


class TokenTable:
    """Per-token values of one parsed piece, read once (the features of many pairs reuse them)."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.word = [_word(t) for t in doc]
        self.lemma = [t.lemma_.lower() for t in doc]
        self.ent = [t.ent_type_ for t in doc]
        self.text = [t.text for t in doc]
        self._neg: dict[int, bool] = {}

    def negated(self, sent: Span) -> bool:
        if sent.start not in self._neg:
            self._neg[sent.start] = any(t.dep_ == "neg" or t.lower_ in ("not", "no", "never") for t in sent)
        return self._neg[sent.start]


def pair_features(doc: Doc, sent: Span, c: PairCandidate, triggers: "TriggerIndex | None" = None,
                  table: TokenTable | None = None, vectors: TriggerVectors | None = None) -> set[str]:
    """The sparse features of one candidate pair (a set of strings); ``table`` (of ``doc``) saves
    reading the same tokens again for every pair; ``vectors`` adds the nearest trigger words of
    the words on the path and between (:class:`TriggerVectors`)."""
    tt = table if table is not None and table.doc is doc else TokenTable(doc)
    f = {f"cls:{c.subject.cls}>{c.object.cls}", f"scls:{c.subject.cls}", f"ocls:{c.object.cls}"}
    if c.about:
        f.add(f"about:{c.about}:{c.subject.cls}>{c.object.cls}")
    if c.subject.via:
        f.add(f"svia:{c.subject.via}")
    if c.object.via:
        f.add(f"ovia:{c.object.via}")
    if c.subject.lex:
        f.add("slex")
    if c.object.lex:
        f.add("olex")
    for v in c.votes:
        family = rule_family(v.rule)
        tag = "vote" if v.kept else "rejected"
        f.add(f"{tag}:{v.prop}")
        f.add(f"{tag}:{v.prop}:{family}")
        f.add(f"{tag}:{v.prop}:{v.rule.replace(' +ref', '')}")
        if "+ref" in v.rule:
            f.add(f"{tag}:{v.prop}:ref")
    if not any(v.kept for v in c.votes):
        f.add("novote")
    s, o = c.s_tokens, c.o_tokens
    inside = s is not None and o is not None and all(sent.start <= x[0] and x[1] <= sent.end for x in (s, o))
    if not inside:
        f.add("xsent")
        f |= list_features(sent, c, triggers, tt)
        return f
    first, second = (s, o) if s[0] <= o[0] else (o, s)
    f.add("order:so" if first is s else "order:os")
    gap = max(0, second[0] - first[1])
    f.add(f"gap:{_bucket(gap)}")
    f.add(f"clsorder:{c.subject.cls}>{c.object.cls}:{'so' if first is s else 'os'}:{_bucket(gap)}")
    a, b = first[1], second[0]
    words = tt.word[a:b]
    prefix = "btw" if first is s else "btwr"
    for w in words:
        f.add(f"{prefix}:{w}")
    if gap <= 5:
        f.add(f"{prefix}seq:" + " ".join(words))
    if "," in tt.text[a:b]:
        f.add("btw:<comma>")
    for label in set(tt.ent[a:b]) - {""}:
        f.add(f"btwent:{label}")
    if first[0] > sent.start:
        f.add(f"pre:{tt.word[first[0] - 1]}")
    if second[1] < sent.end:
        f.add(f"post:{tt.word[second[1]]}")
        f.add(f"{'s' if second is s else 'o'}next:{tt.word[second[1]]}")
    if first[1] < len(doc) and first[1] < second[0]:
        f.add(f"{'s' if first is s else 'o'}next:{tt.word[first[1]]}")
    hs, ho = _head(doc, s), _head(doc, o)
    f.add(f"sdep:{hs.dep_}")
    f.add(f"odep:{ho.dep_}")
    path = _path(hs, ho)
    if path is None:
        f.add("path:none")
    else:
        f.add("path:" + " ".join(step if tok is None else f"{step}[{tt.word[tok.i]}]" for step, tok in path))
        f.add("pathd:" + " ".join(step for step, _ in path))
        for step, tok in path:
            if tok is not None:
                f.add(f"plem:{tt.word[tok.i]}")
        f.add(f"plen:{_bucket(len(path))}")
    if triggers is not None:
        lemmas = set(tt.lemma[a:b])
        if path is not None:
            lemmas |= {tt.lemma[tok.i] for _, tok in path if tok is not None}
        near = set(tt.lemma[max(sent.start, first[0] - 3):first[0]])
        near |= set(tt.lemma[second[1]:min(sent.end, second[1] + 3)])
        pair_cls = f"{c.subject.cls}>{c.object.cls}"
        for where, ws in (("trig", lemmas), ("trignear", near - lemmas)):
            for lemma in ws:
                for table_, kind in ((triggers.verbs, "v"), (triggers.nouns, "n"), (triggers.adjs, "a")):
                    for trig in table_.get(lemma, ()):
                        prop = f"{trig.prop}{'~' if trig.inverse else ''}"
                        f.add(f"{where}:{prop}:{kind}")
                        if where == "trig":
                            f.add(f"trigcls:{prop}:{pair_cls}")
    if vectors is not None:
        on_path = {tok.i for _, tok in path if tok is not None} if path is not None else set()
        f |= vector_features(doc, sorted(on_path | set(range(a, b))), vectors, f"{c.subject.cls}>{c.object.cls}")
    if tt.negated(sent):
        f.add("neg")
    return f


def list_features(sent: Span, c: PairCandidate, triggers: TriggerIndex | None, tt: TokenTable) -> set[str]:
    """Features of a pair between a list item and a name outside its line: that it is one, where
    the other name is (the introducing sentence or elsewhere: the document's subject), and the
    trigger words of the introducing sentence with the role the item would play
    (``listtrig:memberOf:n:s``: "The members were:" over the item as subject)."""
    intro = list_intro(sent)  # cached on the doc
    if intro is None:
        return set()
    in_item = [m for m in (c.subject, c.object) if sent.start_char <= m.start and m.end <= sent.end_char]
    if len(in_item) != 1:
        return set()
    role = "s" if in_item[0] is c.subject else "o"
    other = c.object if role == "s" else c.subject
    where = "intro" if intro.start_char <= other.start and other.end <= intro.end_char else "far"
    f = {"list", f"list:{role}", f"list:anchor:{where}", f"list:{c.subject.cls}>{c.object.cls}"}
    if triggers is not None:
        for i in range(intro.start, intro.end):
            for table_, kind in ((triggers.verbs, "v"), (triggers.nouns, "n"), (triggers.adjs, "a")):
                for trig in table_.get(tt.lemma[i], ()):
                    f.add(f"listtrig:{trig.prop}{'~' if trig.inverse else ''}:{kind}:{role}")
    return f


# ---------------------------------------------------------------- word vectors (optional)
#: the trigger kind a token's part of speech is compared with
_POS_KIND = {"VERB": "v", "AUX": "v", "NOUN": "n", "ADJ": "a"}


class TriggerVectors:
    """The ontology's trigger words nearest to a word, by the pipeline's word vectors.

    A word on the path or between the two mentions that is no trigger itself ("digs") gets
    the properties of the trigger word of the same kind (verb, noun, adjective) whose vector is
    nearest to its lemma's, when their cosine similarity reaches ``threshold`` ("dig" near "mine":
    ``trigsim:produces:v``). Only for pipelines with word vectors (``en_core_web_md``); the small
    pipeline has none, and :meth:`from_vocab` then returns None.

    Examples
    --------
    >>> import numpy as np, spacy
    >>> from kg.ontology import load_ontology
    >>> from kg.extract.rules.base import TriggerIndex
    >>> nlp = spacy.blank("en")
    >>> for word, vec in (("mine", [1, 0, 0]), ("dig", [0.9, 0.1, 0]), ("bake", [0, 0, 1])):
    ...     nlp.vocab.set_vector(word, np.array(vec, dtype="float32"))
    >>> tv = TriggerVectors.from_vocab(nlp.vocab, TriggerIndex.from_ontology(load_ontology()), 0.6)
    >>> tv.nearest("dig", "v"), tv.nearest("bake", "v"), tv.nearest("mine", "v")
    (('produces',), (), ())
    >>> TriggerVectors.from_vocab(spacy.blank("en").vocab, TriggerIndex.from_ontology(load_ontology()), 0.6) is None
    True
    """

    def __init__(self, vocab, triggers: TriggerIndex, threshold: float):
        import numpy as np

        self.threshold = float(threshold)
        self.vocab = vocab
        self._np = np
        self._known: dict[str, set[str]] = {}
        self._tables: dict[str, tuple[list[str], object, dict[str, tuple[str, ...]]]] = {}
        for kind, table in (("v", triggers.verbs), ("n", triggers.nouns), ("a", triggers.adjs)):
            self._known[kind] = set(table)
            words = [w for w in table if vocab.has_vector(w)]
            props = {w: tuple(sorted({f"{t.prop}{'~' if t.inverse else ''}" for t in table[w]})) for w in words}
            matrix = np.array([self._unit(vocab.get_vector(w)) for w in words]) if words else None
            self._tables[kind] = (words, matrix, props)
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}

    @classmethod
    def from_vocab(cls, vocab, triggers: TriggerIndex, threshold: float) -> TriggerVectors | None:
        """The index for a pipeline's vocabulary, or None when it has no word vectors."""
        if not vocab.vectors.shape[0]:
            return None
        return cls(vocab, triggers, threshold)

    def _unit(self, v):
        n = self._np.linalg.norm(v)
        return v / n if n else v

    def nearest(self, lemma: str, kind: str) -> tuple[str, ...]:
        """The properties (``"usedIn~"`` for an inverse trigger) of the trigger word of ``kind``
        nearest to ``lemma``, or () when the lemma is a trigger itself, has no vector, or none is
        similar enough."""
        key = (lemma, kind)
        if key not in self._cache:
            out: tuple[str, ...] = ()
            words, matrix, props = self._tables[kind]
            if matrix is not None and lemma not in self._known[kind] and lemma.isalpha() \
                    and self.vocab.has_vector(lemma):
                sims = matrix @ self._unit(self.vocab.get_vector(lemma))
                best = int(sims.argmax())
                if sims[best] >= self.threshold:
                    out = props[words[best]]
            self._cache[key] = out
        return self._cache[key]


def vector_features(doc: Doc, tokens: Iterable[int], vectors: TriggerVectors, pair_cls: str) -> set[str]:
    """``trigsim:PROP:KIND`` (and with the pair's classes, ``trigsimcls:PROP:S>O``) for the tokens
    (indices into ``doc``, the path and the words between a pair) whose nearest trigger word is
    similar enough (:class:`TriggerVectors`)."""
    out = set()
    for i in tokens:
        tok = doc[i]
        kind = _POS_KIND.get(tok.pos_)
        if kind is None:
            continue
        for prop in vectors.nearest(tok.lemma_.lower(), kind):
            out.add(f"trigsim:{prop}:{kind}")
            out.add(f"trigsimcls:{prop}:{pair_cls}")
    return out
