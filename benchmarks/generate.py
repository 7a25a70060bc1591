"""A seeded synthetic camera-industry graph, written as a complete l2graph project directory.

The directory gets a copy of the repository's ``ontology/`` and ``queries/`` and a ``data/``
of Turtle files (at most :data:`FILE_LIMIT` triples each) holding companies, brands, mounts,
sensor formats, alliances, product lines, camera bodies and their rebadges, people, publications,
events and articles. Every asserted ``l2:`` property triple is backed by a confirmed or reported
claim shaped exactly like ``data/claims-*.ttl``; some speculative, opinion and open-question
claims are added that are never asserted. The result conforms to ``ontology/shapes.ttl``.

The anchors of the stored queries exist at every size (``id:leica-camera-ag``,
``id:panasonic``, ``id:l2-technology``, ``id:leica-panasonic-joint-camera``, ``id:leica-sl2``…),
and the number of Leica rebadges of Panasonic bodies grows with the graph, so every stored query
does real work.

Text is written as strings (no rdflib) so a million triples take seconds::

    python -m benchmarks.generate /tmp/bench-100k --triples 100000
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = 20220531
#: Triples per data file, so no single file dominates parse-time memory.
FILE_LIMIT = 200_000
#: An entity that exists in the shipped graph and in every synthetic graph (query 008's param).
PROVENANCE_ENTITY = "id:leica-sl2"
#: Below this many triples the fixed part of the world (anchors, ontology) does not fit.
MINIMUM_TRIPLES = 1_500

_HEADER = """\
@prefix l2:      <https://w3id.org/l2graph/ontology#> .
@prefix id:      <https://w3id.org/l2graph/id/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <https://schema.org/> .

# Synthetic benchmark data (benchmarks/generate.py); not about real products.

