"""The articles against the graph: every sentence covered by a claim or excluded with a reason,
and every quote anchored in its article's text (W3C Web Annotation selectors).

Sentences are split by one documented rule (:func:`sentences`). A sentence is covered when the
quote of at least one claim overlaps it. Sentences that state nothing (navigation links,
subscription offers, a caption heading) are listed with their reason in
``data/excluded-sentences.tsv``. ``l2graph coverage`` writes the report, ``docs/sources.md``.
"""

from __future__ import annotations

import re
from collections import namedtuple
from pathlib import Path

import pyoxigraph as ox

from l2graph.engine import dataset
from l2graph.errors import InputError
from l2graph.project import L2, PREFIXES, Project, short_iri

OA = "http://www.w3.org/ns/oa#"
EXCLUSIONS = "excluded-sentences.tsv"
#: Characters of context kept before and after a quote (oa:prefix, oa:suffix).
CONTEXT = 32
# A sentence ends at ".", "!" or "?" (and any closing quote or bracket) followed by white space
# and a capital letter, a digit or an opening quote or bracket; a line break always ends one.
# Neither article has an abbreviation followed by a space and a capital ("Co.,Ltd" has none),
# so the rule needs no list of exceptions.
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s+[\"“‘(A-Z0-9])")
#: The claim statuses, from the surest: the order reports and pages list them in.
STATUS_ORDER = ("confirmed", "reported", "speculative", "opinion", "wish", "question")


class Sentence(namedtuple("Sentence", "start end text")):
    """A sentence of an article: its character offsets and its text."""

    __slots__ = ()


class Quote(namedtuple("Quote", "claim status article source start end prefix exact suffix")):
    """Where a claim's quote stands in its article's text: character offsets, the text there
    and the text around it."""

    __slots__ = ()


class ArticleCoverage(
    namedtuple(
        "ArticleCoverage",
        "article source sentences claims excluded unused_exclusions quotes text",
    )
):
    """One article: its sentences, the claims covering each, the exclusions, and the quotes
    located in its text (by position)."""

    __slots__ = ()

    @property
    def uncovered(self) -> list[Sentence]:
        """The sentences that neither a claim covers nor an exclusion names."""
        return [s for s in self.sentences if not self.claims[s] and s not in self.excluded]


