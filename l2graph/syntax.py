"""Where a query's syntax error is, told the same way whichever engine refused the query.

Only a query an engine has refused is read here, so the happy path costs nothing. The message
points at the first token that cannot be accepted, found in this order:

1. what the tokens show by themselves (:func:`l2graph.sparql_lexer.first_mistake`): a
   character no terminal takes, an unterminated string or IRI, a word that is no keyword, a
   bracket that closes nothing or the wrong thing;
2. a prefixed name whose prefix nobody declared;
3. where a second, precise parser stops: rdflib's, which reports the first token it cannot
   take, where Oxigraph's reports the furthest point it reached (its "expected" set is kept
   when both agree);
4. Oxigraph's own position, kept inside the text the user wrote.

Positions are 1-based lines and columns of the text as given: a stored query's file, an ad
hoc query's text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from l2graph.errors import QuerySyntaxError
from l2graph.project import PREFIXES
from l2graph.sparql_lexer import Unreadable, first_mistake, line_and_column, tokens

_POSITION = re.compile(r"^error at (\d+):(\d+): ")
_SHOWN_CHOICES = 6


class _Found(NamedTuple):
    start: int  # offset in the text
    problem: str


def syntax_error(
    query: str,
    engine_error: SyntaxError | None = None,
    *,
    fallback: tuple[int, str] | None = None,
) -> QuerySyntaxError:
    """The error to raise for ``query``, which an engine refused (``engine_error``: Oxigraph's,
    when it was the one): one line, with the line and column of the first token that cannot
    be accepted and what is wrong there; the position is also kept as ``line`` and
    ``column`` attributes. ``fallback`` (an offset and what is wrong there) is said when
    nothing else is found: another engine's own word, where Oxigraph reads the query."""
    found = _first_found(query, engine_error) or (_Found(*fallback) if fallback else None)
    if found is None:
        detail = str(engine_error or "the query does not parse").replace("\n", " ")
        return QuerySyntaxError(f"SPARQL syntax error: {detail}")
    end = len(query.rstrip())  # past it, the error is shown on the text's last character
    start = found.start if found.start < end else max(end - 1, 0)
    line, column = line_and_column(query, start)
    token = _token_at(query, start) if found.start < end else ""
    near = f" near '{token[:30]}'" if token else " at the end of the query"
    return QuerySyntaxError(
        f"SPARQL syntax error at line {line}, column {column}{near}: {found.problem}",
        line,
        column,
        query.split("\n")[line - 1],
    )


def _first_found(query: str, engine_error: SyntaxError | None) -> _Found | None:
    mistake = first_mistake(query)
    found = [_Found(mistake.start, mistake.problem)] if mistake else []
    undeclared = _first_undeclared_prefix(query)
    if found or undeclared:
        return min([*found, *([undeclared] if undeclared else [])])
    furthest = _oxigraph_position(query, engine_error or _oxigraph_error(query))
    repaired = None
    if furthest is not None and len(query) <= _REPAIRED_AT_MOST:
        repaired = _repair(query, furthest)
    if repaired is not None:
        return repaired
    mistake = first_mistake(query, brackets=True)
    return _Found(mistake.start, mistake.problem) if mistake else furthest


#: Tokens before Oxigraph's furthest point that are tried as the culprit: enough for any
#: statement, few enough that a long query's error costs milliseconds.
_WINDOW = 80


# What a query may lack before a token, and how to say so; tried in this order.
_MISSING = (
    (".", "a '.' is missing before it"),
    ("?_", "a term is missing before it"),
    (")", "a ')' is missing before it"),
    ("}", "a '}' is missing before it"),
    ("(", "a '(' is missing before it"),
    ("{", "a '{' is missing before it"),
    (";", "a ';' is missing before it"),
    (",", "a ',' is missing before it"),
    ("BY", "BY is missing before it"),
    ("PREFIX", "PREFIX is missing before it"),
)
#: Past this many characters no repair is tried (each try parses the whole text again).
_REPAIRED_AT_MOST = 100_000
#: Seconds the repairs may take in all: each parses the whole text again, and Oxigraph takes
#: 0.1 s and more on a text of 30,000 characters (800 tries took 129 s before this bound).
_REPAIR_SECONDS = 0.5
#: Past this many tokens no repair is tried: Oxigraph plans the query a repair makes whole
#: (pyoxigraph cannot parse without planning), which is cubic in a group's patterns: 0.05 s
#: for 100 patterns, 3 s for 400, and a 1,400-pattern query's error took 130 s.
_REPAIRED_TOKENS = 600


