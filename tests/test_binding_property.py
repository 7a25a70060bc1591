"""A property: whatever string a parameter is given, the stored query keeps its structure and
the bound value comes back exactly, on the core and on rdflib (which decodes ``\\u`` escapes in
query text, so it gets the value as a term)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import l2graph

ECHO = """#+ summary: The text given, back, in one row.
#+ param: text string required any text
#+ example: text=x
SELECT ?text (COUNT(*) AS ?rows) WHERE { } GROUP BY ?text
"""
EXAMPLES = 500 if os.environ.get("CI") else 100  # CI holds to the 500 per engine
# Any character but a lone surrogate (not text in UTF-8); empty means "not given".
TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def echo_home(tmp_path_factory, sources_dir):
    import shutil

    from conftest import REPO

    home = tmp_path_factory.mktemp("echo") / "project"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(REPO / part, home / part)
    (home / "queries" / "099_echo.rq").write_text(ECHO)
    shutil.copytree(sources_dir, home.parent / "shared" / "sources")  # where it looks for them
    l2graph.build(home)
    return home


@pytest.fixture(scope="module")
def small_graph():
    import rdflib

    return rdflib.Graph()  # the echo needs no data


def _one_row(result) -> str:
    rows = list(result)
    assert len(rows) == 1, rows  # the structure held: one group, nothing injected
    assert int(rows[0]["rows"]) == 1
    return str(rows[0]["text"])


@SETTINGS
@given(text=TEXTS)
def test_any_string_comes_back_exactly_on_the_core(echo_home, text):
    assert _one_row(l2graph.run_query("echo", home=echo_home, text=text)) == text


@SETTINGS
@given(text=TEXTS)
def test_any_string_comes_back_exactly_on_rdflib(echo_home, small_graph, text):
    result = l2graph.run_query(
        "echo", {"text": text}, home=echo_home, graph=small_graph, engine="rdflib"
    )
    assert _one_row(result) == text


def test_a_parameter_named_like_a_keyword_goes_in_params(echo_home):
    with pytest.raises(l2graph.ParameterError, match="'graph'"):
        l2graph.run_query("echo", {"text": "x", "graph": "y"}, home=echo_home)
    with pytest.raises(l2graph.ParameterError, match="given both"):
        l2graph.run_query("echo", {"text": "x"}, home=echo_home, text="y")
