"""What the server's workers compute: every answer and page, from the core.

Each function takes the project (the server's context, resolved once) and the build directory
it answers from (the server names the live build, so a worker never answers from a graph the
server no longer serves) and returns
``(body, truncated, canonical)``: the answer, whether the row cap cut it, and for entities the
canonical name (the server redirects other spellings to it). Pages are rendered with Jinja2
templates, every value escaped; only ``http`` and ``https`` IRIs become links.
"""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path

import pyoxigraph as ox

from l2graph import engine, entities, sources
from l2graph.errors import RefusedQueryError
from l2graph.project import ID, L2, PREFIXES, PROJECT_GRAPH, Project, short_iri
from l2graph.results import QueryResult

Answer = tuple[bytes, bool, str | None]

_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_ARTICLE = ID + "article-"


@functools.lru_cache(maxsize=2)
def _store(project: Project, build: str) -> ox.Store:
    """The build's store, opened (and repaired) by the one store opener,
    :func:`l2graph.cache.store_of`, once per worker: the two newest builds stay open."""
    from l2graph.cache import store_of

    return store_of(project, Path(build))


def sparql(
    project: Project,
    build: str,
    query: str,
    format: str,
    row_cap: int,
    base: str | None = None,
    default: tuple[str, ...] = (),
    named: tuple[str, ...] = (),
) -> Answer:
    """A SPARQL query's answer in ``format`` (a :data:`l2graph.results.OUTPUT_FORMATS` name,
    ``nq``, ``trig`` or ``html``), at most ``row_cap`` rows; relative IRIs resolved against
    ``base`` (the endpoint's URL), over the dataset that ``default`` and ``named`` name (the
    protocol's ``default-graph-uri`` and ``named-graph-uri``; see :func:`protocol_dataset`)."""
    store = _store(project, build)
    graphs = protocol_dataset(store, default, named)
    result = QueryResult(engine.run(store, query, base_iri=base, graphs=graphs), row_cap=row_cap)
    if format == "html":
        body = _render("results.html", query=query, **_result_table(project, build, result))
        return body, result.truncated, None
    return _serialized(result, format), result.truncated, None


#: Graph formats the server offers beyond :data:`l2graph.results.GRAPH_FORMATS`: a graph
#: answer's triples in the default graph.
_DATASET_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def _serialized(result: QueryResult, format: str) -> bytes:
    if format in _DATASET_FORMATS and result.triples is not None:
        return ox.serialize(result.triples, format=_rdf_format(format), prefixes=PREFIXES)
    return result.serialize(format)


def _rdf_format(format: str) -> ox.RdfFormat:
    from l2graph.results import GRAPH_FORMATS

    if format in _DATASET_FORMATS:
        return _DATASET_FORMATS[format]
    return getattr(ox.RdfFormat, GRAPH_FORMATS[format])


#: The name of the default graph, the union of the build's graphs: what ``l2graph push``
#: writes at a triplestore, so a client that names it there names the same graph here.
UNION_GRAPH = PROJECT_GRAPH
#: What else names the default graph as ``default-graph-uri``: rdflib's name for a dataset's
#: default graph, which ``Dataset(SPARQLStore(…)).query(…)`` sends.
_UNION_NAMES = (UNION_GRAPH, "urn:x-rdflib:default")


def protocol_dataset(store: ox.Store, default: tuple, named: tuple) -> dict | None:
    """``store.query``'s dataset keywords for a request's ``default-graph-uri`` and
    ``named-graph-uri`` (SPARQL 1.1 Protocol §2.1.4): the default graph is the merge of the
    graphs ``default`` names (:data:`UNION_GRAPH` stands for all of the build's graphs), the
    named graphs those ``named`` names; when only one of the two is given, the other is
    empty. ``None`` (the service's own dataset: the union as default graph, every graph
    named) when neither is given.

    Raises:
        RefusedQueryError: an IRI names no graph the build holds; nothing is ever fetched.
    """
    if not default and not named:
        return None
    held = sorted(graph.value for graph in store.named_graphs())

    def held_graphs(iri: str, parameter: str) -> list[str]:
        if iri in held:
            return [iri]
        if iri in _UNION_NAMES and parameter == "default-graph-uri":
            return held
        names = ", ".join(f"<{g}>" for g in held)
        union = f", or <{UNION_GRAPH}> for their union" if parameter == "default-graph-uri" else ""
        raise RefusedQueryError(
            f"{parameter} <{iri}> is not allowed: it names no graph this server holds, and "
            f"graphs are never fetched (name one of {names}{union})"
        )

    defaults = {g: None for iri in default for g in held_graphs(iri, "default-graph-uri")}
    nameds = {g: None for iri in named for g in held_graphs(iri, "named-graph-uri")}
    return {
        "default_graph": [ox.NamedNode(g) for g in defaults],
        "named_graphs": [ox.NamedNode(g) for g in nameds],
    }


