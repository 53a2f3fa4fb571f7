"""Encoding detection and relative post times: the library's own code against the
well-kept libraries that do the same job (charset-normalizer, dateparser).

* **Encodings**: texts from the shared corpora (Chinese news commentary and hotel
  reviews, German/French/Polish/Russian news paragraphs, English sentences) and the
  bundled post, encoded as UTF-8, UTF-8 with BOM, GB18030, GBK, Big5 (traditional
  Chinese), cp1252 and UTF-16, each decoded by ``xhs_nlp.segment.decode.decode_bytes`` and
  by ``charset_normalizer.from_bytes(b).best()``; right when the decoded text equals the
  original. Short texts (one sentence, under 200 bytes) and long ones (a few paragraphs)
  are counted apart: short ones are the hard case for a detector.
* **Post times**: the relative and absolute times Discuz! pages print (``半小时前``,
  ``3 天前``, ``昨天 12:30``, ``前天 08:00``, ``2024-2-27 08:15`` …), resolved against a
  page time by ``xhs_nlp.segment.chrome.resolve_post_time`` and by ``dateparser.parse``
  (``RELATIVE_BASE`` the page time, Chinese).

Usage::

    .venv/bin/python benchmarks/decoding_and_dates.py [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xhs_nlp.errors import XhsNlpError  # noqa: E402
from xhs_nlp.segment.chrome import resolve_post_time  # noqa: E402
from xhs_nlp.segment.decode import decode_bytes  # noqa: E402

ENCODINGS = {"zh": ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"], "zh_trad": ["big5", "utf-8"],
             "latin": ["utf-8", "cp1252", "utf-16"], "ru": ["utf-8", "utf-16"], "pl": ["utf-8", "utf-16"]}


def samples(corpora: Path, n: int = 60) -> list[tuple[str, str]]:
    rnd = random.Random(0)
    out: list[tuple[str, str]] = []

    def rows(name: str, lang: str | None = None) -> list[str]:
        texts = []
        with open(corpora / name, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if lang is None or r.get("lang") == lang:
                    texts.append(r["text"])
        return texts

    zh = rows("ecob_zh/data.jsonl") + rows("chnsenticorp_htl_zh/data.jsonl")
    out += [("zh", t) for t in rnd.sample(zh, n)]
    trad = str.maketrans("书们这说会为国发对经来时实现过当业体应关开长门问题样让从还进种产电网络点",
                         "書們這說會為國發對經來時實現過當業體應關開長門問題樣讓從還進種產電網絡點")
    out += [("zh_trad", t.translate(trad)) for t in rnd.sample(zh, n)]
    sem = corpora / "semeval2023_task3/persuasion.jsonl"
    for lang, key in (("de", "latin"), ("fr", "latin"), ("ru", "ru"), ("pl", "pl")):
        out += [(key, t) for t in rnd.sample(rows(str(sem.relative_to(corpora)), lang), n // 2)]
    out += [("latin", t) for t in rnd.sample(rows("sst2_sentences/data.jsonl"), n // 2)]
    post = (ROOT / "corpora/xhs_will_2025_forum_post.txt").read_text(encoding="utf-8")
    out += [("zh", post)]
    return out


def charset_normalizer_decode(b: bytes) -> str | None:
    import charset_normalizer

    best = charset_normalizer.from_bytes(b).best()
    return None if best is None else str(best)


def library_decode(b: bytes) -> str | None:
    try:
        return decode_bytes(b)[0]
    except XhsNlpError:
        return None


def encodings(corpora: Path) -> None:
    cases = []
    for key, text in samples(corpora):
        for enc in ENCODINGS[key]:
            try:
                data = text.encode(enc)
            except UnicodeEncodeError:
                continue
            cases.append((key, enc, text, data))
    print(f"encodings: {len(cases)} encoded texts")
    print(f"{'':<28}{'short (<200 B)':>16}{'long':>10}{'all':>10}{'s total':>10}")
    for name, fn in (("xhs_nlp decode_bytes", library_decode), ("charset-normalizer", charset_normalizer_decode)):
        right = {"short": [0, 0], "long": [0, 0]}
        by_enc: dict[str, list[int]] = {}
        t0 = time.perf_counter()
        for key, enc, text, data in cases:
            got = fn(data)
            ok = got is not None and got.lstrip("\ufeff") == text
            size = "short" if len(data) < 200 else "long"
            right[size][0] += ok
            right[size][1] += 1
            e = by_enc.setdefault(enc, [0, 0])
            e[0] += ok
            e[1] += 1
        secs = time.perf_counter() - t0
        s, lg = right["short"], right["long"]
        print(f"{name:<28}{s[0] / s[1]:>16.1%}{lg[0] / lg[1]:>10.1%}{(s[0] + lg[0]) / (s[1] + lg[1]):>10.1%}{secs:>10.2f}")
        print("    by encoding: " + ", ".join(f"{k} {v[0] / v[1]:.0%}" for k, v in sorted(by_enc.items())))


def post_times() -> None:
    tz8 = timezone(timedelta(hours=8))
    page = datetime(2024, 3, 1, 10, 0, tzinfo=tz8)
    cases = [("半小时前", page - timedelta(minutes=30)), ("2 小时前", page - timedelta(hours=2)),
             ("5 分钟前", page - timedelta(minutes=5)), ("3 天前", page - timedelta(days=3)),
             ("昨天 12:30", datetime(2024, 2, 29, 12, 30, tzinfo=tz8)), ("前天 08:00", datetime(2024, 2, 28, 8, 0, tzinfo=tz8)),
             ("2024-2-27 08:15", datetime(2024, 2, 27, 8, 15, tzinfo=tz8)), ("2024-02-27 08:15:30",
                                                                             datetime(2024, 2, 27, 8, 15, 30, tzinfo=tz8)),
             ("2023-12-31 23:59", datetime(2023, 12, 31, 23, 59, tzinfo=tz8)), ("1 小时前", page - timedelta(hours=1)),
             ("刚刚", page), ("昨天 00:05", datetime(2024, 2, 29, 0, 5, tzinfo=tz8))]

    def dp(s: str):
        import dateparser

        return dateparser.parse(s, languages=["zh"], settings={
            "RELATIVE_BASE": page.replace(tzinfo=None), "TIMEZONE": "+0800", "RETURN_AS_TIMEZONE_AWARE": True,
            "TO_TIMEZONE": "+0800"})

    print(f"\npost times: {len(cases)} cases, page time {page.isoformat()}")
    for name, fn in (("xhs_nlp resolve_post_time", lambda s: resolve_post_time(s, page)[0]), ("dateparser", dp)):
        t0 = time.perf_counter()
        got = [fn(s) for s, _ in cases]
        secs = time.perf_counter() - t0
        ok = [g is not None and g == want for g, (_, want) in zip(got, cases)]
        wrong = [f"{s} -> {g}" for (s, _), g, k in zip(cases, got, ok) if not k]
        print(f"  {name:<28} {sum(ok)}/{len(cases)} right in {secs:.3f} s" + (f"; wrong: {'; '.join(wrong)}" if wrong else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    args = ap.parse_args()
    encodings(Path(args.corpora))
    post_times()


if __name__ == "__main__":
    main()
