"""The annotated real-text corpus: reading it, finding its mentions, splitting it, agreement.

A corpus folder holds ``texts/<id>.txt`` (published passages with YAML front matter) and
``annotations/{a,b,gold}/<id>.json`` (two independent annotations and the adjudicated one, in
the format of ``corpus/ANNOTATION.md``). A split folder (``corpus/train``, ``corpus/dev``,
``corpus/test``) has the same layout plus the ``gold.jsonl`` that ``kg eval`` and the shared
scorer read.

Run as a module for the maintenance commands::

    python -m kg.corpus agreement corpus/train corpus/dev corpus/test
    python -m kg.corpus split corpus/ --into corpus/      # assign and move documents
    python -m kg.corpus gold corpus/train                 # (re)write gold.jsonl of a split
    python -m kg.corpus stats corpus/train corpus/dev corpus/test
    python -m kg.corpus check corpus/train corpus/dev corpus/test

Examples
--------
>>> ann = {"entities": {"Peru": {"class": "Country", "aliases": ["Peruvian"]},
...                     "copper": {"class": "Mineral", "aliases": []}}}
>>> [(m.start, m.end, m.cls, m.entity) for m in find_mentions("Peru mines copper; Peruvian copper.", ann)]
[(0, 4, 'Country', 'Peru'), (11, 17, 'Mineral', 'copper'), (19, 27, 'Country', 'Peru'), (28, 34, 'Mineral', 'copper')]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError
from .evaluate import PROPERTIES, SYMMETRIC, match_keys, normalise
from .model import LEGAL_FORMS, fold_words, singular

#: Annotation classes (``corpus/ANNOTATION.md``) and the ontology class each is trained as.
CLASSES: dict[str, str] = {
    "Country": "Country", "Region": "Region", "Place": "Place", "Company": "Company",
    "GovernmentBody": "GovernmentBody", "Alliance": "Alliance", "Organisation": "Organisation",
    "Person": "Person", "Mine": "Mine", "Facility": "Facility", "Project": "Facility",
    "Event": "Event", "Mineral": "Mineral", "Product": "Product",
}
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class CorpusMention:
    """A mention of an annotated entity in a passage (character offsets in the body text)."""

    start: int
    end: int
    cls: str
    entity: str


@dataclass(frozen=True)
class CorpusDoc:
    """One passage and its annotation."""

    id: str
    path: Path
    text: str  # the body, front matter removed
    meta: dict
    annotation: dict  # the adjudicated annotation (or the one asked for)

    @property
    def triples(self) -> list[tuple[str, str, str]]:
        return [tuple(t) for t in self.annotation.get("triples", [])]

    @property
    def mentions(self) -> list[CorpusMention]:
        return find_mentions(self.text, self.annotation)


def split_front_matter(raw: str) -> tuple[dict, str]:
    """The YAML front matter (as a dict) and the body of a passage file.

    >>> split_front_matter('---\\ntitle: "X"\\n---\\nBody.')
    ({'title': 'X'}, 'Body.')
    """
    import yaml

    if raw.startswith("---"):
        end = raw.find("\n---", 3)
        if end != -1:
            meta = yaml.safe_load(raw[3:end]) or {}
            body = raw[end + 4:]
            return (meta if isinstance(meta, dict) else {}), body.lstrip("\n")
    return {}, raw


def entity_names(annotation: dict) -> dict[str, list[str]]:
    """Canonical name -> aliases, whether the file gives ``{"class", "aliases"}`` or a plain list."""
    out = {}
    for name, spec in annotation.get("entities", {}).items():
        aliases = spec.get("aliases", []) if isinstance(spec, dict) else list(spec or [])
        out[name] = [a for a in aliases if isinstance(a, str)]
    return out


def entity_classes(annotation: dict) -> dict[str, str]:
    """Canonical name -> ontology class (names without a known class are left out)."""
    out = {}
    for name, spec in annotation.get("entities", {}).items():
        if isinstance(spec, dict) and spec.get("class") in CLASSES:
            out[name] = CLASSES[spec["class"]]
    return out


def find_mentions(text: str, annotation: dict) -> list[CorpusMention]:
    """Every occurrence of an annotated entity's name or alias, longest first, without overlaps.

    Names are matched as written (case-sensitive, whole words); lower-case names (minerals,
    products) also match with a capital first letter at the start of a sentence.
    """
    classes = entity_classes(annotation)
    forms: list[tuple[str, str]] = []
    for name, aliases in entity_names(annotation).items():
        if name not in classes:
            continue
        for form in {name, *aliases}:
            if len(form.strip()) >= 2:
                forms.append((form.strip(), name))
                if form[:1].islower():
                    forms.append((form[:1].upper() + form[1:], name))
    forms.sort(key=lambda f: -len(f[0]))
    taken = [False] * len(text)
    found = []
    for form, name in forms:
        for m in re.finditer(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", text):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append(CorpusMention(m.start(), m.end(), classes[name], name))
    return sorted(found, key=lambda m: m.start)


def read_annotation(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable annotation ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("triples", []), list):
        raise InputError(f"{path}: an annotation is a JSON object with 'entities' and 'triples'")
    return data


def iter_docs(folder: str | Path, annotator: str = "gold") -> Iterator[CorpusDoc]:
    """The passages of a corpus (or split) folder that have an annotation by ``annotator``."""
    folder = Path(folder)
    texts = folder / "texts"
    if not texts.is_dir():
        raise InputError(f"{folder}: not a corpus folder (no texts/ inside); pass e.g. corpus/train")
    for path in sorted(texts.glob("*.txt")):
        ann_path = folder / "annotations" / annotator / (path.stem + ".json")
        if not ann_path.is_file():
            continue
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        yield CorpusDoc(path.stem, path, body, meta, read_annotation(ann_path))


def gold_record(doc: CorpusDoc) -> dict:
    """The ``gold.jsonl`` line of a passage (``SCHEMA.md``): names, aliases and triples."""
    names = entity_names(doc.annotation)
    triples = [list(t) for t in doc.triples if len(t) == 3 and t[1] in PROPERTIES
               and t[0] in names and t[2] in names]
    return {"doc": doc.path.name, "entities": names, "triples": triples}


#: British and American spellings of one word: names that differ only in them are one name.
SPELLINGS: dict[str, str] = {
    "aluminium": "aluminum", "caesium": "cesium", "sulphur": "sulfur", "sulphate": "sulfate",
    "sulphates": "sulfates", "sulphide": "sulfide", "sulphides": "sulfides", "sulphuric": "sulfuric",
    "organisation": "organization", "programme": "program", "centre": "center", "fibre": "fiber",
}


def name_form(name: str) -> str:
    """The form under which two gold names are one name: case, accents and punctuation folded,
    British spellings made American (:data:`SPELLINGS`), a plural last word made singular, legal
    forms at the end dropped.

    >>> name_form("Zijin Mining Group Co.") == name_form("Zijin Mining")
    True
    >>> name_form("Rössing Uranium Mine") == name_form("Rossing Uranium mine")
    True
    >>> name_form("lithium-ion batteries") == name_form("lithium-ion battery")
    True
    >>> name_form("Mount Isa Mines") == name_form("Mount Isa")
    False
    >>> name_form("aluminium") == name_form("Aluminum"), name_form("ammonium sulphate") == name_form("ammonium sulfate")
    (True, True)
    """
    words = [SPELLINGS.get(w, w) for w in fold_words(normalise(name))]
    while len(words) > 1 and (words[-1] in LEGAL_FORMS or f"{words[-1]}." in LEGAL_FORMS):
        words.pop()
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


def unify_names(records: list[dict]) -> list[dict]:
    """One canonical name per entity across the passages of a split.

    Each passage's annotation names an entity by the fullest form *its* text gives, so one company
    can be "Glencore" in one passage and "Glencore International Inc." (alias "Glencore") in
    another. The scorer pools the gold of all passages and maps a node to every gold name that
    one of its labels matches, so a fact about that node counts once per name: even the gold
    itself scored only P 0.86-0.91 against itself before this step. Names of one form
    (:func:`name_form`: "Zijin Mining" and "Zijin Mining Group Co.") are merged; a name is merged into another
    when its own normal form is a name or alias of exactly one other entity, or when the two share
    an alias and one name is the other's first words ("Hudbay Minerals", "Hudbay Minerals Inc."),
    and no passage lists the two as different entities ("Commission", an alias of two
    commissions, stays apart). The
    merged entity takes the canonical name most passages use (the longest on a tie); the other
    names become aliases.

    >>> a = {"doc": "a", "entities": {"Glencore": [], "X": []}, "triples": [["Glencore", "operates", "X"]]}
    >>> b = {"doc": "b", "entities": {"Glencore International Inc.": ["Glencore"]}, "triples": []}
    >>> c = {"doc": "c", "entities": {"Glencore International Inc.": []}, "triples": []}
    >>> out = unify_names([a, b, c])
    >>> out[0]["entities"], out[0]["triples"]
    ({'Glencore International Inc.': ['Glencore'], 'X': []}, [['Glencore International Inc.', 'operates', 'X']])
    """
    keys: dict[str, set[str]] = {}
    uses: dict[str, int] = {}
    together: set[frozenset[str]] = set()
    for rec in records:
        names = list(rec["entities"])
        for name, ks in _keys(rec).items():
            uses[name] = uses.get(name, 0) + 1
            keys.setdefault(name, set()).update(ks)
        together |= {frozenset((x, y)) for i, x in enumerate(names) for y in names[i + 1:]}
    by_key: dict[str, set[str]] = {}
    for name, ks in keys.items():
        for k in ks:
            by_key.setdefault(k, set()).add(name)
    group = {name: {name} for name in keys}  # name -> the set it belongs to (shared objects)

    def join(x: str, y: str) -> None:
        a, b = group[x], group[y]
        if a is b or any(frozenset((p, q)) in together for p in a for q in b):
            return
        a |= b
        for z in b:
            group[z] = a

    by_form: dict[str, list[str]] = {}
    for name in sorted(keys):
        by_form.setdefault(name_form(name), []).append(name)
    for names in by_form.values():  # "Zijin Mining" and "Zijin Mining Group Co.", "Rössing" and "Rossing"
        for other in names[1:]:
            join(names[0], other)

    def prefix(x: str, y: str) -> bool:
        nx, ny = normalise(x), normalise(y)
        return ny.startswith(nx + " ") or nx.startswith(ny + " ")

    for name in sorted(keys):
        others = set().union(*(by_key[k] for k in match_keys(name))) - {name}
        if not others:
            sharing = set().union(*(by_key[k] for k in keys[name])) - {name}
            others = {o for o in sharing if prefix(name, o)}
        if len(others) == 1:
            join(name, next(iter(others)))
    canonical = {}
    for members in {id(g): g for g in group.values()}.values():
        best = max(sorted(members), key=lambda n: (uses[n], len(n)))
        canonical.update({n: best for n in members})
    out = []
    for rec in records:
        ents: dict[str, list[str]] = {}
        for name, aliases in rec["entities"].items():
            forms = ents.setdefault(canonical[name], [])
            for form in (name, *aliases):
                if form != canonical[name] and form not in forms:
                    forms.append(form)
        triples, seen = [], set()
        for s, p, o in rec["triples"]:
            t = (canonical[s], p, canonical[o])
            if t not in seen:
                seen.add(t)
                triples.append(list(t))
        out.append({**rec, "entities": ents, "triples": triples})
    return out


def write_gold(folder: str | Path) -> Path:
    """Write ``gold.jsonl`` of a split folder from its adjudicated annotations, with one canonical
    name per entity across its passages (:func:`unify_names`)."""
    folder = Path(folder)
    out = folder / "gold.jsonl"
    records = unify_names([gold_record(d) for d in iter_docs(folder, "gold")])
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


#: title words that say nothing about a passage's subject
_TITLE_STOP = frozenset(
    "the a an of in on and for to at by mining mine mines history company group corporation industry industrial "
    "u.s. us usa department doe dod eu european usgs critical minerals mineral international national new "
    "announces announced statement joint fact sheet secretary deposits deposit project range wikipedia".split())


def subject_key(meta: dict, fallback: str = "") -> str:
    """What a passage is about, from its title: the first word that is not a stop word
    ("Ambatovy mine" and "Ambatovy joint venture" are both "ambatovy"), else the page name.

    Passages of one subject (two revisions of an article, two parts of a page, two mirrors) share
    the key, so that a split never holds text that another split has nearly word for word.

    >>> subject_key({"title": "Mining in Zambia"}), subject_key({"title": "The Ambatovy mine"})
    ('zambia', 'ambatovy')
    """
    title = str(meta.get("title") or "").lower()
    words = [w for w in re.findall(r"[a-z0-9\u00c0-\u024f'-]+", title) if w not in _TITLE_STOP and len(w) > 2]
    if words:
        return words[0]
    src = str(meta.get("source") or fallback).split(" ")[0]
    return re.sub(r"[#?].*$", "", src.rstrip("/")).split("/")[-1].lower() or fallback


def split_of(source: str) -> str:
    """The split of a subject (see :func:`subject_key`), from a hash of it.

    About 60/20/20 train/dev/test, fixed before anyone reads the text.

    >>> split_of("https://en.wikipedia.org/wiki/Escondida") in SPLITS
    True
    """
    page = re.sub(r"#.*$", "", source.split(" ")[0]).rstrip("/").lower()
    h = int(hashlib.sha1(page.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if h < 60 else "dev" if h < 80 else "test"


# ---------------------------------------------------------------- agreement
def _keys(annotation: dict) -> dict[str, frozenset[str]]:
    out = {}
    for name, aliases in entity_names(annotation).items():
        keys = set()
        for form in (name, *aliases):
            keys |= match_keys(form)
        out[name] = frozenset(keys)
    return out


def triple_agreement(a: dict, b: dict) -> tuple[int, int, int]:
    """(matched, triples of a, triples of b): a triple of ``a`` matches one of ``b`` with the same
    property whose subject and object share a name or alias (either order for symmetric ones).

    >>> a = {"entities": {"Peru": [], "copper": []}, "triples": [["Peru", "produces", "copper"]]}
    >>> b = {"entities": {"Republic of Peru": ["Peru"], "copper": []},
    ...      "triples": [["Republic of Peru", "produces", "copper"], ["Peru", "exports", "copper"]]}
    >>> triple_agreement(a, b)
    (1, 1, 2)
    """
    ka, kb = _keys(a), _keys(b)
    ta = {tuple(t) for t in a.get("triples", []) if len(t) == 3}
    tb = {tuple(t) for t in b.get("triples", []) if len(t) == 3}
    used: set[tuple] = set()
    matched = 0
    for s, p, o in ta:
        for t in tb:
            if t in used or t[1] != p:
                continue
            ss, oo = ka.get(s, match_keys(s)), ka.get(o, match_keys(o))
            ts, to = kb.get(t[0], match_keys(t[0])), kb.get(t[2], match_keys(t[2]))
            if (ss & ts and oo & to) or (p in SYMMETRIC and ss & to and oo & ts):
                used.add(t)
                matched += 1
                break
    return matched, len(ta), len(tb)


def agreement(folders: Iterable[str | Path]) -> dict:
    """Inter-annotator agreement (F1 over triples, ``b`` scored against ``a``) over the passages
    annotated by both."""
    m = na = nb = docs = 0
    for folder in folders:
        folder = Path(folder)
        for a_path in sorted((folder / "annotations" / "a").glob("*.json")):
            b_path = folder / "annotations" / "b" / a_path.name
            if not b_path.is_file():
                continue
            x, y, z = triple_agreement(read_annotation(a_path), read_annotation(b_path))
            m, na, nb, docs = m + x, na + y, nb + z, docs + 1
    p = m / nb if nb else 0.0
    r = m / na if na else 0.0
    return {"docs": docs, "matched": m, "a": na, "b": nb, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def stats(folders: Iterable[str | Path]) -> dict:
    out = {}
    for folder in folders:
        docs = list(iter_docs(folder, "gold"))
        out[str(folder)] = {
            "passages": len(docs),
            "words": sum(len(d.text.split()) for d in docs),
            "triples": sum(len(d.triples) for d in docs),
            "mentions": sum(len(d.mentions) for d in docs),
            "subjects": len({subject_key(d.meta, d.id) for d in docs}),
        }
    return out


def check(folder: str | Path, annotator: str = "gold") -> list[str]:
    """Problems of a corpus folder's annotations, one line each (empty when all is well): triples
    with an unknown property or a name that is no entity, unknown classes, aliases that do not
    occur in the text, front matter without title, source, publisher or licence."""
    problems = []
    for doc in iter_docs(folder, annotator):
        names = entity_names(doc.annotation)
        for t in doc.annotation.get("triples", []):
            if len(t) != 3 or t[1] not in PROPERTIES or t[0] not in names or t[2] not in names:
                problems.append(f"{doc.id}: bad triple {t}")
        for name, spec in doc.annotation.get("entities", {}).items():
            if not isinstance(spec, dict) or spec.get("class") not in CLASSES:
                problems.append(f"{doc.id}: entity {name!r} has no known class")
            for alias in names.get(name, []):
                if alias not in doc.text:
                    problems.append(f"{doc.id}: alias {alias!r} is not in the text")
        for key in ("title", "source", "publisher", "license"):
            if not doc.meta.get(key):
                problems.append(f"{doc.id}: front matter has no {key}")
    return problems


def distribute(source: str | Path, into: str | Path) -> dict[str, int]:
    """Move the passages of ``source`` (texts/ and annotations/) into ``into/<split>/``."""
    source, into = Path(source), Path(into)
    counts = {s: 0 for s in SPLITS}
    for path in sorted((source / "texts").glob("*.txt")):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        split = split_of(subject_key(meta, path.stem))
        dest = into / split
        (dest / "texts").mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), dest / "texts" / path.name)
        for who in ("a", "b", "gold"):
            ann = source / "annotations" / who / (path.stem + ".json")
            if ann.is_file():
                (dest / "annotations" / who).mkdir(parents=True, exist_ok=True)
                shutil.move(str(ann), dest / "annotations" / who / ann.name)
        counts[split] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kg.corpus", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("agreement", "gold", "stats", "check"):
        p = sub.add_parser(name)
        p.add_argument("folders", nargs="+")
    p = sub.add_parser("split")
    p.add_argument("source")
    p.add_argument("--into", required=True)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "agreement":
            print(json.dumps(agreement(args.folders)))
        elif args.cmd == "gold":
            for f in args.folders:
                print(write_gold(f))
        elif args.cmd == "check":
            problems = [p for f in args.folders for p in check(f)]
            print("\n".join(problems) or "ok")
            return 1 if problems else 0
        elif args.cmd == "stats":
            print(json.dumps(stats(args.folders), indent=1))
        elif args.cmd == "split":
            print(json.dumps(distribute(args.source, args.into)))
    except InputError as exc:
        print(f"kg.corpus: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
