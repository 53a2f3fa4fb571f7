"""One call from a source to every score: :func:`analyze` and :func:`analyze_many`.

An :class:`Analysis` holds the segmented document and, per sentence, sentiment and
claim/rhetoric (with the facts of each claim) and the persuasion techniques it
carries; per paragraph, techniques; per section and for the whole document,
sentiment aggregates, frames, techniques, categories, rhetorical cues, the share of
claims, and the check-worthy claims with their quantities. It converts to a dict, JSON,
three tidy pandas tables, or a self-contained HTML report.

The four models share one encoder pass: the document's sentences and paragraphs are
encoded together once (in length-sorted batches; :func:`analyze_many` does this across
a batch of documents), and every scorer reads the cached vectors.

Example:
    >>> import xhs_nlp
    >>> a = xhs_nlp.analyze("I. Costs\\nRevenue fell 20% in 2024. This is a disaster for everyone!")
    >>> [s.label for s in a.claims]
    ['claim', 'rhetoric']
    >>> sorted(a.to_dataframes())
    ['documents', 'entities', 'sections', 'sentences']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from .claims import classify_document
from .document import Document
from .encoder import release_heap
from .errors import EmptyDocumentError, InputError
from .framing import document_framing
from .limits import MAX_BYTES, PREFETCH_TEXTS, PROGRESS_CHARS
from .portrayal import DocumentEntities, portray
from .portrayal import encoder_inputs as portrayal_inputs, find_mentions
from .report import render_html
from .segment.organisations import Aliases, OrganisationFinder, default_finder
from .sentiment import score_document
from .tables import analysis_rows, dataframes
from .tasks import TASKS

_log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .claims import ClaimClassifier, SentenceClaim
    from .encoder import Encoder
    from .framing import DocumentFraming, FramingClassifier
    from .sentiment import DocumentSentiment, SentimentModel
    from .targets import TargetSentimentModel

__all__ = ["Analysis", "Failure", "Models", "Source", "analyze", "analyze_many", "default_models", "document_id"]


def document_id(text: str) -> str:
    """The stable id of a document: the first 16 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class Models:
    """The models :func:`analyze` runs, one per task of :data:`xhs_nlp.tasks.TASKS`
    (``target_sentiment`` is the task ``target-sentiment``)."""

    sentiment: SentimentModel
    claims: ClaimClassifier
    frames: FramingClassifier
    techniques: FramingClassifier
    target_sentiment: TargetSentimentModel

    @classmethod
    def load(cls, sentiment: Any = None, claims: Any = None, frames: Any = None, techniques: Any = None,
             target_sentiment: Any = None) -> Models:
        """Load models from folders (``None``: the shipped default of each; a loaded
        model is used as it is)."""
        given = {"sentiment": sentiment, "claims": claims, "frames": frames, "techniques": techniques,
                 "target_sentiment": target_sentiment}
        return cls(**{name: TASKS[name.replace("_", "-")].load(spec) for name, spec in given.items()})

    @property
    def encoder(self) -> Encoder:
        """The encoder the models share (the claims model's)."""
        return self.claims.shared_encoder()


_DEFAULT: Models | None = None
_DEFAULT_LOCK = threading.Lock()
#: how many times this process loaded the shipped models (1 at most: tests read it on workers)
LOADS = 0


def default_models() -> Models:
    """The shipped models, loaded once per process (thread-safe)."""
    global _DEFAULT, LOADS
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Models.load()
            LOADS += 1
        return _DEFAULT


@dataclass
class Failure:
    """A source that could not be analysed, and why (:func:`analyze_many` with ``errors="return"``).

    Example:
        >>> f = next(analyze_many([""], errors="return"))
        >>> f.error, f.position
        ('EmptyDocumentError', 0)
    """

    source: str
    error: str
    reason: str
    position: int = -1
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "error": self.error, "reason": self.reason, "position": self.position}


