"""Counted nouns ('1 sessie|3 sessies') for other sentences to embed, through counted()."""

from __future__ import annotations

NL: dict[str, str] = {
    "count.sessions": "{n} sessie|{n} sessies",
    "count.turns": "{n} beurt|{n} beurten",
    "count.reviews": "{n} beoordeling|{n} beoordelingen",
    "count.trainees": "{n} deelnemer|{n} deelnemers",
    "count.files": "{n} bestand|{n} bestanden",
    "count.errors": "{n} fout|{n} fouten",
    "count.warnings": "{n} waarschuwing|{n} waarschuwingen",
    "count.dialogues": "{n} dialoog|{n} dialogen",
    "count.personas": "{n} persona|{n} persona's",
    "count.conversations": "{n} gesprek|{n} gesprekken",
    "count.states": "{n} toestand|{n} toestanden",
}

EN: dict[str, str] = {
    "count.sessions": "{n} session|{n} sessions",
    "count.turns": "{n} turn|{n} turns",
    "count.reviews": "{n} review|{n} reviews",
    "count.trainees": "{n} trainee|{n} trainees",
    "count.files": "{n} file|{n} files",
    "count.errors": "{n} error|{n} errors",
    "count.warnings": "{n} warning|{n} warnings",
    "count.dialogues": "{n} dialogue|{n} dialogues",
    "count.personas": "{n} persona|{n} personas",
    "count.conversations": "{n} conversation|{n} conversations",
    "count.states": "{n} state|{n} states",
}
