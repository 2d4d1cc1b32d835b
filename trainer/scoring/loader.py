"""Getting a ready classifier: the model shipped in the package, the model cache, or a fit.

The shipped model (`trainer/scoring/shipped/`) is fitted from the shipped corpus and
dialogues; it is used whenever the content's training data is exactly that (its `data_key`
matches) and no trainer correction is in play, so the first `score` and the first app start
never fit. Anything else (other content, corrections) is fitted once and kept in the user's
cache folder, keyed by a hash of the training data, this code's version and the numeric
libraries' versions. Only files this program wrote are read, as JSON and pickle-free .npz,
and a file that does not load and validate is fitted anew and overwritten, never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from trainer import __version__
from trainer.content.loader import dialogue_files
from trainer.scoring.classifier import FORMAT, ModelFileError, SkillModel
from trainer.scoring.corpus import correction_examples, fingerprint, training_files
from trainer.scoring.services import shipped_kaart_file

LIBRARIES = ("scikit-learn", "numpy", "scipy", "snowballstemmer")
SHIPPED = Path(__file__).resolve().parent / "shipped" / "model"
#: Models kept in the cache (the newest by use); older ones are deleted when a model is saved.
KEEP = 4
STALE_TEMP_SECONDS = 3600


def cache_dir() -> Path:
    """BUURTTRAINER_CACHE, else the platform's user cache folder."""
    chosen = os.environ.get("BUURTTRAINER_CACHE")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("buurttrainer", appauthor=False))


def models_dir() -> Path:
    return cache_dir() / "models"


def _library_versions() -> str:
    parts = []
    for name in LIBRARIES:
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=?")
    return ",".join(parts)


def data_key(content_root: Path, variant: str) -> str:
    """What the model learns from: the corpus, the content's dialogues, the shipped kaart
    (the service feature), the model format and the variant."""
    digest = hashlib.sha256(f"format={FORMAT}|{variant}".encode())
    for path in [*training_files(), *dialogue_files(content_root), shipped_kaart_file()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def cache_key(content_root: Path, variant: str, corrections: Sequence = ()) -> str:
    """The data key, plus trainer corrections, code version and library versions: a new
    correction, or an upgrade, means a new model."""
    digest = hashlib.sha256(data_key(content_root, variant).encode())
    digest.update(f"|{__version__}|{_library_versions()}".encode())
    if corrections:
        digest.update(fingerprint(correction_examples(corrections)).encode())
    return digest.hexdigest()[:32]


def model_version(key: str) -> str:
    return f"{__version__}+{key[:10]}"


def shipped_model() -> SkillModel | None:
    """The model in the package, or None if it is missing or does not validate."""
    try:
        return SkillModel.load(SHIPPED)
    except ModelFileError:
        return None


def load_model(
    content_root: Path, variant: str | None = None, corrections: Sequence = ()
) -> SkillModel:
    """The model for this content, corpus and corrections: shipped, cached, or fitted now
    and cached. `corrections` are `trainer.store.reviews.Correction`s from the session store."""
    from trainer.scoring.pipeline import DEFAULT_VARIANT

    variant = variant or DEFAULT_VARIANT
    if not corrections:
        shipped = shipped_model()
        if shipped is not None and shipped.meta.get("data_key") == data_key(content_root, variant):
            return shipped
    key = cache_key(content_root, variant, corrections)
    stem = models_dir() / key
    try:
        model = SkillModel.load(stem)
        with contextlib.suppress(OSError):
            os.utime(stem.with_suffix(".json"))  # the newest by use is kept longest
        return model
    except ModelFileError:
        pass  # not cached yet, or unusable: fit anew and overwrite
    model = fit_model(content_root, variant, model_version(key), corrections)
    with contextlib.suppress(OSError):  # a read-only cache only costs time
        model.save(stem)
        tidy(keep=stem)
    return model


def fit_model(
    content_root: Path, variant: str, version_label: str, corrections: Sequence = ()
) -> SkillModel:
    from trainer.content.loader import load_content
    from trainer.scoring.corpus import training_examples
    from trainer.scoring.pipeline import train

    examples = training_examples(load_content(content_root), corrections)
    model = train(examples, variant, version_label)
    model.meta["data_key"] = data_key(content_root, variant)
    model.meta["corrections"] = len(correction_examples(corrections))
    return model


def tidy(keep: Path | None = None) -> list[Path]:
    """Delete what the cache should not hold: files of other formats or broken ones, half
    written temporary files, and all but the `KEEP` most recently used models."""
    folder = models_dir()
    if not folder.is_dir():
        return []
    removed: list[Path] = []
    now = time.time()
    usable: list[tuple[float, Path]] = []
    for path in folder.iterdir():
        if path.suffix == ".tmp":
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                removed.append(path)
            continue
        if path.suffix != ".json":
            if not path.with_suffix(".json").exists():
                removed.append(path)
            continue
        stem = path.with_suffix("")
        if stem != keep:
            try:
                SkillModel.load(stem)
            except ModelFileError:
                removed += [path, stem.with_suffix(".npz")]
                continue
        usable.append((path.stat().st_mtime, stem))
    usable.sort(reverse=True)
    for _, stem in usable[KEEP:]:
        if stem != keep:
            removed += [stem.with_suffix(".json"), stem.with_suffix(".npz")]
    for path in removed:
        with contextlib.suppress(OSError):
            path.unlink()
    return removed


def clear_correction_models() -> int:
    """Delete every cached model fitted with trainer corrections (after `purge`: a model
    must not outlive the sessions it learned from). Returns how many were deleted."""
    folder = models_dir()
    if not folder.is_dir():
        return 0
    count = 0
    for path in folder.glob("*.json"):
        stem = path.with_suffix("")
        try:
            learned = SkillModel.load(stem).meta.get("corrections", 0)
        except ModelFileError:
            learned = 1  # unreadable: it cannot be shown to be free of corrections
        if learned:
            for part in (path, stem.with_suffix(".npz")):
                with contextlib.suppress(OSError):
                    part.unlink()
            count += 1
    return count
