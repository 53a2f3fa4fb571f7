"""The one base class of every trained scorer: a head on the shared encoder.

:class:`EncoderHead` is a scikit-learn classifier over raw texts (``X`` is a list of
strings). A subclass declares

* its keyword hyper-parameters in ``__init__`` and their constraints once, in
  ``_parameter_constraints`` (checked at :meth:`~EncoderHead.fit`, the bad one named);
* the fitted arrays it owns in ``_fitted_arrays`` and the fitted JSON values in
  ``_fitted_values`` (what :meth:`~EncoderHead.save` writes and
  :meth:`~EncoderHead.load` reads back: a JSON card plus safetensors, no pickle);
* ``_fit(texts, y, Z, **row_params)`` and ``_proba(texts, Z, **row_params)`` on the
  encoder features ``Z`` of :meth:`~EncoderHead.features`.

The base gives the rest: input checks, :meth:`~EncoderHead.fit` and
:meth:`~EncoderHead.predict_proba` from texts or from precomputed features
(``features=``, the output of :meth:`~EncoderHead.features`, so cross-validation
encodes once), :meth:`~EncoderHead.out_of_fold`, save/load with the card's record of
the encoder, and the shipped model folders (which live in the repository's top-level
``models/`` and inside the installed package alike).

Example:
    >>> from xhs_nlp.claims import ClaimClassifier
    >>> clf = ClaimClassifier(embeddings=False, cues=True)
    >>> X = ["Sales rose 5% in 2023.", "What a disgrace!", "Profit fell 8% in 2022.", "We must act now!"]
    >>> Z = clf.features(X)                    # encode once ...
    >>> _ = clf.fit(X, ["claim", "rhetoric", "claim", "rhetoric"], features=Z)
    >>> clf.predict_proba(X, features=Z).shape  # ... and reuse
    (4, 2)
"""

from __future__ import annotations

import math
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from .errors import DataError, InputError, ModelError
from .errors import check_texts as _check_texts
from .encoder import DEFAULT_ENCODER
from .labelled import parse_label_map
from .persist import load_model_folder, save_model_folder, shipped_model_dir

#: the encoders a model card may name (``None``: the default)
KNOWN_ENCODERS: tuple[str | None, ...] = (None, DEFAULT_ENCODER)

#: the most texts a head encodes and scores at once when it computes their features itself
#: (:meth:`EncoderHead.predict_proba`): a long document's sentences go through in batches
#: of this many, so its features never sit in memory all at once
PREDICT_ROWS = 1024

__all__ = ["EncoderHead", "PREDICT_ROWS", "rows_of", "in_row_batches", "Real", "Integer", "Options", "Boolean", "Strings", "Anything",
           "check_texts", "encoder_record", "language_tags", "KNOWN_ENCODERS",
           "take_rows"]


# -- hyper-parameter constraints ------------------------------------------------------------


@dataclass(frozen=True)
class Real:
    """A number in ``[low, high]`` (``None``: unbounded); ``none=True`` also allows ``None``."""

    low: float | None = None
    high: float | None = None
    none: bool = False

    def ok(self, v: Any) -> bool:
        if v is None:
            return self.none
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
            return False
        return (self.low is None or v >= self.low) and (self.high is None or v <= self.high)

    def __str__(self) -> str:
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"a number in [{lo}, {hi}]" + (" or None" if self.none else "")


@dataclass(frozen=True)
class Integer(Real):
    """An integer in ``[low, high]``."""

    def ok(self, v: Any) -> bool:
        return (v is None and self.none) or (isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                             and super().ok(v))

    def __str__(self) -> str:
        return super().__str__().replace("a number", "an integer")


@dataclass(frozen=True)
class Options:
    """One of ``values``."""

    values: tuple
    none: bool = False

    def ok(self, v: Any) -> bool:
        return (v is None and self.none) or (not isinstance(v, (list, dict)) and v in self.values)

    def __str__(self) -> str:
        return f"one of {self.values!r}" + (" or None" if self.none else "")


