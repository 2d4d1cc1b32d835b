"""The message catalogue: every sentence a user reads, in Dutch (default) and English.

Wording lives here and only here, so a trainer can change a phrase in one place. The language is
chosen once per process (`--lang` or BUURTTRAINER_LANG) with `set_language`.

The sentences are kept by area, one module each (check, cli, app, review, report, counts), each
with an `NL` and an `EN` dict holding the same keys; this module merges them into `CATALOGUE`
and refuses a key that two areas define. An entry with a count in it holds "singular|plural" and
is rendered with `counted`, so no sentence has to fake a plural ("1 fouten", "sessie(s)").

The bottom layer: every package may import it, and it imports nothing of the project's.
"""

from __future__ import annotations

import os
from types import ModuleType

from trainer.messages import app, check, cli, counts, report, review

AREAS: tuple[ModuleType, ...] = (check, cli, app, review, report, counts)


def merge(areas: tuple[ModuleType, ...], lang: str) -> dict[str, str]:
    """One language's entries of all `areas` (their `NL` or `EN` dict), each key from one area only."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for area in areas:
        for key, value in getattr(area, lang.upper()).items():
            if key in merged:
                raise ValueError(
                    f"message {key!r} is defined in both {owner[key]} and {area.__name__}"
                )
            merged[key] = value
            owner[key] = area.__name__
    return merged


CATALOGUE: dict[str, dict[str, str]] = {lang: merge(AREAS, lang) for lang in ("nl", "en")}

LANGUAGES = tuple(CATALOGUE)
_language = (
    os.environ.get("BUURTTRAINER_LANG", "nl")
    if os.environ.get("BUURTTRAINER_LANG") in CATALOGUE
    else "nl"
)

_MISSING = object()


def set_language(language: str) -> None:
    """Choose the language for every message rendered from now on in this process."""
    global _language
    if language not in CATALOGUE:
        raise ValueError(f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}")
    _language = language


def language() -> str:
    return _language


def counted(message: str, n: int, **params: object) -> str:
    """'1 sessie' or '3 sessies': the entry holds the singular and the plural, split by '|'."""
    one, many = text(message, n=n, **params).split("|")
    return one if n == 1 else many


def text(message: str, /, default: object = _MISSING, **params: object) -> str:
    """The catalogue entry `message` in the current language, with `params` filled in."""
    template = CATALOGUE[_language].get(message)
    if template is None:
        if default is not _MISSING:
            return str(default)
        raise KeyError(message)
    return template.format(**params) if params else template.format()