"""

_SYLLABLES = [
    "ka",
    "no",
    "ra",
    "vex",
    "li",
    "to",
    "mi",
    "sa",
    "zu",
    "ne",
    "or",
    "pen",
    "tax",
    "fu",
    "ji",
    "sol",
    "ar",
    "ion",
    "ry",
    "ko",
    "ha",
    "be",
    "lo",
    "qu",
    "ma",
    "de",
    "ti",
    "val",
    "om",
    "ex",
    "ly",
    "ca",
    "ri",
    "nu",
    "go",
    "pa",
    "el",
    "vi",
]
_COMPANY_SUFFIXES = ("Corporation", "Camera AG", "Optical Co.", "Imaging Ltd.", "Photonics", "Inc.")
_ORGANIZATION_KINDS = ("Racing", "Cosmetics", "Airlines", "Records", "Fashion House", "Museum")
_FIRST_NAMES = [
    "Akira",
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Felix",
    "Greta",
    "Hiro",
    "Ines",
    "James",
    "Julia",
    "Kenji",
    "Lena",
    "Marco",
    "Mia",
    "Nadia",
    "Oscar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomoko",
    "Ugo",
    "Vera",
    "Wen",
    "Xavier",
    "Yuki",
    "Zoe",
    "Matthias",
    "Damian",
]
_LAST_NAMES = [
    "Toyoshima",
    "Harsch",
    "Artaius",
    "Bailey",
    "Sato",
    "Müller",
    "Rossi",
    "Dubois",
    "Novak",
    "Kim",
    "Silva",
    "Berg",
    "Tanaka",
    "Moreau",
    "Fischer",
    "Lindqvist",
    "Okafor",
    "Costa",
    "Nakamura",
    "Weber",
    "Ricci",
    "Larsen",
    "Suzuki",
    "Kowalski",
    "Brandt",
]
_MOUNTS = (
    ("l-mount", "L-Mount"),
    ("micro-four-thirds", "Micro Four Thirds"),
    ("e-mount", "E-mount"),
    ("rf-mount", "RF mount"),
    ("z-mount", "Z mount"),
    ("x-mount", "X mount"),
    ("ef-mount", "EF mount"),
    ("f-mount", "F mount"),
    ("k-mount", "K mount"),
    ("m-mount", "M mount"),
    ("g-mount", "G mount"),
    ("xcd-mount", "XCD mount"),
)
_SENSORS = (
    ("full-frame", "full frame"),
    ("aps-c", "APS-C"),
    ("four-thirds", "Four Thirds"),
    ("one-inch", "1-inch"),
    ("medium-format", "medium format"),
    ("aps-h", "APS-H"),
)
_EXPERTISE = (
    "optical and imaging technology",
    "video and digital technology",
    "sensor design",
    "autofocus algorithms",
    "lens coatings",
    "image processing",
    "colour science",
    "weather sealing",
    "image stabilisation",
    "computational photography",
    "battery technology",
    "camera firmware",
)
_FEATURES = (
    "in-body image stabilisation",
    "6K video",
    "8K video",
    "weather sealing",
    "dual card slots",
    "phase-detect autofocus",
    "a tilting screen",
    "a high-resolution EVF",
    "a 24-megapixel sensor",
    "a 47-megapixel sensor",
    "subject-detection autofocus",
    "a pixel-shift high-resolution mode",
    "a leaf shutter",
    "a magnesium alloy body",
    "USB-C charging",
)
_TRAITS = ("superior optics", "rugged build quality", "natural colour", "fast autofocus", "video")
_FIELDS = ("new camera and lens products", "next generation software", "lens mounts", "sensors")
_SERIES = ("S", "G", "X", "R", "Z", "M", "Q", "D", "LX", "FZ", "GH", "Alpha")
_YEARS = range(1998, 2025)

# Short quotes per predicate; {s} and {o} are labels, so every quote stays under thirty words.
_QUOTES = {
    # an article's own statements, backed by claims stated in that article
    "schema:datePublished": ("date {o}", "published on {o}"),
    "schema:about": ("news about {o}", "this article looks at {o}"),
    "dcterms:title": ("{o}",),
    "schema:author": ("by {o}",),
    "schema:publisher": ("published by {o}",),
    "l2:brand": ("the {s} is sold under the {o} name", "{o} launched the {s}"),
    "l2:manufacturer": ("the {s} is made by {o}", "{o} builds the {s} in its own factory"),
    "l2:mount": ("the {s} uses the {o}", "the {s} takes lenses for the {o}"),
    "l2:sensorFormat": ("the {s} is built around a {o} sensor",),
    "l2:feature": ("the {s} offers {o}", "the {s} adds {o}"),
    "l2:plannedReleaseYear": ("the {s} is planned for release in {o}",),
    "l2:rebadgeOf": ("the {s}, which is essentially a {o}", "the {s} is effectively a {o}"),
    "l2:brandOwner": ("{o} owns the {s} brand", "the {s} brand belongs to {o}"),
    "l2:sourcesBodiesFrom": ("{s} has rebadged bodies made by {o}",),
    "l2:typicalTrait": ("{s} cameras are known for {o}",),
    "l2:jointlyDevelopedBy": ("the {s} was co-developed with {o}",),
    "l2:firstProductOf": ("the {s} is the first fruit of {o}",),
    "l2:producesLensesFor": ("{s} makes lenses for the {o}",),
    "l2:memberOf": ("{s} has joined the {o}",),
    "l2:foundingMemberOf": ("{s} is a founding member of the {o}",),
    "l2:announcedOn": ("the {s} was announced on {o}",),
    "l2:namedAfter": ("the name {s} stands for {o}",),
    "l2:collaborationField": ("the {s} partners will work together on {o}",),
    "l2:hasExpertise": ("{s} brings its {o} that has been cultivated over many years",),
    "l2:combinesExpertise": ("the {s} will combine {o} from its members",),
    "l2:collaboratesWith": ("{s} has worked together with {o} for a number of years",),
    "l2:chiefExecutiveOf": ("{s}, CEO of {o}",),
    "l2:editorOf": ("{s} is the editor of {o}",),
    "l2:contributorTo": ("{s} has written for {o}",),
    "l2:principalPhotographerFor": ("{s} was Principal Photographer for {o}",),
    "l2:photographedFor": ("{s} has shot campaigns for {o}",),
    "l2:assistantTo": ("{s} started out as an assistant to {o}",),
    "l2:succeeded": ("{s} took over from {o}",),
    "l2:judgeFor": ("{s} is a judge for the {o}",),
    "l2:presentedAt": ("{s} hosts workshops at {o}",),
    "l2:shootsWith": ("{s} shoots with {o} cameras",),
    "l2:yearsOfJournalismExperience": ("{s} has {o} years of experience as a journalist",),
    "l2:startedInPhotographicIndustry": ("{s} started in the photographic industry in {o}",),
}


def _lang(text: str) -> str:
    return f'"{text}"@en'


def _typed(text: str, datatype: str) -> str:
    return f'"{text}"^^xsd:{datatype}'


def _block(subject: str, pairs: Sequence[tuple[str, str]]) -> str:
    """One Turtle statement: ``subject p1 o1 ; p2 o2 .`` with one predicate per line."""
    return subject + " " + " ;\n    ".join(f"{p} {o}" for p, o in pairs) + " .\n\n"


class _Files:
    """Turtle files ``data/<stem>-NN.ttl`` of at most ``limit`` triples each."""

    def __init__(self, directory: Path, stem: str, limit: int = FILE_LIMIT) -> None:
        self.directory, self.stem, self.limit = directory, stem, limit
        self.parts: list[str] = []
        self.in_file = 0
        self.total = 0
        self.paths: list[Path] = []

    def add(self, text: str, triples: int) -> None:
        if self.in_file + triples > self.limit and self.parts:
            self.flush()
        self.parts.append(text)
        self.in_file += triples
        self.total += triples

    def flush(self) -> None:
        if not self.parts:
            return
        path = self.directory / f"{self.stem}-{len(self.paths) + 1:02d}.ttl"
        path.write_text(_HEADER + "".join(self.parts), encoding="utf-8")
        self.paths.append(path)
        self.parts, self.in_file = [], 0


@dataclass(eq=False)
class Entity:
    """An IRI (as a prefixed name) and its English label."""

    iri: str
    label: str


@dataclass(eq=False)
class Company(Entity):
    """A company with the mounts its bodies use and its slug for minting IRIs."""

    slug: str = ""
    mounts: list[Entity] = field(default_factory=list)
    expertise: list[Entity] = field(default_factory=list)


@dataclass(eq=False)
class Brand(Entity):
    """A brand, its owner (``None`` for an unowned brand) and its slug."""

    slug: str = ""
    owner: Company | None = None


@dataclass(eq=False)
class Body(Entity):
    """An original (not rebadged) camera body: its brand, maker and class."""

    brand: Brand | None = None
    maker: Company | None = None
    kind: str = "l2:CameraBody"


@dataclass(frozen=True)
class GeneratedProject:
    """What :func:`generate` wrote."""

    home: Path
    triples: int
    seed: int
    files: tuple[Path, ...]
    counts: dict[str, int]
    seconds: float
    provenance_entity: str = PROVENANCE_ENTITY


class _World:
    """Mints entities and writes their facts, each fact with its claim, counting triples."""

    def __init__(self, data: Path, seed: int, ontology_triples: int) -> None:
        self.rng = random.Random(seed)
        self.entities = _Files(data, "entities")
        self.products = _Files(data, "bodies")
        self.claims = _Files(data, "claims")
        self.ontology_triples = ontology_triples
        self.counts: dict[str, int] = {}
        self.used_names: set[str] = set()
        self.claim_number = 0
        self.articles: list[Entity] = []
        self.articles_of: dict[str, list[Entity]] = {}
        self.speaker_of: dict[str, Entity] = {}
        self.people: list[Entity] = []
        # Filled in by _write_world for the bodies to refer to.
        self.companies: list[Company] = []
        self.brands: list[Brand] = []
        self.alliances: list[Entity] = []
        self.mounts: list[Entity] = []
        self.sensors: list[Entity] = []

    @property
    def total(self) -> int:
        return self.ontology_triples + self.entities.total + self.products.total + self.claims.total

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def name(self, syllables: tuple[int, int] = (2, 3)) -> str:
        """A new, unique invented name such as ``Kanora``."""
        while True:
            parts = self.rng.choices(_SYLLABLES, k=self.rng.randint(*syllables))
            text = "".join(parts).capitalize()
            if text not in self.used_names:
                self.used_names.add(text)
                return text

    # ------------------------------------------------------------------ facts and claims

    def claim(
        self,
        subject: Entity,
        predicate: str,
        obj: str,
        object_text: str,
        *,
        context: Entity | None = None,
        status: str | None = None,
        quote: str | None = None,
        article: Entity | None = None,
    ) -> None:
        """Write one claim; a confirmed or reported one when ``status`` is not given; stated
        in ``article``, or in an article about ``context``."""
        rng = self.rng
        self.claim_number += 1
        if status is None:
            status = "l2:reported" if rng.random() < 0.15 else "l2:confirmed"
        if quote is None:
            template = rng.choice(_QUOTES[predicate])
            quote = template.format(s=subject.label, o=object_text)
        quote = " ".join(quote.split()[:30])  # the shapes allow at most thirty words
        candidates = self.articles_of.get(context.iri, ()) if context else ()
        article = article or rng.choice(candidates or self.articles)
        pairs = [
            ("a", "l2:Claim"),
            ("rdf:subject", subject.iri),
            ("rdf:predicate", predicate),
            ("rdf:object", obj),
            ("l2:status", status),
        ]
        if status == "l2:reported":
            speaker = self.speaker_of.get(context.iri) if context else None
            pairs.append(("l2:attributedTo", (speaker or rng.choice(self.people)).iri))
        pairs += [("l2:statedIn", article.iri), ("l2:quote", _lang(quote))]
        self.claims.add(_block(f"id:claim-{self.claim_number:07d}", pairs), len(pairs))
        self.count("claims")

    def fact(
        self,
        pairs: list[tuple[str, str]],
        subject: Entity,
        predicate: str,
        obj: str,
        object_text: str,
        context: Entity | None = None,
    ) -> None:
        """Assert ``subject predicate obj`` (into ``pairs``) and back it with a claim."""
        pairs.append((predicate, obj))
        self.claim(subject, predicate, obj, object_text, context=context)
        self.count("facts")

    def write(self, files: _Files, subject: Entity, pairs: list[tuple[str, str]]) -> None:
        files.add(_block(subject.iri, pairs), len(pairs))


def _date(rng: random.Random, years: range = _YEARS) -> str:
    start = datetime.date(years.start, 1, 1).toordinal()
    end = datetime.date(years.stop - 1, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end)).isoformat()


def _scaled(target: int, per_million: float, minimum: int) -> int:
    return max(minimum, round(target * per_million / 1_000_000))


def _write_world(world: _World, target: int) -> None:
    """Everything but the camera bodies: a fixed number of each, scaled to ``target``."""
    rng = world.rng
    w = world

    # ---------------------------------------------------------------- reference entities
    mounts = [Entity(f"id:{slug}", label) for slug, label in _MOUNTS]
    for _ in range(_scaled(target, 10, 0)):
        name = w.name()
        mounts.append(Entity(f"id:{name.lower()}-mount", f"{name} mount"))
    sensors = [Entity(f"id:{slug}", label) for slug, label in _SENSORS]
    expertise = [Entity(f"id:{t.replace(' ', '-')}", t) for t in _EXPERTISE]
    for _ in range(_scaled(target, 30, 0)):
        label = f"{w.name().lower()} technology"
        expertise.append(Entity(f"id:{label.replace(' ', '-')}", label))
    for kind, entities in (("l2:Mount", mounts), ("l2:SensorFormat", sensors)):
        for entity in entities:
            w.write(w.entities, entity, [("a", kind), ("rdfs:label", _lang(entity.label))])
            w.count(kind)
    for entity in expertise:
        w.write(w.entities, entity, [("a", "l2:Expertise"), ("rdfs:label", _lang(entity.label))])
        w.count("l2:Expertise")

    publications = [Entity("id:digital-camera-world", "Digital Camera World")]
    for _ in range(_scaled(target, 60, 2)):
        name = w.name()
        publications.append(
            Entity(f"id:{name.lower()}-magazine", f"{name} {rng.choice(('Photo', 'Camera'))}")
        )
    events = []
    for _ in range(_scaled(target, 30, 2)):
        name = w.name()
        kind = rng.choice(("Photo Contest", "Photography Show", "Imaging Expo"))
        events.append(Entity(f"id:{name.lower()}-{kind.split()[-1].lower()}", f"{name} {kind}"))
    clients = []
    for _ in range(_scaled(target, 50, 3)):
        name = w.name()
        kind = rng.choice(_ORGANIZATION_KINDS)
        clients.append(Entity(f"id:{name.lower()}-{kind.split()[0].lower()}", f"{name} {kind}"))
    for kind, entities in (
        ("l2:Publication", publications),
        ("l2:Event", events),
        ("l2:Organization", clients),
    ):
        for entity in entities:
            w.write(w.entities, entity, [("a", kind), ("rdfs:label", _lang(entity.label))])
            w.count(kind)

    # ---------------------------------------------------------------- companies and brands
    panasonic = Company("id:panasonic", "Panasonic", slug="panasonic")
    leica = Company("id:leica-camera-ag", "Leica Camera AG", slug="leica")
    sigma = Company("id:sigma", "Sigma", slug="sigma")
    companies = [panasonic, leica, sigma]
    for _ in range(_scaled(target, 400, 3)):
        name = w.name()
        slug = name.lower()
        companies.append(
            Company(f"id:{slug}", f"{name} {rng.choice(_COMPANY_SUFFIXES)}", slug=slug)
        )
    for company in companies:
        company.mounts = (
            [mounts[0], mounts[1]] if company in (panasonic, leica) else rng.sample(mounts, 1)
        )
        company.expertise = rng.sample(expertise[2:], rng.randint(1, 2))
    panasonic.expertise, leica.expertise = [expertise[1]], [expertise[0]]
    leica.mounts = [mounts[0], mounts[9]]  # L-Mount and M mount

    brands = [
        Brand("id:brand-leica", "Leica", slug="leica", owner=leica),
        Brand("id:brand-lumix", "Lumix", slug="lumix", owner=panasonic),
        Brand("id:brand-panasonic", "Panasonic", slug="panasonic", owner=panasonic),
        Brand("id:brand-sigma", "Sigma", slug="sigma", owner=sigma),
    ]
    for company in companies[3:]:
        name = company.label.split()[0]
        brands.append(Brand(f"id:brand-{company.slug}", name, slug=company.slug, owner=company))
        if rng.random() < 0.4:  # a second brand, as Panasonic sells Lumix
            second = w.name()
            brands.append(
                Brand(f"id:brand-{second.lower()}", second, slug=second.lower(), owner=company)
            )
    for _ in range(_scaled(target, 20, 1)):  # brands whose owner no article names
        name = w.name()
        brands.append(Brand(f"id:brand-{name.lower()}", name, slug=name.lower()))
    w.brands = brands
    w.companies = companies

    # ---------------------------------------------------------------- people (ids first)
    people: list[Entity] = [
        Entity("id:matthias-harsch", "Matthias Harsch"),
        Entity("id:akira-toyoshima", "Akira Toyoshima"),
        Entity("id:james-artaius", "James Artaius"),
    ]
    for number in range(_scaled(target, 1700, 6)):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        slug = f"{first}-{last}".lower().replace("ü", "u")
        people.append(Entity(f"id:{slug}-{number}", f"{first} {last}"))
    w.people = people
    ceos = {leica.iri: people[0], panasonic.iri: people[1]}
    pool = people[3:]
    for company, person in zip(companies[2:], pool, strict=False):
        ceos[company.iri] = person
    w.speaker_of = dict(ceos)
    ceo_iris = {person.iri for person in ceos.values()}
    journalists = [people[2]] + [p for p in pool if p.iri not in ceo_iris and rng.random() < 0.4]
    journalist_iris = {person.iri for person in journalists}

    # ---------------------------------------------------------------- articles (ids first)
    n_articles = _scaled(target, 4500, 4)
    articles = []
    for number in range(n_articles):
        about = companies[number % len(companies)]
        date = _date(rng)
        slug = f"article-{number:06d}"
        article = Entity(f"id:{slug}", f"{about.label}: news of {date}")
        articles.append(article)
        w.articles_of.setdefault(about.iri, []).append(article)
        pairs = [
            ("a", "l2:Article"),
            ("rdfs:label", _lang(article.label)),
            ("l2:sourceFile", f'"{date}-{slug}.txt"'),
        ]
        statements = [
            ("schema:datePublished", _typed(date, "date"), date),
            ("schema:about", about.iri, about.label),
        ]
        if rng.random() < 0.7:
            title = f"{about.label} news, {date}"
            statements.append(("dcterms:title", _lang(title), title))
        if rng.random() < 0.8:
            author = rng.choice(journalists)
            statements.append(("schema:author", author.iri, author.label))
        if rng.random() < 0.8:
            publisher = rng.choice(publications)
            statements.append(("schema:publisher", publisher.iri, publisher.label))
        for predicate, obj, text in statements:  # each stated, with a claim, by the article
            pairs.append((predicate, obj))
            w.claim(article, predicate, obj, text, status="l2:confirmed", article=article)
        w.write(w.entities, article, pairs)
        w.count("l2:Article")
    w.articles = articles

    # ---------------------------------------------------------------- alliances
    memberships: dict[str, list[tuple[str, Entity]]] = {}
    l2 = Entity("id:l2-technology", "L² Technology")
    lma = Entity("id:l-mount-alliance", "L-Mount Alliance")
    alliances: list[tuple[Entity, list[Company], list[Company], str, list[Brand]]] = [
        (l2, [panasonic, leica], [], "2022-05-31", brands[:2]),
        (lma, [panasonic, leica, sigma], [], "2018-09-25", []),
    ]
    for _ in range(_scaled(target, 40, 1)):
        name = w.name()
        alliance = Entity(f"id:{name.lower()}-alliance", f"{name} Alliance")
        chosen = rng.sample(companies, min(len(companies), rng.randint(2, 8)))
        split = rng.randint(2, min(4, len(chosen)))
        founders, members = chosen[:split], chosen[split:]
        founder_brands = [b for b in brands if b.owner in founders]
        named = rng.sample(founder_brands, min(len(founder_brands), rng.randint(0, 2)))
        alliances.append((alliance, founders, members, _date(rng), named))
    for alliance, founders, members, date, named in alliances:
        for company in founders:
            memberships.setdefault(company.iri, []).append(("l2:foundingMemberOf", alliance))
        for company in members:
            memberships.setdefault(company.iri, []).append(("l2:memberOf", alliance))
        ctx = founders[0]
        pairs = [("a", "l2:Alliance"), ("rdfs:label", _lang(alliance.label))]
        w.fact(pairs, alliance, "l2:announcedOn", _typed(date, "date"), date, ctx)
        for brand in named:
            w.fact(pairs, alliance, "l2:namedAfter", brand.iri, brand.label, ctx)
        for text in rng.sample(_FIELDS, rng.randint(1, 2)):
            w.fact(pairs, alliance, "l2:collaborationField", _lang(text), text, ctx)
        combined = {e.iri: e for c in founders for e in c.expertise}
        for entity in combined.values():
            w.fact(pairs, alliance, "l2:combinesExpertise", entity.iri, entity.label, ctx)
        w.write(w.entities, alliance, pairs)
        w.count("l2:Alliance")
    w.alliances = [a[0] for a in alliances]

    # ---------------------------------------------------------------- companies and brands
    for index, company in enumerate(companies):
        pairs = [("a", "l2:Company"), ("rdfs:label", _lang(company.label))]
        for entity in company.expertise:
            w.fact(pairs, company, "l2:hasExpertise", entity.iri, entity.label, company)
        for predicate, alliance in memberships.get(company.iri, ()):
            w.fact(pairs, company, predicate, alliance.iri, alliance.label, company)
        for mount in company.mounts if rng.random() < 0.5 else ():
            w.fact(pairs, company, "l2:producesLensesFor", mount.iri, mount.label, company)
        # Collaborations point at earlier companies only, so no pair is stated twice.
        for other in rng.sample(companies[:index], min(index, rng.randint(0, 2))):
            w.fact(pairs, company, "l2:collaboratesWith", other.iri, other.label, company)
        w.write(w.entities, company, pairs)
        w.count("l2:Company")
    for brand in brands:
        pairs = [("a", "l2:Brand"), ("rdfs:label", _lang(brand.label))]
        owner = brand.owner
        if owner is not None:
            w.fact(pairs, brand, "l2:brandOwner", owner.iri, owner.label, owner)
        trait = rng.choice(_TRAITS)
        roll = rng.random()
        if roll < 0.2:
            w.fact(pairs, brand, "l2:typicalTrait", _lang(trait), trait, owner)
        elif roll < 0.6:  # an author's characterisation only
            w.claim(brand, "l2:typicalTrait", _lang(trait), trait, status="l2:opinion")
            w.count("unasserted claims")
        w.write(w.entities, brand, pairs)
        w.count("l2:Brand")

    # ---------------------------------------------------------------- people and roles
    reverse_ceo = {person.iri: iri for iri, person in ceos.items()}
    by_iri = {c.iri: c for c in companies}
    orgs: list[Entity] = clients + companies
    photographers: list[Entity] = []
    for person in people:
        pairs = [("a", "l2:Person"), ("rdfs:label", _lang(person.label))]
        if person.iri in reverse_ceo:
            company = by_iri[reverse_ceo[person.iri]]
            w.fact(pairs, person, "l2:chiefExecutiveOf", company.iri, company.label, company)
        elif person.iri in journalist_iris:
            if rng.random() < 0.2:
                pub = rng.choice(publications)
                w.fact(pairs, person, "l2:editorOf", pub.iri, pub.label)
            for pub in rng.sample(publications, min(len(publications), rng.randint(1, 3))):
                w.fact(pairs, person, "l2:contributorTo", pub.iri, pub.label)
            years = rng.randint(2, 40)
            w.fact(pairs, person, "l2:yearsOfJournalismExperience", str(years), str(years))
            if rng.random() < 0.5:
                year = str(rng.choice(_YEARS))
                w.fact(
                    pairs, person, "l2:startedInPhotographicIndustry", _typed(year, "gYear"), year
                )
        else:
            for org in rng.sample(orgs, rng.randint(1, 3)):
                w.fact(pairs, person, "l2:photographedFor", org.iri, org.label)
            for brand in rng.sample(brands, rng.randint(1, 2)):
                w.fact(pairs, person, "l2:shootsWith", brand.iri, brand.label)
            if rng.random() < 0.1:
                org = rng.choice(orgs)
                w.fact(pairs, person, "l2:principalPhotographerFor", org.iri, org.label)
            if rng.random() < 0.1:
                event = rng.choice(events)
                w.fact(pairs, person, "l2:judgeFor", event.iri, event.label)
            if rng.random() < 0.2:
                event = rng.choice(events)
                w.fact(pairs, person, "l2:presentedAt", event.iri, event.label)
            if photographers and rng.random() < 0.15:
                mentor = rng.choice(photographers)
                w.fact(pairs, person, "l2:assistantTo", mentor.iri, mentor.label)
            if photographers and rng.random() < 0.05:
                before = rng.choice(photographers)
                w.fact(pairs, person, "l2:succeeded", before.iri, before.label)
            photographers.append(person)
        w.write(w.entities, person, pairs)
        w.count("l2:Person")

    # ---------------------------------------------------------------- product lines
    lines = [
        (Entity("id:l-mount-series", "L-mount series of mirrorless cameras"), None, mounts[0],
         [leica, panasonic, sigma]),
        (Entity("id:leica-sl-line-up", "Leica SL camera line-up"), brands[0], None, []),
    ]  # fmt: skip
    for number in range(_scaled(target, 330, 1)):
        brand = rng.choice(brands)
        series = rng.choice(_SERIES)
        line = Entity(
            f"id:{brand.slug}-{series.lower()}-series-{number}", f"{brand.label} {series} series"
        )
        maker = brand.owner or rng.choice(companies)
        mount = rng.choice(maker.mounts) if rng.random() < 0.8 else None
        joint = rng.sample(companies, 2) if rng.random() < 0.15 else []
        lines.append((line, brand, mount, joint))
    for line, brand, mount, joint in lines:
        ctx = brand.owner if brand else None
        pairs = [("a", "l2:ProductLine"), ("rdfs:label", _lang(line.label))]
        if brand is not None:
            w.fact(pairs, line, "l2:brand", brand.iri, brand.label, ctx)
        if mount is not None:
            w.fact(pairs, line, "l2:mount", mount.iri, mount.label, ctx)
        for company in joint:
            w.fact(pairs, line, "l2:jointlyDevelopedBy", company.iri, company.label, company)
        w.write(w.entities, line, pairs)
        w.count("l2:ProductLine")
    w.mounts, w.sensors = mounts, sensors


class _Bodies:
    """Camera bodies, added one at a time until the graph reaches its size."""

    def __init__(self, world: _World) -> None:
        self.w = world
        self.rng = world.rng
        brands: list[Brand] = world.brands
        # A few big makers and many small ones, as in the real market.
        self.brand_weights = [1.0 / (1 + i) ** 0.8 for i in range(len(brands))]
        self.originals: list[Body] = []
        self.panasonic_originals: list[Body] = []
        self.sourcing: set[tuple[str, str]] = set()
        self.number = 0
        by_iri = {b.iri: b for b in brands}
        self.leica, self.lumix, self.panasonic = (
            by_iri["id:brand-leica"],
            by_iri["id:brand-lumix"],
            by_iri["id:brand-panasonic"],
        )

    def anchors(self) -> None:
        """The shipped graph's bodies, so the stored queries find their named entities."""
        w, p = self.w, self.panasonic
        s1r = self.original(Body("id:panasonic-s1r", "Panasonic S1R", p, p.owner,
                                 "l2:MirrorlessCamera"))  # fmt: skip
        lx100 = self.original(Body("id:panasonic-lx100-ii", "Panasonic LX100 II", p, p.owner,
                                   "l2:CompactCamera"))  # fmt: skip
        self.rebadge(Entity("id:leica-sl2", "Leica SL2"), self.leica, s1r)
        self.rebadge(Entity("id:leica-d-lux-7", "Leica D-Lux 7"), self.leica, lx100)
        joint = Entity("id:leica-panasonic-joint-camera", "Leica–Panasonic joint mirrorless camera")
        pairs = [("a", "l2:MirrorlessCamera"), ("rdfs:label", _lang(joint.label))]
        for company in (p.owner, self.leica.owner):
            w.fact(pairs, joint, "l2:jointlyDevelopedBy", company.iri, company.label, company)
        w.fact(pairs, joint, "l2:plannedReleaseYear", _typed("2023", "gYear"), "2023", p.owner)
        w.fact(pairs, joint, "l2:firstProductOf", "id:l2-technology", "L² Technology", p.owner)
        self.speculate(joint, p.owner)
        w.write(w.products, joint, pairs)
        w.count("bodies")

    def speculate(self, body: Entity, maker: Company) -> None:
        """Guesses about a planned body: never asserted."""
        w, rng = self.w, self.rng
        mount = rng.choice(maker.mounts)
        sensor = w.sensors[0]
        w.claim(body, "l2:mount", mount.iri, mount.label, context=maker, status="l2:speculative",
                quote=f"the {body.label} will almost certainly use the {mount.label}")  # fmt: skip
        w.claim(body, "l2:sensorFormat", sensor.iri, sensor.label, context=maker,
                status="l2:speculative",
                quote=f"please have a {sensor.label} sensor in the {body.label}")  # fmt: skip
        w.count("unasserted claims", 2)

    def original(self, body: Body) -> Body:
        """Write a body that is not a rebadge: brand, maker, mount, sensor, features."""
        w, rng = self.w, self.rng
        maker = body.maker
        pairs = [("a", body.kind), ("rdfs:label", _lang(body.label))]
        w.fact(pairs, body, "l2:brand", body.brand.iri, body.brand.label, maker)
        w.fact(pairs, body, "l2:manufacturer", maker.iri, maker.label, maker)
        planned = rng.random() < 0.04
        if planned:
            year = str(rng.randint(2025, 2027))
            w.fact(pairs, body, "l2:plannedReleaseYear", _typed(year, "gYear"), year, maker)
            self.speculate(body, maker)
        elif body.kind != "l2:CompactCamera":
            mount = rng.choice(maker.mounts)
            w.fact(pairs, body, "l2:mount", mount.iri, mount.label, maker)
        if rng.random() < 0.8:
            if body.kind == "l2:CompactCamera":
                sensor = w.sensors[rng.choice((1, 3))]
            else:
                sensor = w.sensors[rng.choice((0, 0, 1, 1, 2, 4))]
            w.fact(pairs, body, "l2:sensorFormat", sensor.iri, sensor.label, maker)
        features = rng.sample(_FEATURES, rng.randint(0, 3))
        for text in features[:-1] if features else ():
            w.fact(pairs, body, "l2:feature", _lang(text), text, maker)
        if features and rng.random() < 0.3:  # the last one is only asked about
            w.claim(body, "l2:feature", _lang(features[-1]), features[-1], context=maker,
                    status="l2:question",
                    quote=f"will the {body.label} get {features[-1]}?")  # fmt: skip
            w.count("unasserted claims")
        if rng.random() < 0.02:
            partner = rng.choice(w.companies)
            if partner is not maker:
                for company in (maker, partner):
                    w.fact(pairs, body, "l2:jointlyDevelopedBy", company.iri, company.label,
                           company)  # fmt: skip
        if rng.random() < 0.002:
            alliance = rng.choice(w.alliances)
            w.fact(pairs, body, "l2:firstProductOf", alliance.iri, alliance.label, maker)
        w.write(w.products, body, pairs)
        w.count("bodies")
        self.originals.append(body)
        if maker.iri == "id:panasonic":
            self.panasonic_originals.append(body)
        return body

    def rebadge(self, body: Entity, brand: Brand, of: Body) -> None:
        """Write a rebadge of ``of`` under ``brand`` (a different brand); never of a rebadge."""
        w = self.w
        ctx = brand.owner or of.maker
        pairs = [("a", of.kind), ("rdfs:label", _lang(body.label))]
        w.fact(pairs, body, "l2:brand", brand.iri, brand.label, ctx)
        w.fact(pairs, body, "l2:rebadgeOf", of.iri, of.label, ctx)
        w.write(w.products, body, pairs)
        w.count("bodies")
        w.count("rebadges")
        pair = (brand.iri, of.maker.iri)
        if pair not in self.sourcing and self.rng.random() < 0.5:
            self.sourcing.add(pair)
            sourcing = [("l2:sourcesBodiesFrom", of.maker.iri)]
            w.claim(brand, "l2:sourcesBodiesFrom", of.maker.iri, of.maker.label, context=ctx)
            w.count("facts")
            w.products.add(_block(brand.iri, sourcing), 1)

    def add(self) -> None:
        """One more body: an original, or (one in ten) a rebadge of an earlier original."""
        rng = self.rng
        self.number += 1
        n = self.number
        if rng.random() < 0.1 and len(self.originals) > 10:
            if rng.random() < 0.3 and self.panasonic_originals:
                of, brand = rng.choice(self.panasonic_originals), self.leica
            else:
                of = rng.choice(self.originals)
                brand = rng.choices(self.w.brands, self.brand_weights)[0]
                if brand is of.brand:
                    return  # a rebadge under its own brand is no rebadge; try again
            model = f"{rng.choice(_SERIES)}{n}"
            self.rebadge(Entity(f"id:{brand.slug}-{model.lower()}", f"{brand.label} {model}"),
                         brand, of)  # fmt: skip
            return
        brand = rng.choices(self.w.brands, self.brand_weights)[0]
        maker = brand.owner or rng.choice(self.w.companies)
        kind = rng.choices(
            ("l2:MirrorlessCamera", "l2:CompactCamera", "l2:CameraBody"), (55, 25, 20)
        )[0]
        model = f"{rng.choice(_SERIES)}{n}" + rng.choice(("", "", " II", " Mark III", "R"))
        slug = model.lower().replace(" ", "-")
        self.original(Body(f"id:{brand.slug}-{slug}", f"{brand.label} {model}", brand, maker, kind))


