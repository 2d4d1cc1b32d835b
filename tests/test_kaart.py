"""The sociale kaart: loading and checking it, and recognising which service an answer names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINI, ROOT, run_cli
from trainer.content.loader import load_content
from trainer.content.recognise import find, recognise, words

KAART = load_content(MINI).kaart


def test_the_fixture_kaart_loads_and_the_persona_references_check() -> None:
    content = load_content(MINI)
    assert content.kaart is not None
    assert sorted(content.kaart.services) == [
        "fysiotherapeut", "huisarts", "poh-ggz", "schuldhulpverlening",
    ]  # fmt: skip
    assert not [p for p in content.problems if p.severity == "error"]
    assert content.kaart.names(("huisarts", "fysiotherapeut")) == (
        "Huisartsenpraktijk De Linde of Fysiotherapie Zuiderveen"
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Zal ik samen met u de huisarts bellen?", ("huisarts",)),
        ("Misschien kan de dokter ernaar kijken", ("huisarts",)),
        ("Bij de huisartsenpraktijk op de Lindelaan", ("huisarts",)),
        ("De huisats kan je helpen", ("huisarts",)),  # listed misspelling
        ("Heb je de huisart al gebeld?", ("huisarts",)),  # one letter missing
        ("Een fyisotherapeut kan oefeningen geven", ("fysiotherapeut",)),  # swapped letters
        ("Zullen we de POH bellen?", ("poh-ggz",)),
        ("De poh-ggz van je praktijk", ("poh-ggz",)),
        ("Er zijn mensen die je helpen met je schulden", ("schuldhulpverlening",)),
        ("Bij een betalingsachterstand kan SHV iets doen", ("schuldhulpverlening",)),
        ("Eerst de fysio, daarna de huisarts", ("fysiotherapeut", "huisarts")),
        ("Zal ik mijn buurvrouw vragen of ze helpt?", ()),
    ],
)
def test_services_are_recognised_by_name_typo_or_description(answer: str, expected) -> None:
    assert recognise(answer, KAART) == expected


@pytest.mark.parametrize(
    "answer",
    [
        "Wat een mooi huis heeft u",  # 'huis' is not 'huisarts'
        "Ik pohpoh niet",  # an abbreviation only as a whole word
        "Ik help u graag met de boodschappen",  # 'helpen' alone is not a description
    ],
)
def test_ordinary_words_are_not_services(answer: str) -> None:
    assert recognise(answer, KAART) == ()


def test_find_says_how_a_service_was_found() -> None:
    (hit,) = find("Er zijn mensen die je helpen met je schulden", KAART)
    assert (hit.how, hit.evidence) == ("description", "schulden + helpen")
    assert words("Coöperatie, POH-GGZ!") == ["cooperatie", "poh", "ggz"]


def test_check_reports_a_service_that_is_not_on_the_kaart(mini: Path, capsys) -> None:
    persona = mini / "personas" / "henk.yaml"
    persona.write_text(
        persona.read_text(encoding="utf-8").replace("fysiotherapeut]", "fysioterapeut]"),
        encoding="utf-8",
    )
    code, out, _ = run_cli(capsys, "check", "--content", str(mini))
    assert code == 1
    assert "henk.yaml:21:26: fout unknown-service" in out
    assert "Bedoelde je 'fysiotherapeut'?" in out


def test_check_reports_kaart_mistakes_with_their_line(mini: Path, capsys) -> None:
    kaart = mini / "sociale-kaart.yaml"
    body = kaart.read_text(encoding="utf-8")
    body = body.replace("  - id: fysiotherapeut\n", "  - id: huisarts\n")
    body = body.replace("    contact: Marktplein 1\n", "")
    kaart.write_text(body, encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "--content", str(mini))
    assert code == 1
    assert "sociale-kaart.yaml:13:9: fout duplicate-id" in out
    assert "sociale-kaart.yaml:3" in out, "it names where the first one is"
    assert "fout missing-key: 'contact' ontbreekt in een dienst op de sociale kaart" in out


def _precision_recall(name: str) -> tuple[float, float]:
    import csv

    from tests.conftest import ROOT

    kaart = load_content(ROOT).kaart
    assert kaart is not None and len(kaart.services) >= 20
    rows = list(csv.DictReader((ROOT / "corpus" / "services" / name).open(encoding="utf-8")))
    hits = wrong = missed = 0
    for row in rows:
        truth = set() if row["services"].strip() == "none" else set(row["services"].split())
        assert truth <= set(kaart.services), row
        found = set(recognise(row["text"], kaart))
        hits += len(truth & found)
        wrong += len(found - truth)
        missed += len(truth - found)
    return hits / (hits + wrong), hits / (hits + missed)


def test_recognition_on_the_development_set() -> None:
    """172 referral sentences written apart from the kaart's word lists, then used to improve
    the matcher and the kaart: a floor against regressions, not an unbiased estimate."""
    precision, recall = _precision_recall("dev.csv")
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_recognition_on_the_held_out_set() -> None:
    """169 sentences written after the kaart, never used to tune anything (measured once:
    precision 1.00, recall 0.79; descriptions in new words are the weak spot)."""
    precision, recall = _precision_recall("heldout.csv")
    assert precision >= 0.95 and recall >= 0.75, (precision, recall)


def _routed_on_services(root: Path) -> None:
    """At `knie`, a referral to a fitting service goes to the huisarts ending, a referral to
    a wrong one is answered and stays at `knie`."""
    path = root / "dialogues" / "henk-kennismaking.yaml"
    body = path.read_text(encoding="utf-8")
    old = "      - when: [referral, trust >= 40]\n"
    assert old in body
    body = body.replace(
        old,
        "      - when: [referral, wrong_service]\n"
        "        feedback: Die dienst helpt niet bij zijn knie.\n"
        "        next: knie\n"
        "      - when: [referral, fitting_service, trust >= 40]\n",
    )
    path.write_text(body, encoding="utf-8")


def test_routes_follow_the_service_named_and_the_turn_keeps_it(mini: Path) -> None:
    from trainer.engine.records import Answer, FixedScorer
    from trainer.engine.step import step

    _routed_on_services(mini)
    content = load_content(mini)
    assert not [p for p in content.problems if p.severity == "error"], content.problems
    dialogue, persona = content.dialogues["henk-kennismaking"], content.personas["henk"]
    from trainer.engine.step import opening

    state, _ = opening(dialogue, persona, "Sam")
    first = step(dialogue, persona, state, Answer.pick(0), None, "Sam", content.kaart)
    referral = FixedScorer(frozenset({"referral"}))
    wrong = step(
        dialogue, persona, first.state_after, Answer("Bel de schuldhulp maar"), referral, "Sam",
        content.kaart,
    )  # fmt: skip
    assert wrong.state_after.node == "knie"
    assert wrong.extra == {"services": ["schuldhulpverlening"], "service_fact": "wrong_service"}
    right = step(
        dialogue, persona, first.state_after, Answer("Zullen we de fysio bellen?"), referral,
        "Sam", content.kaart,
    )  # fmt: skip
    assert right.state_after.node == "huisarts"
    assert right.extra["service_fact"] == "fitting_service"
    none = step(
        dialogue, persona, first.state_after, Answer("Daar zijn mensen voor"), referral, "Sam",
        content.kaart,
    )  # fmt: skip
    assert none.extra == {"services": [], "service_fact": "no_service"}
    assert none.state_after.node == "knie", "no service named: not the referral route"


def test_explore_drives_service_routes_and_replays_them(mini: Path, capsys) -> None:
    from trainer.engine.explorer import explore

    _routed_on_services(mini)
    content = load_content(mini)
    dialogue = content.dialogues["henk-kennismaking"]
    result = explore(dialogue, content.personas["henk"], kaart=content.kaart)
    assert [r for r in result.unused_routes() if r[0] == "knie"] == [], "service routes are taken"
    without = explore(dialogue, content.personas["henk"])
    assert ("knie", "r1") in without.unused_routes(), "without the kaart nothing names one"
    code, out, _ = run_cli(
        capsys, "test", "--random", "20", "--seed", "2", "--content", str(mini),
        "--out", str(mini / "uit"),
    )  # fmt: skip
    assert code == 0, out


def test_the_debrief_says_a_referral_went_to_the_wrong_service_and_which_would_fit(
    mini: Path, data_dir: Path
) -> None:
    import asyncio

    from tests.test_app import make_app, settle
    from trainer.app.screens.debrief import DebriefScreen
    from trainer.engine.records import Answer, FixedScorer
    from trainer.sessions.conversation import Conversation
    from trainer.sessions.debrief import referral_notes
    from trainer.store.database import Store

    _routed_on_services(mini)
    content = load_content(mini)
    persona = content.personas["henk"]
    with Store(data_dir) as store:
        talk = Conversation.start(
            store, persona, content.dialogues["henk-kennismaking"], "Sanne", kaart=content.kaart
        )
        talk.answer(Answer.pick(0), None)  # trust 40 -> 50: he opens up
        talk.answer(Answer("Bel de schuldhulp maar"), FixedScorer(frozenset({"referral"})))
        talk.answer(Answer.pick(0), None)  # then reciprocity: a neighbour, no referral
        session = talk.session
        notes = referral_notes(store.turns(session), persona, content.kaart)
    assert [(n.kind, n.turn, n.services) for n in notes] == [
        ("wrong", 2, ("schuldhulpverlening",)),
        ("missed", None, ("huisarts", "fysiotherapeut")),
    ]
    app = make_app(data_dir, content)

    async def main() -> None:
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            app.push_screen(DebriefScreen(session))
            await pilot.pause()
            lines = [str(w.render()) for w in app.screen.query(".referral")]
            assert lines == [
                "Beurt 2: je noemde Schuldhulpverlening Zuiderveen, maar dat past niet bij wat"
                " Henk nodig heeft.",
                "Voor 'Pijnlijke knie, loopt slecht' had Huisartsenpraktijk De Linde of"
                " Fysiotherapie Zuiderveen gepast.",
            ]
        app.store.close()

    asyncio.run(main())


def test_a_referral_before_the_persona_opened_up_is_premature(mini: Path, data_dir: Path) -> None:
    from trainer.engine.records import Answer, FixedScorer
    from trainer.sessions.conversation import Conversation
    from trainer.sessions.debrief import referral_notes
    from trainer.store.database import Store

    content = load_content(mini)
    persona = content.personas["henk"]
    with Store(data_dir) as store:
        talk = Conversation.start(
            store, persona, content.dialogues["henk-kennismaking"], "Sanne", kaart=content.kaart
        )
        # At the door (trust 40): straight to the huisarts, before any listening.
        talk.answer(Answer("Gaat u eens naar de huisarts"), FixedScorer(frozenset({"referral"})))
        notes = referral_notes(store.turns(talk.session), persona, content.kaart)
    assert [(n.kind, n.turn) for n in notes] == [("premature", 1), ("missed", None)]


def _with_need_for_company(root: Path, node_need: str = "knie") -> None:
    """Henk also misses company (a neighbour could meet that: `neighbour: true`, with the
    POH-GGZ listed for when it gets heavy), and his knee is the need at stake at `knie`."""
    persona = root / "personas" / "henk.yaml"
    persona.write_text(
        persona.read_text(encoding="utf-8")
        + "  - id: gezelschap\n"
        + "    text: Mist aanspraak sinds Riet er niet meer is\n"
        + "    services: [poh-ggz]\n"
        + "    neighbour: true\n",
        encoding="utf-8",
    )
    dialogue = root / "dialogues" / "henk-kennismaking.yaml"
    body = dialogue.read_text(encoding="utf-8")
    old = "  knie:\n    say: |\n"
    assert old in body
    dialogue.write_text(
        body.replace(old, f"  knie:\n    need: {node_need}\n    say: |\n"), encoding="utf-8"
    )


def test_the_need_at_stake_decides_what_fits_and_a_neighbour_need_is_not_for_a_professional(
    mini: Path, data_dir: Path
) -> None:
    from trainer.engine.records import Answer, FixedScorer
    from trainer.sessions.conversation import Conversation
    from trainer.sessions.debrief import referral_lines
    from trainer.store.database import Store

    _routed_on_services(mini)
    _with_need_for_company(mini)
    content = load_content(mini)
    assert not [p for p in content.problems if p.severity == "error"], content.problems
    persona = content.personas["henk"]
    assert [(n.id, n.neighbour) for n in persona.needs] == [
        ("knie", False),
        ("gezelschap", True),
    ]
    referral = FixedScorer(frozenset({"referral"}))
    with Store(data_dir) as store:
        talk = Conversation.start(
            store, persona, content.dialogues["henk-kennismaking"], "Sanne", kaart=content.kaart
        )
        talk.answer(Answer.pick(0), None)  # trust 40 -> 50, now at `knie` (need: knie)
        # The POH-GGZ fits one of Henk's needs, but not his knee, which is at stake here.
        first = talk.answer(Answer("Misschien kan de POH-GGZ u helpen?"), referral)
        assert first.extra == {
            "services": ["poh-ggz"],
            "service_fact": "wrong_service",
            "need": "knie",
        }
        assert first.state_after.node == "knie"  # routed as wrong
        lines = referral_lines(store.turns(talk.session), persona, content.kaart)
    assert lines[0] == (
        "wrong_need",
        "Beurt 2: je noemde Praktijkondersteuner ggz, maar hier ging het om 'Pijnlijke knie,"
        " loopt slecht'. Daarbij had Huisartsenpraktijk De Linde of Fysiotherapie Zuiderveen"
        " gepast.",
    )

    # With his company at stake, which a neighbour could give, the POH-GGZ is
    # over-referral: a professional for what a neighbour could do.
    dialogue = mini / "dialogues" / "henk-kennismaking.yaml"
    body = dialogue.read_text(encoding="utf-8")
    dialogue.write_text(body.replace("need: knie", "need: gezelschap"), encoding="utf-8")
    content = load_content(mini)
    with Store(data_dir) as store:
        talk = Conversation.start(
            store, persona, content.dialogues["henk-kennismaking"], "Sanne", kaart=content.kaart
        )
        talk.answer(Answer.pick(0), None)
        talk.answer(Answer("Misschien kan de POH-GGZ u helpen?"), referral)
        lines = referral_lines(store.turns(talk.session), persona, content.kaart)
    assert lines == [
        (
            "over",
            "Beurt 2: je verwees naar Praktijkondersteuner ggz voor 'Mist aanspraak sinds Riet er"
            " niet meer is'. Daar kan een buur Henk bij helpen; een professional is hier te zwaar.",
        ),
        (
            "missed",
            "Voor 'Pijnlijke knie, loopt slecht' had Huisartsenpraktijk De Linde of Fysiotherapie"
            " Zuiderveen gepast.",
        ),
    ]


def test_check_names_a_node_need_the_persona_does_not_have(mini: Path, capsys) -> None:
    _with_need_for_company(mini, node_need="kniee")
    code, out, _ = run_cli(capsys, "check", "--content", str(mini))
    assert code == 1
    assert "henk-kennismaking.yaml:" in out
    assert "behoefte 'kniee' staat niet bij persona 'henk'" in out
    assert "Bedoelde je 'knie'?" in out


def test_everyday_words_close_to_a_listed_misspelling_are_not_services() -> None:
    """'luisterljn' is a listed misspelling of the Luisterlijn; 'luisteren' is two edits from
    it. Misspellings match exactly (or as a prefix), only real names match loosely."""
    from trainer.content.kaart import load_kaart

    kaart, _ = load_kaart(MINI.parents[2])  # the shipped kaart, at the repository root
    assert kaart is not None
    assert recognise("Ik blijf luisteren, zullen we samen bellen?", kaart) == ()
    assert recognise("Ik luisterde naar je", kaart) == ()
    assert recognise("Bel de luisterljn eens", kaart) == ("luisterlijn",)
    assert recognise("Bel de Luistelijn eens", kaart) == ("luisterlijn",)


@pytest.fixture
def anna_without_kaart(tmp_path: Path) -> Path:
    """Anna's persona, dialogue and playthroughs in a folder of their own, without a kaart."""
    from tests.conftest import ROOT

    root = tmp_path / "zonder-kaart"
    for sub, pattern in (("personas", "anna.yaml"), ("dialogues", "anna-*.yaml")):
        (root / sub).mkdir(parents=True)
        for path in (ROOT / sub).glob(pattern):
            (root / sub / path.name).write_bytes(path.read_bytes())
    return root