def _repair(query: str, furthest: _Found) -> _Found | None:
    """The last token up to Oxigraph's furthest point whose one-token repair (deleting it, or
    a '.' before it) makes the query parse: the first token that cannot be accepted (an
    earlier one may repair it too, as deleting a triple's subject can, but is not wrong). A
    PEG parser such as Oxigraph's reports the furthest point any alternative reached, often a
    few tokens after the mistake; with more than one mistake no one repair helps, and that
    furthest point is what is said."""
    code = [
        token
        for token in tokens(query)
        if not isinstance(token, Unreadable) and token.kind not in ("space", "comment")
    ]
    import time

    if len(code) > _REPAIRED_TOKENS:
        return None  # a repair that parses is also planned: cubic in the patterns of a group
    deadline = time.monotonic() + _REPAIR_SECONDS
    reached = sum(1 for token in code if token.start <= furthest.start)
    for token in reversed(code[max(reached - _WINDOW, 0) : reached + 1]):
        end, shown = token.start + len(token.text), token.text[:30]
        edits = [
            (query[: token.start] + " " + query[end:], token.start, f"'{shown}' cannot stand here")
        ]
        edits += [
            (query[: token.start] + f"{missing} " + query[token.start :], token.start, why)
            for missing, why in _MISSING
        ]
        if token.kind in ("nil", "anon"):  # '( )' is one token: its ')' alone may be stray
            closing = token.text[-1]
            edits.append(
                (query[: end - 1] + " " + query[end:], end - 1, f"'{closing}' cannot stand here")
            )
        if time.monotonic() > deadline:
            return None  # the furthest point is said instead
        for text, start, problem in edits:
            if _parses(text):
                return _Found(start, problem)
    return None


def _parses(text: str) -> bool:
    """Whether Oxigraph reads ``text`` whole (a text the guard refuses does not count)."""
    from l2graph.errors import RefusedQueryError
    from l2graph.sparql_lexer import check_read_only

    try:
        check_read_only(text)
    except (RefusedQueryError, QuerySyntaxError):
        return False
    return _oxigraph_error(text) is None


def _oxigraph_error(query: str) -> SyntaxError | None:
    """Oxigraph's syntax error for ``query``, or None when it parses (the query is read, not
    run: an empty store answers at once)."""
    import pyoxigraph as ox

    from l2graph.sparql_lexer import check_read_only

    check_read_only(query)  # Oxigraph's reading is guarded too: another engine's was the one
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        return exc
    except Exception:  # parsed; the empty store's answer does not matter
        return None
    return None


def _token_at(query: str, start: int) -> str:
    for token in tokens(query[start:]):
        if isinstance(token, Unreadable):
            return query[start : start + 1]
        return token.text if token.kind not in ("space",) else ""
    return ""


def undeclared_prefix(query: str) -> str | None:
    """The first prefix ``query`` uses that neither it nor the project declares, if any."""
    found = _first_undeclared_prefix(query)
    return query[found.start :].partition(":")[0] if found else None


def _first_undeclared_prefix(query: str) -> _Found | None:
    """The first prefixed name whose prefix neither the query nor the project declares."""
    from l2graph.engine import declared_prefixes

    known = declared_prefixes(query) | set(PREFIXES)
    for token in tokens(query):
        if isinstance(token, Unreadable):
            break
        if token.kind == "pname":
            name = token.text.partition(":")[0]
            if name not in known:
                return _Found(
                    token.start,
                    f"undeclared prefix '{name}:' (declare it with PREFIX {name}: <…>; "
                    f"predeclared: {', '.join(PREFIXES)})",
                )
    return None


def _oxigraph_position(query: str, error: SyntaxError | None) -> _Found | None:
    """Oxigraph's ``error at L:C: expected …`` as an offset and a short "expected" list."""
    message = str(error or "").replace("\n", " ")
    match = _POSITION.match(message)
    if not match:
        return None
    line, column = (int(group) for group in match.groups())
    lines = query.split("\n")
    if line > len(lines):
        start = len(query)
    else:
        start = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
    detail = message[match.end() :]
    choices = detail.removeprefix("expected one of ").split(", ")
    if detail.startswith("expected one of ") and len(choices) > _SHOWN_CHOICES:
        detail = "expected one of " + ", ".join(choices[:_SHOWN_CHOICES]) + ", …"
    return _Found(min(start, len(query)), detail)
