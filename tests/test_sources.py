"""The articles sentence by sentence: every sentence is covered by a claim or excluded with a
reason, the committed report is current, and removing a claim is caught."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import l2graph
from l2graph.sources import locate, sentences

REPO = Path(__file__).resolve().parent.parent


def test_every_sentence_is_covered_or_excluded(sources_dir: Path):
    report = l2graph.coverage()
    assert report.complete, "\n".join(report.problems())
    assert sum(len(a.sentences) for a in report.articles) > 50


def test_the_committed_report_is_current(sources_dir: Path):
    committed = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    assert committed == l2graph.coverage().text(), "run: l2graph coverage -o docs/sources.md"


def _without(project: Path, claim: str) -> None:
    """Remove one claim (its whole block) from the project copy's claims files."""
    for path in (project / "data").glob("claims-*.ttl"):
        text = path.read_text(encoding="utf-8")
        pattern = rf"\nid:{re.escape(claim)} a l2:Claim ;.*?\.\n"
        text, found = re.subn(pattern, "\n", text, flags=re.S)
        if found:
            path.write_text(text, encoding="utf-8")
            return
    raise AssertionError(f"no claim {claim}")


def test_removing_the_only_claim_of_a_sentence_is_caught(project_copy, sources_dir, capsys):
    from l2graph.cli import main

    _without(project_copy, "opinion-difference-hard-to-say")
    report = l2graph.coverage(project_copy)
    assert not report.complete
    (problem,) = report.problems()
    assert "In terms of how it would differ" in problem
    assert main(["--home", str(project_copy), "coverage"]) == 1
    assert "In terms of how it would differ" in capsys.readouterr().err


def test_an_exclusion_that_matches_nothing_is_caught(project_copy, sources_dir):
    with open(project_copy / "data" / "excluded-sentences.tsv", "a", encoding="utf-8") as file:
        file.write("2022-leica-panasonic-joint-camera.txt\tnavigation\tBest Nikon cameras\n")
    (problem,) = l2graph.coverage(project_copy).problems()
    assert "Best Nikon cameras" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two? “Three!” (Four.)", ["One.", "Two?", "“Three!”", "(Four.)"]),
        ("Co.,Ltd had this to say: fine.", ["Co.,Ltd had this to say: fine."]),
        ("pricing and… well, the same. Next", ["pricing and… well, the same.", "Next"]),
        ("a line\n\nanother line", ["a line", "another line"]),
    ],
)
def test_the_sentence_rule(text, expected):
    found = sentences(text)
    assert [s.text for s in found] == expected
    assert all(text[s.start : s.end] == s.text for s in found)


def test_quotes_are_located_with_loose_white_space():
    assert locate("two  words", "one two\nwords three") == (4, 13)
    assert locate("not there", "one two") is None


def test_every_quote_is_anchored_in_its_article(sources_dir: Path):
    """Each claim's anchor, computed by the build, points at its quote in the article text."""
    query = """
    SELECT ?claim ?source ?exact ?prefix ?suffix ?start ?end WHERE {
      ?claim l2:statedIn/l2:sourceFile ?source ;
             l2:quotedFrom/oa:hasSelector ?byQuote, ?byPosition .
      ?byQuote oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
      ?byPosition oa:start ?start ; oa:end ?end .
    }"""
    rows = list(l2graph.run_sparql(query))
    claims = l2graph.run_sparql("SELECT ?c WHERE { ?c a l2:Claim }")
    assert len(rows) == len(claims) > 100
    texts = {}
    for row in rows:
        source = str(row["source"])
        text = texts.setdefault(source, (sources_dir / source).read_text(encoding="utf-8"))
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == str(row["exact"]), row["claim"]
        assert text[:start].endswith(str(row["prefix"])) and text[end:].startswith(
            str(row["suffix"])
        )


def test_anchors_are_exported_with_the_graph(sources_dir: Path):
    turtle = l2graph.export(format="turtle").decode()
    assert "oa:TextQuoteSelector" in turtle and "oa:TextPositionSelector" in turtle


def test_a_quote_not_in_its_article_fails_validation(project_copy, sources_dir, capsys):
    from l2graph.cli import main

    claims = project_copy / "data" / "claims-2022-leica-panasonic-joint-camera.ttl"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(
        text.replace('"which is effectively a Panasonic S1R"@en', '"which is a S1R"@en')
    )
    report = l2graph.validate(home=project_copy)
    assert [(r.focus_node, r.constraint) for r in report.results] == [
        ("id:claim-s1r-brand", "l2s:QuoteInArticle")
    ]
    assert main(["--home", str(project_copy), "validate"]) == 1
    assert "not verbatim in its article" in capsys.readouterr().err
