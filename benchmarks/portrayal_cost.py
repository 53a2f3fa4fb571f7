"""What the organisations' portrayal adds to ``analyze`` on the bundled post, one run.

    .venv/bin/python benchmarks/portrayal_cost.py

* ``analyze(post)``, warm process, the encoder's cache emptied before each run (every text
  encoded again), median of 5: the whole call, portrayal included;
* of it, ``portray(doc)`` alone with the sentences' vectors cached (as inside ``analyze``,
  which has encoded the sentences for the other heads): finding the mentions and the
  target-sentiment head's extra forward passes (the clause's and the target's tokens
  pooled in the sentence's context, one pass each per mention), median of 5, the span
  vectors emptied before each run;
* the mention finder alone.
"""

from __future__ import annotations

import time

from _common import POST, header, median_time


def main() -> None:
    header("portrayal's cost inside analyze (the post)")
    import xhs_nlp
    from xhs_nlp.analysis import Models, _encode_batch
    from xhs_nlp.portrayal import find_mentions, portray
    from xhs_nlp.segment.organisations import default_finder

    models = Models.load()
    enc = models.encoder
    a = xhs_nlp.analyze(POST, models=models)  # warm-up: models loaded, jieba built
    doc = a.doc
    n_mentions = sum(len(e.mentions) for e in a.entities)

    def full() -> None:
        enc.clear_cache()
        xhs_nlp.analyze(POST, models=models)

    t_full, runs_full = median_time(full, repeat=5, warmup=0)

    spans_only: list[float] = []
    for _ in range(5):
        enc.clear_cache()
        _encode_batch(models, [doc])  # the sentences and paragraphs, as analyze encodes them
        t0 = time.perf_counter()
        portray(doc, models.target_sentiment)
        spans_only.append(time.perf_counter() - t0)
    spans_only.sort()
    t_portray = spans_only[len(spans_only) // 2]
    finder = default_finder()
    t_find, _ = median_time(lambda: find_mentions(doc, finder), repeat=5, warmup=1)

    print(f"the post: {len(doc.sentences)} sentences, {n_mentions} organisation mentions, "
          f"{len(a.entities.entities)} organisations")
    print(f"analyze(post), cache emptied: median {t_full:.2f} s (runs {', '.join(f'{r:.2f}' for r in runs_full)})")
    print(f"portray(doc) inside it (sentence vectors cached): median {t_portray:.2f} s "
          f"({t_portray / t_full:.0%} of analyze); finding the mentions: {t_find * 1000:.0f} ms")
    print(f"analyze without portrayal would take about {t_full - t_portray:.2f} s: portrayal multiplies it by "
          f"{t_full / (t_full - t_portray):.2f}")


if __name__ == "__main__":
    main()
