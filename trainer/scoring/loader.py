"""Getting a ready classifier: from the model cache, or fitted from the corpus on first use.

The cache lives in the user's cache folder, keyed by a hash of the training files (corpus and
dialogues, as bytes), this code's version and the numeric libraries' versions. Only files this
program wrote under that key are read, and only as JSON and pickle-free .npz.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from trainer import __version__
from trainer.content.loader import dialogue_files
from trainer.scoring.classifier import ModelFileError, SkillModel
from trainer.scoring.corpus import correction_examples, fingerprint, training_files

LIBRARIES = ("scikit-learn", "numpy", "scipy")


def cache_dir() -> Path:
    """BUURTTRAINER_CACHE, else the platform's user cache folder."""
    chosen = os.environ.get("BUURTTRAINER_CACHE")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("buurttrainer", appauthor=False))


def _library_versions() -> str:
    parts = []
    for name in LIBRARIES:
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=?")
    return ",".join(parts)


def cache_key(content_root: Path, variant: str, corrections: Sequence = ()) -> str:
    """What the model depends on: training files, trainer corrections, code version, variant
    and library versions. A new correction therefore means a new model."""
    digest = hashlib.sha256()
    digest.update(f"{__version__}|{variant}|{_library_versions()}".encode())
    for path in [*training_files(), *dialogue_files(content_root)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if corrections:
        digest.update(fingerprint(correction_examples(corrections)).encode())
    return digest.hexdigest()[:32]


def model_version(key: str) -> str:
    return f"{__version__}+{key[:10]}"


def load_model(
    content_root: Path, variant: str | None = None, corrections: Sequence = ()
) -> SkillModel:
    """The cached model for this content, corpus and corrections, fitting and caching it if
    needed. `corrections` are `trainer.store.reviews.Correction`s from the session store."""
    from trainer.scoring.pipeline import DEFAULT_VARIANT

    variant = variant or DEFAULT_VARIANT
    key = cache_key(content_root, variant, corrections)
    stem = cache_dir() / "models" / key
    try:
        return SkillModel.load(stem)
    except ModelFileError:
        pass  # not cached yet, or unusable: fit anew and overwrite
    model = fit_model(content_root, variant, model_version(key), corrections)
    with contextlib.suppress(OSError):  # a read-only cache only costs time
        model.save(stem)
    return model


def fit_model(
    content_root: Path, variant: str, version_label: str, corrections: Sequence = ()
) -> SkillModel:
    from trainer.content.loader import load_content
    from trainer.scoring.corpus import training_examples
    from trainer.scoring.pipeline import train

    examples = training_examples(load_content(content_root), corrections)
    return train(examples, variant, version_label)