def count_ontology_triples(path: Path) -> int:
    """Triples in the ontology file (it is part of the built graph)."""
    import pyoxigraph as ox

    return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def generate(
    directory: Path | str,
    triples: int,
    seed: int = DEFAULT_SEED,
    *,
    source: Path | str = REPO,
) -> GeneratedProject:
    """Write a synthetic l2graph project of about ``triples`` asserted triples.

    Args:
        directory: where to write the project (created; its ``data/`` is replaced).
        triples: the target count of asserted triples, ontology included.
        seed: the random seed; the same seed and size give byte-identical files.
        source: the project whose ``ontology/`` and ``queries/`` are copied.

    Returns:
        A :class:`GeneratedProject` with the exact triple count written.
    """
    if triples < MINIMUM_TRIPLES:
        raise ValueError(f"at least {MINIMUM_TRIPLES} triples are needed, not {triples}")
    started = time.perf_counter()
    home, source = Path(directory), Path(source)
    home.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "queries"):
        shutil.rmtree(home / name, ignore_errors=True)
        shutil.copytree(source / name, home / name)
    data = home / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()

    world = _World(data, seed, count_ontology_triples(home / "ontology" / "l2graph.ttl"))
    _write_world(world, triples)
    bodies = _Bodies(world)
    bodies.anchors()
    while world.total < triples:
        bodies.add()
    for files in (world.entities, world.products, world.claims):
        files.flush()
    paths = tuple(world.entities.paths + world.products.paths + world.claims.paths)
    return GeneratedProject(
        home=home,
        triples=world.total,
        seed=seed,
        files=paths,
        counts=dict(sorted(world.counts.items())),
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.generate DIR --triples N [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    project = generate(args.directory, args.triples, args.seed)
    print(
        f"{project.home}: {project.triples} triples in {len(project.files)} files "
        f"({project.seconds:.1f}s); {project.counts}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
