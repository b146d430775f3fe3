import hashlib
import json
from pathlib import Path

import pytest

from stance.core.schema import CANDIDATE_FIELDS
from stance.corpus.ingest import candidate_id
from tests.conftest import SEED_A, SEED_B, read_jsonl

SEED_B_SENTENCES = [
    "Russia offers support to North Korea amid Sony hack",
    "Russia on Thursday offered sympathy to North Korea amid the Sony hacking scandal, saying the "
    "movie that sparked the dispute was so scandalous that Pyongyang's anger was \"quite "
    'understandable."',
    "Washington failed to offer any proof to back its claims of Pyongyang's involvement in the "
    "hacking, Russian Foreign Ministry spokesman Alexander Lukashevich said at a briefing, adding "
    'that the U.S. threats of retaliation were "counterproductive."',
    "The U.S. has blamed Pyongyang for the recent cyberattack on Sony Pictures, which produced "
    '"The Interview," a comedy depicting the assassination of North Korean leader Kim Jong Un.',
    'Pyongyang has denied a role in the hacking, but also praised it as a "righteous deed."',
    "Sony initially decided not to release the film because of threats against U.S. cinemas, but "
    "released the movie online Wednesday.",
    "Russia's ties with the communist North soured after the 1991 Soviet collapse, but have "
    "improved under President Vladimir Putin's watch.",
    "Moscow has taken part in international efforts to help mediate the standoff over Pyongyang's "
    "nuclear and missile programs, although its diplomatic efforts have had little visible effect.",
    "Last week, the Kremlin said that it had invited Kim to Moscow in May to attend festivities "
    "marking the 70th anniversary of the victory over Nazi Germany.",
    'Commenting on the Sony hack scandal, Lukashevich said that "the concept of the movie is so '
    "aggressive and scandalous, that the reaction of the North Korean side, and not just it, is "
    'quite understandable."',
    "He went on to say that Pyongyang had offered to conduct a joint investigation into the "
    'incident, adding that the proposal could help ease tensions and reflected a "sincere desire '
    'of the North Korean side to study the issue in detail."',
    '"We perceive the U.S. threats to take revenge and calls on other nations to condemn the '
    "Democratic People's Republic of Korea as absolutely counterproductive and dangerous, as they "
    "only would add tensions to the already difficult situation on the Korean Peninsula and could "
    'lead to further escalation of conflict," Lukashevich said.',
]


def by_doc(rows: list[dict], doc: str) -> list[dict]:
    return [r for r in rows if r["doc_id"] == doc]


def test_seed_sentences(seed_ingest) -> None:
    sents = seed_ingest["sentences"]
    assert [s["sentence"] for s in by_doc(sents, SEED_B)] == SEED_B_SENTENCES
    a = [s["sentence"] for s in by_doc(sents, SEED_A)]
    assert len(a) == 15
    assert a[0] == (
        "Sony hack update: Russia calls U.S. threats against North Korea "
        "'counter-productive and dangerous'"
    )
    assert a[4].endswith('although they did call the act a "righteous deed."')
    assert a[5] == (
        "The reclusive nation also proposed a joint investigation to find out who the real "
        "culprit is."
    )
    assert a[-1].endswith("viewers within the U.S. can rent the film for $5.99.")
    assert [s["kind"] for s in sents].count("title") == 2


def test_seed_boilerplate_never_becomes_a_sentence(seed_ingest) -> None:
    text = "\n".join(s["sentence"] for s in seed_ingest["sentences"])
    for junk in (
        "BrandSpace",
        "Trending",
        "Recommended",
        "Reuters/KCNA",
        '"Wikipedia',
        "December 26, 2014",
        "1:00am",
        "MOSCOW",
    ):
        assert junk not in text


