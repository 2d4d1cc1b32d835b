"""The labelled answers the classifier learns from.

Three sources, one shape: trainer corrections from the session store (a trainer relabelled a
real answer: these win over any other label for the same text), the corpus CSV files written by
the rubric (`corpus/*.csv`), and every labelled choice in the dialogues (a choice is an answer
with skill labels). The held-out set (`corpus/heldout/`) is never part of training or tuning.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trainer.content.model import PITFALLS, SKILLS

COLUMNS = ("text", "labels", "pitfalls", "group", "persona", "kind")


class CorpusError(ValueError):
    """A corpus file that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class Example:
    """One labelled answer. `group` is its paraphrase family: CV never splits a family."""

    text: str
    labels: frozenset[str]
    group: str
    pitfalls: frozenset[str] = frozenset()
    persona: str = ""
    kind: str = ""
    source: str = "corpus"
    author: str = ""  # who labelled it, for trainer corrections
    created: str = ""  # when


NONE = "none"


def corpus_root() -> Path:
    """The shipped corpus: inside the installed package, or the checkout's `corpus/`."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_corpus"
    return installed if installed.is_dir() else package.parent / "corpus"


def training_files(root: Path | None = None) -> list[Path]:
    return sorted((root or corpus_root()).glob("*.csv"))


def heldout_files(root: Path | None = None) -> list[Path]:
    return sorted(((root or corpus_root()) / "heldout").glob("*.csv"))


def parse_labels(
    value: str, where: str, allowed: tuple[str, ...] = SKILLS, column: str = "labels"
) -> frozenset[str]:
    """`listening referral` -> the skills (or, for the `pitfalls` column, `advice closed` ->
    the pitfalls); `none` -> none. An empty cell is a mistake: an unlabelled row must not
    silently count as a negative example."""
    words = value.split()
    if words == [NONE]:
        return frozenset()
    if not words:
        raise CorpusError(f"{where}: no {column}; write '{NONE}' for an answer without any")
    unknown = set(words) - set(allowed)
    if unknown:
        raise CorpusError(
            f"{where}: unknown {column} {sorted(unknown)}; use {', '.join(allowed)} or '{NONE}' alone"
        )
    return frozenset(words)


def read_csv(path: Path) -> list[Example]:
    """Read one corpus file, refusing unknown labels and missing columns with file:line."""
    examples = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CorpusError(f"{path}:1: missing columns {', '.join(missing)}")
        for row in reader:
            text = (row["text"] or "").strip()
            if not text:
                continue
            where = f"{path}:{reader.line_num}"
            labels = parse_labels(row["labels"] or "", where)
            pitfalls = parse_labels(row["pitfalls"] or "", where, PITFALLS, "pitfalls")
            examples.append(
                Example(
                    text=text,
                    labels=labels,
                    pitfalls=pitfalls,
                    group=(row["group"] or f"{path.stem}-{reader.line_num}").strip(),
                    persona=(row["persona"] or "").strip(),
                    kind=(row["kind"] or "").strip(),
                    source=path.stem,
                )
            )
    return examples


def dialogue_examples(content) -> list[Example]:
    """Every labelled choice of every valid dialogue, grouped per dialogue node."""
    examples = []
    for dialogue in content.dialogues.values():
        for node in dialogue.nodes.values():
            for choice in node.choices:
                examples.append(
                    Example(
                        text=choice.text,
                        labels=choice.skills,
                        pitfalls=choice.pitfalls,
                        group=f"dialogue:{dialogue.id}:{node.id}",
                        persona=dialogue.persona,
                        source=f"dialogue:{dialogue.id}",
                    )
                )
    return examples


def correction_examples(corrections: Iterable) -> list[Example]:
    """Trainer corrections (`trainer.store.reviews.Correction`) as labelled answers; each answer is its
    own group, so cross-validation never sees the same text on both sides of a fold."""
    return [
        Example(
            text=c.answer.strip(),
            labels=frozenset(c.labels),
            group=f"correction:{c.session}:{c.turn}",
            persona=c.persona,
            kind="correction",
            source="trainer",
            author=c.author,
            created=c.created,
        )
        for c in corrections
        if c.answer.strip()
    ]


def dedupe(examples: Iterable[Example]) -> list[Example]:
    """Drop exact repeats of a text (first wins), so no answer sits on both sides of a fold."""
    seen: set[str] = set()
    result = []
    for example in examples:
        key = " ".join(example.text.lower().split())
        if key not in seen:
            seen.add(key)
            result.append(example)
    return result


def training_examples(content=None, corrections: Iterable = ()) -> list[Example]:
    """The full training set: trainer corrections first (so theirs is the label that survives
    deduplication), then the corpus files and the dialogue choices."""
    examples: list[Example] = correction_examples(corrections)
    for path in training_files():
        examples.extend(read_csv(path))
    if content is not None:
        examples.extend(dialogue_examples(content))
    return dedupe(examples)


def heldout_examples() -> list[Example]:
    examples: list[Example] = []
    for path in heldout_files():
        examples.extend(read_csv(path))
    return examples


def fingerprint(examples: Iterable[Example]) -> str:
    """A hash of the training data, part of the model cache key."""
    digest = hashlib.sha256()
    for e in examples:
        labels = " ".join(sorted(e.labels))
        pitfalls = " ".join(sorted(e.pitfalls))
        digest.update(f"{e.text}\t{labels}\t{pitfalls}\t{e.group}\n".encode())
    return digest.hexdigest()
