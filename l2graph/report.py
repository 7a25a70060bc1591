"""Validation reports, the same for every SHACL engine (and free of rdflib, for fast builds).

Named tuples rather than dataclasses: the query path imports this module and starts faster
without dataclasses (and the inspect module it pulls in).
"""

from __future__ import annotations

from collections import namedtuple


class ValidationResult(
    namedtuple(
        "ValidationResult",
        "focus_node path constraint message severity value source_shape component terms",
    )
):
    """One SHACL result: what failed (focus node, path, value), the constraint and why.

    ``source_shape`` and ``component`` name the shape and its constraint component (short
    IRIs) where the engine knows them; ``terms`` holds, for the compiled engine, the RDF terms
    a standard ``sh:ValidationResult`` is written from (see :meth:`ValidationReport.rdf`).
    """

    __slots__ = ()

    def __new__(
        cls,
        focus_node,
        path,
        constraint,
        message,
        severity,
        value=None,
        source_shape=None,
        component=None,
        terms=None,
    ):
        return super().__new__(
            cls, focus_node, path, constraint, message, severity, value, source_shape,
            component, terms,
        )  # fmt: skip

    def __str__(self) -> str:
        where = self.focus_node + (f" {self.path}" if self.path else "")
        return f"{self.severity}: {where}: {self.message} [{self.constraint}]"


class ValidationReport(namedtuple("ValidationReport", "conforms results")):
    """Whether the graph conforms, and each result (empty when it conforms)."""

    __slots__ = ()

    def __new__(cls, conforms: bool, results: tuple[ValidationResult, ...] = ()):
        return super().__new__(cls, conforms, tuple(results))

    def text(self) -> str:
        """A readable report, one line per result."""
        if self.conforms:
            return "The graph conforms to its shapes."
        lines = [f"The graph does not conform: {len(self.results)} result(s)."]
        lines += [f"  {result}" for result in self.results]
        return "\n".join(lines)

    def rdf(self, format: str = "turtle") -> bytes:
        """The report as a standard ``sh:ValidationReport`` graph (``turtle`` or
        ``json-ld``): sh:focusNode, sh:resultPath, sh:value, sh:sourceShape,
        sh:sourceConstraintComponent, sh:resultSeverity, sh:resultMessage per result.

        Raises:
            InputError: a result carries no RDF terms (it does not come from the compiled
                SHACL engine), or the format is unknown.
        """
        from l2graph.shacl import report_graph

        return report_graph(self, format)
