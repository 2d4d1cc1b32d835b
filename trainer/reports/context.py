"""What the report templates see: plain dataclasses built from the core's figures.

The templates only lay out; every number, label and choice of wording is decided here, from the
same core functions the app uses (progress, cohort, reviews), so a report never disagrees with
the screen a trainer just looked at. Values are plain text: escaping is the templates' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from trainer.content.loader import Content
from trainer.content.model import SKILLS, Dialogue
from trainer.content.templates import Segment, persona_line
from trainer.engine.records import Turn
from trainer.messages import text
from trainer.reports.charts import LineChart, Sparkline, blocks, line_chart, percent, sparkline
from trainer.sessions.cohort import (
    STALL_SHARE,
    NodeStat,
    node_stats,
    route_label,
    skill_totals,
    trainee_trends,
)
from trainer.sessions.debrief import referral_lines
from trainer.sessions.progress import best_outcomes, outcome_rank, skill_results
from trainer.store.database import SessionSummary, Store, check_date
from trainer.store.reviews import COMMENT, Review, corrected_labels, reviews_of

# ---------------------------------------------------------------------------- small pieces


@dataclass(frozen=True)
class SkillShare:
    """One skill's share of the answers, as the header tables and charts show it."""

    skill: str
    name: str
    percent: int
    shown: int = 0
    answers: int = 0


@dataclass(frozen=True)
class Note:
    """A trainer's comment."""

    author: str
    body: str
    date: str


def skill_name(skill: str) -> str:
    return text(f"skill.{skill}")


def labels_text(labels: tuple[str, ...]) -> str:
    return ", ".join(skill_name(s) for s in labels) or text("report.no_skill")


def paragraphs(value: str) -> tuple[str, ...]:
    """Text split on blank lines, each paragraph on one line (Markdown cells cannot wrap)."""
    return tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", value.strip()) if p.strip())


def local_time(stamp: str) -> str:
    """A stored UTC stamp as the reader's local date and time, '23-11-2026 11:39'."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return stamp[:16]


def local_date(stamp: str) -> str:
    return local_time(stamp)[:10]


def duration_text(seconds: int) -> str:
    """'12 min', '1 u 05'; under a minute '< 1 min'."""
    minutes = max(0, seconds) // 60
    if minutes < 1:
        return text("report.duration_short")
    if minutes < 60:
        return text("report.duration_minutes", minutes=minutes)
    return text("report.duration_hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def outcome_text(outcome: str | None) -> str:
    return text(f"outcome.{outcome or 'none'}")


def generated() -> str:
    return datetime.now().astimezone().strftime("%d-%m-%Y %H:%M")


def persona_name(content: Content, persona: str) -> str:
    found = content.personas.get(persona)
    return found.name if found else persona


def dialogue_title(content: Content, dialogue: str) -> str:
    found = content.dialogues.get(dialogue)
    return found.title if found else dialogue


# ---------------------------------------------------------------------------- session


@dataclass(frozen=True)
class Score:
    skill: str
    name: str
    percent: int
    shown: bool


@dataclass(frozen=True)
class Correction:
    author: str
    labels: str
    note: str


@dataclass(frozen=True)
class Evidence:
    skill: str
    words: str


@dataclass(frozen=True)
class TurnView:
    """One exchange as the transcript shows it."""

    number: int
    node: str
    mode: str
    answer: str
    scores: tuple[Score, ...]
    labels: str
    correction: Correction | None
    route: str
    next_node: str
    evidence: tuple[Evidence, ...]
    feedback: tuple[str, ...]
    trust_before: int
    trust_after: int
    mood_before: int
    mood_after: int
    comments: tuple[Note, ...]
    reply: tuple[Segment, ...]


@dataclass(frozen=True)
class SessionView:
    id: str
    short_id: str
    trainee: str
    persona: str
    dialogue: str
    started: str
    duration: str
    outcome: str
    finished: bool
    answers: int
    reviewed: bool
    skills: tuple[SkillShare, ...]
    notes: tuple[Note, ...]
    opening: tuple[Segment, ...]
    turns: tuple[TurnView, ...]
    debrief: tuple[str, ...]
    referrals: tuple[str, ...]  # the debrief's judgement of each referral (sociale kaart)
    generated: str


def _note(review: Review) -> Note:
    return Note(review.author, review.body, local_time(review.created))


def mode_text(turn: Turn) -> str:
    """'keuze' or 'vrije tekst': how the answer was given."""
    return text("report.mode_choice" if turn.mode == "choice" else "report.mode_free")


def route_text(turn: Turn) -> str:
    """'keuze 2' for a picked answer, the route's condition for free text."""
    if turn.mode == "choice" and turn.choice is not None:
        return text("report.route_choice", n=turn.choice + 1)
    return turn.route_condition or "-"


