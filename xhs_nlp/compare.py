"""Many documents side by side: per group of documents (an outlet, a month, a language …)
the number of documents, sentiment, claim share, frames, techniques and how each
organisation is portrayed, each with a 95% bootstrap confidence interval over documents.

:func:`compare` reads the tidy tables of :mod:`xhs_nlp.tables`: a folder written by
``xhs-nlp score`` (or its ``--out run.csv`` prefix), the dict of DataFrames of
``score_frame`` / ``Analysis.to_dataframes``, or one ``documents`` DataFrame (such as a
``score_dataset`` output turned into pandas). It returns a :class:`Comparison`, a dict of
tidy DataFrames:

* ``groups``: one row per group: the group's keys, ``n`` (documents), ``small`` (fewer
  than ``min_documents``: the row is kept and marked, never hidden), ``n_sentences``;
* ``measures``: one row per group and measure: ``measure``, ``estimate``, ``ci_low``,
  ``ci_high``, ``n``, ``small``, ``what`` (what the number is). Measures:

  - ``sentiment``: the mean of the documents' sentiment scores (token-weighted mean of
    ``P(positive) - P(negative)`` over a document's sentences, -1 to 1);
  - ``share_negative``, ``share_neutral``, ``share_positive``: the mean over documents of
    the token-weighted share of the document's sentences with that label;
  - ``label_negative`` …: the share of documents whose label (the sign of their mean
    score) is negative …;
  - ``claim_share``: the mean over documents of the share of classified sentences
    labelled ``claim``;
  - ``frame:NAME``, ``technique:NAME``: the share of documents where the frame or
    technique is on (above its tuned threshold);
  - with a correction (``correction="acc"`` or ``"pcc"``): ``prevalence_claim``,
    ``prevalence_negative`` …: the share of sentences a careful reader would label so,
    corrected for the classifier's measured errors (see below);

* ``organisations``: one row per group and organisation: ``documents`` (naming it),
  ``share_documents`` (of the group's documents, with its interval), ``mentions``,
  ``tone`` (the mean over the documents naming it of its document-level target sentiment,
  -1 to 1, with its interval over those documents), ``small``.

Intervals are percentile intervals of ``n_resamples`` bootstrap resamples of a group's
documents (organisations' tone: of the documents naming it), drawn from a generator
seeded by ``seed`` and the group's keys, so a group's interval does not change when other
groups are added. A group of one document has a zero-width interval: read ``n``.

Groups are made from any column of the ``documents`` table (``lang``, ``author``, …), any
key of its JSON ``metadata`` column (expanded into columns first, :func:`expand_metadata`)
and the time keys ``day``, ``week``, ``month``, ``quarter`` and ``year``, taken from the
``date`` column (default ``date`` if the metadata has one, else ``posted_at``), parsed once
by :func:`parse_dates`: ISO 8601 and the formats pandas reads, times with an offset turned
into UTC and naive times taken as UTC; a week runs Monday to Sunday and is named by its
Monday. A document without a date, or whose date cannot be parsed, is put in the period
``(no date)`` (a marked group, never an error), and the number of such documents is stated
in ``Comparison.notes``.

**Why a share of classifier labels is biased.** A classifier with true-positive rate
``tpr`` and false-positive rate ``fpr`` labels a share ``q = tpr * p + fpr * (1 - p)``
of sentences positive when the true share is ``p``: ``q`` is pulled towards the share
the classifier gives to everything, and differences between groups shrink by the factor
``tpr - fpr``. Adjusted classify-and-count (``correction="acc"``) inverts that equation
with error rates measured on labelled data; probabilistic averaging (``"pcc"``) averages
recalibrated probabilities. Which is better was measured (``benchmarks/prevalence.py``)
on the op-ed reading corpus's dev split: neither correction beat the raw share there (the
errors nearly cancel on average, and they are not the same in every document, which
breaks ACC's premise), so ``correction="auto"`` follows that measurement and reports the
raw shares; pass your own rates (``error_rates=``, e.g. :func:`xhs_nlp.evaluate` reports
on labelled data of your genre) to correct with them.

Example:
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": list("abcdef"), "lang": ["en"] * 3 + ["zh"] * 3,
    ...                      "sentiment_score": [-0.5, -0.2, 0.1, 0.3, 0.2, 0.4],
    ...                      "claim_share": [0.5, 0.6, 0.4, 0.2, 0.3, 0.1]})
    >>> c = compare(docs, by=["lang"], n_resamples=200, min_documents=3)
    >>> c["groups"][["lang", "n", "small"]].to_dict("records")
    [{'lang': 'en', 'n': 3, 'small': False}, {'lang': 'zh', 'n': 3, 'small': False}]
    >>> m = c.measure("claim_share")
    >>> m["estimate"].round(2).tolist()
    [0.5, 0.2]
    >>> bool((m["ci_low"] <= m["estimate"]).all() and (m["estimate"] <= m["ci_high"]).all())
    True
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from .errors import DataError, InputError, SourceNotFoundError
from .schemes import FRAMES, SENTIMENT_LABELS, TECHNIQUES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["compare", "Comparison", "read_tables", "expand_metadata", "parse_dates", "load_error_rates",
           "to_files", "TIME_KEYS", "CORRECTIONS"]

#: the time keys ``by`` accepts, and the pandas period of each
TIME_KEYS = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
#: the corrections of shares of classifier labels (``"auto"``: the measured choice)
CORRECTIONS = ("auto", "none", "acc", "pcc")
NO_DATE = "(no date)"
MISSING = "(missing)"
_RATES = Path(__file__).resolve().parent / "data" / "error_rates.json"
_SENT_WHAT = "mean over documents of the token-weighted share of sentences labelled {lab}"


# -- reading the tables ---------------------------------------------------------------------------


def read_tables(source: Any) -> dict[str, pd.DataFrame]:
    """The score tables from what ``score`` and friends give: a folder (``documents.parquet``
    …, ``.csv`` or ``.jsonl``, or the Dask engine's ``documents/`` folders of parts), a file
    prefix (``run.csv`` → ``run.documents.csv`` …), a dict of DataFrames, one ``documents``
    DataFrame, or a ``datasets.Dataset``.

    Raises:
        SourceNotFoundError: a path that does not exist or holds no ``documents`` table.
        DataError: a table without ``doc_id`` or ``source``-like key, or an unknown input.
    """
    import pandas as pd

    if isinstance(source, Mapping):
        tables = {str(k): v for k, v in source.items() if isinstance(v, pd.DataFrame)}
        if "documents" not in tables:
            raise DataError("the tables have no 'documents' table (keys: " + ", ".join(map(str, source)) + ")")
    elif isinstance(source, pd.DataFrame):
        tables = {"documents": source}
    elif isinstance(source, (str, os.PathLike)):
        tables = _read_folder(Path(source))
    elif hasattr(source, "to_pandas") and hasattr(source, "column_names"):
        tables = {"documents": source.to_pandas()}
    else:
        raise DataError(f"cannot compare a {type(source).__name__}: give a folder of score tables, a dict of "
                        "DataFrames or a documents DataFrame")
    docs = tables["documents"]
    if "doc_id" not in docs.columns:
        docs = docs.assign(doc_id=[f"row{i}" for i in range(len(docs))])
        tables["documents"] = docs
    return tables


def _read_folder(path: Path) -> dict[str, pd.DataFrame]:
    import pandas as pd

    readers = {".parquet": pd.read_parquet, ".csv": pd.read_csv,
               ".jsonl": lambda p: pd.read_json(p, orient="records", lines=True)}
    if path.is_dir():
        found = {}
        for t in ("documents", "sentences", "entities", "sections", "errors"):
            sub = path / t
            if sub.is_dir() and any(sub.glob("*.parquet")):  # the Dask engine's parts
                found[t] = pd.read_parquet(sub)
                continue
            for ext, read in readers.items():
                if (path / f"{t}{ext}").exists():
                    found[t] = read(path / f"{t}{ext}")
                    break
        if "documents" not in found:
            raise SourceNotFoundError(f"{path} holds no documents table (documents.parquet, .csv or .jsonl)")
        return found
    ext = path.suffix.lower()
    if ext in readers:
        prefix = path.with_suffix("")
        found = {t: readers[ext](Path(f"{prefix}.{t}{ext}")) for t in ("documents", "sentences", "entities")
                 if Path(f"{prefix}.{t}{ext}").exists()}
        if "documents" in found:
            return found
        if path.exists():  # a documents table given by name
            return {"documents": readers[ext](path)}
    raise SourceNotFoundError(f"no score tables at {path}")


def expand_metadata(docs: pd.DataFrame, column: str = "metadata") -> pd.DataFrame:
    """``docs`` with each key of its JSON ``metadata`` column as a real column (a key that
    is already a column is added as ``meta_KEY``); rows without metadata get missing values.

    Example:
        >>> import pandas as pd
        >>> d = pd.DataFrame({"doc_id": ["a", "b"], "metadata": ['{"outlet": "FT"}', None]})
        >>> expand_metadata(d)["outlet"].tolist()
        ['FT', None]
    """
    import pandas as pd

    if column not in docs.columns:
        return docs
    parsed = []
    for v in docs[column].tolist():
        if isinstance(v, Mapping):
            parsed.append(dict(v))
        elif isinstance(v, str) and v.strip():
            try:
                obj = json.loads(v)
            except ValueError:
                obj = None
            parsed.append(obj if isinstance(obj, dict) else {})
        else:
            parsed.append({})
    keys = list(dict.fromkeys(k for p in parsed for k in p))
    if not keys:
        return docs
    cols = {}
    for k in keys:
        name = k if k not in docs.columns else f"meta_{k}"
        cols[name] = pd.Series([p.get(k) for p in parsed], index=docs.index, dtype=object)
    return pd.concat([docs, pd.DataFrame(cols, index=docs.index)], axis=1)


def parse_dates(values: Any) -> pd.Series:
    """Dates of a column parsed once: ISO 8601 and the formats pandas reads, UTC (times
    with an offset converted, naive times taken as UTC); missing or unparseable values
    are ``NaT``.

    Example:
        >>> [str(t) for t in parse_dates(["2024-03-05", "2024-03-05T23:30:00-02:00", "soon", None])]
        ['2024-03-05 00:00:00+00:00', '2024-03-06 01:30:00+00:00', 'NaT', 'NaT']
    """
    import pandas as pd

    s = pd.Series(values).astype(object)
    out = []
    for v in s.tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()):
            out.append(pd.NaT)
            continue
        try:
            t = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError):
            out.append(pd.NaT)
            continue
        if t is pd.NaT:
            out.append(pd.NaT)
            continue
        out.append(t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC"))
    return pd.Series(pd.to_datetime(out, utc=True), index=s.index)


def _period_labels(dates: pd.Series, key: str) -> tuple[list[str], list[Any]]:
    """The label and start (a naive UTC timestamp) of each date's period."""
    import pandas as pd

    labels, starts = [], []
    for t in dates.tolist():
        if t is pd.NaT or t is None or pd.isna(t):
            labels.append(NO_DATE)
            starts.append(pd.NaT)
            continue
        p = t.tz_convert(None).to_period(TIME_KEYS[key])
        start = p.start_time
        label = {"day": start.strftime("%Y-%m-%d"), "week": f"{start.strftime('%Y-%m-%d')} (week)",
                 "month": start.strftime("%Y-%m"), "quarter": f"{start.year}-Q{p.quarter}", "year": str(start.year)}[key]
        labels.append(label)
        starts.append(start)
    return labels, starts


def cell_list(v: Any) -> list[str]:
    """A multi-valued cell as a list: ``"a|b"`` (CSV), a list or an array (Parquet)."""
    if v is None:
        return []
    if isinstance(v, str):
        return [x for x in v.split("|") if x]
    if isinstance(v, float) and np.isnan(v):
        return []
    try:
        return [str(x) for x in v if x is not None and str(x)]
    except TypeError:
        return []


# -- error rates and corrections -----------------------------------------------------------------


def load_error_rates(source: Any = None) -> dict[str, Any]:
    """The error rates a correction uses: ``None`` gives the shipped ones (measured by
    ``benchmarks/prevalence.py`` on the op-ed reading corpus's dev split); a dict may hold
    ``claims`` and ``sentiment`` confusion counts ``{true: {predicted: n}}``, either per
    language (``{"en": {...}, "*": {...}}``) or directly, or :func:`xhs_nlp.evaluate`
    reports (their ``confusion``); a path reads such a JSON file."""
    if source is None:
        source = _RATES
    if isinstance(source, (str, os.PathLike)):
        try:
            source = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read error rates from {source}: {err}") from None
    if not isinstance(source, Mapping):
        raise InputError("error_rates must be a dict, a path or None")
    out: dict[str, Any] = {k: source[k] for k in ("source", "method", "models", "calibration") if k in source}
    for task, labels in (("claims", ("claim", "rhetoric")), ("sentiment", SENTIMENT_LABELS)):
        v = source.get(task)
        if v is None:
            continue
        if isinstance(v, Mapping) and "confusion" in v:  # an evaluate() report
            v = v["confusion"]
        if isinstance(v, Mapping) and set(v) <= set(labels):  # one matrix for every language
            v = {"*": v}
        mats = {}
        for lg, conf in v.items():
            C = np.array([[float(conf.get(t, {}).get(p, 0)) for p in labels] for t in labels])
            C += np.eye(len(labels))  # one pseudo-count on the diagonal: a class never seen stays invertible
            mats[str(lg)] = C / C.sum(1, keepdims=True)
        out[task] = mats
    return out


def _simplex(v: np.ndarray) -> np.ndarray:
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    k = np.nonzero(u * np.arange(1, len(v) + 1) > (css - 1))[0][-1]
    return np.maximum(v - (css[k] - 1) / (k + 1), 0.0)


def _acc(q: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Adjusted classify and count: the true shares ``p`` with ``C^T p = q``, on the simplex."""
    try:
        return _simplex(np.linalg.solve(C.T, q))
    except np.linalg.LinAlgError:
        return q


def _calibrate(P: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """Recalibrated probabilities: the shipped logistic recalibration on log-probabilities."""
    X = np.log(np.clip(P, 1e-6, 1.0))
    W, b = np.asarray(params["coef"], float), np.asarray(params["intercept"], float)
    z = X @ W.T + b
    if z.shape[1] == 1:  # binary: the log-odds of the second class
        p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return np.stack([1 - p1, p1], 1)
    z -= z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


# -- the comparison -------------------------------------------------------------------------------


class Comparison(dict):
    """What :func:`compare` returns: a dict of DataFrames (``groups``, ``measures``,
    ``organisations``) plus ``by`` (the group keys), ``time`` (the time key, if any),
    ``notes`` (what was parsed and how), ``level`` (the intervals' coverage),
    ``members`` (one row per document: ``doc_id``, ``source`` and its group keys) and
    :meth:`measure` / :meth:`wide` views."""

    by: list[str]
    time: str | None
    notes: list[str]
    level: float = 0.95
    members: pd.DataFrame | None = None

    def measure(self, name: str) -> pd.DataFrame:
        """The rows of one measure (``"claim_share"``, ``"frame:Economic"`` …), one per group."""
        m = self["measures"]
        if name not in set(m["measure"]):
            raise DataError(f"no measure {name!r}; measures: {', '.join(dict.fromkeys(m['measure']))}")
        return m[m["measure"] == name].reset_index(drop=True)

    def wide(self) -> pd.DataFrame:
        """One row per group: ``n``, ``small`` and for each measure its estimate and
        ``MEASURE_low`` / ``MEASURE_high``."""
        import pandas as pd

        m = self["measures"]
        keys = list(self.by)
        out = self["groups"].copy()
        for name in dict.fromkeys(m["measure"]):
            part = m[m["measure"] == name][keys + ["estimate", "ci_low", "ci_high"]]
            part = part.rename(columns={"estimate": name, "ci_low": f"{name}_low", "ci_high": f"{name}_high"})
            out = out.merge(part, on=keys, how="left") if keys else pd.concat(
                [out.reset_index(drop=True), part.drop(columns=keys).reset_index(drop=True)], axis=1)
        return out


def _group_seed(seed: int, key: tuple) -> np.random.Generator:
    h = int.from_bytes(hashlib.sha256(json.dumps([str(k) for k in key]).encode()).digest()[:8], "little")
    return np.random.default_rng([seed, h])


def _boot_weights(rng: np.random.Generator, n: int, b: int) -> np.ndarray:
    """``(b, n)`` resample counts: each row a bootstrap resample of ``n`` documents."""
    return rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(float)


def _interval(stat: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    a = (1 - level) / 2
    with np.errstate(all="ignore"):
        return np.nanquantile(stat, a, axis=0), np.nanquantile(stat, 1 - a, axis=0)


def _means(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Resampled means of each column of ``X`` (``NaN`` cells left out)."""
    ok = ~np.isnan(X)
    num = W @ np.where(ok, X, 0.0)
    den = W @ ok.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def compare(
    tables: Any,
    by: str | Sequence[str] = (),
    *,
    date: str | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    min_documents: int = 5,
    correction: str = "auto",
    error_rates: Any = None,
    organisations: int | None = 30,
) -> Comparison:
    """Compare groups of scored documents, each number with a bootstrap interval.

    Args:
        tables: a score output folder, a dict of DataFrames (``documents`` at least;
            ``sentences`` for corrected shares, ``entities`` for organisations), or a
            ``documents`` DataFrame (see :func:`read_tables`).
        by: the group keys: columns of the documents table or keys of its metadata
            (``"outlet"``, ``"lang"``), and time keys (``"month"``: see :data:`TIME_KEYS`)
            taken from ``date``. ``()``: the whole corpus as one group.
        date: the column with each document's date (default ``date`` if there is one, else
            ``posted_at``); parsed once by :func:`parse_dates`.
        n_resamples: bootstrap resamples per group (``0``: no intervals).
        seed: the bootstrap's seed: the same seed gives the same intervals.
        level: the intervals' coverage (0.95: 95% intervals).
        min_documents: groups with fewer documents are marked ``small``.
        correction: shares of classifier labels corrected for the classifier's errors:
            ``"acc"`` (adjusted classify and count), ``"pcc"`` (the mean of recalibrated
            probabilities), ``"none"``, or ``"auto"``: the method the shipped measurement
            chose (``benchmarks/prevalence.py``; today the raw share, so nothing is added),
            or ``"acc"`` when you give ``error_rates`` that name no method.
            Needs the ``sentences`` table.
        error_rates: the rates ``"acc"`` uses (:func:`load_error_rates`; default: the
            shipped ones, per language).
        organisations: the organisations compared: the most often named ``N`` across the
            corpus (``None``: all).

    Returns:
        a :class:`Comparison` (see the module's documentation for the tables).

    Raises:
        DataError: a group key that is neither a column nor a metadata key nor a time key,
            an empty documents table, or a bad option; a correction without ``sentences``.

    Example:
        >>> import pandas as pd
        >>> docs = pd.DataFrame({"doc_id": list("abcd"), "outlet": ["FT", "FT", "财新", "财新"],
        ...                      "sentiment_score": [-0.4, -0.2, 0.3, 0.1]})
        >>> c = compare(docs, by="outlet", n_resamples=100, min_documents=3)
        >>> c["groups"][["outlet", "n", "small"]].values.tolist()
        [['FT', 2, True], ['财新', 2, True]]
    """
    import pandas as pd

    by = [by] if isinstance(by, str) else list(by)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 0:
        raise DataError(f"n_resamples must be an integer >= 0, got {n_resamples!r}")
    if not 0 < level < 1:
        raise DataError(f"level must be between 0 and 1, got {level!r}")
    if correction not in CORRECTIONS:
        raise DataError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    t = read_tables(tables)
    docs = expand_metadata(t["documents"].reset_index(drop=True))
    if not len(docs):
        raise DataError("the documents table is empty: nothing to compare")
    notes: list[str] = []
    time_keys = [k for k in by if k in TIME_KEYS and k not in docs.columns]
    if len(time_keys) > 1:
        raise DataError(f"group by one time key at a time, got {time_keys}")
    time_key = time_keys[0] if time_keys else None
    if time_key:
        if date is None:
            date = "date" if "date" in docs.columns else "posted_at"
        if date not in docs.columns:
            raise DataError(f"grouping by {time_key!r} needs a date column: {date!r} is not a column "
                            f"(columns: {', '.join(map(str, docs.columns))}); pass date=COLUMN")
        dates = parse_dates(docs[date])
        labels, starts = _period_labels(dates, time_key)
        docs[time_key] = labels
        docs["period_start"] = starts
        n_bad = int(dates.isna().sum())
        notes.append(f"{time_key}: the period of column {date!r} parsed as UTC dates (ISO 8601 and the formats pandas "
                     f"reads; a week runs Monday to Sunday, named by its Monday)"
                     + (f"; {n_bad} document(s) without a parseable date are in the period {NO_DATE!r}" if n_bad else ""))
    missing = [k for k in by if k not in docs.columns]
    if missing:
        cols = [c for c in docs.columns if c != "metadata" and not str(c).startswith(("frame_", "technique_",
                                                                                       "category_", "cue_"))]
        raise DataError(f"cannot group by {', '.join(map(repr, missing))}: not a column of the documents table, "
                        f"a metadata key or a time key ({', '.join(TIME_KEYS)}); columns: {', '.join(map(str, cols))}")
    for k in by:
        if k != time_key:
            col = docs[k].astype(object)
            n_missing = int(col.isna().sum())
            if n_missing:
                notes.append(f"{k}: {n_missing} document(s) without a value are in the group {MISSING!r}")
            docs[k] = col.where(col.notna(), MISSING).map(lambda v: v if isinstance(v, (str, int, bool)) else str(v))

    # per-document values: the measures that are means over documents
    cols: dict[str, np.ndarray] = {}
    what: dict[str, str] = {}

    def num(c: str) -> np.ndarray:
        return pd.to_numeric(docs[c], errors="coerce").to_numpy(dtype=float) if c in docs.columns else None

    if (v := num("sentiment_score")) is not None:
        cols["sentiment"] = v
        what["sentiment"] = "mean over documents of the document sentiment (token-weighted P(pos) - P(neg), -1 to 1)"
    for lab in SENTIMENT_LABELS:
        if (v := num(f"share_{lab}")) is not None:
            cols[f"share_{lab}"] = v
            what[f"share_{lab}"] = _SENT_WHAT.format(lab=lab)
    if "sentiment_label" in docs.columns:
        labs = docs["sentiment_label"].astype(object)
        for lab in SENTIMENT_LABELS:
            cols[f"label_{lab}"] = np.where(labs.isna(), np.nan, (labs == lab).astype(float))
            what[f"label_{lab}"] = f"share of documents whose label (the sign of their mean sentiment) is {lab}"
    if (v := num("claim_share")) is not None:
        cols["claim_share"] = v
        what["claim_share"] = "mean over documents of the share of classified sentences labelled claim"
    for prefix, names, col in (("frame", FRAMES, "frames_on"), ("technique", TECHNIQUES, "techniques_on")):
        if col in docs.columns:
            on = [set(cell_list(v)) for v in docs[col].tolist()]
            for name in names:
                cols[f"{prefix}:{name}"] = np.array([float(name in s) for s in on])
                what[f"{prefix}:{name}"] = f"share of documents where the {prefix} {name} is on (above its threshold)"

    # corrected shares of sentence labels, from the sentences table
    method = correction
    rates = None
    if correction in ("auto", "acc", "pcc"):
        rates = load_error_rates(error_rates)
        if correction == "auto" and error_rates is not None and "method" not in rates:
            method = "acc"  # your own measured rates, without a chosen method: adjusted classify and count
            notes.append("correction auto: acc (with the error rates given)")
        elif correction == "auto":
            method = {"cc": "none", "acc": "acc", "pcc": "pcc", "cpcc": "pcc"}.get(str(rates.get("method", "cc")).lower(),
                                                                                   "none")
            notes.append(f"correction auto: {method} (on {rates.get('source', 'labelled data')}, the estimator "
                         f"{rates.get('method', 'CC')} had the smallest error)")
    corr: dict[str, Any] = {}
    if method in ("acc", "pcc"):
        if "sentences" not in t:
            raise DataError(f"correction {method!r} needs the sentences table (give the score folder or the dict of "
                            "tables), or pass correction='none'")
        corr = _sentence_shares(t["sentences"], docs, method, rates)
        notes.append(corr.pop("_note"))
        for name in corr.get("what", {}):
            what[name] = corr["what"][name]

    names = list(cols)
    X = np.column_stack([cols[n] for n in names]) if names else np.zeros((len(docs), 0))
    key_cols = by
    group_iter = [((), docs.index.to_numpy())] if not by else [
        ((k if isinstance(k, tuple) else (k,)), np.asarray(idx))
        for k, idx in docs.groupby(by[0] if len(by) == 1 else by, sort=True).indices.items()]
    if time_key:  # time in order, "(no date)" last
        group_iter.sort(key=lambda kv: tuple((1, "") if (i == by.index(time_key) and v == NO_DATE) else (0, str(v))
                                             for i, v in enumerate(kv[0])))
    n_sent = num("n_sentences")
    g_rows, m_rows = [], []
    ents = document_entities(t.get("entities"), docs)
    top = None
    if ents is not None and len(ents):
        counts = ents.groupby("entity")["doc_id"].nunique().sort_values(ascending=False, kind="stable")
        top = list(counts.index if organisations is None else counts.index[:organisations])
    o_rows = []
    for key, idx in group_iter:
        n = len(idx)
        kd = dict(zip(key_cols, key))
        small = n < min_documents
        row = {**kd, "n": n, "small": small,
               "n_sentences": int(np.nansum(n_sent[idx])) if n_sent is not None else None}
        if time_key:
            row["period_start"] = docs["period_start"].iloc[idx[0]]
        g_rows.append(row)
        rng = _group_seed(seed, key)
        W = _boot_weights(rng, n, n_resamples) if n_resamples else None
        Xg = X[idx]
        with np.errstate(all="ignore"):
            est = np.array([np.nanmean(Xg[:, j]) if np.any(~np.isnan(Xg[:, j])) else np.nan for j in range(len(names))])
        lo = hi = est
        if W is not None and len(names):
            lo, hi = _interval(_means(W, Xg), level)
        for j, name in enumerate(names):
            m_rows.append({**kd, "measure": name, "estimate": est[j], "ci_low": lo[j], "ci_high": hi[j],
                           "n": int(np.sum(~np.isnan(Xg[:, j]))), "small": small, "method": "raw", "what": what[name]})
        if corr:
            for r in _corrected_rows(corr, idx, W, level, method):
                m_rows.append({**kd, **r, "small": small, "what": what[r["measure"]]})
        if top is not None:
            o_rows += _organisation_rows(ents, docs, idx, kd, top, rng, n_resamples, level, min_documents)
    groups = pd.DataFrame(g_rows)
    measures = pd.DataFrame(m_rows, columns=[*key_cols, "measure", "estimate", "ci_low", "ci_high", "n", "small",
                                             "method", "what"])
    org_cols = [*key_cols, "entity", "documents", "share_documents", "share_documents_low", "share_documents_high",
                "mentions", "tone", "tone_low", "tone_high", "small"]
    orgs = pd.DataFrame(o_rows, columns=org_cols)
    if time_key:
        for df in (measures, orgs):
            df.insert(len(key_cols), "period_start", df[time_key].map(dict(zip(groups[time_key], groups["period_start"])))
                      if len(df) else pd.Series(dtype="datetime64[ns]"))
    notes.append(f"intervals: {level:.0%} percentile bootstrap over documents, {n_resamples} resamples, seed {seed}; "
                 f"groups under {min_documents} documents are marked small")
    out = Comparison(groups=groups, measures=measures, organisations=orgs)
    out.by, out.time, out.notes, out.level = list(by), time_key, notes, level
    out.members = docs[list(dict.fromkeys([c for c in ("doc_id", "source") if c in docs.columns] + list(by)))].copy()
    for df in out.values():
        df.attrs.update({"by": list(by), "time": time_key, "notes": list(notes), "level": level})
    return out


def _sentence_shares(sents: pd.DataFrame, docs: pd.DataFrame, method: str, rates: Mapping[str, Any]) -> dict[str, Any]:
    """Per document and language: the shares of sentence labels (ACC) or the means of
    recalibrated probabilities (PCC) that the corrected measures are made of."""
    import pandas as pd

    s = sents
    if "not_writing" in s.columns:
        s = s[s["not_writing"].isna() | (s["not_writing"].astype(object) == "")]
    pos = {d: i for i, d in enumerate(docs["doc_id"].tolist())}
    di = s["doc_id"].map(pos)
    s = s[di.notna()]
    di = di[di.notna()].astype(int).to_numpy()
    n_docs = len(docs)
    doc_lang = docs["lang"].astype(object).where(docs["lang"].notna(), "*").to_numpy() if "lang" in docs.columns \
        else np.full(n_docs, "*", dtype=object)
    out: dict[str, Any] = {"doc_lang": doc_lang, "tasks": {}, "what": {}}
    for task, labels, pcols, label_col in (("claims", ("claim", "rhetoric"), None, "claim"),
                                            ("sentiment", SENTIMENT_LABELS, [f"p_{x}" for x in SENTIMENT_LABELS],
                                             "sentiment_label")):
        if label_col not in s.columns or task not in rates:
            continue
        lab = s[label_col].astype(object)
        ok = lab.isin(labels).to_numpy().copy()
        if method == "acc":
            V = np.stack([(lab == x).to_numpy(dtype=float) for x in labels], 1)
        else:
            if task == "claims":
                if "p_claim" not in s.columns:
                    continue
                pc = pd.to_numeric(s["p_claim"], errors="coerce").to_numpy(dtype=float)
                P = np.stack([pc, 1 - pc], 1)
            else:
                if not set(pcols) <= set(s.columns):
                    continue
                P = s[pcols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
            ok = ok & ~np.isnan(P).any(1)
            V = np.zeros_like(P)
            cal = rates.get("calibration", {}).get(task, {})
            sl = doc_lang[di]
            for lg in np.unique(sl):
                m = (sl == lg) & ok
                params = cal.get(lg) or cal.get("*")
                if m.any():
                    V[m] = _calibrate(P[m], params) if params else P[m]
        S = np.zeros((n_docs, len(labels)))
        cnt = np.zeros(n_docs)
        np.add.at(S, di[ok], V[ok])
        np.add.at(cnt, di[ok], 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            S = np.where(cnt[:, None] > 0, S / np.where(cnt > 0, cnt, 1)[:, None], np.nan)
        shown = ("claim",) if task == "claims" else labels
        out["tasks"][task] = {"labels": labels, "S": S, "shown": shown, "C": rates[task]}
        for x in shown:
            out["what"][f"prevalence_{x}"] = (f"estimated share of sentences a reader would label {x} (mean over "
                                              f"documents), {'ACC-corrected' if method == 'acc' else 'recalibrated PCC'}")
    out["_note"] = (f"prevalence_*: {'adjusted classify and count' if method == 'acc' else 'mean of recalibrated probabilities'}"
                    f" with the rates of {rates.get('source', 'the given error rates')}, per document language ('*' "
                    "for other languages)")
    return out


def _corrected_rows(corr: Mapping[str, Any], idx: np.ndarray, W: np.ndarray | None, level: float,
                    method: str) -> list[dict[str, Any]]:
    rows = []
    langs = corr["doc_lang"][idx]
    for task, d in corr["tasks"].items():
        S = d["S"][idx]
        labels, C = d["labels"], d["C"]

        def stat(w: np.ndarray) -> np.ndarray:
            """The corrected shares for document weights ``w`` (one resample)."""
            total, acc_v = 0.0, np.zeros(len(labels))
            for lg in np.unique(langs):
                m = (langs == lg) & ~np.isnan(S).any(1)
                wl = w[m]
                if wl.sum() <= 0:
                    continue
                q = (wl[:, None] * S[m]).sum(0) / wl.sum()
                if method == "acc":
                    q = _acc(q, C.get(lg, C.get("*")))
                acc_v += wl.sum() * q
                total += wl.sum()
            return acc_v / total if total else np.full(len(labels), np.nan)

        est = stat(np.ones(len(idx)))
        if W is not None:
            B = np.array([stat(w) for w in W])
            lo, hi = _interval(B, level)
        else:
            lo = hi = est
        n = int(np.sum(~np.isnan(S).any(1)))
        for x in d["shown"]:
            j = labels.index(x)
            rows.append({"measure": f"prevalence_{x}", "estimate": est[j], "ci_low": lo[j], "ci_high": hi[j], "n": n,
                         "method": method})
    return rows


def document_entities(ents: pd.DataFrame | None, docs: pd.DataFrame) -> pd.DataFrame | None:
    """The document-level rows of the entities table (``section`` empty), for the documents compared."""
    if ents is None or not len(ents) or "entity" not in ents.columns:
        return None
    e = ents
    if "section" in e.columns:
        e = e[e["section"].isna()]
    return e[e["doc_id"].isin(set(docs["doc_id"]))]


def _organisation_rows(ents: pd.DataFrame, docs: pd.DataFrame, idx: np.ndarray, kd: dict, top: list[str],
                       rng: np.random.Generator, n_resamples: int, level: float, min_documents: int
                       ) -> list[dict[str, Any]]:
    import pandas as pd

    ids = docs["doc_id"].iloc[idx].tolist()
    pos = {d: i for i, d in enumerate(ids)}
    e = ents[ents["doc_id"].isin(pos) & ents["entity"].isin(top)]
    n = len(ids)
    W = _boot_weights(rng, n, n_resamples) if n_resamples else None
    rows = []
    for name, part in e.groupby("entity", sort=False):
        per_doc = part.groupby("doc_id").agg(score=("score", "mean"), mentions=("mentions", "sum"))
        named = np.zeros(n)
        tone = np.full(n, np.nan)
        for d, r in per_doc.iterrows():
            named[pos[d]] = 1.0
            tone[pos[d]] = r["score"] if pd.notna(r["score"]) else np.nan
        share = named.mean()
        t_est = float(np.nanmean(tone)) if np.any(~np.isnan(tone)) else np.nan
        s_lo = s_hi = share
        t_lo = t_hi = t_est
        if W is not None:
            (s_lo,), (s_hi,) = _interval(_means(W, named[:, None]), level)
            (t_lo,), (t_hi,) = _interval(_means(W, tone[:, None]), level)
        k = int(named.sum())
        rows.append({**kd, "entity": name, "documents": k, "share_documents": share, "share_documents_low": s_lo,
                     "share_documents_high": s_hi, "mentions": int(per_doc["mentions"].sum()), "tone": t_est,
                     "tone_low": t_lo, "tone_high": t_hi, "small": k < min_documents})
    rows.sort(key=lambda r: (-r["documents"], r["entity"]))
    return rows


def to_files(c: Comparison, out: str | os.PathLike[str], fmt: str = "csv") -> list[Path]:
    """Write a comparison's tables to the folder ``out`` (``groups.csv``, ``measures.csv``,
    ``organisations.csv``, ``wide.csv``; or ``.parquet``) and ``notes.txt``."""
    folder = Path(out)
    if fmt not in ("csv", "parquet"):
        raise InputError(f"unknown format {fmt!r}: csv or parquet")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in [*c.items(), ("wide", c.wide())]:
        p = folder / f"{name}.{fmt}"
        df.to_csv(p, index=False) if fmt == "csv" else df.to_parquet(p, index=False)
        written.append(p)
    notes = folder / "notes.txt"
    notes.write_text("\n".join(c.notes) + "\n", encoding="utf-8")
    written.append(notes)
    return written
