"""How a document portrays each organisation it names, per section and overall.

:func:`portray` finds every organisation mention in the document's sentences
(:class:`~xhs_nlp.segment.organisations.OrganisationFinder`: listed names and aliases,
the user's own, and names built like organisations), groups them into one entity per
organisation (小红书 / RedNote / Xiaohongshu's are one), scores the sentiment of each
mention's sentence towards it (:class:`~xhs_nlp.targets.TargetSentimentModel`), and
aggregates per entity: the document and each section where it is named get the mean
score of its mentions, the share of negative / neutral / positive mentions and their
number; the entity keeps its most negative and most positive evidence sentence, and how
many of its sentences are claims (when the claims are given).

Example:
    >>> from xhs_nlp import segment
    >>> doc = segment("I. Rivals\\nTencent's advertising revenue grew strongly, while Xiaohongshu lost users' trust.")
    >>> ents = portray(doc)
    >>> [(e.name, e.document.label) for e in ents.entities]
    [('Tencent', 'positive'), ('Xiaohongshu', 'negative')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .errors import InputError
from .schemes import SENTIMENT_LABELS
from .segment.organisations import Aliases, OrganisationFinder, OrgMention, default_finder
from .sentiment import score_label
from .targets import TargetSentimentModel

if TYPE_CHECKING:  # pragma: no cover
    from .claims import SentenceClaim
    from .document import Document

__all__ = ["MentionSentiment", "Portrayal", "EntityPortrayal", "DocumentEntities", "portray", "find_mentions"]

LABELS = SENTIMENT_LABELS


@dataclass(frozen=True)
class MentionSentiment:
    """One mention (offsets into the document) with the sentiment of its sentence towards it."""

    mention: OrgMention
    sentence: int
    section: int
    score: float
    label: str
    probabilities: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {**self.mention.to_dict(), "sentence": self.sentence, "section": self.section,
                "score": round(self.score, 4), "label": self.label,
                "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()}}


@dataclass(frozen=True)
class Portrayal:
    """The portrayal of an entity over some mentions: mean score, label shares, counts."""

    score: float | None
    shares: dict[str, float]
    n_mentions: int
    n_sentences: int

    @property
    def label(self) -> str | None:
        """The label of the mean score (:func:`~xhs_nlp.sentiment.score_label`); ``None``
        without mentions."""
        return score_label(self.score) if self.n_mentions else None

    @classmethod
    def of(cls, items: Sequence[MentionSentiment]) -> Portrayal:
        if not items:
            return cls(None, {lab: 0.0 for lab in LABELS}, 0, 0)
        n = len(items)
        return cls(float(np.mean([m.score for m in items])),
                   {lab: sum(m.label == lab for m in items) / n for lab in LABELS}, n,
                   len({m.sentence for m in items}))

    def to_dict(self) -> dict[str, Any]:
        return {"score": None if self.score is None else round(self.score, 4), "label": self.label,
                "shares": {k: round(v, 4) for k, v in self.shares.items()}, "mentions": self.n_mentions,
                "sentences": self.n_sentences}


@dataclass
class EntityPortrayal:
    """One organisation: its canonical ``name``, the ``aliases`` the document used, every
    scored mention, the document-level and per-section portrayal, the most negative and
    most positive evidence (a mention labelled so), and the number of its sentences that
    are claims (``None``: claims not given)."""

    name: str
    aliases: list[str]
    mentions: list[MentionSentiment]
    document: Portrayal
    sections: dict[int, Portrayal]
    most_negative: MentionSentiment | None
    most_positive: MentionSentiment | None
    n_claims: int | None = None

    def to_dict(self, doc: Document | None = None, *, sentences: Sequence[Any] | None = None) -> dict[str, Any]:
        """JSON-ready: ``name``, ``aliases``, ``mentions``, ``sentiment`` (``document`` and
        ``sections``, each section with its index and title), ``evidence`` and ``claims``;
        with ``doc``, evidence carries the sentence's text (``sentences``: ``doc.sentences``
        read once by a caller that writes many entities)."""

        sents = sentences if sentences is not None else doc.sentences if doc is not None else None

        def ev(m: MentionSentiment | None) -> dict[str, Any] | None:
            if m is None:
                return None
            out = {"sentence": m.sentence, "section": m.section, "score": round(m.score, 4), "mention": m.mention.text}
            if sents is not None:
                s = sents[m.sentence]
                out.update(text=s.text, start=s.start, end=s.end)
            return out

        secs = []
        for k, p in sorted(self.sections.items()):
            d = {"section": k, **p.to_dict()}
            if doc is not None:
                sec = doc.sections[k]
                d["title"] = sec.title
                d["number"] = sec.number
            secs.append(d)
        return {"name": self.name, "aliases": list(self.aliases), "mentions": [m.to_dict() for m in self.mentions],
                "sentiment": {"document": self.document.to_dict(), "sections": secs},
                "evidence": {"most_negative": ev(self.most_negative), "most_positive": ev(self.most_positive)},
                "claims": self.n_claims}


@dataclass
class DocumentEntities:
    """Every organisation of a document, most mentioned first (ties: first named first)."""

    entities: list[EntityPortrayal] = field(default_factory=list)
    model: str = ""

    def __iter__(self):
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def get(self, name: str) -> EntityPortrayal | None:
        """The entity called ``name`` (its canonical name or an alias the document used)."""
        return next((e for e in self.entities if e.name == name or name in e.aliases), None)

    def main_subject(self) -> EntityPortrayal | None:
        """The document's main subject: the most mentioned organisation with a portrayal
        (ties: the one named first); ``None`` when no organisation is named."""
        return next((e for e in self.entities if e.document.score is not None), None)

    def ranked(self, min_mentions: int = 1) -> list[EntityPortrayal]:
        """Entities with at least ``min_mentions`` mentions, most positively portrayed first."""
        out = [e for e in self.entities if e.document.n_mentions >= min_mentions and e.document.score is not None]
        return sorted(out, key=lambda e: (-e.document.score, e.name))

    def to_dict(self, doc: Document | None = None) -> list[dict[str, Any]]:
        sents = doc.sentences if doc is not None else None  # a new list on every access: read once
        return [e.to_dict(doc, sentences=sents) for e in self.entities]


def find_mentions(doc: Document, finder: OrganisationFinder | None = None) -> list[tuple[int, OrgMention]]:
    """``(sentence index, mention)`` of every organisation mention in the document's
    sentences (offsets into ``doc.text``), in order, by ``finder`` (the shipped table's by
    default): :meth:`OrganisationFinder.find_in`, which claims' facts read too."""
    return (finder or default_finder()).find_in(doc)