def test_offsets_are_exact(seed_ingest) -> None:
    texts = {d["doc_id"]: d["text"] for d in seed_ingest["documents"]}
    for s in seed_ingest["sentences"]:
        assert texts[s["doc_id"]][s["start"] : s["end"]] == s["sentence"]
    for c in seed_ingest["candidates"]:
        text = texts[c["doc_id"]]
        assert text[c["start"] : c["end"]] == c["sentence"]
        for m in c["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
            assert c["start"] <= m["start"] < m["end"] <= c["end"]


@pytest.mark.parametrize(
    "mention, actor",
    [
        ("Pyongyang", "PRK"),
        ("Washington", "USA"),
        ("the Kremlin", "RUS"),
        ("Moscow", "RUS"),
        ("Lukashevich", "RUS"),
        ("Alexander Lukashevich", "RUS"),
        ("Ja Song Nam", "PRK"),
        ("Kim Jong-Un", "PRK"),
        ("Kim Jong Un", "PRK"),
        ("The FBI", "USA"),
        ("President Barack Obama", "USA"),
        ("the Guardians of Peace", "GUARDIANS_OF_PEACE"),
        ("Sony", "SONY"),
        ("Sony Pictures Entertainment", "SONY"),
        ("the communist North", "PRK"),
        ("Russian Foreign Ministry", "RUS"),
        ("the Democratic People's Republic of Korea", "PRK"),
        ("North Korean", "PRK"),
        ("U.S.", "USA"),
        ("U.N.", "UN"),
        ("the United Nations", "UN"),
        ("Vladimir Putin", "RUS"),
        ("Kim", "PRK"),
    ],
)
def test_seed_actor_mentions(seed_ingest, mention: str, actor: str) -> None:
    seen = {(m["text"], c["actor"]) for c in seed_ingest["candidates"] for m in c["mentions"]}
    assert (mention, actor) in seen


def test_seed_candidates_per_sentence(seed_ingest) -> None:
    def actors_of(doc: str, index: int) -> dict[str, list[str]]:
        sid = f"{doc}:{index:04d}"
        return {
            c["actor"]: [m["text"] for m in c["mentions"]]
            for c in seed_ingest["candidates"]
            if c["sentence_id"] == sid
        }

    assert actors_of(SEED_B, 2) == {
        "USA": ["Washington", "U.S."],
        "PRK": ["Pyongyang"],
        "RUS": ["Russian Foreign Ministry", "Alexander Lukashevich"],
    }
    assert actors_of(SEED_B, 8) == {"RUS": ["the Kremlin", "Moscow"], "PRK": ["Kim"]}  # no DEU
    assert actors_of(SEED_B, 11) == {  # "Korean Peninsula" is no actor
        "USA": ["U.S."],
        "PRK": ["the Democratic People's Republic of Korea"],
        "RUS": ["Lukashevich"],
    }
    assert actors_of(SEED_A, 13) == {}  # YouTube, Google Play, Xbox: no actors


def test_candidate_records(seed_ingest) -> None:
    cands = seed_ingest["candidates"]
    assert all(tuple(c) == CANDIDATE_FIELDS for c in cands)
    assert len({c["id"] for c in cands}) == len(cands)
    assert {c["claim"] for c in cands} == {"sony-hack-2014"}
    c = cands[0]
    assert c["id"] == candidate_id(c["doc_id"], c["start"], c["end"], c["actor"], c["claim"])
    key = f"{c['doc_id']}\x1f{c['start']}\x1f{c['end']}\x1f{c['actor']}\x1f{c['claim']}"
    assert c["id"] == hashlib.sha1(key.encode()).hexdigest()[:16]


def test_shared_quotes_share_a_group(seed_ingest) -> None:
    groups: dict[str, list[str]] = {}
    for s in seed_ingest["sentences"]:
        groups.setdefault(s["group"], []).append(s["sentence_id"])
    shared = sorted(sorted(m) for m in groups.values() if len(m) > 1)
    assert shared == [
        [f"{SEED_A}:0003", f"{SEED_B}:0011"],  # "We perceive the U.S. threats ..."
        [f"{SEED_A}:0007", f"{SEED_B}:0009"],  # "The concept of the movie ..."
    ]
    by_sid = {c["sentence_id"]: c["group"] for c in seed_ingest["candidates"]}
    assert by_sid[f"{SEED_B}:0011"] == f"{SEED_A}:0003"


def test_document_metadata(seed_ingest) -> None:
    docs = {d["doc_id"]: d for d in seed_ingest["documents"]}
    b = docs[SEED_B]
    assert (b["source"], b["date"], b["time"], b["dateline"]) == (
        "seed",
        "2014-12-26",
        "01:00",
        "MOSCOW",
    )
    assert b["title"] == SEED_B_SENTENCES[0]
    raw = Path(b["path"]).read_bytes()
    assert b["sha256"] == hashlib.sha256(raw.decode().encode()).hexdigest()


# --- the command, reruns and bad input ----------------------------------------------------------


OUTS = ("documents.jsonl", "sentences.jsonl", "candidates.jsonl")


def snapshot(project: Path) -> dict[str, bytes]:
    return {n: (project / "data/interim" / n).read_bytes() for n in OUTS}


def test_cli_ingest_and_rerun_identical(project: Path, cli) -> None:
    result = cli("ingest", "seeds")
    assert result.exit_code == 0, result.output
    assert "2 documents, 27 sentences" in result.output
    first = snapshot(project)
    assert cli("ingest", "seeds").exit_code == 0
    assert snapshot(project) == first
    assert not list((project / "data/interim").glob(".*tmp"))


def fails(cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_bad_inputs_leave_outputs_untouched(project: Path, cli) -> None:
    assert cli("ingest").exit_code == 0
    before = snapshot(project)
    (project / "empty.txt").write_text("  \n", encoding="utf-8")
    (project / "latin.txt").write_bytes("Headline\nLa Corée du Nord a nié.\n".encode("latin-1"))

    assert fails(cli, "ingest", "nowhere/") == "Error: nowhere: no such file or directory"
    assert fails(cli, "ingest", "seeds", "empty.txt") == "Error: empty.txt: file is empty"
    msg = fails(cli, "ingest", "latin.txt")
    assert msg.startswith("Error: latin.txt: not valid utf-8 (byte 0xe9 at offset 15)")
    assert "--encoding" in msg
    assert snapshot(project) == before


def test_encoding_option(project: Path, cli) -> None:
    (project / "in").mkdir()
    (project / "in/latin.txt").write_bytes(
        "Séoul reacts\nSeoul said on Friday that Pyongyang was behind the attack.\n".encode(
            "cp1252"
        )
    )
    assert fails(cli, "ingest", "in", "--encoding", "klingon") == (
        "Error: --encoding klingon: unknown encoding name"
    )
    result = cli("ingest", "in", "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    assert {c["actor"] for c in cands} == {"KOR", "PRK"}
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert docs[0]["source"] == "imported:in" and docs[0]["title"] == "Séoul reacts"


@pytest.mark.parametrize(
    "registry, text, message",
    [
        (
            "actors.yaml",
            "actors:\n- {id: USA, type: state, name: United States, aliases: [Georgia]}\n"
            "- {id: GEO, type: state, name: Georgia}\n",
            "alias 'Georgia' is claimed by both USA ('Georgia') and GEO",
        ),
        (
            "actors.yaml",
            "actors:\n- {id: USA, type: state, name: US, colour: red}\n",
            "actor 'USA': unknown key 'colour'",
        ),
        ("actors.yaml", "actors:\n- {type: state, name: US}\n", "actor #1: missing or empty 'id'"),
        (
            "claims.yaml",
            "claims:\n- {id: x, text: y, accusers: [USA], accused: [PRK]}\n",
            "claim 'x': missing 'date'",
        ),
        ("claims.yaml", "claims: []\nextra: 1\n", "unknown top-level key 'extra'"),
    ],
)
def test_malformed_registries(project: Path, cli, registry: str, text: str, message: str) -> None:
    (project / "data" / registry).write_text(text, encoding="utf-8")
    line = fails(cli, "ingest")
    assert line.startswith(f"Error: data/{registry}: ") and message in line
    assert not (project / "data/interim").exists()


def test_unknown_claim(project: Path, cli) -> None:
    msg = fails(cli, "ingest", "--claim", "sony-2014")
    assert msg.startswith(
        "Error: --claim 'sony-2014': not a known claim id (nearest: sony-hack-2014"
    )
    assert "`stance claims list`, or give the accusation as text" in msg


def test_duplicate_document_ids(project: Path, cli) -> None:
    (project / "more").mkdir()
    (project / f"more/{SEED_A}.txt").write_text("Title\nPyongyang denied it.\n", encoding="utf-8")
    msg = fails(cli, "ingest", "seeds", "more")
    assert f"document id '{SEED_A}' is also used by" in msg and "rename one file" in msg


def test_skip_invalid_reports_and_continues(project: Path, cli) -> None:
    (project / "in").mkdir()
    (project / "in/empty.txt").write_text("", encoding="utf-8")
    (project / "in/good.txt").write_text("Title\nPyongyang denied it.\n", encoding="utf-8")
    result = cli("ingest", "in", "--skip-invalid")
    assert result.exit_code == 0
    assert "Skipped: in/empty.txt: file is empty" in result.output
    assert "1 documents" in result.output


def test_html_input(project: Path, cli) -> None:
    (project / "web").mkdir()
    (project / "web/story.html").write_text(
        """<html><head><title>Site | Story</title>
        <meta property="article:published_time" content="2014-12-20T10:00:00Z"></head>
        <body><nav><a>Home</a> <a>World</a></nav>
        <h1>China urges calm over Sony hack</h1>
        <figure><img src="x.jpg"><figcaption>Xi Jinping in Beijing. Photo: AP</figcaption></figure>
        <p>Beijing on Saturday called for calm &amp; said the U.S.
        had not shown evidence that North Korea was behind the attack.</p>
        <div class="related-links">Read more: Kremlin backs Pyongyang</div>
        <footer>Copyright 2014</footer></body></html>""",
        encoding="utf-8",
    )
    assert cli("ingest", "web").exit_code == 0
    sents = [s["sentence"] for s in read_jsonl(project / "data/interim/sentences.jsonl")]
    assert sents == [
        "China urges calm over Sony hack",
        "Beijing on Saturday called for calm & said the U.S. had not shown evidence that North "
        "Korea was behind the attack.",
    ]
    doc = read_jsonl(project / "data/interim/documents.jsonl")[0]
    assert doc["date"] == "2014-12-20" and doc["doc_id"] == "story"


def test_jsonl_input(project: Path, cli) -> None:
    (project / "feed.jsonl").write_text(
        json.dumps(
            {"id": "a1", "title": "Seoul blames Pyongyang", "body": "Seoul said it was sure."}
        )
        + "\n\n"
        + json.dumps({"id": "a2", "body": "The Kremlin said there was no proof. Moscow agreed."})
        + "\n",
        encoding="utf-8",
    )
    assert fails(cli, "ingest", "feed.jsonl") == (
        "Error: feed.jsonl:1: no text in field 'text' (choose the field with --text-field)"
    )
    assert cli("ingest", "feed.jsonl", "--text-field", "body").exit_code == 0
    sents = read_jsonl(project / "data/interim/sentences.jsonl")
    assert [(s["doc_id"], s["sentence"]) for s in sents] == [
        ("feed-a1", "Seoul blames Pyongyang"),
        ("feed-a1", "Seoul said it was sure."),
        ("feed-a2", "The Kremlin said there was no proof."),
        ("feed-a2", "Moscow agreed."),
    ]
    (project / "bad.jsonl").write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    assert fails(cli, "ingest", "bad.jsonl").startswith("Error: bad.jsonl:2: not valid JSON")


def test_unsupported_file_type(project: Path, cli) -> None:
    (project / "x.pdf").write_bytes(b"%PDF")
    assert fails(cli, "ingest", "x.pdf") == (
        "Error: x.pdf: unsupported file type '.pdf' "
        "(expected .htm, .html, .jsonl, .parquet, .text, .txt, .warc, .warc.gz)"
    )


def test_no_candidates_says_no_actors(project: Path, cli) -> None:
    (project / "in").mkdir()
    (project / "in/weather.txt").write_text("Mild week\nThe weather was mild.\n", encoding="utf-8")
    result = cli("ingest", "in")
    assert result.exit_code == 0, result.output
    assert "1 documents, 2 sentences, 0 candidates (no actors) -> data/interim/" in result.output
    (project / "in/weather.txt").write_text("Une semaine douce et calme\nIl a fait doux toute la "
                                            "semaine dans la région.\n", encoding="utf-8")  # fmt: skip
    result = cli("ingest", "in")
    assert result.exit_code == 0, result.output
    assert "0 documents, 0 sentences, 0 candidates (no actors)" in result.output
