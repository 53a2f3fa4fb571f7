"""What the organisations' portrayal adds to ``analyze`` on the bundled post, one run.

    .venv/bin/python benchmarks/portrayal_cost.py

All in one warm process, the encoder's cache emptied before each timed run, medians of 5:

* ``analyze(post)``: the whole call, portrayal included;
* the encoder on the post's sentences and paragraphs alone (what ``analyze`` encoded
  before the portrayal existed);
* the same with the mentions' poolings prefetched in the same call
  (``Encoder.prefetch``, as ``analyze`` does: a mention's clause and target tokens are
  pooled from its sentence's forward pass);
* the earlier way: the sentences and paragraphs, then ``portray`` encoding the mentions in
  passes of their own (one per sentence that names an organisation);
* ``portray`` once its vectors are cached (the mention finder and the head), and the
  mention finder alone.
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
    texts = [s.text for s in doc.sentences if s.lang != "und"] + [p.text for p in doc.paragraphs]
    n_mentions = sum(len(e.mentions) for e in a.entities)

    def fresh(fn):
        def run():
            enc.clear_cache()
            fn()
        return run

    t_full, runs = median_time(fresh(lambda: xhs_nlp.analyze(POST, models=models)), repeat=5, warmup=0)
    t_plain, _ = median_time(fresh(lambda: enc.features(texts)), repeat=5, warmup=0)
    t_shared, _ = median_time(fresh(lambda: _encode_batch(models, [doc])), repeat=5, warmup=0)
    t_apart, _ = median_time(fresh(lambda: (enc.features(texts), portray(doc, models.target_sentiment))),
                             repeat=5, warmup=0)
    _encode_batch(models, [doc])
    t_head, _ = median_time(lambda: portray(doc, models.target_sentiment), repeat=5, warmup=1)
    finder = default_finder()
    t_find, _ = median_time(lambda: find_mentions(doc, finder), repeat=5, warmup=1)

    print(f"the post: {len(doc.sentences)} sentences, {len(doc.paragraphs)} paragraphs, {n_mentions} organisation "
          f"mentions, {len(a.entities.entities)} organisations")
    print(f"analyze(post), cache emptied: median {t_full:.2f} s (runs {', '.join(f'{r:.2f}' for r in runs)})")
    print(f"encoder, sentences and paragraphs alone: {t_plain:.2f} s")
    print(f"  + the mentions pooled in the same passes (what analyze does): {t_shared:.2f} s "
          f"(portrayal's encoding: {t_shared - t_plain:+.2f} s, x{t_shared / t_plain:.2f})")
    print(f"  + the mentions encoded in passes of their own (the earlier way): {t_apart:.2f} s "
          f"({t_apart - t_plain:+.2f} s, x{t_apart / t_plain:.2f})")
    print(f"portray with its vectors cached: {t_head * 1000:.0f} ms; finding the mentions: {t_find * 1000:.0f} ms")


if __name__ == "__main__":
    main()
