"""The build cache: fresh answers after any edit, failed builds keep the old cache, and the
query path does not load the heavy libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import l2graph
from l2graph.cli import main
from l2graph.records import BUILD_RECORD, CURRENT_RECORD, read_record


def _labels(home: Path) -> set[str]:
    return {str(row["leicaName"]) for row in l2graph.run_query("001", home=home)}


def test_editing_data_changes_the_next_answer(project_copy: Path):
    assert _labels(project_copy) == {"Leica D-Lux 7", "Leica SL2"}
    products = project_copy / "data" / "products.ttl"
    text = products.read_text()
    products.write_text(
        text.replace('rdfs:label "Leica SL2"@en', 'rdfs:label "Leica SL2 (renamed)"@en')
    )
    assert _labels(project_copy) == {"Leica D-Lux 7", "Leica SL2 (renamed)"}
    products.write_text(text)  # and back: the earlier answer returns
    assert _labels(project_copy) == {"Leica D-Lux 7", "Leica SL2"}


def test_a_new_data_file_is_picked_up(project_copy: Path):
    before = l2graph.run_sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", home=project_copy)
    (project_copy / "data" / "zz-extra.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/l2graph/id/sigma> rdfs:comment "x"@en .\n'
    )
    after = l2graph.run_sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", home=project_copy)
    assert int(after.rows[0]["n"]) == int(before.rows[0]["n"]) + 1


def test_failed_build_leaves_the_previous_cache_untouched(project_copy: Path, capsys):
    info = l2graph.build(project_copy)
    cache = Path(project_copy.parent / "cache")
    live = read_record(str(cache / CURRENT_RECORD))
    assert live["fingerprint"] == info.fingerprint
    products = project_copy / "data" / "products.ttl"
    products.write_text(
        products.read_text().replace("    l2:rebadgeOf id:panasonic-s1r .", "    .")
    )
    with pytest.raises(l2graph.ValidationFailed) as failure:
        l2graph.build(project_copy)
    assert not failure.value.report.conforms
    assert read_record(str(cache / CURRENT_RECORD))["fingerprint"] == info.fingerprint
    assert (cache / info.fingerprint / BUILD_RECORD).is_file()
    assert not [p for p in cache.iterdir() if p.name.startswith(".build-")]


def test_build_is_skipped_when_fresh_and_forced_on_request(project_copy: Path):
    first = l2graph.build(project_copy)
    assert l2graph.build(project_copy) == first
    forced = l2graph.build(project_copy, force=True)
    assert forced.fingerprint == first.fingerprint and forced.asserted == first.asserted


def test_query_on_a_fresh_cache_imports_no_rdflib_owlrl_or_pyshacl(tmp_path: Path):
    assert main(["build"]) == 0
    probe = (
        "import sys\n"
        "from l2graph.cli import main\n"
        "code = main(['query', '001', '--format', 'csv'])\n"
        "heavy = sorted(m for m in ('rdflib', 'owlrl', 'pyshacl') if m in sys.modules)\n"
        "print('HEAVY', heavy, code)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "HEAVY [] 0" in completed.stdout


def test_a_build_keeps_its_answers_and_a_new_build_answers_anew(project_copy: Path, monkeypatch):
    import pyoxigraph

    first = l2graph.run_query("001", home=project_copy).serialize("csv")
    kept = list((project_copy.parent / "cache").rglob("answers/*.csv"))
    assert len(kept) == 1 and kept[0].read_bytes().endswith(first)

    def no_engine(*_args, **_kwargs):
        raise AssertionError("the engine was started for a kept answer")

    with monkeypatch.context() as patch:  # a kept answer is read, not computed
        patch.setattr(pyoxigraph.Store, "read_only", no_engine)
        assert l2graph.run_query("001", home=project_copy).serialize("csv") == first

    products = project_copy / "data" / "products.ttl"
    products.write_text(products.read_text().replace('"Leica SL2"@en', '"Leica SL2 (test)"@en'))
    again = l2graph.run_query("001", home=project_copy).serialize("csv")
    assert b"Leica SL2 (test)" in again and again != first


def test_a_kept_answer_serves_only_the_query_it_answers(project_copy: Path):
    """Two queries whose keys collide never share an answer: the kept file names its query."""
    from l2graph.answer_cache import answers_of, identity

    first = l2graph.run_query("001", home=project_copy).serialize("csv")
    (kept,) = (project_copy.parent / "cache").rglob("answers/*.csv")
    other = "SELECT ?x WHERE { ?x a l2:Brand }"
    build = kept.parent.parent
    collided = answers_of(str(build), identity("sparql", other)) + ".csv"
    kept.rename(collided)  # as if the keys collided
    answer = l2graph.run_sparql(other, home=project_copy).serialize("csv")
    assert answer != first and answer.count(b"\n") == 6  # the five brands, and the header


def test_a_torn_kept_answer_is_not_served(project_copy: Path):
    first = l2graph.run_query("001", home=project_copy).serialize("csv")
    (kept,) = (project_copy.parent / "cache").rglob("answers/*.csv")
    kept.write_bytes(kept.read_bytes()[:-10])  # as if writing it had stopped half-way
    assert l2graph.run_query("001", home=project_copy).serialize("csv") == first


def test_the_on_disk_store_holds_the_build_as_built(tmp_path: Path):
    """The two loads of a build's store keep each blank node one node across the graphs it
    is named in (a load relabels the blank nodes it reads): the first reads the Turtle
    files, the second adds what names a blank node, as the in-memory store names it."""
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph as ox

    from l2graph.cache import _load_the_rest, _parse
    from l2graph.project import INFERRED_GRAPH

    source = tmp_path / "source.ttl"
    source.write_text(
        '<urn:a> <urn:p> [ <urn:p> "in the asserted graph" ] , "plain" .\n'
        "<urn:b> <urn:q> ( <urn:c> ) .\n"
    )
    (tmp_path / "build").mkdir()
    store = ox.Store()
    with ThreadPoolExecutor(1) as helpers:
        blank_predicates = _parse([source], store, tmp_path / "build", helpers).result()
    inferred, p = ox.NamedNode(INFERRED_GRAPH), ox.NamedNode("urn:p")
    (shared,) = {q.object for q in store.quads_for_pattern(ox.NamedNode("urn:a"), p, None)} - {
        ox.Literal("plain")
    }
    own = ox.BlankNode()
    store.extend(
        [
            ox.Quad(shared, p, own, inferred),
            ox.Quad(own, p, ox.Literal("only inferred"), inferred),
            ox.Quad(ox.NamedNode("urn:b"), p, ox.NamedNode("urn:c"), inferred),
        ]
    )
    quads = list(store)
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    named = ["urn:p", "urn:q", f"{rdf}first", f"{rdf}rest"]
    assert sorted(blank_predicates) == sorted(f"<{iri}>" for iri in named)
    _load_the_rest(store, tmp_path / "build", blank_predicates)
    loaded = ox.Store.read_only(str(tmp_path / "build" / "store"))

    def canonical(found) -> list[str]:
        dataset = ox.Dataset(found)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return sorted(str(dataset).splitlines())

    assert len(quads) == 9  # 6 asserted (a list of one is 2) and 3 inferred
    assert len(loaded) == len(quads)
    assert canonical(loaded.quads_for_pattern(None, None, None)) == canonical(quads)
    assert sorted((tmp_path / "build").iterdir()) == [
        tmp_path / "build" / "store"
    ]  # no dump left behind
