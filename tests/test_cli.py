"""The CLI in-process: answers, exit codes, and one clear stderr line for each bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from l2graph.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_headline_query_prints_both_pairs(capsys):
    code, out, _ = run(capsys, "query", "leica_bodies_that_are_panasonic_bodies")
    assert code == 0
    assert "Leica D-Lux 7" in out and "Panasonic LX100 II" in out
    assert "Leica SL2" in out and "Panasonic S1R" in out
    assert "(2 rows)" in out


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_w3c_result_formats(capsys, fmt):
    code, out, _ = run(capsys, "query", "001", "--format", fmt)
    assert code == 0
    assert out.count("/id/leica-sl2") == 1 and out.count("/id/leica-d-lux-7") == 1
    if fmt == "json":
        assert len(json.loads(out)["results"]["bindings"]) == 2
    if fmt == "xml":
        assert "sparql-results" in out


def test_queries_lists_names_summaries_and_parameters(capsys):
    code, out, _ = run(capsys, "queries")
    assert code == 0
    assert "001_leica_bodies_that_are_panasonic_bodies" in out
    assert "Which Leica bodies are Panasonic bodies?" in out
    assert "--param entity=<iri>" in out


def test_query_with_parameter(capsys):
    code, out, _ = run(
        capsys, "query", "fact_provenance", "--param", "entity=id:leica-d-lux-7", "-f", "csv"
    )
    assert code == 0
    assert "essentially a Panasonic LX100 II" in out


def test_sparql_ad_hoc_text_file_and_ask(capsys, tmp_path: Path):
    code, out, _ = run(
        capsys, "sparql", "ASK { ?b <https://w3id.org/l2graph/ontology#rebadgeOf> ?o }"
    )
    assert (code, out) == (0, "true\n")
    query = tmp_path / "brands.rq"
    query.write_text(
        "SELECT (COUNT(*) AS ?n) WHERE { ?b a <https://w3id.org/l2graph/ontology#Brand> }"
    )
    code, out, _ = run(capsys, "sparql", str(query), "-f", "csv")
    assert code == 0 and out.splitlines()[1] == "5"


def test_stats_and_validate(capsys):
    code, out, _ = run(capsys, "stats")
    assert code == 0 and "asserted triples" in out and "claims: speculative" in out
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "conforms" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "alliance_member"], "did you mean '002_alliance_members'?"),
        (["query", "fact_provenance"], "parameter 'entity': required"),
        (["query", "fact_provenance", "-p", "entity=not an iri"], "parameter 'entity'"),
        (["query", "001", "-p", "colour=red"], "parameter 'colour'"),
        (["query", "001", "-p", "colour"], "NAME=VALUE"),
        (["sparql", "SELECT * WHERE { ?s ?p }"], "SPARQL syntax error at line 1, column"),
        (
            ["sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
            "SERVICE is not allowed",
        ),
        (["sparql", "missing-file.rq"], "missing-file.rq: no such file"),
        (["export", "--format", "yaml"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        (["--home", "/nonexistent", "stats"], "not an l2graph project"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("l2graph: error:")


def test_turtle_syntax_error_names_file_and_line(capsys, project_copy: Path):
    bad = project_copy / "data" / "products.ttl"
    lines = bad.read_text().splitlines()
    lines[12] = lines[12] + " oops ;;"
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = run(capsys, "--home", str(project_copy), "query", "001")
    assert code == 2
    assert f"{bad}:13" in err and "Turtle syntax error" in err


def test_unreadable_data_file(capsys, project_copy: Path):
    (project_copy / "data" / "broken.ttl").write_bytes(b"\xff\xfe not utf-8 \x00")
    code, _, err = run(capsys, "--home", str(project_copy), "validate")
    assert code == 2 and "broken.ttl" in err


def _remove_line(path: Path, needle: str, replacement: str = "") -> None:
    text = path.read_text()
    assert needle in text
    path.write_text(text.replace(needle, replacement, 1))


def test_validate_fails_on_a_removed_fact(capsys, project_copy: Path):
    _remove_line(
        project_copy / "data" / "products.ttl", "    l2:rebadgeOf id:panasonic-s1r .", "    ."
    )
    code, _, err = run(capsys, "--home", str(project_copy), "validate")
    assert code == 1
    assert "ClaimIsAsserted" in err and "leica-sl2" in err


def test_validate_fails_on_a_same_brand_rebadge(capsys, project_copy: Path):
    _remove_line(
        project_copy / "data" / "products.ttl",
        "l2:rebadgeOf id:panasonic-s1r .",
        "l2:rebadgeOf id:leica-d-lux-7 .",
    )
    claims = project_copy / "data" / "claims-2022-leica-panasonic-joint-camera.ttl"
    _remove_line(
        claims,
        "rdf:object id:panasonic-s1r ;\n    l2:status l2:confirmed",
        "rdf:object id:leica-d-lux-7 ;\n    l2:status l2:confirmed",
    )
    code, _, err = run(capsys, "--home", str(project_copy), "validate")
    assert code == 1
    assert "RebadgeBrandDiffers" in err and "id:leica-sl2" in err


def test_failed_build_keeps_the_previous_answer_source(capsys, project_copy: Path):
    assert run(capsys, "--home", str(project_copy), "build")[0] == 0
    _remove_line(
        project_copy / "data" / "products.ttl", "    l2:rebadgeOf id:panasonic-s1r .", "    ."
    )
    code, _, err = run(capsys, "--home", str(project_copy), "query", "001")
    assert code == 1 and "previous build is still in use" in err


def test_export_is_atomic_and_keeps_an_existing_file_on_error(
    capsys, project_copy: Path, tmp_path: Path
):
    target = tmp_path / "graph.ttl"
    target.write_text("previous export\n")
    (project_copy / "data" / "products.ttl").write_text("this is not turtle")
    code, _, err = run(capsys, "--home", str(project_copy), "export", "-o", str(target))
    assert code == 2 and "products.ttl:1" in err
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".graph.ttl")] == []


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "nt", "xml"])
def test_export_writes_each_format(capsys, tmp_path: Path, fmt):
    target = tmp_path / f"graph.{fmt}"
    code, out, _ = run(capsys, "export", "--format", fmt, "-o", str(target))
    assert code == 0 and out == ""
    assert "leica-sl2" in target.read_text(encoding="utf-8")


def test_console_script_and_module_entry_points():
    for command in (
        [sys.executable, "-m", "l2graph", "--version"],
        [str(Path(sys.executable).parent / "l2graph"), "--version"],
    ):
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.startswith("l2graph ")


def test_an_unusable_cache_directory_is_one_line_not_a_traceback(capsys, project_copy, monkeypatch):
    blocker = project_copy / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("L2GRAPH_CACHE_DIR", str(blocker / "cache"))
    code, _, err = run(capsys, "--home", str(project_copy), "query", "001")
    assert code == 2
    assert err.startswith("l2graph: error:") and "not-a-directory" in err


def test_ad_hoc_sparql_knows_the_project_prefixes(capsys):
    code, out, err = run(capsys, "sparql", "SELECT ?b WHERE { ?b l2:rebadgeOf ?o }", "-f", "csv")
    assert code == 0, err
    assert sorted(out.splitlines()[1:]) == [
        "https://w3id.org/l2graph/id/leica-d-lux-7",
        "https://w3id.org/l2graph/id/leica-sl2",
    ]


def test_a_query_s_own_prefix_wins(capsys):
    query = "PREFIX l2: <urn:other#> ASK { ?b l2:rebadgeOf ?o }"
    assert run(capsys, "sparql", query) == (0, "false\n", "")


def test_an_undeclared_prefix_is_one_line_that_names_it(capsys):
    code, out, err = run(capsys, "sparql", 'SELECT ?b WHERE { ?b <urn:p> "a:b" ; foo:bar ?o }')
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and len(err) < 300
    assert "line 1" in err and "undeclared prefix 'foo:'" in err


def test_a_syntax_error_is_one_short_line_with_its_position(capsys):
    code, _, err = run(capsys, "sparql", "SELEC ?b WHERE { ?b l2:rebadgeOf ?o }")
    assert code == 2 and err.count("\n") == 1 and len(err) < 300
    assert "line 1, column 1 near 'SELEC'" in err and "did you mean SELECT?" in err


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_the_api_predeclares_prefixes_on_every_engine(engine):
    import l2graph

    result = l2graph.run_sparql("SELECT ?b WHERE { ?b l2:rebadgeOf ?o }", engine=engine)
    assert {str(row["b"]).rsplit("/", 1)[-1] for row in result} == {"leica-sl2", "leica-d-lux-7"}


def test_describe_shows_facts_inferences_and_claims(capsys):
    code, out, err = run(capsys, "describe", "Leica SL2")
    assert code == 0, err
    assert "l2:rebadgeOf id:panasonic-s1r" in out
    assert "“the Leica SL2, which is effectively a Panasonic S1R”" in out
    assert "l2:manufacturer id:panasonic  (inferred)" in out  # the property chain
    assert "l2:rebadgeOf id:panasonic-s1r  (inferred)" not in out


@pytest.mark.parametrize("name", ["leica sl2", "id:leica-sl2", "leica-sl2"])
def test_describe_finds_an_entity_by_label_id_or_iri(capsys, name):
    code, out, _ = run(capsys, "describe", name)
    assert code == 0 and out.startswith("Leica SL2 (id:leica-sl2)")


def test_describe_suggests_the_nearest_names(capsys):
    code, out, err = run(capsys, "describe", "Leica SL3")
    assert code == 2 and out == ""
    assert "no entity is called 'Leica SL3'" in err and "'Leica SL2'" in err


def test_describe_lists_the_claims_in_words_about_an_entity(capsys):
    code, out, _ = run(capsys, "describe", "Matthias Harsch")
    assert code == 0 and "  l2:chiefExecutiveOf id:leica-camera-ag\n      [confirmed] — " in out
    said = out[out.index("What Matthias Harsch said:") :]  # every claim attributed to him
    assert "[opinion] about id:l2-technology, in words — " in said
    assert "another milestone in the partnership" in said
    _, out, _ = run(capsys, "describe", "Panasonic")
    assert "[opinion] in words, said by id:matthias-harsch" in out
    assert "“their extensive expertise is undisputed”" in out
    _, out, _ = run(capsys, "describe", "leica-panasonic-joint-camera")  # claims under their fact
    year = out[out.index("  l2:plannedReleaseYear") :]
    assert year.splitlines()[1].startswith(
        "      [reported] said by id:panasonic via id:digital-camera-info, id:nikkei — "
    )


def test_the_core_says_what_is_wrong_and_the_cli_says_what_to_type(capsys):
    import l2graph

    with pytest.raises(l2graph.UnknownQueryError) as raised:
        l2graph.get_query("no_such_query")
    assert "l2graph queries" not in str(raised.value) and "--" not in str(raised.value)
    code, _, err = run(capsys, "query", "no_such_query")
    assert code == 2
    assert err == f"l2graph: error: {raised.value} (run 'l2graph queries' to list them)\n"
    service = "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    with pytest.raises(l2graph.RefusedQueryError, match="SERVICE is not allowed") as raised:
        l2graph.run_sparql(service)
    assert "--endpoint" not in str(raised.value)
    code, _, err = run(capsys, "sparql", service)
    assert code == 2
    assert err.endswith(" (query a remote store with --endpoint instead)\n")