_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_VOID = "http://rdfs.org/ns/void#"
#: What the endpoint writes (W3C's format IRIs), as :data:`l2graph.web.app` offers them.
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "JSON-LD",
    "N-Triples",
    "RDF_XML",
    "N-Quads",
    "TriG",
)


def service_description(project: Project, build: str, endpoint: str, format: str) -> Answer:
    """The endpoint's SPARQL 1.1 Service Description, in an RDF ``format``: what a plain
    ``GET /sparql`` answers. It names the endpoint, the language (SPARQL 1.1 Query, read-only),
    the result formats, and the default dataset: the union of the build's graphs as default
    graph (:data:`UNION_GRAPH`), and each graph by name, with its size."""
    store = _store(project, build)
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + name)

    def size(count: int) -> ox.Literal:
        return ox.Literal(str(count), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))

    service, dataset, union = ox.BlankNode(), ox.BlankNode(), ox.NamedNode(UNION_GRAPH)
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    total = int(next(iter(store.query(everything, **engine.dataset(None))))["n"].value)
    triples = [
        (service, rdf_type, sd("Service")),
        (service, sd("endpoint"), ox.NamedNode(endpoint)),
        (service, sd("supportedLanguage"), sd("SPARQL11Query")),
        (service, sd("feature"), sd("UnionDefaultGraph")),
        *((service, sd("resultFormat"), ox.NamedNode(_FORMATS + f)) for f in RESULT_FORMATS),
        (service, sd("defaultDataset"), dataset),
        (dataset, rdf_type, sd("Dataset")),
        (dataset, sd("defaultGraph"), union),
        (union, rdf_type, sd("Graph")),
        (union, ox.NamedNode(_VOID + "triples"), size(total)),
    ]
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        named, described = ox.BlankNode(), ox.BlankNode()
        triples += [
            (dataset, sd("namedGraph"), named),
            (named, rdf_type, sd("NamedGraph")),
            (named, sd("name"), graph),
            (named, sd("graph"), described),
            (described, rdf_type, sd("Graph")),
            (
                described,
                ox.NamedNode(_VOID + "triples"),
                size(engine.graph_size(store, graph.value)),
            ),
        ]
    prefixes = {"sd": _SD, "formats": _FORMATS, "void": _VOID, **PREFIXES}
    body = ox.serialize(
        [ox.Triple(*t) for t in triples], format=_rdf_format(format), prefixes=prefixes
    )
    return body, False, None


def stored_query(
    project: Project, build: str, name: str, params: dict, format: str, cap: int
) -> Answer:
    """A stored query with its parameters bound, answered as :func:`sparql` answers; a syntax
    error in it names its file, as on every face (:meth:`StoredQuery.syntax_error`)."""
    from l2graph.errors import QuerySyntaxError
    from l2graph.queries import get_query

    stored = get_query(name, project)
    text = stored.bind(params)
    try:
        if format != "html":
            return sparql(project, build, text, format, cap)
        result = QueryResult(engine.run(_store(project, build), text), row_cap=cap)
    except QuerySyntaxError as error:
        raise stored.syntax_error(error) from None
    table = _result_table(project, build, result)
    return _render("stored.html", stored=stored, params=params, **table), result.truncated, None


def queries_page(project: Project, build: str) -> Answer:
    """The stored queries with their parameters."""
    from l2graph.queries import list_queries

    return _render("queries.html", queries=list_queries(project)), False, None


_DOCUMENT = """
CONSTRUCT { ?entity ?p ?o . ?s ?q ?entity }
WHERE { { ?entity ?p ?o } UNION { ?s ?q ?entity } }
"""


def entity(project: Project, build: str, namespace: str, name: str, format: str) -> Answer:
    """The page (``html``) or document (an RDF format) of the entity called ``name`` in
    ``namespace`` (an id, or a label), with its canonical name there.

    Raises:
        UnknownEntityError: nothing in ``namespace`` has that name.
    """
    from l2graph.errors import UnknownEntityError

    store = _store(project, build)
    node = entities.find(store, name if namespace == ID else f"<{namespace}{name}>")
    if not node.value.startswith(namespace):
        raise UnknownEntityError(name, [])
    canonical = node.value[len(namespace) :]
    if format != "html":
        triples = store.query(
            _DOCUMENT, substitutions={ox.Variable("entity"): node}, use_default_graph_as_union=True
        )
        return QueryResult(triples).serialize(format), False, canonical
    return _entity_page(store, node), False, canonical