def test_check_warns_that_services_cannot_work_without_a_kaart(
    anna_without_kaart: Path, capsys
) -> None:
    code, out, _ = run_cli(capsys, "check", "--content", str(anna_without_kaart))
    assert code == 0, out  # a warning: the content still plays
    warnings = [line for line in out.splitlines() if "kaart-missing" in line]
    assert len(warnings) == 2, out  # the persona's services, the dialogue's service routes
    missing = str(anna_without_kaart / "sociale-kaart.yaml")
    assert all(missing in line for line in warnings)
    assert any("anna.yaml" in w and "behoefte" in w for w in warnings)
    assert any("anna-na-het-ontslag.yaml" in w and "fitting_service" in w for w in warnings)
    code, out, _ = run_cli(capsys, "check", "--strict", "--content", str(anna_without_kaart))
    assert code == 1


def test_with_a_kaart_there_is_no_such_warning(capsys) -> None:
    code, out, _ = run_cli(capsys, "check")
    assert code == 0 and "kaart-missing" not in out


def test_test_names_the_playthroughs_that_need_the_kaart(anna_without_kaart: Path, capsys) -> None:
    code, out, _ = run_cli(capsys, "test", "--content", str(anna_without_kaart))
    assert code == 1
    failed = out.count("  FOUT  ")
    assert failed > 0
    assert out.count("zonder sociale kaart") == failed  # every failure says why
    assert "verwacht pad" not in out.lower() and "eerste verschil" not in out.lower()
    assert f"{failed} playthroughs hangen af van de sociale kaart" in out