@dataclass(frozen=True)
class Boolean:
    """``True`` or ``False``."""

    def ok(self, v: Any) -> bool:
        return isinstance(v, (bool, np.bool_))

    def __str__(self) -> str:
        return "True or False"


@dataclass(frozen=True)
class Strings:
    """A list (or tuple) of strings, each one of ``values`` when given."""

    values: tuple | None = None

    def ok(self, v: Any) -> bool:
        return isinstance(v, (list, tuple)) and all(
            isinstance(x, str) and (self.values is None or x in self.values) for x in v)

    def __str__(self) -> str:
        return "a list of strings" + (f" among {self.values!r}" if self.values is not None else "")


@dataclass(frozen=True)
class Anything:
    """Any value (checked by the estimator itself, e.g. layer lists)."""

    what: str = "any value"

    def ok(self, v: Any) -> bool:
        return True

    def __str__(self) -> str:
        return self.what


def check_texts(X: Any) -> list[str]:
    """``X`` as a list of non-empty texts (:func:`xhs_nlp.errors.check_texts`)."""
    return _check_texts(X, allow_empty=False)


def language_tags(texts: Sequence[str], langs: str | Sequence[str | None] | None) -> list[str]:
    """One language tag per text: ``langs`` as given (one tag for all, or one per text; a
    missing one is detected), or every text's detected language.

    Raises:
        DataError: a list of tags whose length is not the number of texts.
    """
    from .segment.language import detect_lang

    if langs is None:
        return [detect_lang(t) for t in texts]
    if isinstance(langs, str):
        return [langs] * len(texts)
    out = list(langs)
    if len(out) != len(texts):
        raise DataError(f"{len(texts)} texts but {len(out)} language tags")
    return [str(lg) if lg else detect_lang(t) for t, lg in zip(texts, out)]


def check_predict_domain(predict_domain: Any, owner: str, *, mixtures: bool = False) -> None:
    """Refuse a ``predict_domain`` that is not a name, a dict language -> name or ``None``
    (with ``mixtures``, a language's value may also be a mixture of domains, ``{name:
    weight}``, positive weights that sum to 1).

    Raises:
        InputError: naming ``owner`` and the value.
    """
    pd = predict_domain

    def mixture(v: Any) -> bool:
        return (mixtures and isinstance(v, Mapping) and len(v) > 0
                and all(isinstance(k, str) and isinstance(w, (int, float)) and not isinstance(w, bool) and w > 0
                        for k, w in v.items()) and abs(sum(v.values()) - 1) < 1e-6)

    if not (pd is None or isinstance(pd, str) or (
            isinstance(pd, dict) and all(isinstance(k, str) and (isinstance(v, str) or mixture(v))
                                         for k, v in pd.items()))):
        raise InputError(f"{owner}: predict_domain must be a domain name, a dict language -> domain ('*': the "
                         f"others{'; a language may name a mixture {domain: weight} whose weights sum to 1' if mixtures else ''}"
                         f") or None, got {pd!r}")


_BLAS: Any = None
_BLAS_LOCK = threading.RLock()  # re-entrant: a head may call another inside it


def rows_of(params: Mapping[str, Any], start: int, stop: int, n: int) -> dict[str, Any]:
    """``params`` for rows ``start:stop`` of ``n``: a list, tuple or array of ``n`` values
    (one per row) is sliced; anything else (a name for all rows, ``None``) is kept.

    Example:
        >>> rows_of({"langs": ["en", "zh", "en"], "domain": "oped"}, 1, 3, 3)
        {'langs': ['zh', 'en'], 'domain': 'oped'}
    """
    return {k: v[start:stop] if isinstance(v, (list, tuple, np.ndarray)) and len(v) == n else v
            for k, v in params.items()}


