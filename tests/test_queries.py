"""Stored queries: headers, parsing, expected rows, parameters, and two engines that agree.

Expected rows live in ``tests/expected/<query>.json`` and are compared order-insensitively.
Every query runs on the built cache (Oxigraph, fast OWL RL rules) and on rdflib over owlrl's
closure; both must give the expected rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

import l2graph
from l2graph.errors import ParameterError, UnknownQueryError

EXPECTED = Path(__file__).parent / "expected"
QUERIES = l2graph.list_queries()


def canonical(result: l2graph.QueryResult) -> list[list[str | None]]:
    """Rows as sorted lists of N-Triples-like strings, for order-insensitive comparison."""
    rows = [[None if row[c] is None else row[c].n3() for c in result.columns] for row in result]
    return sorted(rows, key=lambda row: [cell or "" for cell in row])


def expected(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


def test_there_are_at_least_ten_stored_queries_with_expected_rows():
    assert len(QUERIES) >= 10
    assert {q.name for q in QUERIES} == {p.stem for p in EXPECTED.glob("*.json")}


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_query_has_headers_and_parses(query):
    assert query.summary and query.description
    assert query.text.startswith("#+ summary:")
    prepareQuery(query.text)  # rdflib's parser; Oxigraph parses it in the tests below


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_query_returns_expected_rows_on_the_cache(query):
    case = expected(query.name)
    result = l2graph.run_query(query.name, **case["params"])
    assert result.columns == case["columns"]
    assert canonical(result) == sorted(case["rows"], key=lambda row: [c or "" for c in row])


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_rdflib_with_owlrl_agrees_with_oxigraph(query):
    """The differential test: the reference stack (rdflib parses the sources, owlrl reasons,
    rdflib's SPARQL answers) and the core give the same rows."""
    params = expected(query.name)["params"]
    reference = l2graph.run_query(query.name, engine="rdflib", **params)
    fast = l2graph.run_query(query.name, **params)
    assert reference.columns == fast.columns
    assert canonical(reference) == canonical(fast)
    assert len(fast) > 0


def test_headline_answers_both_leica_panasonic_pairs():
    rows = {(str(r["leicaName"]), str(r["panasonicName"])) for r in l2graph.run_query("001")}
    assert rows == {("Leica D-Lux 7", "Panasonic LX100 II"), ("Leica SL2", "Panasonic S1R")}


def test_status_parameter_picks_one_kind_of_unasserted_claim():
    questions = l2graph.run_query("speculation", status="l2:question")
    assert {r["status"].n3() for r in questions} == {"<https://w3id.org/l2graph/ontology#question>"}
    assert "Will Leica produce Micro Four Thirds lenses" in {str(r["quote"]) for r in questions}
    assert len(questions) == 6
    assert len(l2graph.run_query("speculation", status="l2:confirmed")) == 0


def test_optional_parameter_narrows_the_answer():
    everything = l2graph.run_query("alliance_members")
    one = l2graph.run_query("alliance_members", alliance="id:l-mount-alliance")
    assert 0 < len(one) < len(everything)
    assert {str(r["allianceName"]) for r in one} == {"L-Mount Alliance"}


@pytest.mark.parametrize(
    "value", ["id:x> } ; DROP ALL ; <y", 'x" . ?s ?p ?o', "two words", "nope:thing"]
)
def test_parameters_are_bound_never_pasted(value):
    with pytest.raises(ParameterError) as error:
        l2graph.run_query("fact_provenance", entity=value)
    assert error.value.parameter == "entity"


def test_bound_value_is_a_term_not_syntax():
    query = l2graph.get_query("fact_provenance")
    text = query.bind({"entity": "leica-sl2"})
    assert "VALUES ?entity { <https://w3id.org/l2graph/id/leica-sl2> }" in text


def test_missing_unknown_and_ill_typed_parameters_name_the_parameter():
    with pytest.raises(ParameterError, match="entity"):
        l2graph.run_query("fact_provenance")
    with pytest.raises(ParameterError, match="colour"):
        l2graph.run_query("001", colour="red")


def test_unknown_query_suggests_the_nearest_name():
    with pytest.raises(UnknownQueryError) as error:
        l2graph.get_query("alliance_member")
    assert error.value.suggestion == "002_alliance_members"


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_each_example_binds_and_finds_rows(query):
    assert query.examples or not query.parameters, "a query with parameters shows an example"
    for example in query.examples:
        assert len(l2graph.run_query(query.name, **example)) > 0, example


def test_an_rdflib_graph_is_queried_by_the_core(inferred_graph):
    on_graph = l2graph.run_query("001", graph=inferred_graph)
    assert canonical(on_graph) == canonical(l2graph.run_query("001"))


# ---------------------------------------------------------------- QueryResult


def test_rows_are_read_again_and_again_and_every_format_is_written():
    result = l2graph.run_query("001")
    assert result.serialize("csv").count(b"\n") == 3  # written first: the rows stay readable
    first, again = list(result), list(result)
    assert first == again and len(first) == 2
    assert result.serialize("csv").splitlines()[0] == b",".join(c.encode() for c in result.columns)
    assert json.loads(result.serialize("json"))["head"]["vars"] == result.columns
    assert result.serialize("tsv").count(b"\n") == 3
    assert b"<sparql" in result.serialize("xml")
    assert b"(2 rows)" in result.serialize("table")
    with pytest.raises(l2graph.InputError, match="a table"):
        result.serialize("turtle")
    with pytest.raises(l2graph.InputError, match="choose from table"):
        result.serialize("../elsewhere")  # never a file name


def test_ask_and_construct_results():
    ask = l2graph.run_sparql("ASK { ?s ?p ?o }")
    assert ask.boolean is True and ask.serialize("table") == b"true\n"
    assert json.loads(ask.serialize("json"))["boolean"] is True
    graph = l2graph.run_sparql(
        "CONSTRUCT { ?b <urn:same> ?o } "
        "WHERE { ?b <https://w3id.org/l2graph/ontology#rebadgeOf> ?o }"
    )
    assert len(graph) == 2 and len(graph.graph) == 2
    assert graph.serialize("nt").count(b"<urn:same>") == 2
    with pytest.raises(l2graph.InputError, match="a graph"):
        graph.serialize("csv")


def test_to_dataframe_types_its_columns():
    pytest.importorskip("pandas", reason="pandas is in the test extras")
    import datetime

    frame = l2graph.run_query("timeline").to_dataframe()
    assert list(frame.columns) == l2graph.run_query("timeline").columns
    assert datetime.date(2022, 5, 31) in list(frame["date"])  # an xsd:date
    assert 2023 in list(frame["date"])  # an xsd:gYear, as its year
    assert "https://w3id.org/l2graph/id/l2-technology" in list(frame["subject"])
    assert all(isinstance(name, str) for name in frame["subjectName"])


def test_to_dataframe_without_pandas_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(l2graph.InputError, match=r"l2graph\[dataframe\]"):
        l2graph.run_query("001").to_dataframe()


# ---------------------------------------------------------------- claims, whoever said them


def test_provenance_lists_claims_in_words_too_one_row_per_claim_with_speaker_and_channels():
    rows = l2graph.run_query("fact_provenance", entity="id:leica-panasonic-joint-camera")
    claims = [row["claim"] for row in rows]
    assert len(claims) == len(set(claims))
    assert any(row["predicate"] is None for row in rows)  # claims in words (l2:about)
    year = [row for row in rows if str(row["predicate"]).endswith("#plannedReleaseYear")]
    assert [(str(r["status"]), str(r["speaker"]), str(r["reportedVia"])) for r in year] == [
        (L2 + "reported", "Panasonic", "Digital Camera Info, Nikkei")
    ]


def test_what_a_person_said():
    rows = l2graph.run_query("what_a_person_said", person="id:matthias-harsch")
    assert {str(row["quote"]) for row in rows} >= {
        "their extensive expertise is undisputed",
        "The combination of our competencies in L² Technology is another milestone in the "
        "partnership",
    }
    assert {str(row["status"]) for row in rows} == {"opinion", "reported"}
    formed = l2graph.run_query("what_a_person_said", person="id:panasonic")
    assert ("formed when", "at the end of May", "Digital Camera Info, Nikkei") in {
        (str(r["property"]), str(r["value"]), str(r["reportedVia"])) for r in formed
    }


def test_each_source_dates_the_announcement_with_its_own_precision():
    rows = l2graph.run_query("alliance_announcements", alliance="id:l2-technology")
    found = {(str(r["event"]), str(r["when"]), str(r["precision"])) for r in rows}
    assert found == {
        ("announced", "2022-05-31", "day"),
        ("announced", "in May", "the source's words"),
        ("formed", "at the end of May", "the source's words"),
    }


L2 = "https://w3id.org/l2graph/ontology#"


def test_a_result_says_what_it_holds_without_running_anything():
    import pyoxigraph as ox

    from l2graph.results import QueryResult

    assert repr(QueryResult(run=lambda: pytest.fail("ran"))) == "<QueryResult (not run yet)>"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))
    store.add(ox.Quad(ox.NamedNode("urn:d"), ox.NamedNode("urn:b"), ox.Literal("e")))
    select = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    streamed = QueryResult(store.query(select))
    assert repr(streamed) == "<QueryResult SELECT ?s ?o: ? rows>"  # not read to count them
    assert len(streamed) == 2 and repr(streamed) == "<QueryResult SELECT ?s ?o: 2 rows>"
    capped = QueryResult(store.query(select), row_cap=1)
    assert repr(capped) == "<QueryResult SELECT ?s ?o: 1 row, truncated>"
    assert repr(QueryResult(store.query("ASK { ?s ?p ?o }"))) == "<QueryResult ASK: true>"
    graph = QueryResult(store.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    assert repr(graph) == "<QueryResult graph: 2 triples>"
    assert "object at 0x" not in repr(l2graph.run_query("001"))