def _entity_page(store: ox.Store, node: ox.NamedNode) -> bytes:
    """The entity's page: label, types, facts with the claims behind them (who said each, and
    through whom), incoming links, inferred facts marked, what it said, and its neighbourhood
    drawn."""
    description = entities.describe(store, node.value)
    entity = description.entity
    types, facts, unasserted, in_words = description.by_fact()  # unasserted: guesses, opinions
    names = _labels(store, _terms(description))
    return _render(
        "entity.html",
        d=description,
        typed=[(t, claims) for t, _, claims in types if claims],
        outgoing=[(f, c) for f, c in facts if f.subject == entity],
        # a claim's own links (about, attributed to) are shown with the claims themselves
        incoming=[(f, c) for f, c in facts if f.subject != entity and not f.of_claim],
        unasserted=unasserted,
        in_words=in_words,
        said=description.said,
        link=functools.partial(_link, names),
        quote_href=_quote_href,
        diagram=_diagram(store, entity.value),
        iri=entity.value,
        slug=entity.value.removeprefix(ID),
    )


def article_page(project: Project, build: str, slug: str) -> Answer:
    """The article's text, each quoted span marked by its claims' status and linked to them;
    sentences no claim covers shown as such."""
    from l2graph.errors import UnknownEntityError

    store = _store(project, build)
    report = sources.coverage(store, project, project.sources_dir)
    wanted = _ARTICLE + slug
    found = [a for a in report.articles if a.article == wanted]
    if not found:
        known = [a.article.removeprefix(_ARTICLE) for a in report.articles]
        import difflib

        raise UnknownEntityError(f"article {slug}", difflib.get_close_matches(slug, known, n=3))
    coverage = found[0]
    mine, text = coverage.quotes, coverage.text
    names = _labels(store, [ox.NamedNode(q.claim) for q in mine] + [ox.NamedNode(wanted)])
    return (
        _render(
            "article.html",
            title=names.get(wanted, slug),
            iri=wanted,
            source=coverage.source,
            paragraphs=_paragraphs(text, coverage, mine),
            statuses=[s for s in sources.STATUS_ORDER if any(q.status == s for q in mine)],
            counts=_article_counts(coverage),
        ),
        False,
        None,
    )


def home_page(project: Project, build: str) -> Answer:
    """The home page: what the graph is, its classes with counts, articles, stored queries and
    a query form."""
    from l2graph.cache import statistics
    from l2graph.queries import list_queries

    store = _store(project, build)
    counts = statistics(store)
    classes = [
        (label.removeprefix("instances of "), n) for label, n in counts if "instances" in label
    ]
    articles = [
        (row["a"].value.removeprefix(_ARTICLE), row["l"].value)
        for row in store.query(
            f"SELECT ?a ?l WHERE {{ ?a a <{L2}Article> ; <{_LABEL.value}> ?l }} ORDER BY ?a",
            use_default_graph_as_union=True,
        )
    ]
    totals = {label: n for label, n in counts if "triples" in label or label.startswith("claims")}
    example = list_queries(project)[0]
    return (
        _render(
            "home.html",
            classes=classes,
            totals=totals,
            articles=articles,
            queries=list_queries(project),
            example=example.text,
            fingerprint=Path(build).name,
        ),
        False,
        None,
    )


