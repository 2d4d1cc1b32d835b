"""`buurttrainer score [TEXT...]`: one JSON object per answer, a stable contract.

Each line is `{"text": ..., "scores": {"listening": p, "reciprocity": p, "referral": p},
"labels": [...], "pitfalls": [...], "pitfall_scores": {"advice": p, ...}}`, plus
`"services": [...]` (the kaart ids of the services the answer names or describes) when the
content has a sociale kaart; `--explain` adds `"explanation"`: per skill and pitfall the answer
shows, the phrases of the answer that carried it, with how much (nothing for the others).
"""

from __future__ import annotations

import argparse
import json
import sys

from trainer.content.loader import content_root
from trainer.content.model import PITFALLS, SKILLS


def run(args: argparse.Namespace) -> int:
    from trainer.commands import store_corrections
    from trainer.content.kaart import load_kaart
    from trainer.content.recognise import recognise
    from trainer.scoring.loader import load_model

    root = content_root(args.content)
    model = load_model(root, corrections=store_corrections(args))
    kaart, _ = load_kaart(root)  # a broken kaart is for `check` to report; score goes on
    answers = args.texts or (line.rstrip("\n") for line in sys.stdin)
    for answer in answers:
        if not answer.strip():
            continue
        scores = model.probabilities(answer)
        record = {
            "text": answer,
            "scores": {s: round(scores[s], 4) for s in SKILLS},
            "labels": [s for s in SKILLS if s in model.labels_for(scores)],
            "pitfalls": [p for p in PITFALLS if p in model.pitfalls_for(scores)],
            "pitfall_scores": {p: round(scores[p], 4) for p in PITFALLS},
        }
        if kaart is not None:
            record["services"] = list(recognise(answer, kaart))
        if args.explain:
            record["explanation"] = model.explain(answer, scores)
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0
