"""`python -m trainer.scoring.ship`: refit the shipped model after the corpus, the shipped
dialogues or the model code changed (a test fails until it is done, naming this command).

It is the same fit `buurttrainer` would do on first use, written into the package so that no
user ever waits for it.
"""

from __future__ import annotations

from trainer.content.loader import default_content_root
from trainer.scoring.loader import SHIPPED, data_key, fit_model
from trainer.scoring.pipeline import DEFAULT_VARIANT


def main() -> None:
    root = default_content_root()
    label = f"shipped+{data_key(root, DEFAULT_VARIANT)[:10]}"
    model = fit_model(root, DEFAULT_VARIANT, label)
    model.save(SHIPPED, mode=0o644)
    print(
        f"{SHIPPED}.json/.npz: {model.meta['examples']} answers, data key {model.meta['data_key']}"
    )


if __name__ == "__main__":
    main()
