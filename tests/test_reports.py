"""Session, trainee and cohort reports: the figures they show, escaping, and `buurttrainer report`."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import MINI, run_cli
from trainer.content.loader import Content, load_content
from trainer.engine.records import Answer, Assessment, FixedScorer
from trainer.messages import set_language
from trainer.reports import (
    cohort_report,
    html_environment,
    markdown_escape,
    session_report,
    trainee_report,
)
from trainer.reports.charts import blocks, line_chart, sparkline
from trainer.reports.context import cohort_view, duration_text, persona_line
from trainer.sessions.conversation import Conversation
from trainer.store.database import Store
from trainer.store.reviews import add_comment, correct

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
TEMPLATES = Path(__file__).resolve().parent.parent / "trainer" / "reports" / "templates"


@dataclass(frozen=True)
class ExplainingScorer:
    """Listening at 83%, explained by two words, as the real classifier would report it."""

    version: str = "test"

    def assess(self, text: str) -> Assessment:
        return Assessment(
            {"listening": 0.83, "reciprocity": 0.12, "referral": 0.04},
            frozenset({"listening"}),
            "test",
            {"listening": {"up": [["hoe", 0.3], ["gaat", 0.1]], "down": []}},
        )


@pytest.fixture
def content() -> Content:
    return load_content(MINI)


@pytest.fixture
def store(data_dir: Path):
    with Store(data_dir) as opened:
        yield opened


def play(store: Store, content: Content, trainee: str, answers: list[int | str]) -> str:
    """A session of the mini dialogue: ints pick a choice, strings are typed."""
    conversation = Conversation.start(
        store, content.personas["henk"], content.dialogues["henk-kennismaking"], trainee
    )
    for answer in answers:
        if isinstance(answer, int):
            conversation.answer(Answer.pick(answer), None)
        else:
            conversation.answer(Answer(answer), ExplainingScorer())
    return conversation.session


@pytest.fixture
def reviewed(store: Store, content: Content) -> str:
    """Typed 'Hoe gaat het met u?' (route listening -> knie), then picked choice 2 (referred);
    a comment on turn 1, one on the session, and a correction of turn 2."""
    session = play(store, content, "Sanne", ["Hoe gaat het met u?", 1])
    add_comment(store, session, 1, "Ellen", "Goede open vraag.")
    add_comment(store, session, None, "Ellen", "Sterk begin van het gesprek.")
    correct(store, session, 2, "Ellen", ["listening"], "alleen luisteren")
    return session


# ---------------------------------------------------------------------------- session report


def test_html_session_report_shows_answers_scores_routes_feedback_and_reviews(
    store: Store, content: Content, reviewed: str
) -> None:
    html = session_report(store, content, reviewed, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Sanne in gesprek met Henk</title>" in html
    for expected in (
        "Kennismaken met Henk",
        "<dd>warm doorverwezen</dd>",  # the ending
        "<dt>Antwoorden</dt><dd>2</dd>",
        "<dt>Beoordeeld</dt><dd>ja</dd>",
        "<em>Een oudere man doet langzaam open.</em> Goedemiddag. Komt u voor de meter?",
        "Hoe gaat het met u?",  # typed answer
        "Dat klinkt eenzaam. Zou het fijn zijn om met de huisarts naar die knie te kijken?",
        "luisteren 83% ✓",
        "wederkerigheid 12%",
        "doorverwijzen 100% ✓",  # the picked choice carries its own skills
        "listening → knie",  # free text: the route's condition and where it went
        "keuze 2 → huisarts",
        "luisteren: <em>hoe, gaat</em>",  # the words behind the score
        "Je nodigt hem uit om te vertellen.",
        "<li>Je verwijst naar de huisarts voor zijn knie.</li>",
        "vertrouwen 40 → 50 · stemming 40 → 40",
        "Opmerking van Ellen",
        "Goede open vraag.",
        "Sterk begin van het gesprek.",
        "Gecorrigeerd door Ellen: luisteren",
        "alleen luisteren",
        "Ach, het gaat. Die knie, hè.",  # the persona's reply
        "Henk gaat naar de huisarts voor zijn knie.",  # the debrief
    ):
        assert expected in html, expected
    assert re.search(r"luisteren</strong></td>\s*<td class=\"num\">100%</td>", html)
    assert re.search(r"doorverwijzen</strong></td>\s*<td class=\"num\">50%</td>", html)
    # The turn comment sits in turn 1's card, not in turn 2's.
    first, second = html.split('id="beurt-1"')[1].split('id="beurt-2"')
    assert "Goede open vraag." in first and "Goede open vraag." not in second
    assert "Gecorrigeerd door Ellen" in second and "Gecorrigeerd door Ellen" not in first


def test_markdown_session_report_shows_the_same(
    store: Store, content: Content, reviewed: str
) -> None:
    md = session_report(store, content, reviewed, "md")
    assert md.startswith("# Sanne in gesprek met Henk\n")
    for expected in (
        "- **Einde:** warm doorverwezen\n",
        "| luisteren | 100% | 2 van 2 |\n",
        "| doorverwijzen | 50% | 1 van 2 |\n",
        "- **Ellen** (",
        "Sterk begin van het gesprek.",
        "**Henk** (opening): *Een oudere man doet langzaam open.* Goedemiddag.",
        "### Beurt 1 · knoop deur · vrije tekst\n",
        "**Sanne:** Hoe gaat het met u?\n",
        "- Scores: luisteren 83% ✓, wederkerigheid 12%, doorverwijzen 4%\n",
        "- Route: listening → knie\n",
        "- Waarom herkend: luisteren: *hoe, gaat*\n",
        "- Feedback: Je nodigt hem uit om te vertellen.\n",
        "- Effect: vertrouwen 40 → 50 · stemming 40 → 40\n",
        "- **Opmerking van Ellen** (",
        "Goede open vraag.",
        "### Beurt 2 · knoop knie · keuze\n",
        "- **Gecorrigeerd door Ellen:** luisteren (alleen luisteren)\n",
        "- Route: keuze 2 → huisarts\n",
        "- Feedback: Je verwijst naar de huisarts voor zijn knie.\n",
        "## Nabespreking\n",
        "Henk gaat naar de huisarts voor zijn knie.",
    ):
        assert expected in md, expected


def test_unfinished_session_has_no_debrief_and_says_so(store: Store, content: Content) -> None:
    session = play(store, content, "Sanne", [0])
    html = session_report(store, content, session, "html")
    assert "<dd>nog bezig</dd>" in html
    assert "Dit gesprek is nog niet afgelopen." in html
    assert "Nabespreking" not in html


def test_session_of_a_dialogue_the_content_no_longer_has_still_renders(
    store: Store, content: Content, reviewed: str, tmp_path: Path
) -> None:
    empty = Content(root=tmp_path / "nothing")
    for fmt in ("html", "md"):
        report = session_report(store, empty, reviewed, fmt)  # type: ignore[arg-type]
        assert "henk-kennismaking" in report  # the id stands in for the title
        assert "Nabespreking" not in report
        assert "Hoe gaat het met u?" in report


def test_unknown_session_raises_key_error(store: Store, content: Content) -> None:
    with pytest.raises(KeyError):
        session_report(store, content, "0" * 32, "html")


def test_unknown_format_raises_value_error(store: Store, content: Content, reviewed: str) -> None:
    with pytest.raises(ValueError, match="html, md"):
        session_report(store, content, reviewed, "pdf")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- escaping


@pytest.fixture
def hostile(store: Store, content: Content) -> str:
    """A trainee name, an answer, a comment and a correction note that are all a script tag."""
    session = play(store, content, XSS, [f"Hoe gaat het? {XSS}", 1])
    add_comment(store, session, 1, XSS, f"Let op {XSS}")
    add_comment(store, session, None, "Ellen", XSS)
    correct(store, session, 2, "Ellen", [], XSS)
    return session


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_user_text_is_escaped_in_every_report(
    store: Store, content: Content, hostile: str, fmt: str
) -> None:
    reports = [
        session_report(store, content, hostile, fmt),  # type: ignore[arg-type]
        trainee_report(store, content, XSS, fmt),  # type: ignore[arg-type]
        cohort_report(store, content, None, fmt),  # type: ignore[arg-type]
    ]
    for report in reports:
        assert "<script" not in report.lower()
        assert ESCAPED in report
    session = reports[0]
    assert f"Hoe gaat het? {ESCAPED}" in session
    assert f"Let op {ESCAPED}" in session
    assert session.count(ESCAPED) >= 6  # title/heading, name, answer, two comments, note


def test_markdown_escape_neutralises_html_tables_and_formatting() -> None:
    assert markdown_escape("a|b *c* _d_ [e](f) `g` #h ~i~ \\j") == (
        "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` \\#h \\~i\\~ \\\\j"
    )
    assert markdown_escape("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert markdown_escape("two\nlines\r\nhere") == "two lines here"
    assert markdown_escape(None) == ""
    assert markdown_escape(42) == "42"


def test_a_pipe_in_a_name_does_not_break_the_markdown_table(store: Store, content: Content) -> None:
    play(store, content, "An|na", [1])
    md = cohort_report(store, content, None, "md")
    row = next(line for line in md.splitlines() if line.startswith("| An"))
    assert row.startswith("| An\\|na | 1 | ")
    assert row.count("|") - row.count("\\|") == 7  # six cells


def test_templates_never_mark_values_safe() -> None:
    for template in TEMPLATES.glob("*.j2"):
        source = template.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), template.name
        assert "<script" not in source, template.name


@pytest.mark.parametrize("kind", ["session", "trainee", "cohort"])
def test_html_reports_are_self_contained(
    store: Store, content: Content, reviewed: str, kind: str
) -> None:
    play(store, content, "Sanne", [0, 0])
    html = {
        "session": lambda: session_report(store, content, reviewed, "html"),
        "trainee": lambda: trainee_report(store, content, "Sanne", "html"),
        "cohort": lambda: cohort_report(store, content, None, "html"),
    }[kind]()
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "src=" not in html
    assert "@media print" in html and "@page" in html
    # Charts are inline SVG; the session report draws its skill bars with plain CSS.
    assert ("<svg" in html) == (kind != "session")
    assert '<div class="bar">' in html or kind == "cohort"


# ---------------------------------------------------------------------------- trainee report


@pytest.fixture
def sanne(store: Store, content: Content) -> None:
    play(store, content, "Sanne", [1])  # closed: no skill
    play(store, content, "Sanne", [0, 1])  # referred: listening, listening + referral
    play(store, content, "Sanne", [0, 0])  # connected: listening, reciprocity
    play(store, content, "Sanne", [0])  # unfinished: left out of the figures


def test_trainee_report_table_totals_and_best_ending(
    store: Store, content: Content, sanne: None
) -> None:
    md = trainee_report(store, content, "Sanne", "md")
    assert md.startswith("# Voortgang van Sanne\n")
    assert "3 afgeronde gesprek(ken), 1 nog bezig" in md
    rows = [line for line in md.splitlines() if re.match(r"\| \d+ \| \d\d-\d\d-\d{4} \|", line)]
    assert [row.split(" | ", 3)[3] for row in rows] == [
        "de deur ging dicht | 1 | 0% | 0% | 0% |",
        "warm doorverwezen | 2 | 100% | 0% | 50% |",
        "verbonden met een buur | 2 | 50% | 50% | 0% |",
    ]
    # Over all five answers: listening 3, reciprocity 1, referral 1.
    assert "| luisteren | 60% |\n| wederkerigheid | 20% |\n| doorverwijzen | 20% |" in md
    assert "| luisteren | ▁█▅ |" in md  # the text chart, old to new
    assert "| Henk | verbonden met een buur |" in md


def test_trainee_report_html_draws_one_line_per_skill(
    store: Store, content: Content, sanne: None
) -> None:
    html = trainee_report(store, content, "Sanne", "html")
    assert '<svg class="chart"' in html
    lines = re.findall(r'<polyline class="s-(\w+)" points="([^"]+)"', html)
    assert [key for key, _ in lines] == ["listening", "reciprocity", "referral"]
    assert all(len(points.split()) == 3 for _, points in lines)
    assert html.count("<circle ") == 9
    assert "luisteren, gesprek 2: 100%" in html  # the tooltip of a point


def test_trainee_without_sessions_is_a_lookup_error(store: Store, content: Content) -> None:
    with pytest.raises(LookupError, match="Niemand"):
        trainee_report(store, content, "Niemand", "html")


def test_trainee_with_only_an_unfinished_session_gets_an_empty_report(
    store: Store, content: Content
) -> None:
    play(store, content, "Bram", [0])
    html = trainee_report(store, content, "Bram", "html")
    assert "0 afgeronde gesprek(ken), 1 nog bezig" in html
    assert "Nog geen afgeronde gesprekken." in html
    assert "<svg" not in html


# ---------------------------------------------------------------------------- cohort report


@pytest.fixture
def cohort(store: Store, content: Content) -> None:
    play(store, content, "Sanne", [1])  # deur -c1-> dicht (closed)
    play(store, content, "Sanne", [0, 1])  # deur -c0-> knie -c1-> huisarts (referred)
    play(store, content, "Bram", [0])  # deur -c0-> knie, stalls there
    play(store, content, "Bram", [0, 0])  # deur -c0-> knie -c0-> buurman (connected)
    play(store, content, "Kees", [0])  # deur -c0-> knie, stalls there


def test_cohort_node_statistics(store: Store, content: Content, cohort: None) -> None:
    view = cohort_view(store, content)
    (henk,) = view.dialogues
    rows = {row.node: row for row in henk.rows}
    assert [row.node for row in henk.rows] == ["deur", "knie", "buurman", "huisarts", "dicht"]
    assert (henk.sessions, henk.stalled) == (5, 1)
    figures = {
        node: (r.reached, r.answered, r.stopped, r.stop_percent, r.stalled)
        for node, r in rows.items()
    }
    assert figures == {
        "deur": (5, 5, 0, 0, False),
        "knie": (4, 2, 2, 50, True),
        "buurman": (1, 0, 1, 100, False),  # an ending is where a session should stop
        "huisarts": (1, 0, 1, 100, False),
        "dicht": (1, 0, 1, 100, False),
    }
    assert rows["deur"].routes == ("c0 → knie ×4", "c1 → dicht ×1")
    assert rows["knie"].routes == ("c0 → buurman ×1", "c1 → huisarts ×1")
    assert rows["dicht"].ending == "de deur ging dicht"


def test_cohort_report_rows_and_flag(store: Store, content: Content, cohort: None) -> None:
    md = cohort_report(store, content, None, "md")
    assert "| deur | 5 | 5 | 0 | c0 → knie ×4, c1 → dicht ×1 |" in md
    assert (
        "| knie **hier lopen deelnemers vast** | 4 | 2 | 2 (50%) |"
        " c0 → buurman ×1, c1 → huisarts ×1 |"
    ) in md
    # Trainees with finished sessions; the last-3 average per skill.
    assert "| Bram | 1 | " in md and "| 50% ▅ | 50% ▅ | 0% ▁ |" in md
    assert "| Sanne | 2 | " in md and "| 50% ▁█ | 0% ▁▁ | 25% ▁▅ |" in md
    assert "| Kees |" not in md  # nothing finished yet
    html = cohort_report(store, content, None, "html")
    assert html.count("hier lopen deelnemers vast") == 1
    assert html.count('<tr class="stalled">') == 1
    assert "c0 → knie ×4" in html
    assert html.count('<svg class="spark"') == 6  # two trainees, three skills


def test_cohort_since_a_later_date_is_empty(store: Store, content: Content, cohort: None) -> None:
    html = cohort_report(store, content, "2999-01-01", "html")
    assert "Gesprekken begonnen vanaf 2999-01-01" in html
    assert "Nog geen afgeronde gesprekken in deze periode." in html
    assert "Nog geen gesprekken met deze dialoog." in html
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        cohort_report(store, content, "gisteren", "html")


def test_reports_render_in_english_too(
    store: Store, content: Content, reviewed: str, cohort: None
) -> None:
    set_language("en")
    assert "<dt>Trainee</dt>" in session_report(store, content, reviewed, "html")
    assert "# Progress of Sanne" in trainee_report(store, content, "Sanne", "md")
    assert "trainees get stuck here" in cohort_report(store, content, None, "html")


# ---------------------------------------------------------------------------- pieces


def test_line_chart_geometry() -> None:
    chart = line_chart({"listening": [0.0, 1.0]}, width=640, height=240)
    (series,) = chart.series
    assert (chart.left, chart.top, chart.right, chart.bottom) == (46, 14, 624, 206)
    assert series.points == "54,206 616,14"  # 0% on the axis, 100% at the top
    assert series.percents == (0, 100)
    assert [t.label for t in chart.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    three = line_chart({"a": [0.5], "b": [0.5], "c": [0.5]})
    assert [s.dots[0].y for s in three.series] == [108.0, 110.0, 112.0]  # nudged apart
    assert three.series[0].dots[0].x == (46 + 624) / 2  # one session sits in the middle
    many = line_chart({"a": [0.1] * 30})
    labels = [t.label for t in many.x_ticks]
    assert labels[0] == "1" and labels[-1] == "30" and len(labels) <= 12
    assert line_chart({"a": []}).empty


def test_sparkline_and_blocks() -> None:
    spark = sparkline([0.0, 1.0], width=72, height=18)
    assert spark.points == "2,16 70,2"
    assert spark.last is not None and (spark.last.x, spark.last.y) == (70, 2)
    assert sparkline([]).last is None
    assert blocks([0.0, 0.5, 1.0]) == "▁▅█"


def test_small_helpers() -> None:
    assert duration_text(30) == "< 1 min"
    assert duration_text(12 * 60 + 5) == "12 min"
    assert duration_text(65 * 60) == "1 u 05"
    parts = persona_line("*Hij  zucht.* Nou,\n  goed.")
    assert [(p.text, p.stage) for p in parts] == [("Hij zucht.", True), (" Nou, goed.", False)]


def test_a_200_turn_session_renders_whole(store: Store, content: Content) -> None:
    """Long sessions render completely (their speed is measured in bench/run.py)."""
    conversation = Conversation.start(
        store, content.personas["henk"], content.dialogues["henk-kennismaking"], "Sanne"
    )
    for number in range(200):  # no skill: the knie node loops on its fallback route
        conversation.answer(Answer(f"Antwoord {number}"), FixedScorer())
    html = session_report(store, content, conversation.session, "html")
    assert html.count('<article class="turn"') == 200
    assert "Antwoord 0" in html and "Antwoord 199" in html
    assert html_environment() is html_environment(), "templates are compiled once"


# ---------------------------------------------------------------------------- CLI


def cli(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "report", *args, "--data-dir", str(data_dir), "--content", str(MINI))


def test_cli_writes_a_session_report_to_stdout(
    capsys: pytest.CaptureFixture[str], data_dir: Path, reviewed: str
) -> None:
    code, out, err = cli(capsys, data_dir, reviewed[:8])
    assert (code, err) == (0, "")
    assert out.startswith("<!DOCTYPE html>")
    assert "Hoe gaat het met u?" in out
    code, out, _ = cli(capsys, data_dir, reviewed, "--format", "md")
    assert code == 0 and out.startswith("# Sanne in gesprek met Henk\n")


def test_cli_writes_an_owner_only_file(
    capsys: pytest.CaptureFixture[str], data_dir: Path, reviewed: str, tmp_path: Path
) -> None:
    target = tmp_path / "rapport.html"
    code, out, err = cli(capsys, data_dir, reviewed, "-o", str(target))
    assert (code, err) == (0, "")
    assert out == f"Rapport geschreven naar {target}\n"
    assert "Goede open vraag." in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_cli_trainee_and_cohort(
    capsys: pytest.CaptureFixture[str], data_dir: Path, cohort: None
) -> None:
    code, out, _ = cli(capsys, data_dir, "--trainee", "Bram", "--format", "md")
    assert code == 0 and out.startswith("# Voortgang van Bram\n")
    code, out, _ = cli(capsys, data_dir, "--cohort", "--since", "2000-01-01", "--format", "md")
    assert code == 0 and "Gesprekken begonnen vanaf 2000-01-01" in out
    assert "| knie **hier lopen deelnemers vast** | 4 | 2 | 2 (50%) |" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ffffffff"], "fout: sessie 'ffffffff' bestaat niet."),
        ([""], "past bij meerdere sessies"),
        ([], "kies precies één: een SESSIE-id, --trainee NAAM of --cohort"),
        (["--cohort", "--trainee", "Bram"], "kies precies één"),
        (["--cohort", "--since", "2026-13-45"], "--since: '2026-13-45' is geen datum"),
        (["--trainee", "Niemand"], "geen gesprekken gevonden van deelnemer 'Niemand'"),
        (["--trainee", "Bram", "--since", "2026-01-01"], "--since hoort bij --cohort"),
    ],
)
def test_cli_mistakes_exit_1_with_a_message(
    capsys: pytest.CaptureFixture[str], data_dir: Path, cohort: None, args, message: str
) -> None:
    code, out, err = cli(capsys, data_dir, *args)
    assert code == 1
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_cli_unwritable_output_is_a_user_error(
    capsys: pytest.CaptureFixture[str], data_dir: Path, cohort: None, tmp_path: Path
) -> None:
    code, _, err = cli(capsys, data_dir, "--cohort", "-o", str(tmp_path / "no" / "such.html"))
    assert code == 1
    assert "kan " in err and "niet schrijven" in err