# ---------------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=1)
def _templates():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("l2graph.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.globals["short"] = short_iri
    return environment


def _render(template: str, **values) -> bytes:
    return _templates().get_template(template).render(**values).encode()


def href(iri: str) -> str | None:
    """Where a link to ``iri`` goes: this server's page for the graph's own IRIs, the IRI
    itself for other ``http``/``https`` IRIs, nowhere for any other scheme."""
    from l2graph.diagrams import page_of

    return page_of(iri) or (iri if re.match(r"(?i)https?://", iri) else None)


def _quote_href(claim: ox.NamedNode, article: ox.NamedNode) -> str | None:
    """The claim's quote in its article's page."""
    if not article.value.startswith(_ARTICLE):
        return None
    return f"/articles/{article.value[len(_ARTICLE) :]}#{claim.value.removeprefix(ID)}"


def _link(names: dict[str, str], term) -> dict:
    """A term as a page shows it: its kind (``iri``, ``literal``, ``blank`` or ``triple``),
    text (a label where it has one), link (only for :func:`href`'s IRIs), the full IRI as a
    title, and a literal's language or datatype. Every key is always there, whatever the
    kind: the templates are strict about undefined values."""
    shown = {"text": str(term), "href": None, "title": None, "datatype": "", "language": ""}
    if isinstance(term, ox.NamedNode):
        text = names.get(term.value) or short_iri(term.value)
        return {**shown, "kind": "iri", "text": text, "href": href(term.value), "title": term.value}
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        plain = term.language or datatype == PREFIXES["xsd"] + "string"
        return {
            **shown,
            "kind": "literal",
            "text": term.value,
            "language": term.language or "",
            "datatype": "" if plain else short_iri(datatype),
        }
    if isinstance(term, ox.BlankNode):
        return {**shown, "kind": "blank"}
    return {**shown, "kind": "triple"}


def _terms(description) -> list:
    found = [description.entity, *(t for t, _ in description.types)]
    for fact in description.facts:
        found += [fact.subject, fact.predicate, fact.object]
    for claim in (*description.claims, *description.said):
        found += [claim.claim, claim.subject, claim.predicate, claim.object, claim.speaker]
        found += [claim.article, *claim.via, *claim.about]
    return [t for t in found if isinstance(t, ox.NamedNode)]


def _labels(store: ox.Store, nodes) -> dict[str, str]:
    """The first ``rdfs:label`` of each node that has one."""
    names = {}
    for node in nodes:
        if node.value not in names:
            label = next(store.quads_for_pattern(node, _LABEL, None), None)
            if label is not None:
                names[node.value] = label.object.value
    return names


def _result_table(project: Project, build: str, result: QueryResult) -> dict:
    """A result as a page shows it: columns and rows of linked terms, or a boolean, or
    triples."""
    store = _store(project, build)
    if result.boolean is not None:
        return {"boolean": result.boolean, "columns": [], "rows": [], "truncated": False}
    if result.triples is not None:
        columns = ["subject", "predicate", "object"]
        terms = [[t.subject, t.predicate, t.object] for t in result.triples]
    else:
        columns = result.columns
        terms = [[solution[name] for name in columns] for solution in result.solutions()]
    names = _labels(store, [t for row in terms for t in row if isinstance(t, ox.NamedNode)])
    rows = [[None if t is None else _link(names, t) for t in row] for row in terms]
    return {"boolean": None, "columns": columns, "rows": rows, "truncated": result.truncated}


def _article_counts(coverage) -> dict[str, int]:
    covered = sum(1 for s in coverage.sentences if coverage.claims[s])
    return {
        "sentences": len(coverage.sentences),
        "covered": covered,
        "excluded": len(coverage.excluded),
        "uncovered": len(coverage.uncovered),
    }


def _paragraphs(text: str, coverage, quotes: list) -> list[list[dict]]:
    """The article as paragraphs of sentences, each sentence cut into pieces at every quote's
    start and end: a piece lists the quotes that cover it, and the claims whose quote ends
    there get their links after it."""
    by_line: list[list[dict]] = []
    for line in re.finditer(r"[^\n]+", text):
        sentences = [s for s in coverage.sentences if line.start() <= s.start < line.end()]
        if not sentences:
            continue
        paragraph = []
        for sentence in sentences:
            if coverage.claims[sentence]:
                state = "covered"
            elif sentence in coverage.excluded:
                state = "excluded"
            else:
                state = "uncovered"
            inside = [q for q in quotes if q.start < sentence.end and q.end > sentence.start]
            cuts = {sentence.start, sentence.end}
            cuts |= {q.start for q in inside if q.start > sentence.start}
            cuts |= {q.end for q in inside if q.end < sentence.end}
            pieces = []
            ordered = sorted(cuts)
            for start, end in itertools.pairwise(ordered):
                covering = [q for q in inside if q.start <= start and q.end >= end]
                pieces.append(
                    {
                        "text": text[start:end],
                        "status": _strongest(covering),
                        "starts": [q for q in inside if q.start == start],
                        "ends": [q for q in inside if q.end == end],
                    }
                )
            paragraph.append(
                {
                    "state": state,
                    "reason": coverage.excluded.get(sentence, ""),
                    "pieces": pieces,
                }
            )
        by_line.append(paragraph)
    return by_line


def _strongest(quotes: list) -> str | None:
    statuses = {q.status for q in quotes}
    return next((s for s in sources.STATUS_ORDER if s in statuses), None)


def _diagram(store: ox.Store, iri: str) -> str:
    """The entity's neighbourhood as inline SVG (see :mod:`l2graph.diagrams`), its nodes
    linked to their pages; empty when Graphviz's ``dot`` is not installed."""
    from l2graph import diagrams
    from l2graph.errors import InputError

    try:
        svg = diagrams.entity(store, f"<{iri}>", links=True).svg().decode()
    except InputError:
        return ""
    return svg[svg.index("<svg") :]
