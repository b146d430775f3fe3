"""Real-looking news pages: the article comes through, the page furniture never does.

The pages under tests/fixtures/web/ are written for these tests in the shapes news sites take
(a CMS with semantic markup, div soup, WordPress, a table layout, a syndicated wire story on
two sites, a page in French), each with navigation, cookie or consent banners, share bars,
related-article lists, comment threads, image captions with photo credits and paywall teasers.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from stance.core.schema import LANG_UNDETERMINED
from stance.corpus.clean import clean
from stance.corpus.pages import extract_page
from tests.conftest import ROOT, read_jsonl

WEB = ROOT / "tests/fixtures/web"

EXPECTED = {
    "meridian_sony": [
        "US blames North Korea for Sony hack, Pyongyang denies role",
        "The FBI says it has enough evidence to link the attack to the North Korean government.",
        "The FBI said on Friday that North Korea was responsible for the cyber-attack on Sony "
        "Pictures Entertainment, the first time the United States has directly accused another "
        "country of a destructive hack on American soil.",
        '"As a result of our investigation, and in close collaboration with other U.S. government '
        "departments and agencies, the FBI now has enough information to conclude that the North "
        'Korean government is responsible for these actions," the bureau said in a statement.',
        "Pyongyang has denied any involvement in the attack, although its state media praised it "
        'as a "righteous deed" carried out by supporters of the country.',
        "President Barack Obama said Sony had made a mistake in pulling the film and promised that "
        'Washington would respond "in a place and time and manner that we choose."',
        "North Korea's UN envoy, Ja Song Nam, said his country had nothing to do with the hack and "
        "called the accusation a fabrication.",
        "Japan and South Korea said they would work with the United States on its response.",
        # A news sentence with a word the credit and paywall patterns look for stays.
        "Sony officials said they were reporting the breach to the FBI.",
    ],
    "harbour_kremlin": [
        "Kremlin calls US threats over Sony hack 'counterproductive'",
        "Russia on Thursday said American threats to retaliate against North Korea over the "
        "hacking of Sony Pictures were counterproductive and dangerous.",
        "Foreign Ministry spokesman Alexander Lukashevich said Washington had offered no proof "
        "that Pyongyang was behind the attack.",
        '"We perceive the U.S. threats to take revenge as absolutely counterproductive and '
        "dangerous,\" Lukashevich said in a statement published on the ministry's website.",
        "The ministry said North Korea had proposed a joint investigation with the United States, "
        "an offer Washington rejected.",
        "China, North Korea's main ally, has called for calm and said it opposes all forms of "
        "cyber-attack.",
    ],
    "wire_seoul_a": [
        "South Korea backs US over Sony hack attribution",
        "South Korea said on Sunday that it supported the United States' conclusion that North "
        "Korea was behind the cyber-attack on Sony Pictures.",
        "Seoul's foreign ministry said the attack was a serious threat to the global cyber order "
        "and called on Pyongyang to stop its provocations.",
        'North Korea has proposed a joint investigation with Washington and warned of "serious '
        'consequences" if the United States refused.',
        "The White House rejected the offer and said Pyongyang should admit its role and "
        "compensate Sony.",
        "Analysts in Seoul said the North had used similar malware in attacks on South Korean "
        "banks and broadcasters in 2013.",
    ],
    "tiny_brief": [
        "In brief: Moscow denies involvement",
        "Moscow denied any role in the attack on Sony.",
    ],
    "old_table_layout": [
        "Pyongyang rejects US charge over Sony attack",
        "North Korea on Saturday rejected the FBI's finding that it was behind the hacking of Sony "
        "Pictures and proposed a joint investigation with the United States.",
        "A spokesman for the foreign ministry said Washington was spreading groundless rumours and "
        "warned of grave consequences if the United States took action against the country.",
    ],
}

# Every piece of page furniture in the fixtures: none may be (part of) a sentence.
BOILERPLATE = [
    # cookie and consent banners
    "cookie", "Accept all", "Manage preferences", "privacy matters", "143 partners", "I agree",
    # navigation, mastheads, breadcrumbs, widgets, footers
    "Skip to content", "Politics", "Obituaries", "E-Edition", "Partly cloudy", "Sport",
    "Weather", "Front page", "Archive", "Classifieds", "Winter storm", "WORLD NEWS",
    "About us", "Contact", "Privacy", "Terms", "WordPress", "Main Street", "free app",
    "Daily Meridian", "Harbour Times", "Coastline Courier", "Valley Ledger", "Korea Desk",
    # bylines and date lines
    "Hannah Castell", "Piotr Malek", "Associated Wire", "Posted on", "Published:", "18.42 GMT",
    # share bars and tags
    "Share", "Facebook", "Twitter", "WhatsApp", "Email", "Print", "1,204 shares", "Tags",
    "Topics", "Hacking\n",
    # related and most-read lists, inline promos
    "Related", "Most viewed", "You may also like", "Recent Posts", "Trending", "READ MORE",
    "9/11-style", "China says it opposes", "Five things", "Storm to bring",
    "hit-and-run", "harbour budget", "state title", "did not cave", "threatens White House",
    "Sony cancels release", "Guardians of Peace", "release The Interview online",
    "Moscow offers support",
    # comment threads
    "Comments (312)", "truthseeker77", "inside job", "thin, and they know it", "Reply",
    "Report\n", "Drew B", "nothing new here", "proof when it suits", "Join the discussion",
    "Gary from Elm Street", "whatever Washington wants", "allies standing together",
    "Leave a Reply", "email address", "thoughts on",
    # captions and photo credits
    "Photograph", "Photo", "Lucas Marin", "Ina Weller", "Anton Berg", "Lee Jin-man",
    "studio lot", "press conference", "winter evening", "Protesters",
    # paywall teasers, subscription pleas, advertising, legal lines
    "Subscribe", "subscri", "Sign in", "Sign up", "Log in", "Continue reading",
    "unlimited", "99p", "Cancel anytime", "Advertisement", "journalism", "Copyright",
    "All rights reserved", "redistributed", "Morning Briefing", "inbox",
    "free articles", "full access", "3 of 5",
    # "RELATED:" and "SEE ALSO:" lead-ins, wire credit lines
    "RELATED:", "SEE ALSO", "Obama vows", "proof of hack is lacking", "Reporting by",
    "Editing by", "Writing by", "Additional reporting", "Takenaka", "Birsel", "Jack Kim",
    "Tim Kelly",
]  # fmt: skip


@pytest.fixture
def web(project: Path) -> Path:
    shutil.copytree(WEB, project / "web")
    return project / "web"


def ingest_ok(cli, *args: str) -> str:
    result = cli("ingest", *args)
    assert result.exit_code == 0, result.output
    return result.output


def outputs(project: Path) -> tuple[dict[str, dict], list[dict], list[dict]]:
    out = project / "data/interim"
    docs = {d["doc_id"]: d for d in read_jsonl(out / "documents.jsonl")}
    return docs, read_jsonl(out / "sentences.jsonl"), read_jsonl(out / "candidates.jsonl")


def sentences_by_doc(sents: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in sents:
        out.setdefault(s["doc_id"], []).append(s["sentence"])
    return out


def assert_offsets_exact(docs: dict[str, dict], sents: list[dict], cands: list[dict]) -> None:
    for s in sents:
        assert docs[s["doc_id"]]["text"][s["start"] : s["end"]] == s["sentence"]
    for c in cands:
        text = docs[c["doc_id"]]["text"]
        assert text[c["start"] : c["end"]] == c["sentence"]
        for m in c["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]


def test_news_pages_keep_the_article_and_nothing_else(web: Path, project: Path, cli) -> None:
    out = ingest_ok(cli, "web")
    docs, sents, cands = outputs(project)
    assert sentences_by_doc(sents) == EXPECTED
    everything = "\n".join(s["sentence"] + "\n" for s in sents)
    leaked = [junk for junk in BOILERPLATE if junk.lower() in everything.lower()]
    assert not leaked
    assert_offsets_exact(docs, sents, cands)
    assert [s["kind"] for s in sents if s["index"] == 0] == ["title"] * len(EXPECTED)
    assert "5 documents, 26 sentences" in out
    assert "Skipped by reason: language 1, duplicate 1" in out


def test_source_metadata_comes_from_the_page(web: Path, project: Path, cli) -> None:
    ingest_ok(cli, "web")
    docs, _, _ = outputs(project)
    m = docs["meridian_sony"]
    assert (m["extractor"], m["lang"], m["date"], m["site"], m["author"]) == (
        "trafilatura",
        "en",
        "2014-12-19",
        "The Daily Meridian",
        "Hannah Castell",
    )
    assert m["url"] == (
        "https://www.dailymeridian.example/world/2014/dec/19/us-blames-north-korea-sony-hack"
    )
    assert m["title"] == EXPECTED["meridian_sony"][0]
    h = docs["harbour_kremlin"]
    assert (h["dateline"], h["date"], h["author"], h["site"]) == (
        "MOSCOW",
        "2014-12-25",
        "Piotr Malek",
        "Harbour Times",
    )
    assert {d["doc_id"]: d["extractor"] for d in docs.values()} == {
        "meridian_sony": "trafilatura",
        "harbour_kremlin": "trafilatura",
        "wire_seoul_a": "trafilatura",
        "tiny_brief": "trafilatura",
        "old_table_layout": "builtin",  # trafilatura finds no text in a table layout
    }
    assert docs["old_table_layout"]["date"] == "2014-12-20"  # <meta name="date">


def test_syndicated_copies_are_kept_once_with_every_url(web: Path, project: Path, cli) -> None:
    ingest_ok(cli, "web")
    docs, sents, _ = outputs(project)
    assert "wire_seoul_b" not in docs
    assert docs["wire_seoul_a"]["urls"] == [
        "https://coastlinecourier.example/2014/12/21/south-korea-backs-us-sony/",
        "https://www.valleyledger.example/news/world/seoul-supports-washington-on-sony-hack/"
        "article_5f2c.html",
    ]
    assert docs["meridian_sony"]["urls"] == [docs["meridian_sony"]["url"]]
    assert docs["tiny_brief"]["urls"] == ["web/tiny_brief.html"]  # no URL: the path
    report = json.loads((project / "data/interim/ingest_report.json").read_text())
    assert report["skipped"]["duplicate"] == 1
    assert report["examples"]["duplicate"] == ["web/wire_seoul_b.html: the text of wire_seoul_a"]
    # The copy differed in headline, furniture, a subscription plea and the wire's copyright
    # line; its sentences are not in the output, so no sentence group spans the two copies.
    assert not any(s["doc_id"] == "wire_seoul_b" for s in sents)


def test_the_first_copy_in_input_order_is_kept(project: Path, cli) -> None:
    (project / "in").mkdir()
    for name in ("wire_seoul_b", "wire_seoul_a"):
        shutil.copy(WEB / f"{name}.html", project / "in" / f"{name}.html")
    ingest_ok(cli, "in/wire_seoul_b.html", "in/wire_seoul_a.html")
    docs, _, _ = outputs(project)
    assert list(docs) == ["wire_seoul_b"]
    assert docs["wire_seoul_b"]["title"] == "Seoul supports Washington on Sony hack"
    assert len(docs["wire_seoul_b"]["urls"]) == 2


def test_the_builtin_extractor_can_be_forced_and_is_recorded(web: Path, project: Path, cli) -> None:
    ingest_ok(cli, "web/meridian_sony.html", "--html-extractor", "builtin")
    docs, sents, cands = outputs(project)
    assert docs["meridian_sony"]["extractor"] == "builtin"
    assert [s["sentence"] for s in sents][:9] == EXPECTED["meridian_sony"]
    everything = "\n".join(s["sentence"] for s in sents).lower()
    assert not [junk for junk in BOILERPLATE if junk.lower() in everything]
    assert docs["meridian_sony"]["site"] == "The Daily Meridian"
    assert_offsets_exact(docs, sents, cands)


TOP_BAR_PAGE = """<html><head><title>Kremlin doubts US claims on Sony hack | The Harbour Post</title>
</head><body>
<div class="top"><a href="/">The Harbour Post</a> Independent news since 1901</div>
<div class="container">
<h1>Kremlin doubts US claims on Sony hack</h1>
<p>By Jane Reporter and Tom Writer, Senior Correspondents | December 27, 2014, 5:30 pm EST</p>
<p>MOSCOW — Russia said on Saturday that Washington had shown no proof that North Korea was
behind the cyber-attack on Sony Pictures.</p>
<p>By Friday, the United States had imposed new sanctions on Pyongyang over the attack.</p>
</div></body></html>"""


def test_builtin_extractor_skips_a_top_bar_and_the_byline(project: Path, cli) -> None:
    # A site's name and slogan above the headline, outside <nav>/<header>, would become the
    # title, and a long byline a sentence; "By Friday, ..." is a sentence and stays.
    (project / "harbour.html").write_text(TOP_BAR_PAGE, encoding="utf-8")
    ingest_ok(cli, "harbour.html", "--html-extractor", "builtin")
    docs, sents, cands = outputs(project)
    assert [s["sentence"] for s in sents] == [
        "Kremlin doubts US claims on Sony hack",
        "Russia said on Saturday that Washington had shown no proof that North Korea was "
        "behind the cyber-attack on Sony Pictures.",
        "By Friday, the United States had imposed new sanctions on Pyongyang over the attack.",
    ]
    assert (docs["harbour"]["title"], docs["harbour"]["dateline"]) == (
        "Kremlin doubts US claims on Sony hack",
        "MOSCOW",
    )
    assert_offsets_exact(docs, sents, cands)


@pytest.mark.parametrize(
    "before",
    [
        "<p>Seoul denied it.</p><p>Pyongyang called the charge a lie.</p>",  # short sentences
        "<p>What Moscow said about the hack:</p>",  # a lede that ends in a colon
        "<p>首尔否认了这一指控。</p>",  # no spaces between words
        "<p>Russia said on Saturday that Washington had shown no proof that North Korea was "
        "behind the attack</p>",  # eight words or more
    ],
)
def test_builtin_extractor_keeps_prose_before_a_late_headline(before: str) -> None:
    # An <h1> after article text (a section heading) cuts nothing above it.
    html = f"<html><body>{before}<h1>Reaction</h1><p>Beijing called for calm.</p></body></html>"
    page = extract_page(html, extractor="builtin")
    assert page.text.split("\n")[0] in html and page.text.endswith("Beijing called for calm.")
    assert not page.text.startswith("Reaction")


def test_builtin_extractor_keeps_a_date_line_above_the_headline() -> None:
    # The top bar goes; the date line above the headline is the page's date and stays.
    html = (
        "<html><body><div>The Harbour Post</div><p>December 27, 2014</p>"
        "<h1>Kremlin doubts US claims on Sony hack</h1><p>Russia said Washington had shown "
        "no proof that North Korea was behind the attack.</p></body></html>"
    )
    page = extract_page(html, extractor="builtin")
    assert page.text.split("\n")[:2] == [
        "December 27, 2014",
        "Kremlin doubts US claims on Sony hack",
    ]
    doc = clean(page.text)
    assert (doc.date, doc.title) == ("2014-12-27", "Kremlin doubts US claims on Sony hack")


def test_fallback_when_trafilatura_finds_nothing() -> None:
    page = extract_page((WEB / "old_table_layout.html").read_text(encoding="utf-8"))
    assert page.extractor == "builtin"
    assert page.title == "Pyongyang rejects US charge over Sony attack"  # " | Korea Desk" off
    page = extract_page("<html><body><p>Moscow denied any role in the attack.</p></body></html>")
    assert (page.extractor, page.text) == ("trafilatura", "Moscow denied any role in the attack.")
    page = extract_page("<html><body><table><tr><td>Moscow denied it.</td></tr></table>")
    assert (page.extractor, page.text) == ("builtin", "Moscow denied it.")


def test_other_languages_are_left_out_and_counted(web: Path, project: Path, cli) -> None:
    ingest_ok(cli, "web")
    docs, _, _ = outputs(project)
    assert "courrier_fr" not in docs
    report = json.loads((project / "data/interim/ingest_report.json").read_text())
    assert report["skipped"]["language"] == 1
    assert report["examples"]["language"] == ["web/courrier_fr.html: fr"]
    assert report["languages"] == {"en": 5}

    ingest_ok(cli, "web", "--lang", "fr")
    docs, _, _ = outputs(project)
    assert list(docs) == ["courrier_fr"] and docs["courrier_fr"]["lang"] == "fr"

    out = ingest_ok(cli, "web", "--lang", "any")
    docs, _, _ = outputs(project)
    assert "courrier_fr" in docs and len(docs) == 6
    assert "Skipped by reason: duplicate 1" in out


def test_short_texts_are_undetermined_and_kept(project: Path, cli) -> None:
    (project / "in").mkdir()
    (project / "in/a.txt").write_text("Pyongyang denied it.\n", encoding="utf-8")
    ingest_ok(cli, "in")
    docs, _, _ = outputs(project)
    assert docs["a"]["lang"] == LANG_UNDETERMINED


def test_the_seeds_are_english(seed_ingest) -> None:
    assert {d["lang"] for d in seed_ingest["documents"]} == {"en"}
    assert {d["extractor"] for d in seed_ingest["documents"]} == {None}


def test_progress_bar_only_on_a_terminal(
    web: Path, project: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = ingest_ok(cli, "web")  # CliRunner's stderr is no terminal
    assert "ingest:" not in out and "\r" not in out

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    from stance.corpus.ingest import ingest

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    ingest(
        [project / "web"],
        out_dir=project / "out",
        actors_path=project / "data/actors.yaml",
        claims_path=project / "data/claims.yaml",
        claims=["sony-hack-2014"],
        progress=True,
    )
    assert "ingest:" in screen.getvalue() and "B/s" in screen.getvalue()


def test_a_page_with_no_article_says_how_to_go_on(web: Path, project: Path, cli) -> None:
    (web / "headline.html").write_text(
        "<html><head><title>Obama vows response</title></head><body>"
        "<h1>Obama vows response to North Korea over Sony hack</h1></body></html>",
        encoding="utf-8",
    )
    result = cli("ingest", "web")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: web/headline.html: no article text left after cleaning, only a headline or page "
        "furniture (--skip-invalid skips it)"
    ]
    assert not (project / "data/interim/documents.jsonl").exists()
    out = ingest_ok(cli, "web", "--skip-invalid")
    assert "5 documents" in out and "invalid 1" in out


def test_skip_invalid_does_not_advise_itself(web: Path, project: Path, cli) -> None:
    (web / "headline.html").write_text("<html><body><h1>Obama vows response</h1></body></html>")
    (web / "bad.warc").write_bytes(b"not a crawl\n")
    out = ingest_ok(cli, "web", "--skip-invalid")
    assert (
        "Skipped: web/headline.html: no article text left after cleaning, only a headline " in out
    )
    assert "Skipped: web/bad.warc: not a readable WARC file" in out
    assert "--skip-invalid" not in out
    report = json.loads((project / "data/interim/ingest_report.json").read_text())
    assert len(report["problems"]) == 2
    assert not any(
        "--skip-invalid" in p for p in report["problems"] + report["examples"]["invalid"]
    )
