"""Typed exceptions: library code raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "EndpointError",
    "InconsistentOntologyError",
    "InputError",
    "InternalError",
    "L2GraphError",
    "ParameterError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "RefusedQueryError",
    "TurtleSyntaxError",
    "UnknownEntityError",
    "UnknownQueryError",
    "UnsupportedAxiomError",
    "ValidationFailed",
]


class L2GraphError(Exception):
    """Base class of every error l2graph raises on purpose. Its message says what is wrong,
    in no face's terms; ``needs`` names what would put it right (``"home"``, ``"endpoint"``,
    ``"chunk_size"``, ``"queries"``: the list of stored queries), for a face to say what to
    type (see :func:`needing`)."""

    exit_code = 2
    needs: str | None = None


class InternalError(L2GraphError):
    """A bug in l2graph, surfaced as its own error (exit code 3); the cause is chained."""

    exit_code = 3


class InputError(L2GraphError):
    """Bad input: a missing or unreadable file, a bad option value (exit code 2)."""


class TurtleSyntaxError(InputError):
    """A source file is not valid Turtle; names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, detail: str) -> None:
        self.path, self.line, self.detail = Path(path), line, detail
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: Turtle syntax error: {detail}")


class UnknownQueryError(InputError):
    """No stored query has this name; suggests the nearest one."""

    needs = "queries"

    def __init__(self, name: str, suggestion: str | None) -> None:
        self.name, self.suggestion = name, suggestion
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        super().__init__(f"unknown query '{name}'{hint}")


class UnknownEntityError(InputError):
    """No entity has this IRI, id or label; suggests the nearest names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name, self.suggestions = name, suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"no entity is called '{name}'{hint}")


class ParameterError(InputError):
    """A query parameter is missing, unknown or of the wrong type; names the parameter."""

    def __init__(self, parameter: str, detail: str) -> None:
        self.parameter = parameter
        super().__init__(f"parameter '{parameter}': {detail}")


class QuerySyntaxError(InputError):
    """A SPARQL query does not parse; the message says where, and ``line`` and ``column``
    (1-based, in the text the user wrote) and ``source_line`` (that line's text) keep it for
    a face to show."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
    ) -> None:
        super().__init__(message)
        self.line, self.column, self.source_line = line, column, source_line


class RefusedQueryError(InputError):
    """A query asks for what a read-only, local query may not do: an update, ``SERVICE`` or
    its own dataset (``FROM``)."""


class QueryTimeoutError(L2GraphError):
    """A query ran past its time limit and was stopped."""

    needs = "timeout"


class EndpointError(L2GraphError):
    """A remote SPARQL endpoint refused, failed, timed out or answered inconsistently;
    ``status`` is the HTTP status it answered with, if it answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ValidationFailed(L2GraphError):
    """The graph does not conform to the shapes (exit code 1); carries the report."""

    exit_code = 1

    def __init__(self, report: object) -> None:
        self.report = report
        super().__init__("the graph does not conform to its SHACL shapes")


def needing(error: L2GraphError, needs: str) -> L2GraphError:
    """``error``, saying that ``needs`` would put it right (:attr:`L2GraphError.needs`)."""
    error.needs = needs
    return error


#: The most seconds a deadline may give, on every face: a day, past any query or upload this
#: tool is for. Far above it, Python's waits and timers overflow the platform's clock
#: (``--timeout 1e20`` was an internal error).
MAX_SECONDS = 86_400


def checked_seconds(value: float | None, name: str = "timeout") -> float | None:
    """``value`` as a deadline in seconds (``None``: no deadline), else an :class:`InputError`
    naming ``name`` and the range: above 0 and at most :data:`MAX_SECONDS`."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if isinstance(value, bool) or not 0 < seconds <= MAX_SECONDS:  # nan fails every comparison
        raise InputError(
            f"{name} must be a positive number of seconds, at most {MAX_SECONDS} (a day), "
            f"not {value!r}"
        )
    return seconds


class UnsupportedAxiomError(InputError):
    """An axiom the OWL 2 RL rules cannot apply as written (a malformed list, a blank node
    where a property must be named, a cardinality that is not a number, a datatype l2graph
    does not know); names the rule and the axiom. Refused rather than ignored, so that no
    entailment the axiom states goes missing without a word."""

    def __init__(self, rule: str, axiom: str, detail: str) -> None:
        self.rule, self.axiom, self.detail = rule, axiom, detail
        super().__init__(f"{rule}: cannot apply {axiom}: {detail}")


class InconsistentOntologyError(L2GraphError):
    """The ontology and data contradict each other under OWL 2 RL (exit code 1).

    ``inconsistencies`` lists each contradiction as (rule, resources): the OWL 2 RL rule
    whose body holds (``cax-dw``, ``prp-irp``, …) and the resources it binds, focus first,
    shortened as reports show them (``id:x``, ``l2:Brand``); the message names the first."""

    exit_code = 1

    def __init__(self, inconsistencies: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        self.inconsistencies = [(rule, tuple(resources)) for rule, resources in inconsistencies]
        rule, resources = self.inconsistencies[0]
        more = len(self.inconsistencies) - 1
        also = f" (and {more} more)" if more else ""
        super().__init__(
            f"the graph is inconsistent under OWL 2 RL: {rule} holds for {', '.join(resources)}"
            f"{also}"
        )


def contract(function):
    """Only l2graph's own errors leave a public function (the API's, the server face's
    ``serve``): an unreadable file becomes an InputError, and
    anything else, a bug, an InternalError that says so (its cause chained)."""
    import functools

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except L2GraphError:
            raise
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise InputError(f"{where}{exc.strerror or exc}") from exc
        except Exception as exc:
            raise InternalError(
                f"internal error ({type(exc).__name__}: {exc}); please report it"
            ) from exc

    return guarded
