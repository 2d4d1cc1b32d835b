"""Whether an answer names a professional service: one of the combiner's features.

A bag of words learns "huisarts" from the corpus, but a trainee may name any of the kaart's
54 services, by an alias ("GGZ", "de POH") or misspelt. The shipped sociale kaart lists all of
them with their spellings, so recognition (`trainer.content.recognise`) gives the classifier
that knowledge without a corpus row per service. It is always the shipped kaart: the model
belongs to the shipped corpus, not to the kaart of the content being played.
"""

from __future__ import annotations

from functools import lru_cache

from trainer.content.kaart import Kaart, kaart_path, load_kaart
from trainer.content.loader import default_content_root
from trainer.content.recognise import find


def shipped_kaart_file():
    return kaart_path(default_content_root())


@lru_cache(maxsize=1)
def shipped_kaart() -> Kaart | None:
    kaart, problems = load_kaart(default_content_root())
    return None if problems else kaart


def names_service(answer: str) -> bool:
    """True when the answer names or describes a professional service it does not rule out."""
    kaart = shipped_kaart()
    if kaart is None:
        return False
    return any(kaart.services[f.service].professional for f in find(answer, kaart))
