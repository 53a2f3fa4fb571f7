"""Segmentation speed: MB/s on English and Chinese text, next to plain ``jieba.lcut``.

    .venv/bin/python benchmarks/segmentation.py

English: the bundled post (its body is English) repeated; Chinese: ChnSentiCorp hotel
reviews and NLPCC Weibo posts from ../shared/corpora, joined into op-ed-sized documents
of ~20 KB. Segmentation here means the whole of ``segment`` (decode, chrome, structure,
sentences) plus tokens of every sentence (jieba for Chinese), i.e. everything before
the encoder.
"""

from __future__ import annotations

import json

from _common import POST, SHARED, header, median_time, need


def chinese_docs(limit_bytes: int = 2_000_000) -> list[str]:
    texts = []
    for name in ("chnsenticorp_htl_zh", "nlpcc_weibo_emotion_opinion_zh"):
        with open(need(SHARED / name / "data.jsonl"), encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f]
    docs, cur, size, total = [], [], 0, 0
    for t in texts:
        t = " ".join(t.split())
        if not t:
            continue
        cur.append(t)
        size += len(t.encode())
        if size > 20_000:
            docs.append("\n\n".join(cur))
            total += size
            cur, size = [], 0
            if total > limit_bytes:
                break
    return docs


def main() -> None:
    import jieba

    import xhs_nlp
    from xhs_nlp.segment.tokens import get_jieba  # the library's jieba instance (domain dictionary)

    header("segmentation")
    jieba.setLogLevel(60)
    post = POST.read_text(encoding="utf-8")
    zh = chinese_docs()
    zh_mb = sum(len(d.encode()) for d in zh) / 1e6
    en_docs = [post] * 40
    en_mb = sum(len(d.encode()) for d in en_docs) / 1e6
    get_jieba()
    jieba.lcut("预热")

    def seg(docs):
        for d in docs:
            doc = xhs_nlp.segment(d)
            for s in doc.sentences:
                s.tokens  # noqa: B018 (tokenise every sentence)

    def seg_only(docs):
        for d in docs:
            xhs_nlp.segment(d)

    def lcut(docs):
        for d in docs:
            jieba.lcut(d)

    rows = []
    for name, docs, mb in (("English (bundled post x40)", en_docs, en_mb), ("Chinese (ChnSentiCorp + NLPCC)", zh, zh_mb)):
        t_all, _ = median_time(lambda: seg(docs), repeat=3)
        t_seg, _ = median_time(lambda: seg_only(docs), repeat=3)
        rows.append((name, mb, t_seg, t_all))
        print(f"{name}: {mb:.2f} MB in {len(docs)} documents; segment (no tokens) {mb / t_seg:.2f} MB/s; "
              f"segment + tokens {mb / t_all:.2f} MB/s")
    t_j, _ = median_time(lambda: lcut(zh), repeat=3)
    print(f"plain jieba.lcut on the same Chinese text: {zh_mb / t_j:.2f} MB/s "
          f"(segment + tokens runs at {t_j / rows[1][3]:.2f}x jieba.lcut's speed)")
    print("(medians of 3 runs after one warm-up run)")


if __name__ == "__main__":
    main()
