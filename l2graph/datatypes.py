"""The lexical spaces of the datatypes OWL 2 RL's rule dt-not-type reads (W3C OWL 2 Profiles,
section 4.3, table 8): a literal whose lexical form is not in its datatype's lexical space makes
the graph inconsistent.

The datatypes are those of the OWL 2 RL datatype map (W3C OWL 2 Structural Specification,
section 4) and ``xsd:date`` and ``xsd:time``, which owlrl checks too. Literals of other XSD
datatypes (``xsd:gYear``, ``xsd:duration``, …) lie outside the rule; a datatype IRI in the XSD
namespace that names no XSD datatype at all is refused (:func:`lexical_check` says so).

Oxigraph stores every derived integer type (``xsd:int``, ``xsd:nonNegativeInteger``, …) as
``xsd:integer`` once its lexical form parses as an integer, so a value out of its type's range
(``"-1"^^xsd:nonNegativeInteger``) is no longer seen as such by the rules, which read the
store; a form that is no integer at all keeps its datatype and is caught.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_FLOAT = re.compile(r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)")
_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_DATE = (
    r"(?P<year>-?([1-9][0-9]{3,}|0[0-9]{3}))"
    r"-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
)
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_DATE_TIME = re.compile(f"{_DATE}T{_TIME}{_ZONE}?")
_DATE_TIME_STAMP = re.compile(f"{_DATE}T{_TIME}{_ZONE}")
_DATE_ONLY = re.compile(f"{_DATE}{_ZONE}?")
_TIME_ONLY = re.compile(f"{_TIME}{_ZONE}?")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
_NAME_START = (
    r":A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*")
_NMTOKEN = re.compile(f"[{_NAME_CHAR}]+")
_HEX = re.compile(r"([0-9a-fA-F]{2})*")
# base64Binary without its optional single spaces: quads, then the padded end if any
_BASE64 = re.compile(
    r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?"
)
_RATIONAL = re.compile(r"[+-]?[0-9]+/[0-9]*[1-9][0-9]*")

# The integer types: (least, greatest) value, None where unbounded.
_INTEGER_RANGES = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "nonPositiveInteger": (None, 0),
    "positiveInteger": (1, None),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}

#: Every datatype XSD 1.1 defines: a literal of one of these that :data:`CHECKED` lacks lies
#: outside dt-not-type; any other name in the XSD namespace is no datatype at all.
XSD_DATATYPES = frozenset(
    (
        "anySimpleType anyAtomicType string normalizedString token language Name NCName "
        "NMTOKEN NMTOKENS ID IDREF IDREFS ENTITY ENTITIES QName NOTATION anyURI boolean "
        "decimal float double duration dayTimeDuration yearMonthDuration dateTime "
        "dateTimeStamp time date gYearMonth gYear gMonthDay gDay gMonth hexBinary "
        "base64Binary " + " ".join(_INTEGER_RANGES)
    ).split()
)


def _matches(pattern: re.Pattern) -> Callable[[str], bool]:
    return lambda text: pattern.fullmatch(text) is not None


def _integer(least: int | None, greatest: int | None) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        if not _INTEGER.fullmatch(text):
            return False
        value = int(text)
        return (least is None or value >= least) and (greatest is None or value <= greatest)

    return check


def _dated(pattern: re.Pattern) -> Callable[[str], bool]:
    """A date's form, and a day its month has (no 30 February)."""

    def check(text: str) -> bool:
        found = pattern.fullmatch(text)
        if not found:
            return False
        year, month, day = (int(found.group(name)) for name in ("year", "month", "day"))
        # XSD's year 0 is 1 BCE, a leap year like every year divisible by 4 (and 400)
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        days = 29 if month == 2 and leap else calendar.monthrange(2001, month)[1]
        return day <= days

    return check


def _normalized(text: str) -> bool:
    return not any(c in text for c in "\r\n\t")


def _token(text: str) -> bool:
    return _normalized(text) and text == text.strip(" ") and "  " not in text


def _plain_literal(text: str) -> bool:
    """rdf:PlainLiteral: the text, ``@``, and a language tag or nothing."""
    _, at, tag = text.rpartition("@")
    return bool(at) and (not tag or _LANGUAGE.fullmatch(tag) is not None)


def _xml_literal(text: str) -> bool:
    """rdf:XMLLiteral: a well-balanced XML fragment (text and elements)."""
    import xml.etree.ElementTree as ElementTree

    try:
        ElementTree.fromstring(f"<fragment>{text}</fragment>")
    except ElementTree.ParseError:
        return False
    return True


#: Each datatype dt-not-type reads, by IRI, with the test of its lexical space.
CHECKED: dict[str, Callable[[str], bool]] = {
    **{XSD + name: _integer(*bounds) for name, bounds in _INTEGER_RANGES.items()},
    XSD + "decimal": _matches(_DECIMAL),
    XSD + "double": _matches(_FLOAT),
    XSD + "float": _matches(_FLOAT),
    XSD + "boolean": lambda text: text in ("true", "false", "1", "0"),
    XSD + "dateTime": _dated(_DATE_TIME),
    XSD + "dateTimeStamp": _dated(_DATE_TIME_STAMP),
    XSD + "date": _dated(_DATE_ONLY),
    XSD + "time": _matches(_TIME_ONLY),
    XSD + "normalizedString": _normalized,
    XSD + "token": _token,
    XSD + "language": _matches(_LANGUAGE),
    XSD + "Name": _matches(_NAME),
    XSD + "NCName": lambda text: _NAME.fullmatch(text) is not None and ":" not in text,
    XSD + "NMTOKEN": _matches(_NMTOKEN),
    XSD + "hexBinary": _matches(_HEX),
    XSD + "base64Binary": lambda text: _BASE64.fullmatch(text.replace(" ", "")) is not None,
    XSD + "anyURI": lambda text: True,  # XSD 1.1: any string
    RDF + "PlainLiteral": _plain_literal,
    RDF + "XMLLiteral": _xml_literal,
    OWL + "rational": _matches(_RATIONAL),
    OWL + "real": lambda text: False,  # owl:real has no lexical form at all
}


def lexical_check(datatype: str) -> Callable[[str], bool] | None:
    """The test of ``datatype``'s lexical space, or None when dt-not-type does not read it.

    Raises:
        KeyError: ``datatype`` is in the XSD namespace but names no XSD datatype.
    """
    check = CHECKED.get(datatype)
    if check is None and datatype.startswith(XSD) and datatype[len(XSD) :] not in XSD_DATATYPES:
        raise KeyError(datatype)
    return check