def in_row_batches(predict: Callable[..., np.ndarray], texts: Sequence[str], **row_params: Any) -> np.ndarray:
    """``predict(batch, **params)`` over :data:`PREDICT_ROWS` texts at a time (each batch
    with its rows of ``row_params``, :func:`rows_of`), the results stacked in order."""
    k, n = PREDICT_ROWS, len(texts)
    return np.concatenate([predict(texts[a:a + k], **rows_of(row_params, a, a + k, n)) for a in range(0, n, k)])


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """A context in which numpy's BLAS runs one thread.

    Heads apply their weights with numpy; on some CPUs (OpenBLAS's Haswell kernels on AMD
    EPYC) a product's float32 rounding depends on how many threads share it (2.5e-7 in a
    probability between 1 and 2 threads, 1e-6 between 1 and 4), so a document scored in a
    one-thread worker process would differ from the same document scored in the main
    process. Products of one document's sentences are small; one thread costs little
    (the context itself about 24 µs). The limit is process-wide, so threads of one process
    take turns inside it (a lock): none can restore the thread count while another computes.
    """
    global _BLAS
    from threadpoolctl import ThreadpoolController

    with _BLAS_LOCK:
        if _BLAS is None:
            _BLAS = ThreadpoolController()
        with _BLAS.limit(limits=1, user_api="blas"):
            yield


def parse_predict_domain(predict_domain: Any) -> Any:
    """A trainer's ``predict_domain`` as the model takes it: the command line's
    ``"LANG=DOMAIN,..."`` becomes a dict (``"*"``: the other languages; a mixture of
    domains ``A:0.7+B:0.3`` a dict ``{A: 0.7, B: 0.3}``), a mapping a plain dict; a name,
    ``None`` or anything else is returned as it is (the model's check names a bad value).

    Example:
        >>> parse_predict_domain("zh=news,*=editorial")
        {'zh': 'news', '*': 'editorial'}
        >>> parse_predict_domain("en=oped:0.7+news:0.3,*=oped")
        {'en': {'oped': 0.7, 'news': 0.3}, '*': 'oped'}
        >>> parse_predict_domain("editorial")
        'editorial'
    """
    if isinstance(predict_domain, str) and "=" in predict_domain:
        out: dict[str, Any] = {}
        for lang, value in parse_label_map(predict_domain).items():
            if "+" in value or ":" in value:
                parts = [p.rpartition(":") for p in value.split("+")]
                try:
                    out[lang] = {name.strip(): float(w) for name, _, w in parts}
                except ValueError:
                    raise DataError(f"predict domain {lang}={value}: a mixture is NAME:WEIGHT+NAME:WEIGHT") from None
            else:
                out[lang] = value
        return out
    return dict(predict_domain) if isinstance(predict_domain, Mapping) else predict_domain


def untrained_predict_domains(predict_domain: str | dict[str, str] | None, trained: Sequence[Any]) -> list[str]:
    """The domains ``predict_domain`` names that are not among ``trained`` (a trainer
    refuses them before the encoder runs).

    Example:
        >>> untrained_predict_domains({"zh": "news", "*": "editorial"}, ["news"])
        ['editorial']
    """
    pd = predict_domain
    values = list(pd.values()) if isinstance(pd, dict) else [pd] if pd else []
    named = {n for v in values for n in (v if isinstance(v, Mapping) else [v])}
    return sorted(named - set(trained))


def default_domain(predict_domain: str | dict[str, str] | None, lang: str | None, fallback: str | None) -> str | None:
    """The domain a sentence in language ``lang`` is predicted for when none is given:
    ``predict_domain`` (one name, or a dict language -> name whose ``"*"`` covers the
    other languages), else ``fallback``.

    Example:
        >>> default_domain({"zh": "news", "*": "editorial"}, "en", None)
        'editorial'
    """
    pd = predict_domain
    if isinstance(pd, dict):
        return pd.get(lang, pd.get("*", fallback)) if lang is not None else pd.get("*", fallback)
    return pd if pd else fallback