@dataclass
class Analysis:
    """Everything the library says about one document.

    Attributes:
        doc: the segmented document (every offset below is into ``doc.text``).
        id: :func:`document_id` of ``doc.text``.
        source: where the document came from (a path, ``file.jsonl:row``, or ``"<text>"``).
        metadata: extra fields carried through (e.g. other columns of an input table).
        sentiment: per-sentence sentiment and section/document aggregates.
        claims: per sentence: ``claim``/``rhetoric``, ``P(claim)``, facts of claims.
        framing: per section and document: frames, techniques, categories, cues, evidence.
        entities: every organisation named, with its portrayal per document and section
            (:mod:`xhs_nlp.portrayal`).
        position: the document's place in the input of :func:`analyze_many` (``-1`` alone).
        encoder: the encoder that made the vectors (``name``, ``fingerprint``, ``precision``).

    Example:
        >>> a = analyze("I. Costs\\nRevenue fell 20% in 2024. This is a disaster!")
        >>> a.sections_summary()[0]["title"], round(a.claim_share(), 2)
        ('Costs', 0.5)
    """

    doc: Document
    id: str
    source: str
    sentiment: DocumentSentiment
    claims: list[SentenceClaim]
    framing: DocumentFraming
    entities: DocumentEntities = field(default_factory=DocumentEntities)
    metadata: dict[str, Any] = field(default_factory=dict)
    position: int = -1
    #: the encoder that made the vectors: ``name``, ``fingerprint``, ``precision``
    encoder: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Analysis(id={self.id!r}, source={self.source!r}, {len(self.doc.sections)} sections, {len(self.claims)} sentences)"

    # -- derived views ------------------------------------------------------------------------

    def claim_share(self, section: int | None = None) -> float:
        """Share of the scored sentences labelled ``claim`` (in one section, or the
        document); sentences without letters have no label and do not count."""
        n_claims, n_classified = self.claim_counts(section)
        return n_claims / n_classified if n_classified else 0.0

    def claim_counts(self, section: int | None = None) -> tuple[int, int]:
        """``(claims, classified)``: how many sentences (of one section, or of the
        document) are labelled ``claim``, and how many got a label at all: the two
        numbers of :meth:`claim_share`."""
        items = [c for c in self.claims_of(section) if c.label is not None]
        return sum(c.label == "claim" for c in items), len(items)

    def section_of(self, sentence: int) -> int:
        """The index of the section sentence ``sentence`` (of ``doc.sentences``) is in."""
        return self._section_of()[sentence]

    def _section_of(self) -> dict[int, int]:
        return {i: k for k, ids in enumerate(self.doc.section_sentences()) for i in ids}

    def claims_of(self, section: int | None = None) -> list[SentenceClaim]:
        """The claim results of one section's sentences (or of the document's)."""
        if section is None:
            return self.claims
        return [self.claims[i] for i in self.doc.section_sentences()[section]]

    def check_worthy(self, section: int | None = None, k: int | None = None) -> list[SentenceClaim]:
        """Claims that name a quantity (a percentage, a sum, a count: not a date) or an
        organisation, most confident first; bylines and datelines are not part of the
        writing (:attr:`~xhs_nlp.document.Sentence.not_writing`), so never claims."""
        return [self.claims[i] for i in self._check_worthy_ids(section, k)]

    def _check_worthy_ids(self, section: int | None = None, k: int | None = None) -> list[int]:
        """The sentence indices of :meth:`check_worthy`, in its order."""
        ids = range(len(self.claims)) if section is None else self.doc.section_sentences()[section]
        sents = self.doc.sentences  # a new list on every access: read once, not once per sentence
        out = [i for i in ids if (c := self.claims[i]).label == "claim" and c.facts is not None
               and (c.facts.figures or c.facts.organisations) and sents[i].not_writing is None]
        out.sort(key=lambda i: -self.claims[i].p_claim)
        return out[:k] if k is not None else out

    def _check_worthy_dicts(self, section: int | None = None, k: int | None = None) -> list[dict[str, Any]]:
        """:meth:`check_worthy` as dicts, each with its ``sentence`` and ``section`` index."""
        sec = self._section_of()
        return [{"sentence": i, "section": sec.get(i), **self.claims[i].to_dict()}
                for i in self._check_worthy_ids(section, k)]

    def sections_summary(self) -> list[dict[str, Any]]:
        """One dict per section: title, sentiment, top frames and techniques, claim
        share with its counts (``n_claims`` of ``n_classified`` sentences), strongest
        evidence sentence, check-worthy claims (each with its ``sentence`` and ``section``
        index)."""
        out = []
        for sec, agg, fr in zip(self.doc.sections, self.sentiment.sections, self.framing.sections):
            top_frame = fr.top_frames(1)[0][0] if fr.frames else None
            ev = fr.evidence.get(top_frame, []) if top_frame else []
            n_claims, n_classified = self.claim_counts(sec.index)
            out.append({
                "index": sec.index, "number": sec.number, "title": sec.title,
                "sentiment": agg.to_dict(), "top_frames": fr.top_frames(3), "frames_on": fr.frames_on,
                "top_techniques": fr.top_techniques(3), "techniques_on": fr.techniques_on,
                "claim_share": self.claim_share(sec.index), "n_claims": n_claims, "n_classified": n_classified,
                "evidence": {**ev[0].to_dict(), "section": sec.index} if ev else None,
                "check_worthy": self._check_worthy_dicts(sec.index, 3),
                "empty_reason": fr.empty_reason,
            })
        return out

    # -- export -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``id``, ``source``, ``metadata``, ``document`` (the segmented
        document), ``summary`` (per section), ``sentences`` (each with its ``section``
        index, sentiment, claim, ``p_claim`` and the ``claim_threshold`` it was labelled
        at, facts and techniques), ``sentiment``, ``claim_share`` with its counts
        (``n_claims`` of ``n_classified`` sentences), ``check_worthy`` (each with its
        ``sentence`` and ``section`` index), ``framing`` (every evidence sentence with its
        ``sentence`` and ``section`` index), ``main_subject`` (the most mentioned
        organisation and its portrayal, or ``None``), ``entities`` (each organisation's
        ``name``, ``aliases``, ``mentions``, ``sentiment`` per document and section,
        ``evidence``, ``claims``)."""
        section_of = self._section_of()
        sents = []
        for i, (s, sen, cl, tech) in enumerate(zip(self.doc.sentences, self.sentiment.sentences, self.claims,
                                                    self.framing.sentence_techniques)):
            sents.append({"index": i, "section": section_of.get(i), "start": s.start, "end": s.end, "text": s.text,
                          "lang": s.lang, "sentiment": sen.to_dict(), "claim": cl.label,
                          "p_claim": None if cl.p_claim is None else round(cl.p_claim, 4),
                          "claim_threshold": cl.threshold,
                          "facts": cl.facts.to_dict() if cl.facts else None, "techniques": tech,
                          **({"not_writing": s.not_writing} if s.not_writing else {})})
        framing = {"document": self.framing.document.to_dict(),
                   "sections": [f.to_dict() for f in self.framing.sections], "models": self.framing.models}
        for part in (framing["document"], *framing["sections"]):
            for evidence in part["evidence"].values():
                for e in evidence:
                    e["section"] = section_of.get(e["sentence"])
        n_claims, n_classified = self.claim_counts()
        main = self.entities.main_subject()
        return {"id": self.id, "source": self.source, "metadata": self.metadata, "encoder": self.encoder,
                "document": self.doc.to_dict(),
                "summary": self.sections_summary(), "sentences": sents,
                "sentiment": {"document": self.sentiment.document.to_dict(),
                              "sections": [a.to_dict() for a in self.sentiment.sections]},
                "claim_share": self.claim_share(), "n_claims": n_claims, "n_classified": n_classified,
                "check_worthy": self._check_worthy_dicts(),
                "framing": framing,
                "main_subject": None if main is None else {"name": main.name, **main.document.to_dict()},
                "entities": self.entities.to_dict(self.doc)}

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON (characters kept as they are)."""
        if indent is None:  # json.dumps's C encoder, which iterencode does not use
            return json.dumps(self.to_dict(), ensure_ascii=False, default=str)
        return "".join(self.json_pieces(indent))

    def json_pieces(self, indent: int | None = 2) -> Iterator[str]:
        """:meth:`to_json` piece by piece, for writing a long document's JSON without
        holding it as one string (``"".join`` of the pieces is :meth:`to_json`)."""
        return json.JSONEncoder(ensure_ascii=False, indent=indent, default=str).iterencode(self.to_dict())

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """The rows of the three tidy tables (see :mod:`xhs_nlp.tables` for the columns)."""
        return analysis_rows(self)

    def to_dataframes(self) -> dict[str, pd.DataFrame]:
        """Three pandas DataFrames: ``documents`` (one row), ``sections``, ``sentences``."""
        return dataframes(self.rows())

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Deprecated alias of :meth:`to_dataframes` (removed in the next release)."""
        import warnings

        warnings.warn("Analysis.to_frames() is renamed to_dataframes()", DeprecationWarning, stacklevel=2)
        return self.to_dataframes()

    def to_html(self) -> str:
        """A single self-contained HTML report (no external files or scripts)."""
        return render_html(self)

    def _repr_html_(self) -> str:
        """What a notebook (Jupyter, VS Code) shows: the report's summary (the sections ×
        frames heat map with each section's sentiment bar and claims, the document's
        sentiment, the main subject, the organisations × sections heat map), escaped and
        styled under its own ``<div class="xhs-nlp">``; :meth:`to_html` is the full report."""
        from .report import notebook_html

        return notebook_html(self)


def _source_name(source: Any) -> str:
    if isinstance(source, Path):
        return str(source)
    if isinstance(source, Document):
        return source.meta.source or "<document>"
    if isinstance(source, str) and _looks_like_path(source):
        return source
    return "<bytes>" if isinstance(source, bytes) else "<text>"




def source_size(source: Any) -> int | None:
    """The size in bytes of a source before it is read (``None``: a Document)."""
    if isinstance(source, Document):
        return None
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    if isinstance(source, str) and not _looks_like_path(source):
        return len(source.encode("utf-8", "surrogatepass"))
    try:
        return os.stat(source).st_size
    except (OSError, TypeError, ValueError):
        return None  # segment names the problem


def _looks_like_path(source: str) -> bool:
    return "\n" not in source and len(source) < 4096 and os.path.splitext(source)[1].lower() in (
        ".txt", ".md", ".html", ".htm")


def _segment(source: Any, encoding: str | None = None, max_bytes: int | None = MAX_BYTES) -> Document:
    from .segment import segment

    if isinstance(source, Document):
        return source
    size = source_size(source)
    if max_bytes is not None and size is not None and size > max_bytes:
        raise InputError(f"the document is {size:,} bytes, over the {max_bytes:,}-byte limit "
                         "(max_bytes=, --max-bytes: larger documents take minutes per MB to score)")
    return segment(source, encoding=encoding)


def _encoder_inputs(models: Models, docs: Sequence[Document], finder: OrganisationFinder | None = None,
                    mentions: Sequence[list] | None = None) -> tuple[list[str], list]:
    """The distinct texts and (text, span) pairs the heads will read for ``docs``: every
    sentence (with letters) and paragraph, and the organisation mentions' contexts and
    spans (``mentions``: each document's, where they were found already). Sentences that
    are not part of the writing (bylines, widgets) and paragraphs of nothing else are not
    scored, so not encoded."""
    texts = ([s.text for d in docs for s in d.sentences if s.lang != "und" and s.not_writing is None]
             + [p.text for d in docs for p in d.paragraphs if p.is_writing])
    pairs: list = []
    for k, d in enumerate(docs):
        contexts, ps = portrayal_inputs(d, models.target_sentiment, finder,
                                        mentions=None if mentions is None else mentions[k])
        texts += contexts
        pairs += ps
    return list(dict.fromkeys(texts)), list(dict.fromkeys(pairs))


def _encode_batch(models: Models, docs: Sequence[Document], progress: bool = False,
                  finder: OrganisationFinder | None = None, mentions: Sequence[list] | None = None) -> bool:
    """One encoder call for everything the heads read in ``docs`` (the target head's
    poolings share their sentence's forward pass); fills the cache. ``mentions``: each
    document's organisation mentions, where they were found already.

    Returns ``False`` without encoding when that is over :data:`PREFETCH_TEXTS` texts
    (:func:`_analyze_encoded` then encodes each document on its own)."""
    return _prefetch(models, *_encoder_inputs(models, docs, finder, mentions), progress=progress)


def _prefetch(models: Models, texts: list[str], pairs: list, progress: bool = False) -> bool:
    """Fill the encoder's cache with ``texts`` and ``pairs``, or return ``False`` without
    encoding when they are over :data:`PREFETCH_TEXTS`."""
    if len(texts) + len(pairs) > PREFETCH_TEXTS:
        return False
    if texts:
        models.encoder.prefetch(texts, pairs, progress=progress)
    return True


def _analyze_encoded(doc: Document, models: Models, source: str, metadata: dict | None = None, position: int = -1,
                     finder: OrganisationFinder | None = None, progress: bool = False,
                     mentions: list | None = None) -> Analysis:
    """Encode ``doc`` once, then score it: ahead in the encoder's cache, or, over
    :data:`PREFETCH_TEXTS` texts, into a temporary file the heads read while they score
    (:meth:`~xhs_nlp.encoder.Encoder.encoded_on_disk`: memory stays flat in the
    document's length). Where that file cannot be written (a full disk), each head
    encodes what it reads in bounded batches: the same numbers, about three times the
    encoder's work. ``mentions``: the document's organisation mentions, where they were
    found already."""
    found = find_mentions(doc, finder) if mentions is None else mentions  # once, for the encoder and the heads
    texts, pairs = _encoder_inputs(models, [doc], finder, [found])
    with contextlib.ExitStack() as stack:
        if not _prefetch(models, texts, pairs, progress):
            try:
                stack.enter_context(models.encoder.encoded_on_disk(texts, pairs, progress=progress))
            except OSError as err:
                _log.warning("the encoder's features of %s could not be kept on disk (%s): each model encodes what "
                             "it reads instead (slower, the same numbers)", source, err)
        return _analyze_doc(doc, models, source, metadata, position, finder=finder, mentions=found)


def _analyze_doc(doc: Document, models: Models, source: str, metadata: dict | None = None, position: int = -1,
                 finder: OrganisationFinder | None = None, mentions: list | None = None) -> Analysis:
    if not doc.sentences:
        raise EmptyDocumentError("the document has no sentences (empty, or only forum chrome)")
    found = find_mentions(doc, finder) if mentions is None else mentions  # found once, read by claims and portrayal
    claims = classify_document(doc, models.claims, mentions=found)  # facts name what portrayal names
    return Analysis(doc=doc, id=document_id(doc.text), source=source,
                    sentiment=score_document(doc, models.sentiment), claims=claims,
                    framing=document_framing(doc, frames_model=models.frames, techniques_model=models.techniques),
                    entities=portray(doc, models.target_sentiment, finder=finder or default_finder(), claims=claims,
                                     mentions=found),
                    metadata=dict(metadata or {}), position=position, encoder=_encoder_record(models))


def _encoder_record(models: Models) -> dict[str, str]:
    enc = models.encoder
    return {"name": enc.name, "fingerprint": enc.fingerprint, "precision": enc.precision}


def analyze(source: str | bytes | os.PathLike[str] | Document, *, models: Models | None = None,
            encoding: str | None = None, max_bytes: int | None = MAX_BYTES, progress: bool | None = None,
            aliases: Aliases | None = None) -> Analysis:
    """Segment and score one document.

    Args:
        source: text, bytes, a path (``pathlib.Path``, or a ``str`` file name ending in
            ``.txt``/``.md``/``.html``) or an already segmented :class:`Document`.
        models: :class:`Models` to use (default: the shipped models, loaded once).
        encoding: force the input encoding.
        max_bytes: refuse larger sources (:data:`MAX_BYTES`, as ``xhs-nlp score``;
            ``None``: no limit).
        progress: show the encoder's progress on stderr (``None``: for documents over
            :data:`PROGRESS_CHARS` characters).
        aliases: your own organisation names, ``{canonical name: [aliases]}`` or a file
            (:mod:`xhs_nlp.segment.organisations`), on top of the shipped ones.

    Raises:
        InputError: the source cannot be read or decoded, is over ``max_bytes``, or
            holds no sentence.
        DataError: a bad alias table (an empty name, a cycle, ...).

    Example:
        >>> a = analyze("一、现状\\n小红书2024年营收增长了20%。这是一条艰难的路。")
        >>> a.claims[0].label, [q.text for q in a.claims[0].facts.quantities]
        ('claim', ['2024年', '20%'])
    """
    finder = OrganisationFinder(aliases) if aliases is not None else None  # a bad table fails before the work
    m = models or default_models()
    doc = _segment(source, encoding, max_bytes)
    return _analyze_encoded(doc, m, _source_name(source), finder=finder,
                            progress=len(doc.text) > PROGRESS_CHARS if progress is None else progress)


# -- many documents ---------------------------------------------------------------------------


@dataclass
class Source:
    """One input of :func:`analyze_many` with what the results carry about it: its
    place in the input (``position``), its name (``name``: a path, ``file.jsonl:row``,
    ``<text>``) and extra ``metadata`` (e.g. a table's other columns)."""

    position: int
    source: Any
    name: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _as_source(i: int, x: Any) -> Source:
    if isinstance(x, Source):
        return x
    return Source(i, x, _source_name(x), {})


def _run_batch(items: list[Source], models: Models | None, errors: str, *, drop_cache: bool = False,
               max_bytes: int | None = MAX_BYTES, finder: OrganisationFinder | None = None) -> list[Analysis | Failure]:
    """Segment a batch, encode all its text in one call, score each document; with
    ``drop_cache`` the encoder's cache is emptied before the heap is trimmed."""
    m = models or default_models()
    docs: list[Document | Failure] = []
    for it in items:
        try:
            docs.append(_segment(it.source, max_bytes=max_bytes))
        except Exception as err:  # noqa: BLE001 (every failure becomes a row)
            if errors == "raise":
                raise
            docs.append(_failure(it, err))
    found: dict[int, list] = {}  # each document's organisation mentions, found once
    for k, d in enumerate(docs):
        if isinstance(d, Document):
            try:
                found[k] = find_mentions(d, finder)
            except Exception:  # noqa: BLE001 - found (or failed, as a row) again when the document is scored
                pass
    try:
        # a batch over PREFETCH_TEXTS is encoded document by document below, as is a document
        # whose mentions could not be found (it fails, or not, on its own there)
        whole = _encode_batch(m, [docs[k] for k in found], finder=finder, mentions=list(found.values()))
    except Exception:  # noqa: BLE001 - one document must not fail the batch: encode each alone below
        whole = False
    out: list[Analysis | Failure] = []
    for k, (it, d) in enumerate(zip(items, docs)):
        if isinstance(d, Failure):
            out.append(d)
            continue
        try:
            out.append(_analyze_doc(d, m, it.name, it.metadata, it.position, finder=finder, mentions=found[k])
                       if whole and k in found else
                       _analyze_encoded(d, m, it.name, it.metadata, it.position, finder=finder,
                                        mentions=found.get(k)))
        except Exception as err:  # noqa: BLE001
            if errors == "raise":
                raise
            out.append(_failure(it, err))
    if drop_cache:
        m.encoder.clear_cache()
    release_heap()  # between batches too: the documents' structures freed
    return out



def _failure(it: Source, err: BaseException) -> Failure:
    return Failure(it.name, type(err).__name__, str(err) or type(err).__name__, it.position, it.metadata)


def _worker_context():
    """``(context, stop)``: workers forked from a fork server that has loaded the models
    (Linux: they share the models' memory copy-on-write), else spawned (each loads its
    own). ``stop()`` ends a fork server started here, so its memory is not held after the
    pool (a server that was already running is left alone)."""
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods() and sys.platform.startswith("linux"):
        from multiprocessing import forkserver

        server = forkserver._forkserver  # the module's one server (private, guarded below)
        if getattr(server, "_forkserver_pid", 0) is None:  # not running: start it with our preload
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["xhs_nlp._forkserver"])
            return ctx, getattr(server, "_stop", lambda: None)
    return mp.get_context("spawn"), lambda: None


def _worker_init(threads: int, parent: int | None = None) -> None:
    import torch

    torch.set_num_threads(threads)
    if parent is not None:
        exit_with(parent)


def exit_with(pid: int) -> None:
    """End this process (``os._exit``) as soon as process ``pid`` ends, however it ends
    (``kill -9`` included): a worker never outlives the run that started it. A daemon
    thread waits on a pidfd (Linux), or checks every second elsewhere."""
    import threading

    def watch() -> None:
        try:
            import select

            fd = os.pidfd_open(pid)
            select.select([fd], [], [])
        except (AttributeError, OSError):
            import time

            while True:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except OSError:
                    pass
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="xhs_nlp-exit-with-parent", daemon=True).start()


_WORKER_FINDERS: dict[str, OrganisationFinder] = {}


def _worker_batch(items: list[Source], errors: str, max_bytes: int | None,
                  aliases: Aliases | None = None) -> list[Analysis | Failure]:
    # a worker's batches rarely share a text: its cache would only hold memory
    finder = None
    if aliases is not None:
        key = repr(aliases)
        finder = _WORKER_FINDERS.get(key) or _WORKER_FINDERS.setdefault(key, OrganisationFinder(aliases))
    return _run_batch(items, None, errors, drop_cache=True, max_bytes=max_bytes, finder=finder)


def analyze_many(sources: Iterable[Any], *, batch_size: int = 16, n_process: int = 1, models: Models | None = None,
                 errors: str = "raise", max_bytes: int | None = MAX_BYTES,
                 aliases: Aliases | None = None, progress: bool = False) -> Iterator[Analysis | Failure]:
    """Analyse many documents; yields results in input order (like spaCy's ``nlp.pipe``).

    Each batch of ``batch_size`` documents is segmented, then all its sentences and
    paragraphs go through the encoder in one length-sorted pass, then every scorer
    reads the cached vectors.

    Args:
        sources: texts, bytes, paths, :class:`Document` objects or :class:`Source` items.
        batch_size: documents per encoder batch.
        n_process: worker processes (each runs the shipped models with
            ``cores // n_process`` torch threads); ``1`` runs in this process. On Linux
            the workers are forked from a server process that loaded the models once,
            so they share that memory; elsewhere each worker loads its own.
        models: models for ``n_process=1`` (workers always load the shipped models).
        errors: ``"raise"`` stops at the first failing document; ``"return"`` yields a
            :class:`Failure` in its place and goes on.
        max_bytes: larger sources fail (:data:`MAX_BYTES`; ``None``: no limit).
        aliases: your own organisation names (as for :func:`analyze`).
        progress: a tqdm bar of the documents done, on standard error when it is a
            terminal (silent otherwise).

    Raises:
        InputError: bad arguments; DataError: a bad alias table (before any work).

    Example:
        >>> [a.claims[0].label for a in analyze_many(["Sales rose 5% in 2023.", "What a shame!"])]
        ['claim', 'rhetoric']
    """
    if batch_size < 1 or n_process < 1:
        raise InputError("batch_size and n_process must be >= 1")
    if errors not in ("raise", "return"):
        raise InputError("errors must be 'raise' or 'return'")
    if n_process > 1 and models is not None:
        raise InputError("models= applies to n_process=1; worker processes load the shipped models")
    finder = OrganisationFinder(aliases) if aliases is not None else None
    if progress:
        total = len(sources) if isinstance(sources, Sequence) else None
        return _with_progress(total, _analyze_many(sources, batch_size, n_process, models, errors, max_bytes, aliases,
                                                   finder))
    return _analyze_many(sources, batch_size, n_process, models, errors, max_bytes, aliases, finder)


def _with_progress(total: int | None, results: Iterator[Analysis | Failure]) -> Iterator[Analysis | Failure]:
    from ._progress import progress_bar

    bar = progress_bar(total, desc="analyze", unit="doc")
    try:
        for r in results:
            bar.update(1)
            yield r
    finally:
        bar.close()


def _analyze_many(sources: Iterable[Any], batch_size: int, n_process: int, models: Models | None, errors: str,
                  max_bytes: int | None, aliases: Aliases | None,
                  finder: OrganisationFinder | None) -> Iterator[Analysis | Failure]:
    def batches() -> Iterator[list[Source]]:
        chunk: list[Source] = []
        for i, x in enumerate(sources):
            chunk.append(_as_source(i, x))
            if len(chunk) == batch_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    if n_process == 1:
        for chunk in batches():
            yield from _run_batch(chunk, models, errors, max_bytes=max_bytes, finder=finder)
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // n_process)
    ctx, stop_server = _worker_context()
    try:
        with ProcessPoolExecutor(n_process, mp_context=ctx, initializer=_worker_init,
                                 initargs=(threads, os.getpid())) as pool:
            pending: deque = deque()
            for chunk in batches():
                pending.append(pool.submit(_worker_batch, chunk, errors, max_bytes, aliases))
                if len(pending) >= 2 * n_process:  # bounded look-ahead keeps memory flat
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        stop_server()