def _targets(doc: Document, found: list[tuple[int, OrgMention]]) -> tuple[list[str], list[tuple[int, int]]]:
    """The sentence of each mention and the mention's span in it."""
    sents = doc.sentences  # a new list on every access: read it once (a long document has many mentions)
    return ([sents[i].text for i, _ in found], [(mn.start - sents[i].start, mn.end - sents[i].start) for i, mn in found])


def encoder_inputs(doc: Document, model: TargetSentimentModel, finder: OrganisationFinder | None = None, *,
                   mentions: list[tuple[int, OrgMention]] | None = None
                   ) -> tuple[list[str], list[tuple[str, tuple[int, int]]]]:
    """What :func:`portray` will ask the encoder for (:meth:`TargetSentimentModel.encoder_inputs`
    of the document's mentions, ``mentions`` where :func:`find_mentions` gave them already),
    so that a caller encoding the document's sentences can pool the targets in the same
    forward passes (:meth:`~xhs_nlp.encoder.Encoder.prefetch`)."""
    found = find_mentions(doc, finder) if mentions is None else mentions
    if not found:
        return [], []
    texts, spans = _targets(doc, found)
    return model.encoder_inputs(texts, targets=spans)


def portray(doc: Document, model: TargetSentimentModel | str | None = None, *,
            finder: OrganisationFinder | None = None, aliases: Aliases | None = None,
            claims: Sequence[SentenceClaim] | None = None,
            mentions: list[tuple[int, OrgMention]] | None = None) -> DocumentEntities:
    """The organisations ``doc`` names and how it portrays each (see the module docstring).

    Args:
        doc: a segmented document.
        model: a target-sentiment model or folder (default: the shipped one).
        finder: the mention finder (default: the shipped names and patterns).
        aliases: the user's alias table (a dict or a file), for a finder built here.
        claims: the document's claim results (aligned with ``doc.sentences``), to count
            each entity's claim sentences.
        mentions: the document's mentions where :func:`find_mentions` gave them already
            (with ``finder``'s table), so that they are not found again.

    Raises:
        InputError: both ``finder`` and ``aliases`` given, or claims not aligned with the sentences.

    Example:
        >>> from xhs_nlp import segment
        >>> ents = portray(segment("Acme Corp cut 500 jobs."), aliases={"Acme": ["Acme Corp"]})
        >>> [(e.name, e.aliases, e.document.n_mentions) for e in ents]
        [('Acme', ['Acme Corp'], 1)]
    """
    if finder is not None and aliases is not None:
        raise InputError("give finder= or aliases=, not both")
    if claims is not None and len(claims) != len(doc.sentences):
        raise InputError(f"the document has {len(doc.sentences)} sentences, the claims {len(claims)}")
    f = finder or (OrganisationFinder(aliases) if aliases is not None else default_finder())
    found = find_mentions(doc, f) if mentions is None else mentions
    m = model if isinstance(model, TargetSentimentModel) else TargetSentimentModel.load(model)
    if not found:
        return DocumentEntities([], m.name)
    section_of = {i: k for k, ids in enumerate(doc.section_sentences()) for i in ids}
    texts, spans = _targets(doc, found)
    P = m.predict_proba(texts, targets=spans)
    scored = [MentionSentiment(mn, i, section_of.get(i, 0), float(p[2] - p[0]), LABELS[int(np.argmax(p))],
                               {lab: float(v) for lab, v in zip(LABELS, p)}) for (i, mn), p in zip(found, P)]
    by_name: dict[str, list[MentionSentiment]] = {}
    for ms in scored:
        by_name.setdefault(ms.mention.name, []).append(ms)
    ents = []
    for name, items in by_name.items():
        secs: dict[int, list[MentionSentiment]] = {}
        for ms in items:
            secs.setdefault(ms.section, []).append(ms)
        neg = [x for x in items if x.label == "negative"]
        pos = [x for x in items if x.label == "positive"]
        sent_ids = {x.sentence for x in items}
        forms: dict[str, int] = {}
        for x in items:
            forms[x.mention.text] = forms.get(x.mention.text, 0) + 1
        ents.append(EntityPortrayal(
            name=name, aliases=sorted(forms, key=lambda k: -forms[k]), mentions=items, document=Portrayal.of(items),
            sections={k: Portrayal.of(v) for k, v in sorted(secs.items())},
            most_negative=min(neg, key=lambda x: x.score) if neg else None,
            most_positive=max(pos, key=lambda x: x.score) if pos else None,
            n_claims=None if claims is None else sum(claims[i].label == "claim" for i in sent_ids)))
    ents.sort(key=lambda e: (-e.document.n_mentions, e.mentions[0].mention.start))
    return DocumentEntities(ents, m.name)