def resolve_domains(texts: Sequence[str], domain: str | Sequence[str] | None, langs: Any,
                    predict_domain: str | dict[str, str] | None,
                    fallback: str | None) -> tuple[np.ndarray, Any]:
    """The domain of each text's prediction, and the language tags to predict with.

    ``domain`` (one name, or one per text) wins; else :func:`default_domain` of each
    text's language. When the domain depends on the language the tags are detected here
    once and returned, so the caller does not detect them again.

    Raises:
        DataError: a list of domains whose length is not the number of texts.
    """
    n = len(texts)
    if domain is None and isinstance(predict_domain, dict):
        langs = language_tags(texts, langs)
        out = np.empty(n, dtype=object)  # entries may be mixtures (dicts): filled, not built by np.array
        out[:] = [default_domain(predict_domain, lg, fallback) for lg in langs]
        return out, langs
    if domain is None:
        domain = default_domain(predict_domain, None, fallback)
    if domain is None or isinstance(domain, str):
        return np.full(n, domain, dtype=object), langs
    if isinstance(domain, Mapping):  # one mixture for every text
        d = np.empty(n, dtype=object)
        d[:] = [dict(domain)] * n
        return d, langs
    d = np.empty(len(domain), dtype=object)
    d[:] = [None if x is None else x if isinstance(x, Mapping) else str(x) for x in domain]
    if len(d) != n:
        raise DataError(f"{n} texts but {len(d)} domains")
    return d, langs


def encoder_record(enc: Any) -> dict[str, Any]:
    """What a model card records of the encoder its head was trained on."""
    return {"name": enc.name, "fingerprint": enc.fingerprint, "precision": enc.precision,
            **{k: enc.info.get(k) for k in ("source_package", "source_sha256", "tuned_sha256") if k in enc.info}}


