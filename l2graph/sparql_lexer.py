"""SPARQL's terminals, read one way for every check of a query's text.

The query guard (:func:`check_read_only`), the query's form, the prefixes it declares and
uses, and the nesting limit all read a query through :func:`tokens`, which follows the
terminals of the SPARQL 1.1 grammar (§19.8): ``EOL`` is ``\\n`` or ``\\r``, so a comment ends
at either; ``PN_LOCAL`` takes ``PLX`` (``%XX`` and the ``\\``-escapes); the four string forms
take ``ECHAR``; IRIs and strings also take ``UCHAR``, as Oxigraph reads them.

The engines are not the grammar, and the guard stands in for what each of them does with a
text. Where an engine reads further than the grammar, the guard reads as the engine does:

- Oxigraph matches a keyword by its letters alone, with no boundary after it: ``ASKFROM<…>``
  is ``ASK FROM <…>``, ``trueSERVICE`` is ``true SERVICE`` and ``SERVICEa:b`` is
  ``SERVICE a:b``. So a bare word, or a prefix name, that *contains* ``SERVICE`` or ``FROM``
  counts as the keyword.
- Oxigraph's ``PN_LOCAL`` takes one run of dots, not several: ``:a.b.SERVICE`` is ``:a.b``,
  ``.`` and ``SERVICE``. What follows the first run counts as code.
- ``<`` right after a value inside parentheses is less-than to a parser that tries the
  operator first, though the grammar's longest match reads an IRI (``?a<?b#>``): there the
  IRI's text counts as code too, and a ``'`` or ``#`` in it (which would open a string or a
  comment) is refused.
- Oxigraph leaves ``\\u`` escapes outside strings and IRIs undecoded (a syntax error); rdflib
  decodes them everywhere first, with its own function, so the rdflib reading is of that
  decoded text. rdflib also ends a comment at ``\\n`` only: the text it is handed has its
  comments blanked, so it meets none.

A text the tokenizer cannot read to its end is left to the engine, which reports the syntax
error, but the unread rest is searched for the refused words as plain text first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from l2graph.errors import RefusedQueryError, needing

#: Groups (``{``, ``(``, ``[``) a query may nest; the stored queries nest at most 5.
MAX_NESTING = 64

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\"'\\]"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PN_LOCAL = rf"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_VARNAME = rf"[{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_STRINGS = (
    rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"
    rf'|"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'
    rf"|'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'"
    rf'|"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"'
)
_TERMINALS = re.compile(
    r"(?P<space>[ \t\r\n]+)"
    r"|(?P<comment>#[^\r\n]*)"
    rf"|(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)"
    rf"|(?P<string>{_STRINGS})"
    rf"|(?P<var>[?$]{_VARNAME})"
    rf"|(?P<bnode>_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)"
    rf"|(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)"
    r"|(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)"
    r"|(?P<number>[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)"
    r"|(?P<nil>\([ \t\r\n]*\))"
    r"|(?P<anon>\[[ \t\r\n]*\])"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<punct>\^\^|\|\||&&|!=|<=|>=|<<|>>|\{\||\|\}|[{}()\[\];,.*/+\-!=<>^|?~])"
)
# Oxigraph's PN_LOCAL: one run of dots, then no more (its grammar rule, not the standard's)
_OXIGRAPH_LOCAL = re.compile(
    rf"(?:[{_CHARS_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*+(?:\.+(?:[{_CHARS}:]|{_PLX})++)?+"
)
# Tokens after which ``<`` may be less-than: they end a value.
_VALUE_ENDS = frozenset({"var", "iri", "pname", "string", "number", "langtag", "nil"})

# A refused word, and what to say of it (the order is the order of the checks).
_REFUSED = {
    "service": "SERVICE is not allowed: l2graph never fetches data from other endpoints",
    "from": "FROM and FROM NAMED are not allowed: the default graph is the union of the "
    "build's graphs (use GRAPH <…> { … } to pick one)",
}
_UPDATES = ("insert", "delete", "load", "clear", "drop", "create", "copy", "move", "add")


class Token(NamedTuple):
    """One terminal of a query: its kind (a group name of the tokenizer), text and offset."""

    kind: str
    text: str
    start: int


class Unreadable(NamedTuple):
    """Where the tokenizer stopped: no terminal of the grammar starts at ``start``."""

    start: int


def tokens(text: str) -> Iterator[Token | Unreadable]:
    """The query's terminals in order, white space and comments included; an
    :class:`Unreadable` last if no terminal starts somewhere (the engine then reports it)."""
    position, end = 0, len(text)
    match = _TERMINALS.match
    while position < end:
        found = match(text, position)
        if found is None:
            yield Unreadable(position)
            return
        yield Token(found.lastgroup, found[0], position)
        position = found.end()


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text`` (lines end at ``\\n``)."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def check_read_only(query: str, engine: str = "oxigraph", *, dataset_given: bool = False) -> str:
    """The query guard, for every face and engine: refuse what a read-only query over this
    graph may not do, before any parser sees it, and return the text to hand ``engine``.

    Refused: ``SERVICE`` (l2graph sends nothing to another endpoint); ``FROM``/``FROM NAMED``
    (the default graph is the union of the build's graphs, and rdflib would load what they
    name); updates (the graph is read-only); nesting deeper than :data:`MAX_NESTING` groups
    (3,000 nested ``{`` crash Oxigraph's parser and exhaust rdflib's).

    Args:
        query: the query as the user wrote it.
        engine: ``"oxigraph"`` (the text is read as written, and as decoded) or
            ``"rdflib"`` (read after rdflib's own decoding of ``\\u`` escapes; the text
            returned has its comments blanked, since rdflib ends a comment at ``\\n`` only).
        dataset_given: the request names its dataset itself (the SPARQL Protocol's
            ``default-graph-uri``/``named-graph-uri``, graphs the store holds), which
            overrides the query's ``FROM``: Oxigraph then reads no graph a ``FROM`` names, so
            it is not refused.

    Raises:
        RefusedQueryError: the query does one of these, in the engine's reading of it.
    """
    if engine == "rdflib":
        return _for_rdflib(query)
    words = _SERVICE_ONLY if dataset_given else _SERVICE_OR_FROM
    _check(query, words=words)
    if "\\u" in query or "\\U" in query:
        # The grammar decodes escapes before it parses; Oxigraph 0.5 does not, but a build
        # of it with standard escaping would: its reading is checked too.
        _check(_ESCAPE.sub(_character, query), words=words)
    return query


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _character(escape: re.Match) -> str:
    code = int(escape[1] or escape[2], 16)
    return chr(code) if code <= 0x10FFFF else escape[0]


def _for_rdflib(query: str) -> str:
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        decoded = expandUnicodeEscapes(query)
    except ValueError:  # an escape that names no character: rdflib's parser stops at it
        _check(query)
        return query
    comments = _check(decoded, comments=True)
    if not comments:
        blanked = decoded
    else:
        pieces, last = [], 0
        for start, stop in comments:
            pieces += [decoded[last:start], " " * (stop - start)]
            last = stop
        blanked = "".join([*pieces, decoded[last:]])
    if expandUnicodeEscapes(blanked) != blanked:  # rdflib decodes once more as it parses
        raise RefusedQueryError(
            "a \\u escape here spells another \\u escape; write the character itself"
        )
    return blanked


def _refuse(word: str) -> None:
    if word in _REFUSED:
        refused = RefusedQueryError(_REFUSED[word])
        raise needing(refused, "endpoint") if word == "service" else refused
    raise RefusedQueryError(
        f"{word.upper()} is not allowed: the graph is read-only here "
        "(edit data/ and rebuild to change it)"
    )


def _search(code: str, words: tuple[str, ...]) -> None:
    """Refuse the first of ``words`` that ``code`` (read as code) contains."""
    lowered = code.lower()
    for word in words:
        if word in lowered:
            _refuse(word)


_SERVICE_OR_FROM = ("service", "from")
_SERVICE_ONLY = ("service",)


def _check(
    text: str, *, comments: bool = False, words: tuple[str, ...] = _SERVICE_OR_FROM
) -> list[tuple[int, int]]:
    """Refuse what the text does, read token by token (``words``: the keywords refused
    besides updates); with ``comments``, return the spans of its comments (for blanking)."""
    every = (*words, *_UPDATES)
    lowered = text.lower()
    if (
        not comments
        and not any(word in lowered for word in every)
        and text.count("{") + text.count("(") + text.count("[") <= MAX_NESTING
    ):
        return []  # no refused word anywhere and too few groups to nest too deep
    spans: list[tuple[int, int]] = []
    brackets: list[str] = []
    after_value = False  # the last token ends a value: a '<' now may be less-than
    for token in tokens(text):
        if isinstance(token, Unreadable):  # the engine cannot read on either: say so here,
            if any(word in text[token.start :].lower() for word in words):
                from l2graph.syntax import syntax_error  # unless a refused word lies beyond

                raise syntax_error(text)
            break
        kind, value = token.kind, token.text
        if kind == "space":
            continue
        if kind == "comment":
            spans.append((token.start, token.start + len(value)))
            continue
        if kind == "word":
            _search(value, every)
        elif kind == "pname":
            prefix, _, local = value.partition(":")
            _search(prefix, words)
            split = _OXIGRAPH_LOCAL.match(local)
            _search(local[split.end() if split else 0 :], words)
        elif kind == "iri" and after_value and brackets[-1:] == ["("]:
            inside = value[1:-1]
            if "'" in inside or "#" in inside:
                raise RefusedQueryError(
                    f"'{value[:40]}' right after a value is not allowed: the standard reads "
                    "an IRI there, and a parser that tries less-than first reads code; write "
                    "'<' with a space after it to compare"
                )
            _search(inside, words)
        elif kind == "punct" and value in "{([":
            brackets.append(value)
            if len(brackets) > MAX_NESTING:
                raise RefusedQueryError(
                    f"the query nests groups more than {MAX_NESTING} deep; "
                    "flatten it (deeper nesting can crash a SPARQL parser)"
                )
        elif kind == "punct" and value in "})]" and brackets:
            brackets.pop()
        after_value = kind in _VALUE_ENDS or value in (")", "]", "true", "false")
    return spans


# ------------------------------------------------------------------ mistakes, for messages

#: Every keyword Oxigraph's SPARQL parser knows (SPARQL 1.1 and the 1.2 drafts it reads).
_KEYWORD_LIST = """ABS ADD ADJUST ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR
    COALESCE CONCAT
    CONSTRUCT CONTAINS COPY COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE
    DISTINCT DROP ENCODE_FOR_URI EXISTS FILTER FLOOR FROM GRAPH GROUP GROUP_CONCAT HAVING
    HOURS IF IN INSERT INTO IRI LANG LANGDIR LANGMATCHES LATERAL LCASE LIMIT LOAD MAX MD5 MIN
    MINUS MINUTES MONTH MOVE NAMED NOT NOW OBJECT OFFSET OPTIONAL ORDER PREDICATE PREFIX RAND
    REDUCED REGEX REPLACE ROUND SAMPLE SECONDS SELECT SEPARATOR SERVICE SHA1 SHA256 SHA384
    SHA512 SILENT STR STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLANGDIR STRLEN STRSTARTS
    STRUUID SUBJECT SUBSTR SUM TIMEZONE TO TRIPLE TZ UCASE UNDEF UNION URI USING UUID VALUES
    VERSION WHERE WITH YEAR HASLANG HASLANGDIR ISBLANK ISIRI ISLITERAL ISNUMERIC ISTRIPLE
    ISURI SAMETERM"""
KEYWORDS = frozenset(_KEYWORD_LIST.split())
_CASE_SENSITIVE = frozenset({"a", "true", "false"})
_CLOSES = {"{": "}", "(": ")", "[": "]"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|urn:")  # what opens a broken IRI


class Mistake(NamedTuple):
    """A mistake the tokens show by themselves: where it starts, its text, what is wrong."""

    start: int
    text: str
    problem: str


def first_mistake(text: str, *, brackets: bool = False) -> Mistake | None:
    """The first mistake in ``text`` that its tokens show without a parser: a character no
    terminal takes, an unterminated string or IRI, a word that is no keyword; with
    ``brackets``, also a bracket that closes nothing or the wrong thing, or one never closed
    (where a parser would rather point at the token before it that is out of place). For
    error messages only: a query an engine accepted is never read for mistakes."""
    import difflib

    opened: list[Token] = []
    before: list[Token] = []  # the two tokens before this one, white space included
    for token in tokens(text):
        if isinstance(token, Unreadable):
            return _unreadable(text, token.start)
        kind, value = token.kind, token.text
        if kind == "word" and value.upper() not in KEYWORDS and value not in _CASE_SENSITIVE:
            if [t.kind for t in before] == ["var", "punct"]:  # ?le!caBody: the '!' is wrong
                mark = before[1]
                return Mistake(
                    mark.start,
                    mark.text,
                    f"the character '{mark.text}' in a variable's name "
                    "(a name takes letters, digits and '_')",
                )
            near = difflib.get_close_matches(value.upper(), KEYWORDS, n=1, cutoff=0.75)
            hint = f"; did you mean {near[0]}?" if near else ""
            return Mistake(token.start, value, f"'{value}' is not a SPARQL keyword{hint}")
        before = [*before[-1:], token]
        if kind == "punct" and value == "<" and _SCHEME.match(text, token.start + 1):
            return Mistake(
                token.start,
                value,
                "an IRI that is not closed by '>' on its line, or holds a "
                "character an IRI may not (a space, '\"', '{', '}', '|', '^', '`', '\\')",
            )
        if not brackets or kind != "punct":
            continue
        if value in _CLOSES:
            opened.append(token)
        elif value in _CLOSES.values():
            if not opened:
                return Mistake(token.start, value, f"'{value}' closes nothing: no group is open")
            top = opened.pop()
            if _CLOSES[top.text] != value:
                line, column = line_and_column(text, top.start)
                return Mistake(
                    token.start,
                    value,
                    f"'{value}' where '{_CLOSES[top.text]}' should close "
                    f"the '{top.text}' of line {line}, column {column}",
                )
    if opened:
        top = opened[-1]
        return Mistake(top.start, top.text, f"'{top.text}' is never closed")
    return None


def _unreadable(text: str, start: int) -> Mistake:
    character = text[start]
    if character in "\"'":
        return Mistake(
            start,
            character,
            'a string that is not closed on its line (use """ … """ for one over several lines)',
        )
    if character == "\\":
        return Mistake(start, character, "'\\' outside a string or IRI")
    return Mistake(start, character, f"the character {character!r} has no place here")