SHIPPED = load_content(ROOT)


@pytest.mark.parametrize(
    "answer",
    [
        "het UWV is niks voor uw zaak",
        "de schuldhulp heeft toch een wachtlijst van maanden",
        "naar de huisarts hoeft u niet hoor, dat gaat wel over",
        "ach het wijkteam, daar heb je niks aan",
        "Het maatschappelijk werk zit toch vol",
    ],
)
def test_a_service_named_to_rule_it_out_is_not_a_referral_to_it(answer: str) -> None:
    from trainer.engine.judging import NONE, judge

    assert recognise(answer, SHIPPED.kaart) == ()
    assert find(answer, SHIPPED.kaart, dismissed=True), "it was named, as ruled out"
    named, fact = judge(answer, SHIPPED.personas["anna"], SHIPPED.kaart)
    assert (named, fact) == ((), NONE)


@pytest.mark.parametrize(
    ("answer", "service"),
    [
        ("De POH-GGZ heeft tijd, en je zit niet meteen op een wachtlijst.", "poh-ggz"),
        ("Het wijkteam zit vol, maar de huisarts kan u helpen", "huisarts"),
        ("u hoeft niet bang te zijn, de huisarts luistert echt", "huisarts"),
        ("zou je niet eens langs de huisarts gaan?", "huisarts"),
    ],
)
def test_a_service_offered_beside_a_dismissal_still_counts(answer: str, service: str) -> None:
    assert recognise(answer, SHIPPED.kaart) == (service,)


def test_a_broken_kaart_is_reported_as_broken_not_as_missing(
    anna_without_kaart: Path, capsys
) -> None:
    (anna_without_kaart / "sociale-kaart.yaml").write_text("services: [\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "--content", str(anna_without_kaart))
    assert code == 1 and "sociale-kaart.yaml:" in out and "yaml-syntax" in out
    assert "kaart-missing" not in out