def take_rows(v: Any, idx: np.ndarray) -> Any:
    """The rows ``idx`` of a per-row value (array or list); a string or ``None`` (one
    value for all rows) is returned as it is."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, np.ndarray):
        return v[idx]
    return [v[i] for i in idx]


# -- the base class ---------------------------------------------------------------------------


class EncoderHead(ClassifierMixin, BaseEstimator):
    """A trained head on the shared encoder (see the module docstring).

    Subclasses set :attr:`kind` (the model card's ``kind``), :attr:`default_model`
    (the shipped folder's name under ``models/``), the hyper-parameter constraints and
    the fitted arrays/values, and implement ``_fit`` and ``_proba``.
    """

    kind: ClassVar[str] = "head"
    default_model: ClassVar[str | None] = None
    #: hyper-parameter name -> constraint, checked by :meth:`fit`
    _parameter_constraints: ClassVar[dict[str, Any]] = {}
    #: fitted array attributes (``name_``) saved to safetensors when not ``None``
    _fitted_arrays: ClassVar[tuple[str, ...]] = ()
    #: fitted JSON values (``name_``) saved in the card's ``fitted`` record
    _fitted_values: ClassVar[tuple[str, ...]] = ()
    #: constraints of the fitted values, checked when a card is loaded
    _fitted_constraints: ClassVar[dict[str, Any]] = {}
    #: attribute that marks a fitted estimator
    _fitted_marker: ClassVar[str] = "classes_"

    # -- sklearn plumbing -------------------------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags

    def _validate_hyperparameters(self) -> None:
        """Check every declared hyper-parameter; raise :class:`InputError` naming the first bad one."""
        params = self.get_params(deep=False)
        for name, constraint in self._parameter_constraints.items():
            if not constraint.ok(params[name]):
                raise InputError(f"{type(self).__name__}: {name} must be {constraint}, got {params[name]!r}")
        self._check_params()

    def _check_params(self) -> None:
        """Checks across hyper-parameters (subclasses)."""

    def _check_is_fitted(self) -> None:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, self._fitted_marker)

    # -- the encoder --------------------------------------------------------------------------

    def shared_encoder(self):
        """The :class:`~xhs_nlp.encoder.Encoder` this head reads (shared across the process)."""
        from .encoder import get_encoder

        return get_encoder(getattr(self, "encoder", None))

    def _layer_list(self) -> list[int] | None:
        layers = getattr(self, "layers", None)
        if layers is None:
            return None
        return [int(layers)] if isinstance(layers, (int, np.integer)) else [int(x) for x in layers]

    def _what(self) -> str:
        return f"{self.kind} model"

    def _layer_features(self, texts: Sequence[str], *, progress: bool = False,
                        cache: str | os.PathLike[str] | None = None) -> np.ndarray:
        from .encoder import FeatureBank, layer_features

        return layer_features(self.shared_encoder(), list(texts), self._layer_list(),
                              trained_on=getattr(self, "encoder_fingerprint_", None), what=self._what(),
                              progress=progress, bank=None if cache is None else FeatureBank(cache))

    def features(self, X: Sequence[str], *, progress: bool = False,
                 cache: str | os.PathLike[str] | None = None) -> np.ndarray:
        """The features the head reads for texts ``X`` (one row per text): pass them as
        ``features=`` to :meth:`fit` and :meth:`predict_proba` to encode only once.

        The default is the encoder's mean-pooled hidden states of :attr:`layers`
        (all 13 by default), concatenated. ``cache`` (a folder) keeps the encoder's
        features on disk between runs (:class:`~xhs_nlp.encoder.FeatureBank`).
        """
        return self._layer_features(check_texts(X), progress=progress, cache=cache)

    def _resolve_features(self, texts: list[str], features: Any) -> np.ndarray:
        if features is None:
            return self.features(texts)
        Z = np.asarray(features)
        if Z.ndim != 2 or len(Z) != len(texts):
            raise DataError(f"features must be a 2-d array with one row per text ({len(texts)}), got shape {Z.shape}")
        return Z

    # -- fit / predict --------------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: Any, *, features: np.ndarray | None = None, **row_params: Any) -> EncoderHead:
        """Fit the head on texts ``X`` and labels ``y``.

        Args:
            X: texts.
            y: labels (a subclass says which).
            features: ``self.features(X)`` computed earlier (optional).
            **row_params: per-text extras a subclass reads (e.g. ``langs``, ``domains``).

        Raises:
            InputError: a hyper-parameter outside its constraint.
            DataError: bad texts or labels (the row is named).
        """
        self._validate_hyperparameters()
        texts = check_texts(X)
        Z = self._resolve_features(texts, features) if self._needs_features() else None
        self._fit(texts, y, Z, **row_params)
        if self._reads_encoder() and (features is None or not getattr(self, "encoder_fingerprint_", None)):
            self.encoder_fingerprint_ = self.shared_encoder().fingerprint
        return self

    def predict_proba(self, X: Sequence[str], *, features: np.ndarray | None = None, **row_params: Any) -> np.ndarray:
        """Probabilities, one column per entry of :attr:`classes_`.

        Without ``features``, more than :data:`PREDICT_ROWS` texts are scored in batches of
        that many (their features computed batch by batch), so memory stays flat in the
        number of texts (the probabilities are those of one call up to float rounding: a
        matrix product over fewer rows may round its last bits differently).
        """
        self._check_is_fitted()
        texts = check_texts(X)
        if features is None and self._needs_features() and len(texts) > PREDICT_ROWS:
            return in_row_batches(self.predict_proba, texts, **row_params)
        Z = self._resolve_features(texts, features) if self._needs_features() else None
        width = self._input_width()
        if Z is not None and width is not None and Z.shape[1] != width:
            if features is not None:
                raise DataError(f"features have {Z.shape[1]} columns, the model's weights read {width} "
                                f"({getattr(self, 'path_', 'the model')})")
            raise ModelError(f"{getattr(self, 'path_', 'the model')}: its weights read {width} features per text, but "
                             f"the encoder gives {Z.shape[1]}: the model was trained on another encoder or other "
                             "layers (load it with the encoder it was trained on, encoder=...)")
        with one_blas_thread():  # the same numbers in the main process and in workers
            return self._proba(texts, Z, **row_params)

    def _input_width(self) -> int | None:
        """The number of features per text the fitted weights read (the standardiser's
        length), or ``None`` where the head has no single standardiser."""
        mean = getattr(self, "mean_", None)
        return None if mean is None else int(np.shape(mean)[0])

    def _needs_features(self) -> bool:
        """Whether the head reads :meth:`features` (a head of n-grams alone does not)."""
        return True

    def _reads_encoder(self) -> bool:
        """Whether :meth:`features` runs the encoder (cue counts alone do not)."""
        return True

    def _fit(self, texts: list[str], y: Any, Z: np.ndarray | None, **row_params: Any) -> None:
        raise NotImplementedError

    def _proba(self, texts: list[str], Z: np.ndarray | None, **row_params: Any) -> np.ndarray:
        raise NotImplementedError

    def out_of_fold(self, X: Sequence[str], y: Any, splits: Sequence[tuple[np.ndarray, np.ndarray]], *,
                    features: np.ndarray | None = None, fit_params: dict[str, Any] | None = None,
                    predict_params: dict[str, Any] | None = None,
                    on_fold: Callable[[int], None] | None = None) -> np.ndarray:
        """Out-of-fold :meth:`predict_proba`: a clone fitted on each split's training rows
        scores its held-out rows. ``features`` (one row per text) is sliced, not
        recomputed; so are per-row ``fit_params``/``predict_params`` (lists or arrays)."""
        texts = check_texts(X)
        yy = np.asarray(y, dtype=object) if not isinstance(y, np.ndarray) else y
        oof: np.ndarray | None = None
        for k, (a, b) in enumerate(splits):
            m = clone(self).fit(take_rows(texts, a), take_rows(yy, a), features=take_rows(features, a),
                                **{n: take_rows(v, a) for n, v in (fit_params or {}).items()})
            p = m.predict_proba(take_rows(texts, b), features=take_rows(features, b),
                                **{n: take_rows(v, b) for n, v in (predict_params or {}).items()})
            if oof is None:
                oof = np.zeros((len(texts), p.shape[1]), dtype=np.float64)
            oof[b] = p
            if on_fold is not None:
                on_fold(k)
        if oof is None:
            raise DataError("no cross-validation splits given")
        return oof

    # -- persistence ------------------------------------------------------------------------------

    def _arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save: the declared ones that are set."""
        return {name: np.asarray(getattr(self, name + "_"), dtype=np.float32)
                for name in self._fitted_arrays if getattr(self, name + "_", None) is not None}

    def _set_arrays(self, arrays: dict[str, np.ndarray], fitted: dict[str, Any], folder: Path) -> None:
        """Set the fitted arrays from a loaded folder (absent ones: ``None``)."""
        wanted = fitted.get("arrays")
        if wanted is not None and (missing := [n for n in wanted if n not in arrays]):
            raise ModelError(f"{folder}: weights lack arrays {missing}")
        for name in self._fitted_arrays:
            setattr(self, name + "_", arrays.get(name))

    def _check_loaded(self, folder: Path) -> None:
        """Check the loaded arrays' shapes against the card (subclasses)."""

    def _card_extra(self) -> dict[str, Any]:
        """Readable fields a subclass adds to the card (e.g. thresholds by label)."""
        return {}

    def _card_kind(self) -> str:
        return self.kind

    @classmethod
    def _expected_kind(cls, **load_params: Any) -> str:
        return cls.kind

    @classmethod
    def _legacy_card(cls, card: dict[str, Any]) -> dict[str, Any]:
        """A card of an older layout brought to this one (subclasses)."""
        return card

    @classmethod
    def _from_json(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Hyper-parameters read from a card: JSON has no tuples, so a list becomes a tuple
        where the default is one (``get_params`` of the loaded model equals the saved one's)."""
        import inspect

        defaults = {n: p.default for n, p in inspect.signature(cls.__init__).parameters.items()}
        return {k: tuple(v) if isinstance(v, list) and isinstance(defaults.get(k), tuple) else v
                for k, v in params.items()}

    def encoder_record(self) -> dict[str, Any]:
        """The card's record of the encoder the head reads."""
        rec = encoder_record(self.shared_encoder())
        if getattr(self, "encoder_fingerprint_", None):
            rec["fingerprint"] = self.encoder_fingerprint_
        return rec

    def save(self, path: str | os.PathLike[str], *, card: dict[str, Any] | None = None) -> Path:
        """Write a model folder: ``card.json`` (hyper-parameters, fitted values, training
        data, metrics, encoder, versions) and ``weights.safetensors`` (arrays only)."""
        self._check_is_fitted()
        arrays = self._arrays()
        full = dict(card if card is not None else getattr(self, "card_", {}))
        params = self.get_params(deep=False)
        if "layers" in params and params["layers"] is not None:
            params["layers"] = self._layer_list()
        full.update(kind=self._card_kind(), labels=[str(c) for c in self.classes_], hyperparameters=params,
                    fitted={**{n: getattr(self, n + "_") for n in self._fitted_values}, "arrays": sorted(arrays)},
                    **self._card_extra())
        if self._reads_encoder():
            full["encoder"] = self.encoder_record()
        return save_model_folder(path, full, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, encoder: Any = None, **load_params: Any):
        """Load a model folder (default: the shipped one).

        A card names its encoder only by a name this library knows
        (:data:`KNOWN_ENCODERS`); a head trained on another encoder is loaded with
        ``encoder=FOLDER`` given here, never from a path read from the card. Every
        hyper-parameter and fitted value is checked against its constraint, and every
        array is finite.

        Raises:
            ModelError: a missing, damaged or tampered folder, a model of another kind,
                a card that names an unknown encoder or does not describe this estimator
                (the bad value is named).
        """
        kind = cls._expected_kind(**load_params)
        folder = Path(path) if path is not None else shipped_model_dir(cls.default_model or kind)
        card, arrays = load_model_folder(folder, kind=kind)
        card = cls._legacy_card(card)
        try:
            params = cls._from_json(card["hyperparameters"])
            if not isinstance(params, dict):
                raise TypeError("hyperparameters is not a JSON object")
            if encoder is not None:
                params["encoder"] = encoder
            elif "encoder" in params and params["encoder"] not in KNOWN_ENCODERS:
                raise ModelError(f"{folder}: the card names the encoder {params['encoder']!r}, not one this library "
                                 f"knows ({', '.join(map(repr, KNOWN_ENCODERS))}); a card cannot point at a folder: "
                                 "pass encoder=FOLDER to load() if you trust that encoder")
            est = cls(**params)
            try:
                est._validate_hyperparameters()
            except InputError as err:
                raise ModelError(f"{folder}: the card's hyper-parameters are invalid: {err}") from None
            fitted = card["fitted"]
            for name in cls._fitted_values:
                value = fitted[name]
                rule = cls._fitted_constraints.get(name)
                if rule is not None and not rule.ok(value):
                    raise ModelError(f"{folder}: fitted value {name} must be {rule}, got {value!r}")
                setattr(est, name + "_", value)
            est._set_arrays(arrays, fitted, folder)
            est.classes_ = np.array(card["labels"])
            est._check_loaded(folder)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ModelError(f"{folder}: the card does not describe a {cls.__name__} ({err})") from None
        est.card_ = card
        est.encoder_fingerprint_ = card.get("encoder", {}).get("fingerprint")
        est.path_ = folder
        return est
