"""The data against the articles: every quote verbatim, every fact backed, no guess asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Namespace

from l2graph.project import L2

L2NS = Namespace(L2)
ASSERTING = {L2NS.confirmed, L2NS.reported}


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _claims(graph):
    for claim in graph.subjects(RDF.type, L2NS.Claim):
        yield (
            claim,
            {
                "s": graph.value(claim, RDF.subject),
                "p": graph.value(claim, RDF.predicate),
                "o": graph.value(claim, RDF.object),
                "status": graph.value(claim, L2NS.status),
                "quote": graph.value(claim, L2NS.quote),
                "article": graph.value(claim, L2NS.statedIn),
                "about": graph.value(claim, L2NS.about),
            },
        )


def test_every_quote_appears_verbatim_in_its_article(asserted_graph, sources_dir: Path):
    texts = {}
    checked = 0
    for claim, c in _claims(asserted_graph):
        source_file = asserted_graph.value(c["article"], L2NS.sourceFile)
        assert source_file is not None, f"{claim}: its article names no source file"
        if source_file not in texts:
            texts[source_file] = _normalise((sources_dir / str(source_file)).read_text("utf-8"))
        assert _normalise(str(c["quote"])) in texts[source_file], f"{claim}: quote not verbatim"
        checked += 1
    assert checked >= 70 and len(texts) == 2


def test_quote_check_catches_a_paraphrase(sources_dir: Path):
    """The verbatim check above is only worth something if a near-miss fails it."""
    text = _normalise((sources_dir / "2022-leica-panasonic-joint-camera.txt").read_text("utf-8"))
    assert _normalise("the Leica SL2, which is effectively a Panasonic S1R") in text
    assert _normalise("the Leica SL2, which is essentially a Panasonic S1R") not in text


def test_claims_are_short_and_complete(asserted_graph):
    in_words = 0
    for claim, c in _claims(asserted_graph):
        assert None not in (c["status"], c["quote"], c["article"]), f"{claim} lacks a part: {c}"
        fact = (c["s"], c["p"], c["o"])
        if None in fact:  # a claim in words: it says what it is about, and no part of a fact
            assert fact == (None, None, None) and c["about"] is not None, f"{claim}: {c}"
            in_words += 1
        assert 1 <= len(str(c["quote"]).split()) <= 30, f"{claim}: quote over 30 words"
    assert in_words >= 20  # the executives' words, the author's views, the questions


def test_guesses_opinions_and_questions_are_never_asserted(asserted_graph):
    unasserted = 0
    for claim, c in _claims(asserted_graph):
        if c["s"] is None:  # a claim in words asserts nothing
            continue
        if c["status"] in ASSERTING:
            assert (c["s"], c["p"], c["o"]) in asserted_graph, f"{claim}: confirmed but missing"
            continue
        backed = any(
            other["status"] in ASSERTING
            and (other["s"], other["p"], other["o"]) == (c["s"], c["p"], c["o"])
            for _, other in _claims(asserted_graph)
        )
        if not backed:
            assert (c["s"], c["p"], c["o"]) not in asserted_graph, f"{claim}: a guess is asserted"
            unasserted += 1
    assert unasserted >= 10  # the articles speculate, opine and ask a fair amount


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        # the joint camera's mount and sensor are guessed ("almost certainly", "stand to reason")
        ("leica-panasonic-joint-camera", "mount", "l-mount"),
        ("leica-panasonic-joint-camera", "sensorFormat", "full-frame"),
        # "Will Leica produce Micro Four Thirds lenses?" is a question
        ("leica-camera-ag", "producesLensesFor", "micro-four-thirds"),
    ],
)
def test_named_speculation_is_a_claim_only(asserted_graph, inferred_graph, subject, predicate, obj):
    from l2graph.project import ID

    triple = (Namespace(ID)[subject], L2NS[predicate], Namespace(ID)[obj])
    assert triple not in inferred_graph
    statuses = {
        c["status"] for _, c in _claims(asserted_graph) if (c["s"], c["p"], c["o"]) == triple
    }
    assert statuses and not statuses & ASSERTING


def test_the_articles_own_voice_has_no_speaker(asserted_graph):
    """A confirmed claim is the article's own statement: words it puts in someone else's mouth
    (a named party, or unnamed others such as "many") are theirs, never confirmed."""
    for claim, c in _claims(asserted_graph):
        if c["status"] == L2NS.confirmed:
            assert asserted_graph.value(claim, L2NS.attributedTo) is None, claim


def test_the_release_plan_is_panasonics_via_nikkei(asserted_graph):
    from l2graph.project import ID

    camera = Namespace(ID)["leica-panasonic-joint-camera"]
    for predicate in (L2NS.plannedReleaseYear, L2NS.plannedRelease):
        (claim,) = [
            c for c, v in _claims(asserted_graph) if (v["s"], v["p"]) == (camera, predicate)
        ]
        assert asserted_graph.value(claim, L2NS.status) == L2NS.reported
        assert asserted_graph.value(claim, L2NS.attributedTo) == Namespace(ID)["panasonic"]
        assert set(asserted_graph.objects(claim, L2NS.reportedVia)) == {
            Namespace(ID)["nikkei"],
            Namespace(ID)["digital-camera-info"],
        }
