"""The data bundled with the library: the forum post it is built around and the project's
own annotations of it (``corpora/`` in a checkout, ``xhs_nlp/corpora/`` in the wheel; their
licence notes are in ``corpora/README.md``: the project's own work, redistributed under the
project's terms).

Each file has a short name, usable wherever the command line takes a document or a data
file, spelled ``example:NAME`` (``xhs-nlp analyze example:post``, ``xhs-nlp evaluate claims
--data example:claims``).

Example:
    >>> from xhs_nlp.datasets import example_post, example_path
    >>> example_post().name
    'xhs_will_2025_forum_post.txt'
    >>> example_path("claims").name
    'xhs_will_2025_claims.jsonl'
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

__all__ = ["EXAMPLES", "PREFIX", "example_post", "example_path", "resolve_example"]

#: the bundled files, by short name
EXAMPLES: dict[str, str] = {
    "post": "xhs_will_2025_forum_post.txt",
    "claims": "xhs_will_2025_claims.jsonl",
    "sentiment": "xhs_will_2025_sentiment.jsonl",
    "organisations": "organisation_mentions.jsonl",
    "frames": "xhs_will_2025_frames.jsonl",
}
#: the command line's spelling of a bundled file: ``example:NAME``
PREFIX = "example:"


def _folder() -> Path:
    here = Path(__file__).resolve().parent
    for base in (here / "corpora", here.parent / "corpora"):  # the wheel's, then a checkout's
        if (base / EXAMPLES["post"]).is_file():
            return base
    raise InputError(f"the bundled data is missing: neither {here / 'corpora'} nor {here.parent / 'corpora'} "
                     "holds it (a broken install? reinstall xhs-nlp)")


def example_path(name: str = "post") -> Path:
    """The path of the bundled file ``name`` (one of :data:`EXAMPLES`).

    ``"post"``: the bilingual forum post (an English op-ed on Xiaohongshu's 2025 WILL
    Commercial Conference, saved with its Chinese forum chrome); ``"claims"`` and
    ``"sentiment"``: the project's labels of its 88 body sentences (JSONL with ``text``,
    ``label``, ``lang``, readable by :func:`xhs_nlp.evaluate`); ``"organisations"``: the
    project's organisation-mention spans (the post's sentences, and hashes of others);
    ``"frames"``: the project's frames of each of its sections and of the whole op-ed
    (``text`` and ``frames``, readable by :func:`xhs_nlp.evaluate` as the ``frames`` task).

    Raises:
        InputError: an unknown name (the known ones are listed).
    """
    if name not in EXAMPLES:
        raise InputError(f"no bundled file {name!r}; the bundled files are: {', '.join(EXAMPLES)}")
    return _folder() / EXAMPLES[name]


def example_post() -> Path:
    """The path of the bundled forum post (the library's running example).

    Example:
        >>> import xhs_nlp
        >>> from xhs_nlp.datasets import example_post
        >>> xhs_nlp.segment(example_post()).meta.author
        'Larissa'
    """
    return example_path("post")


def resolve_example(arg: str) -> str | Path:
    """``arg`` itself, or the path of a bundled file where ``arg`` is ``example:NAME``
    (an existing file of that name wins).

    Raises:
        InputError: ``example:`` with an unknown name.
    """
    if isinstance(arg, str) and arg.startswith(PREFIX) and not Path(arg).exists():
        return example_path(arg[len(PREFIX):])
    return arg