def turn_view(turn: Turn, reviews: list[Review], corrected: dict[int, Review]) -> TurnView:
    correction = corrected.get(turn.index)
    return TurnView(
        number=turn.index,
        node=turn.node,
        mode=mode_text(turn),
        answer=turn.answer,
        scores=tuple(
            Score(s, skill_name(s), percent(turn.scores.get(s, 0.0)), s in turn.labels)
            for s in SKILLS
        ),
        labels=labels_text(turn.labels),
        correction=(
            Correction(correction.author, labels_text(correction.labels or ()), correction.body)
            if correction is not None
            else None
        ),
        route=route_text(turn),
        next_node=turn.state_after.node,
        # Only for the skills the answer was credited with: the words that pushed an unshown
        # skill up a little ("de", "van") tell a trainer nothing.
        evidence=tuple(
            Evidence(skill_name(s), ", ".join(turn.evidence(s)))
            for s in turn.labels
            if turn.evidence(s)
        ),
        feedback=tuple(" ".join(line.split()) for line in turn.feedback),
        trust_before=turn.state_before.trust,
        trust_after=turn.state_after.trust,
        mood_before=turn.state_before.mood,
        mood_after=turn.state_after.mood,
        comments=tuple(_note(r) for r in reviews if r.kind == COMMENT and r.turn == turn.index),
        reply=persona_line(turn.reply),
    )


def debrief_of(content: Content, summary: SessionSummary) -> tuple[str, ...]:
    """The ending's debrief, when the session finished and the content still has that ending."""
    dialogue = content.dialogues.get(summary.dialogue)
    node = dialogue.nodes.get(summary.node or "") if dialogue else None
    if not summary.finished or node is None or node.end is None:
        return ()
    return paragraphs(node.end.debrief)


def session_view(store: Store, content: Content, session_id: str) -> SessionView:
    """Raises KeyError for a session that is not in the store."""
    summary = store.summary(session_id)
    turns = store.turns(session_id)
    reviews = reviews_of(store, session_id)
    corrected = corrected_labels(reviews)
    return SessionView(
        id=summary.id,
        short_id=summary.id[:8],
        trainee=summary.trainee,
        persona=persona_name(content, summary.persona),
        dialogue=dialogue_title(content, summary.dialogue),
        started=local_time(summary.started),
        duration=duration_text(summary.duration),
        outcome=outcome_text(summary.outcome),
        finished=summary.finished is not None,
        answers=summary.turns,
        reviewed=summary.reviewed,
        skills=tuple(
            SkillShare(r.skill, skill_name(r.skill), percent(r.share), r.shown, r.answers)
            for r in skill_results(turns)
        ),
        notes=tuple(_note(r) for r in reviews if r.kind == COMMENT and r.turn is None),
        opening=persona_line(store.opening(session_id).reply),
        turns=tuple(turn_view(t, reviews, corrected) for t in turns),
        debrief=debrief_of(content, summary),
        referrals=tuple(
            line
            for _, line in referral_lines(
                turns, content.personas.get(summary.persona), content.kaart
            )
        ),
        generated=generated(),
    )


# ---------------------------------------------------------------------------- trainee


@dataclass(frozen=True)
class SessionRow:
    number: int
    date: str
    persona: str
    outcome: str
    answers: int
    shares: tuple[int, ...]  # percent per skill, in SKILLS order


@dataclass(frozen=True)
class BestOutcome:
    persona: str
    outcome: str


@dataclass(frozen=True)
class TraineeView:
    name: str
    rows: tuple[SessionRow, ...]
    unfinished: int
    chart: LineChart
    text_lines: tuple[tuple[str, str], ...]  # (skill name, block sparkline) for Markdown
    totals: tuple[SkillShare, ...]
    best: tuple[BestOutcome, ...]
    skill_names: tuple[str, ...]
    generated: str


