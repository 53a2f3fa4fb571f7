"""A one-hidden-layer head: trained with torch, applied with numpy.

Multi-label (sigmoid per label, :class:`xhs_nlp.framing.FramingClassifier`'s
``head="mlp"``) or multi-class (softmax, :class:`xhs_nlp.sentiment.SentimentModel`'s
``head="linear+mlp"``). The weights are
plain arrays, saved like every other model's (no pickle); prediction needs numpy only.
"""

from __future__ import annotations

import numpy as np

_GELU_C = float(np.sqrt(2.0 / np.pi))


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (the same as ``torch.nn.GELU(approximate="tanh")``)."""
    return 0.5 * x * (1.0 + np.tanh(_GELU_C * (x + 0.044715 * x * x * x)))


def mlp_logits(Z: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray,
               w2g: np.ndarray | None = None, b2g: np.ndarray | None = None,
               groups: np.ndarray | None = None) -> np.ndarray:
    """Logits of standardised features ``Z`` (n, d): ``gelu(Z w1ᵀ + b1) w2ᵀ + b2``, plus,
    for a row of group ``g >= 0`` (``groups``, one per row), the group's own output
    layer ``w2g[g] h + b2g[g]`` (``w2g``: (G, L, h), ``b2g``: (G, L)); group -1: the
    shared layer alone."""
    h = gelu(Z @ w1.T + b1)
    out = h @ w2.T + b2
    if w2g is not None and groups is not None:
        g = np.asarray(groups)
        for k in set(g.tolist()) - {-1}:
            idx = np.flatnonzero(g == k)
            out[idx] += h[idx] @ w2g[k].T + b2g[k]
    return out


def fit_mlp(Z: np.ndarray, Y: np.ndarray, *, hidden_size: int, dropout: float, epochs: int,
            learning_rate: float, weight_decay: float, seed: int, batch_size: int = 128,
            loss: str = "sigmoid", sample_weight: np.ndarray | None = None,
            groups: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Fit the head on standardised features ``Z`` (n, d) and a 0/1 label matrix ``Y`` (n, L).

    Dropout on the input and on the hidden layer, AdamW with a one-cycle learning rate;
    ``loss="sigmoid"``: binary cross-entropy per label (multi-label), ``"softmax"``:
    cross-entropy over the columns of ``Y`` (one-hot rows, multi-class; a row with several
    1s is a partial label, "one of these": its loss is ``-log`` of their summed probability). Rows are
    weighted by ``sample_weight`` (mean 1) when given. ``groups`` (an integer ``0..G-1`` per
    row, e.g. its corpus) adds an output layer per group, started at zero, whose logits are
    added to the shared layer's on that group's rows (multi-task: the hidden layer and the
    shared output learn from every row, a group's layer what its rows' labels add).
    Torch's global random state is left as it was; the same seed, data and thread count give
    the same weights.

    Returns:
        ``{"w1": (h, d), "b1": (h,), "w2": (L, h), "b2": (L,)}`` float32 arrays, and with
        ``groups`` also ``"w2g": (G, L, h)`` and ``"b2g": (G, L)``.
    """
    import torch

    X = torch.from_numpy(np.ascontiguousarray(Z, dtype=np.float32))
    T = torch.from_numpy(np.ascontiguousarray(Y, dtype=np.float32))
    W = None if sample_weight is None else torch.from_numpy(
        np.ascontiguousarray(sample_weight / np.mean(sample_weight), dtype=np.float32))
    n, d = X.shape
    steps_per_epoch = (n + batch_size - 1) // batch_size
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(
            torch.nn.Dropout(dropout), torch.nn.Linear(d, hidden_size), torch.nn.GELU(approximate="tanh"),
            torch.nn.Dropout(dropout), torch.nn.Linear(hidden_size, T.shape[1]),
        )
        params = list(net.parameters())
        G = None if groups is None else torch.from_numpy(np.ascontiguousarray(groups, dtype=np.int64))
        n_groups = 0 if G is None else int(G.max()) + 1
        if G is not None:
            if len(G) != n or int(G.min()) < 0:
                raise ValueError("groups must be one integer >= 0 per row")
            group_out = torch.nn.Linear(hidden_size, n_groups * T.shape[1])
            torch.nn.init.zeros_(group_out.weight)
            torch.nn.init.zeros_(group_out.bias)
            params += list(group_out.parameters())
        opt = torch.optim.AdamW(params, lr=learning_rate, weight_decay=weight_decay)
        total = epochs * steps_per_epoch
        # one-cycle schedule, 10% warm-up; a run of a few steps (a small training set) needs a
        # warm-up of at least two steps (torch divides by the phase's length), and under
        # three steps there is no cycle to run: a constant rate
        sched = (torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=learning_rate, total_steps=total,
                                                     pct_start=max(0.1, 1.5 / total)) if total >= 3 else
                 torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0))
        one_hot = bool(((T == 0) | (T == 1)).all() and (T.sum(1) == 1).all())
        if loss == "softmax" and one_hot:
            def loss_fn(out, target, w):
                ce = torch.nn.functional.cross_entropy(out, target, reduction="none")
                return (ce * w).mean() if w is not None else ce.mean()
        elif loss == "softmax":  # partial labels: a row's 1s are the classes it may be
            def loss_fn(out, target, w):
                nll = torch.logsumexp(out, 1) - torch.logsumexp(out.masked_fill(target <= 0, float("-inf")), 1)
                return (nll * w).mean() if w is not None else nll.mean()
        else:
            def loss_fn(out, target, w):
                if w is None:
                    return torch.nn.functional.binary_cross_entropy_with_logits(out, target)
                bce = torch.nn.functional.binary_cross_entropy_with_logits(out, target, reduction="none").mean(1)
                return (bce * w).mean()
        order = torch.Generator().manual_seed(seed)
        net.train()
        for _ in range(epochs):
            perm = torch.randperm(n, generator=order)
            for i in range(0, n, batch_size):
                idx = perm[i:i + batch_size]
                opt.zero_grad()
                if G is None:
                    out = net(X[idx])
                else:
                    h = net[:4](X[idx])
                    out = net[4](h) + group_out(h).view(len(idx), n_groups, -1)[torch.arange(len(idx)), G[idx]]
                loss_fn(out, T[idx], None if W is None else W[idx]).backward()
                opt.step()
                sched.step()
    lin1, lin2 = net[1], net[4]
    out = {name: p.detach().numpy().astype(np.float32).copy() for name, p in
           (("w1", lin1.weight), ("b1", lin1.bias), ("w2", lin2.weight), ("b2", lin2.bias))}
    if G is not None:
        L = T.shape[1]
        out["w2g"] = group_out.weight.detach().numpy().astype(np.float32).reshape(n_groups, L, hidden_size).copy()
        out["b2g"] = group_out.bias.detach().numpy().astype(np.float32).reshape(n_groups, L).copy()
    return out
