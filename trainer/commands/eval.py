"""`buurttrainer eval`: grouped cross-validation and the held-out set, against baselines."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from trainer.content.loader import content_root, load_content
from trainer.content.model import SKILLS
from trainer.scoring.combine import LABELS


def run(args: argparse.Namespace) -> int:
    from trainer.commands import store_corrections
    from trainer.scoring.corpus import heldout_examples, training_examples
    from trainer.scoring.evaluate import evaluate, table
    from trainer.scoring.loader import load_model
    from trainer.scoring.pipeline import CV_FOLDS, DEFAULT_VARIANT, VARIANTS, train_with_evidence

    root = content_root(args.content)
    corrections = store_corrections(args)
    examples = training_examples(load_content(root), corrections)
    sections = []
    names = list(VARIANTS) if args.variants else [DEFAULT_VARIANT]
    for name in names:
        trained = train_with_evidence(examples, name, "cv")
        cut = np.array([trained.model.thresholds[x] for x in LABELS])
        result = evaluate(
            f"grouped {CV_FOLDS}-fold CV, variant {name}",
            examples,
            {"model": trained.out_of_fold >= cut},
        )
        sections.append(result)
    heldout = heldout_examples()
    if heldout:
        model = load_model(root, corrections=corrections)
        predicted = np.array(
            [[x in model.assess(e.text).shown for x in LABELS] for e in heldout], dtype=int
        )
        sections.append(
            evaluate(
                "held-out set (never trained or tuned on)", heldout, {"model": predicted}, examples
            )
        )
    if corrections:
        sections.append(_agreement(root, corrections, examples))
    out = []
    for result in sections:
        out.append(f"## {result.name} ({result.examples} answers)\n")
        out.append(table(result, markdown=bool(args.report)) + "\n")
    text_out = "\n".join(out)
    if args.report:
        Path(args.report).write_text("# Classifier evaluation\n\n" + text_out, encoding="utf-8")
    print("\n".join(f"## {r.name} ({r.examples} answers)\n{table(r)}\n" for r in sections))
    return 0


def _agreement(root: Path, corrections: list, examples: list):
    """How often the model agrees with trainers: as the answers were scored when played, and
    the model trained without any correction (so it has never seen these labels)."""
    from trainer.scoring.corpus import correction_examples
    from trainer.scoring.evaluate import evaluate
    from trainer.scoring.loader import load_model

    truth = correction_examples(corrections)
    kept = [c for c in corrections if c.answer.strip()]
    base = load_model(root)
    played = np.array([[s in c.model_labels for s in SKILLS] for c in kept], dtype=int)
    fresh = np.array([[s in base.assess(c.answer).labels for s in SKILLS] for c in kept], dtype=int)
    return evaluate(
        "agreement with trainer corrections",
        truth,
        {"model when played": played, "model without corrections": fresh},
        examples,
    )