def trainee_view(store: Store, content: Content, trainee: str) -> TraineeView:
    """Raises LookupError when the store has no session of this trainee at all."""
    every = store.list_sessions(trainee=trainee)
    if not every:
        raise LookupError(text("report.no_trainee", trainee=trainee))
    trends = trainee_trends(store, trainee=trainee)
    sessions = list(trends[0].sessions) if trends else []
    shares = {s: [x.share(s) for x in sessions] for s in SKILLS}
    totals = skill_totals(sessions)
    best = best_outcomes(store, trainee)
    return TraineeView(
        name=trainee,
        rows=tuple(
            SessionRow(
                number=number,
                date=local_date(s.started),
                persona=persona_name(content, s.persona),
                outcome=outcome_text(s.outcome),
                answers=s.turns,
                shares=tuple(percent(s.share(k)) for k in SKILLS),
            )
            for number, s in enumerate(sessions, start=1)
        ),
        unfinished=len(every) - len(sessions),
        chart=line_chart(shares),
        text_lines=tuple((skill_name(s), blocks(shares[s])) for s in SKILLS),
        totals=tuple(SkillShare(s, skill_name(s), percent(totals[s])) for s in SKILLS),
        best=tuple(
            BestOutcome(persona_name(content, p), outcome_text(o))
            for p, o in sorted(best.items(), key=lambda item: (outcome_rank(item[1]), item[0]))
        ),
        skill_names=tuple(skill_name(s) for s in SKILLS),
        generated=generated(),
    )


# ---------------------------------------------------------------------------- cohort


@dataclass(frozen=True)
class Latest:
    """A skill over a trainee's last three finished sessions, with all sessions as a line."""

    key: str
    name: str
    percent: int
    spark: Sparkline
    blocks: str


@dataclass(frozen=True)
class TraineeLine:
    name: str
    sessions: int
    last: str
    latest: tuple[Latest, ...]


@dataclass(frozen=True)
class NodeRow:
    node: str
    ending: str  # the outcome's words for an end node, else ""
    reached: int
    answered: int
    stopped: int
    stop_percent: int
    routes: tuple[str, ...]
    stalled: bool
    known: bool  # False: the store has turns at a node the content no longer has


@dataclass(frozen=True)
class DialogueNodes:
    id: str
    title: str
    persona: str
    sessions: int
    stalled: int
    rows: tuple[NodeRow, ...]


@dataclass(frozen=True)
class CohortView:
    since: str | None
    trainees: tuple[TraineeLine, ...]
    dialogues: tuple[DialogueNodes, ...]
    skill_names: tuple[str, ...]
    stall_percent: int
    generated: str


def node_rows(dialogue: Dialogue, stats: dict[str, NodeStat]) -> list[NodeRow]:
    """Every node of the dialogue in file order, then nodes only the store still knows."""
    rows = []
    for node_id in [*dialogue.nodes, *(n for n in stats if n not in dialogue.nodes)]:
        stat = stats.get(node_id, NodeStat(node_id))
        node = dialogue.nodes.get(node_id)
        ending = node.end.outcome if node and node.end else None
        routes = sorted(stat.routes.items(), key=lambda item: (-item[1], item[0]))
        rows.append(
            NodeRow(
                node=node_id,
                ending=outcome_text(ending) if ending else "",
                reached=stat.reached,
                answered=stat.answered,
                stopped=stat.stopped,
                stop_percent=percent(stat.stop_share),
                routes=tuple(route_label(dialogue, node_id, k, c) for k, c in routes),
                stalled=stat.stalls(ending is not None),
                known=node is not None,
            )
        )
    return rows


def cohort_view(store: Store, content: Content, since: str | None = None) -> CohortView:
    """Raises ValueError for a `since` that is not a YYYY-MM-DD date."""
    since = check_date(since) if since else None
    trainees = []
    for trend in trainee_trends(store, since=since):
        trainees.append(
            TraineeLine(
                name=trend.trainee,
                sessions=len(trend.sessions),
                last=local_date(trend.sessions[-1].started),
                latest=tuple(
                    Latest(
                        key=s,
                        name=skill_name(s),
                        percent=percent(trend.latest(s)),
                        spark=sparkline(trend.shares(s)),
                        blocks=blocks(trend.shares(s)),
                    )
                    for s in SKILLS
                ),
            )
        )
    dialogues = []
    for dialogue in sorted(content.dialogues.values(), key=lambda d: d.id):
        rows = node_rows(dialogue, node_stats(store, dialogue.id, since))
        dialogues.append(
            DialogueNodes(
                id=dialogue.id,
                title=dialogue.title,
                persona=persona_name(content, dialogue.persona),
                sessions=sum(r.stopped for r in rows),
                stalled=sum(r.stalled for r in rows),
                rows=tuple(rows),
            )
        )
    return CohortView(
        since=since,
        trainees=tuple(trainees),
        dialogues=tuple(dialogues),
        skill_names=tuple(skill_name(s) for s in SKILLS),
        stall_percent=round(STALL_SHARE * 100),
        generated=generated(),
    )
