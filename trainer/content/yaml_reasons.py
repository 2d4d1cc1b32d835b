"""Dutch reasons for the YAML parser's English ones.

An author reads every problem in Dutch, but PyYAML (its Python scanner and parser, libyaml's C
ones, the constructor) explains a syntax error in English, and the wording differs between the
two parsers and between versions. Each known wording is mapped here to one catalogue key; a
wording nobody has mapped yet gets a plain Dutch "the structure is not right here" instead of
the English text, so no English ever ends up inside a Dutch message.
"""

from __future__ import annotations

import re

from trainer.messages import text

#: (pattern, catalogue key), tried in order against the parser's `problem` text. Patterns cover
#: both the Python parser's wording and libyaml's ("... in this context", "did not find ...").
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key)
    for pattern, key in (
        (r"exceeded maximum nesting depth", "yaml.too_deep"),
        (r"mapping values are not allowed", "yaml.colon"),
        (r"could not find expected ':'", "yaml.missing_colon"),
        (r"mapping keys are not allowed", "yaml.question_key"),
        (r"block sequence entries are not allowed", "yaml.dash"),
        (r"did not find expected '-' indicator", "yaml.expected_dash"),
        (r"expected <block end>|did not find expected key", "yaml.indentation"),
        (r"tab character|found character '\\t'", "yaml.tab"),
        (r"expected ',' or '\]'", "yaml.flow_list"),
        (r"expected ',' or '\}'", "yaml.flow_map"),
        (r"expected the node content|did not find expected node content", "yaml.no_value"),
        (r"cannot start any token", "yaml.bad_start"),
        (r"unexpected end of stream", "yaml.end_of_file"),
        (r"document (separator|indicator)", "yaml.separator"),
        (
            r"expected a single document|expected '<document start>'|"
            r"did not find expected <document start>|but found another document",
            "yaml.two_documents",
        ),
        (r"undefined alias", "yaml.undefined_alias"),
        (r"duplicate anchor", "yaml.duplicate_anchor"),
        (r"alphabetic or numeric character", "yaml.anchor_name"),
        (r"\btag\b|URI", "yaml.tag"),
        (r"escape", "yaml.escape"),
        (r"%YAML|%TAG|directive|incompatible YAML document", "yaml.directive"),
        (r"chomping|indentation indicator", "yaml.block_indicator"),
        (r"comment or (a )?line break|whitespace or line break", "yaml.after_value"),
        (r"control characters|unacceptable character|special characters", "yaml.control"),
        (r"UTF-8|octet", "yaml.encoding"),
        (r"duplicate key", "yaml.duplicate_key"),
    )
)


def dutch_reason(problem: object) -> str:
    """The Dutch text for a parser's `problem`: a mapped reason, else a generic one."""
    english = " ".join(str(problem or "").split())
    for pattern, key in _REASONS:
        if pattern.search(english):
            return text(key)
    return text("yaml.unknown")


def is_too_deep(problem: object) -> bool:
    """libyaml's own nesting limit: the same refusal as ours, so it must read as ours."""
    return bool(_REASONS[0][0].search(str(problem or "")))