class CoverageReport(namedtuple("CoverageReport", "articles missing")):
    """Every article's coverage, and the claims whose quote is not in their article."""

    __slots__ = ()

    def problems(self) -> list[str]:
        """What keeps the coverage from being complete, one line each."""
        found = [f"{short_iri(claim)}: {why}" for claim, why in self.missing]
        for article in self.articles:
            found += [
                f"{article.source}: sentence {article.sentences.index(s) + 1} has no claim and "
                f"no exclusion: {s.text[:80]!r}"
                for s in article.uncovered
            ]
            found += [
                f"{article.source}: excluded sentence not in the text: {text[:80]!r}"
                for text in article.unused_exclusions
            ]
        return found

    @property
    def complete(self) -> bool:
        """True when every sentence is covered or excluded and every quote is found."""
        return not self.problems()

    def text(self) -> str:
        """The Markdown report (``docs/sources.md``)."""
        return report(self.articles)


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text``, by the rule above, with their offsets; blank lines skipped."""
    found = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for end in [m.end() for m in _SENTENCE_END.finditer(line.group())] + [len(line.group())]:
            piece = line.group()[start - line.start() : end]
            stripped = piece.strip()
            if stripped:
                offset = start + piece.index(stripped)
                found.append(Sentence(offset, offset + len(stripped), stripped))
            start = line.start() + end  # the white space between is stripped off the next piece
    return found


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """The offsets of ``quote`` in ``text``, white space matched loosely, or ``None``."""
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in words), text)
    return (match.start(), match.end()) if match else None


_CLAIMS = f"""
PREFIX l2: <{L2}>
SELECT ?claim ?status ?quote ?article ?source WHERE {{
  ?claim a l2:Claim ; l2:status ?status ; l2:quote ?quote ; l2:statedIn ?article .
  ?article l2:sourceFile ?source .
}} ORDER BY ?claim
"""


def quotes(
    store: ox.Store, directory: Path, *, absent_ok: bool = False, graph: str | None = None
) -> tuple[list[Quote], list[tuple[str, str]]]:
    """Each claim's quote located in its article's text, and the claims whose quote is not
    there (claim IRI, why).

    Args:
        store: holds the claims and their articles.
        directory: the article texts.
        absent_ok: pass over the claims of an article whose text is not in ``directory``
            (a build anchors what it can; the coverage report insists on every text).
        graph: the named graph holding them; by default the union of the store's graphs.

    Raises:
        InputError: an article's text cannot be read (and, unless ``absent_ok``, is absent).
    """
    texts: dict[str, str | None] = {}
    located, missing = [], []
    for row in store.query(_CLAIMS, **dataset(graph)):
        source = row["source"].value
        if source not in texts:
            present = not absent_ok or (directory / source).exists()
            texts[source] = read_text(directory, source) if present else None
        if texts[source] is None:
            continue
        span = locate(row["quote"].value, texts[source])
        claim = row["claim"].value
        if span is None:
            missing.append((claim, f"its quote is not in {source}"))
            continue
        status = row["status"].value.removeprefix(L2)
        text, (start, end) = texts[source], span
        around = (text[max(0, start - CONTEXT) : start], text[start:end], text[end : end + CONTEXT])
        located.append(Quote(claim, status, row["article"].value, source, start, end, *around))
    return located, missing


def read_text(directory: Path, source: str) -> str:
    """An article's text (``source`` is the article's ``l2:sourceFile``)."""
    path = directory / source
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read the article text ({getattr(exc, 'strerror', None) or exc}); "
            "set L2GRAPH_SOURCES to the directory of the article texts"
        ) from None


def check_and_anchor(
    store: ox.Store, directory: Path, graph: str | None = None
) -> tuple[list, list[ox.Triple]]:
    """The validation results for quotes missing from their article and for articles whose
    text is missing, and the anchors of the quotes found (see :func:`anchors`), in the named
    ``graph`` (by default the union of the store's graphs). A directory that holds none of
    the project's texts holds some other project's: nothing is checked."""
    from l2graph.report import ValidationResult

    articles = sorted(_articles(store, graph))
    absent = [
        (article, source) for article, source in articles if not (directory / source).is_file()
    ]
    if len(absent) == len(articles):
        return [], []  # not this project's texts (a synthetic graph's, say): nothing to check
    located, missing = quotes(store, directory, absent_ok=True, graph=graph)
    results = [
        ValidationResult(
            focus_node=short_iri(article),
            path="l2:sourceFile",
            constraint="l2s:QuoteInArticle",
            message=f"{short_iri(article)} names {source!r}, which is not in {directory}: its "
            "claims' quotes cannot be checked.",
            severity="Violation",
        )
        for article, source in absent
    ]
    results += [
        ValidationResult(
            focus_node=short_iri(claim),
            path="l2:quote",
            constraint="l2s:QuoteInArticle",
            message=f"The quote of {short_iri(claim)} is not verbatim in its article: {why}.",
            severity="Violation",
        )
        for claim, why in missing
    ]
    return results, anchors(located)


def _oa(name: str) -> ox.NamedNode:
    return ox.NamedNode(OA + name)


def anchors(quotes_found: list[Quote]) -> list[ox.Triple]:
    """W3C Web Annotation anchors: ``claim l2:quotedFrom <claim/anchor>``, a specific resource
    of the article with a text-quote selector (exact, prefix, suffix) and a text-position
    selector (start, end)."""
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    integer = ox.NamedNode(PREFIXES["xsd"] + "nonNegativeInteger")
    triples: list[ox.Triple] = []
    for quote in quotes_found:
        claim = ox.NamedNode(quote.claim)
        target = ox.NamedNode(quote.claim + "/anchor")
        by_quote = ox.NamedNode(quote.claim + "/anchor/quote")
        by_position = ox.NamedNode(quote.claim + "/anchor/position")
        triples += [
            ox.Triple(claim, ox.NamedNode(L2 + "quotedFrom"), target),
            ox.Triple(target, rdf_type, _oa("SpecificResource")),
            ox.Triple(target, _oa("hasSource"), ox.NamedNode(quote.article)),
            ox.Triple(target, _oa("hasSelector"), by_quote),
            ox.Triple(target, _oa("hasSelector"), by_position),
            ox.Triple(by_quote, rdf_type, _oa("TextQuoteSelector")),
            ox.Triple(by_quote, _oa("exact"), ox.Literal(quote.exact)),
            ox.Triple(by_quote, _oa("prefix"), ox.Literal(quote.prefix)),
            ox.Triple(by_quote, _oa("suffix"), ox.Literal(quote.suffix)),
            ox.Triple(by_position, rdf_type, _oa("TextPositionSelector")),
            ox.Triple(by_position, _oa("start"), ox.Literal(str(quote.start), datatype=integer)),
            ox.Triple(by_position, _oa("end"), ox.Literal(str(quote.end), datatype=integer)),
        ]
    return triples


def exclusions(project: Project) -> dict[tuple[str, str], str]:
    """``data/excluded-sentences.tsv``: (source file, sentence) → reason."""
    path = project.home / "data" / EXCLUSIONS
    found = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not all(part.strip() for part in parts):
            raise InputError(f"{path}:{number}: expected SOURCE<TAB>REASON<TAB>SENTENCE")
        source, reason, sentence = (part.strip() for part in parts)
        found[(source, " ".join(sentence.split()))] = reason
    return found


def coverage(store: ox.Store, project: Project, directory: Path) -> CoverageReport:
    """Each article's sentences with the claims that cover them, and its exclusions."""
    located, missing = quotes(store, directory)
    excluded_by = exclusions(project)
    articles = sorted({(q.article, q.source) for q in located} | _articles(store))
    result = []
    for article, source in articles:
        text = read_text(directory, source)
        found = sentences(text)
        mine = sorted((q for q in located if q.source == source), key=lambda q: (q.start, q.end))
        claims = {
            s: sorted({(q.claim, q.status) for q in mine if q.start < s.end and q.end > s.start})
            for s in found
        }
        excluded = {
            s: excluded_by[(source, " ".join(s.text.split()))]
            for s in found
            if (source, " ".join(s.text.split())) in excluded_by
        }
        named = {" ".join(s.text.split()) for s in found}
        unused = sorted(k[1] for k in excluded_by if k[0] == source and k[1] not in named)
        result.append(ArticleCoverage(article, source, found, claims, excluded, unused, mine, text))
    return CoverageReport(result, missing)


def _articles(store: ox.Store, graph: str | None = None) -> set[tuple[str, str]]:
    rows = store.query(
        f"PREFIX l2: <{L2}> SELECT ?a ?s WHERE {{ ?a a l2:Article ; l2:sourceFile ?s }}",
        **dataset(graph),
    )
    return {(row["a"].value, row["s"].value) for row in rows}


def report(articles: list[ArticleCoverage]) -> str:
    """``docs/sources.md``: a summary per article, then every sentence and what covers it."""
    lines = [
        "# The articles, sentence by sentence",
        "",
        "<!-- Generated by `l2graph coverage -o docs/sources.md`; a test fails when stale. -->",
        "",
        "Every sentence of each article, with the claims whose quotes cover it, or the reason",
        "it has none (`data/excluded-sentences.tsv`). A sentence ends at `.`, `!` or `?` (and",
        "any closing quote or bracket) followed by a space and a capital letter, a digit or an",
        "opening quote or bracket; a line break always ends one.",
        "",
    ]
    for article in articles:
        statuses: dict[str, set[str]] = {}
        for covering in article.claims.values():
            for claim, status in covering:
                statuses.setdefault(status, set()).add(claim)
        covered = sum(1 for s in article.sentences if article.claims[s])
        lines += [
            f"## {short_iri(article.article)} (`{article.source}`)",
            "",
            "| sentences | covered | excluded | uncovered | claims by status |",
            "|---|---|---|---|---|",
            f"| {len(article.sentences)} | {covered} | {len(article.excluded)} | "
            f"{len(article.uncovered)} | "
            + ", ".join(
                f"{status} {len(statuses[status])}" for status in STATUS_ORDER if status in statuses
            )
            + " |",
            "",
        ]
        for number, sentence in enumerate(article.sentences, start=1):
            shown = sentence.text.replace("|", "\\|")
            lines.append(f"{number}. {shown}")
            if article.claims[sentence]:
                for claim, status in article.claims[sentence]:
                    lines.append(f"   - `{short_iri(claim)}` ({status})")
            elif sentence in article.excluded:
                lines.append(f"   - excluded: {article.excluded[sentence]}")
            else:
                lines.append("   - **not covered**")
        lines.append("")
    return "\n".join(lines)
