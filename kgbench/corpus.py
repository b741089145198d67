"""A synthetic corpus of French business news, with gold facts, for benchmarks at any size.

Articles are written from templates over a deterministic *world*: company ``k`` always has the
same name, chief executive, founder, head office, founding year, revenue and business ties, so
facts repeat consistently across articles (what entity resolution meets in a real archive),
while article ``i`` picks its company, its story and its phrasings from a random generator
seeded by ``(seed, i)``. Article ``i`` is therefore the same whatever the corpus size: the first
1,000 articles of a 20,000-article corpus are the 1,000-article corpus.

Each article comes with gold in the ``eval/gold`` format (entities, relations with their tier,
traps for negated or planned facts, attributes), so a build of a generated corpus is scored with
:func:`kg.evaluate.evaluate` like the hand-annotated seeds.

>>> article = next(iter(generate(1, seed=7)))
>>> article.name, article.gold["document"] == article.name
('gen-000000.txt', True)
>>> article == next(iter(generate(5, seed=7)))
True
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.io import write_text_atomic

__all__ = ["Article", "generate", "write_corpus"]

# ---------------------------------------------------------------------------------------------
# Lexicons. Company and fund names are invented; cities and schools are real places and schools.

FEMALE = (
    "Claire",
    "Sophie",
    "Camille",
    "Julie",
    "Isabelle",
    "Nathalie",
    "Céline",
    "Aurélie",
    "Émilie",
    "Hélène",
    "Laure",
    "Marion",
    "Pauline",
    "Sandrine",
    "Valérie",
    "Anne",
    "Caroline",
    "Delphine",
    "Florence",
    "Juliette",
    "Manon",
    "Mathilde",
    "Élodie",
    "Agnès",
    "Béatrice",
    "Catherine",
    "Charlotte",
    "Clémence",
    "Inès",
    "Léa",
)
MALE = (
    "Thomas",
    "Nicolas",
    "Julien",
    "Pierre",
    "François",
    "Laurent",
    "Olivier",
    "Antoine",
    "Mathieu",
    "Sébastien",
    "Guillaume",
    "Vincent",
    "Benoît",
    "Christophe",
    "Philippe",
    "Jérôme",
    "Arnaud",
    "Damien",
    "Frédéric",
    "Hugo",
    "Louis",
    "Maxime",
    "Romain",
    "Stéphane",
    "Xavier",
    "Yann",
    "Alexandre",
    "Bertrand",
    "Cédric",
    "Étienne",
)
SURNAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Garnier",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Chevalier",
    "Gauthier",
    "Perrin",
    "Morel",
    "Roussel",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
)
CITIES = (
    "Paris",
    "Lyon",
    "Marseille",
    "Toulouse",
    "Bordeaux",
    "Lille",
    "Nantes",
    "Rennes",
    "Strasbourg",
    "Montpellier",
    "Nice",
    "Grenoble",
    "Rouen",
    "Brest",
    "Dijon",
    "Angers",
    "Tours",
    "Reims",
    "Clermont-Ferrand",
    "Metz",
    "Nancy",
    "Limoges",
    "Poitiers",
    "Orléans",
    "Caen",
    "Amiens",
    "Annecy",
    "Pau",
    "Bayonne",
    "Toulon",
)
SCHOOLS = (
    ("HEC", ("HEC",)),
    ("l'ESSEC", ("ESSEC",)),
    ("Polytechnique", ("Polytechnique",)),
    ("Sciences Po", ("Sciences Po",)),
    ("l'EDHEC", ("EDHEC",)),
    ("l'INSEAD", ("INSEAD",)),
    ("l'EPITA", ("EPITA",)),
    ("l'Université Paris Dauphine", ("Université Paris Dauphine",)),
)
_PREFIXES = (
    "Nexo",
    "Data",
    "Alti",
    "Cyber",
    "Verdi",
    "Opti",
    "Lumi",
    "Quanti",
    "Agri",
    "Medi",
    "Fina",
    "Logi",
    "Axo",
    "Néo",
    "Veri",
    "Clima",
    "Hexa",
    "Kera",
    "Sola",
    "Vita",
    "Arka",
    "Bio",
    "Elec",
    "Hydro",
    "Indu",
    "Kap",
    "Mobi",
    "Nova",
    "Pixa",
    "Robo",
    "Senso",
    "Terra",
    "Urba",
    "Velo",
    "Wata",
    "Zeni",
    "Cogi",
    "Dyna",
    "Ecla",
    "Fluxo",
)
_SUFFIXES = (
    "lia",
    "tech",
    "ris",
    "vance",
    "flow",
    "mind",
    "sys",
    "gen",
    "way",
    "pulse",
    "wave",
    "lab",
    "sense",
    "scale",
    "nity",
    "ware",
    "grid",
    "form",
    "matic",
    "trust",
    "line",
    "soft",
    "dis",
    "cap",
    "tika",
    "vox",
    "ria",
    "nov",
    "lis",
    "com",
)
_FUND_WORDS = (
    "Boréal",
    "Cassiopée",
    "Ardoise",
    "Mistral",
    "Orsay",
    "Vauban",
    "Sextant",
    "Azimut",
    "Galilée",
    "Alizé",
    "Granit",
    "Hermine",
    "Iroise",
    "Lancelot",
    "Méridien",
    "Olympe",
    "Phénix",
    "Quartz",
    "Sirocco",
    "Tramontane",
)
_FUND_KINDS = ("Capital", "Ventures", "Partners", "Investissement", "Gestion")
SECTORS = (
    "la cybersécurité",
    "l'intelligence artificielle",
    "la logistique urbaine",
    "l'agritech",
    "la santé connectée",
    "la fintech",
    "l'énergie solaire",
    "la robotique industrielle",
    "le recrutement en ligne",
    "la mobilité électrique",
    "l'hébergement cloud",
    "la cosmétique bio",
)
DESCRIPTORS = ("La start-up", "La société", "L'entreprise", "La jeune pousse")
CEO_TITLES = {
    "F": ("PDG", "directrice générale", "CEO"),
    "M": ("PDG", "directeur général", "CEO"),
}
JOB_TITLES = {
    "F": ("directrice financière", "directrice commerciale", "directrice technique"),
    "M": ("directeur financier", "directeur commercial", "directeur technique"),
}

N_COMPANIES = len(_PREFIXES) * len(_SUFFIXES)
N_FUNDS = len(_FUND_WORDS) * len(_FUND_KINDS)


# ---------------------------------------------------------------------------------------------
# The world


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "F" or "M": French agreement of titles and participles

    @property
    def id(self) -> str:
        return _key(self.name)

    def agree(self, word: str) -> str:
        """``"nommé"`` → ``"nommée"`` for a woman."""
        return word + "e" if self.gender == "F" else word


@dataclass(frozen=True)
class Company:
    """Company ``k`` of the world: every field is a pure function of ``k``."""

    index: int
    name: str
    ceo: Person
    founder: Person
    cfo: Person
    city: str
    founded: int
    revenue_m: int  # millions of euros
    employees: int
    sector: str
    school: tuple[str, tuple[str, ...]]

    @property
    def id(self) -> str:
        return _key(self.name)


def company_name(k: int) -> str:
    """
    >>> company_name(0), company_name(41)
    ('Nexolia', 'Datatech')
    """
    return _PREFIXES[k % len(_PREFIXES)] + _SUFFIXES[(k // len(_PREFIXES)) % len(_SUFFIXES)]


def fund_name(k: int) -> str:
    """
    >>> fund_name(0)
    'Boréal Capital'
    """
    k %= N_FUNDS
    return f"{_FUND_WORDS[k % len(_FUND_WORDS)]} {_FUND_KINDS[k // len(_FUND_WORDS)]}"


def _person(rng: random.Random) -> Person:
    gender = rng.choice("FM")
    first = rng.choice(FEMALE if gender == "F" else MALE)
    return Person(f"{first} {rng.choice(SURNAMES)}", gender)


def company(k: int) -> Company:
    """The company of index ``k`` (stable across corpora and seeds)."""
    rng = random.Random(f"company:{k}")
    people = [_person(rng) for _ in range(3)]
    while len({p.name for p in people}) < 3:
        people = [_person(rng) for _ in range(3)]
    return Company(
        index=k,
        name=company_name(k),
        ceo=people[0],
        founder=people[1],
        cfo=people[2],
        city=rng.choice(CITIES),
        founded=rng.randrange(1995, 2021),
        revenue_m=rng.choice((2, 4, 7, 12, 18, 25, 40, 65, 90, 150, 240, 480)),
        employees=rng.choice((12, 25, 40, 60, 85, 120, 180, 250, 400, 750, 1200)),
        sector=rng.choice(SECTORS),
        school=rng.choice(SCHOOLS),
    )


def partner_index(k: int, salt: str) -> int:
    """Another company tied to ``k`` (its partner, target, supplier, parent), fixed by ``k``."""
    other = random.Random(f"{salt}:{k}").randrange(N_COMPANIES - 1)
    return other + 1 if other >= k else other


# ---------------------------------------------------------------------------------------------
# Articles


@dataclass
class Article:
    """One generated article: its file name, text and gold annotations."""

    name: str
    text: str
    gold: dict[str, Any]


@dataclass
class _Draft:
    """An article being written: sentences plus the gold they state."""

    rng: random.Random
    sentences: list[str] = field(default_factory=list)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    relations: list[dict[str, str]] = field(default_factory=list)
    acceptable: list[dict[str, str]] = field(default_factory=list)
    traps: list[dict[str, str]] = field(default_factory=list)
    attributes: list[dict[str, Any]] = field(default_factory=list)

    def entity(self, name: str, kind: str, *names: str) -> str:
        key = _key(name)
        self.entities.setdefault(key, {"id": key, "type": kind, "names": [name, *names]})
        return key

    def person(self, person: Person) -> str:
        return self.entity(person.name, "Person")

    def org(self, name: str) -> str:
        return self.entity(name, "Organization")

    def place(self, name: str) -> str:
        return self.entity(name, "Place")

    def fact(self, subject: str, predicate: str, obj: str, sentence: str, tier: str) -> None:
        self.relations.append(
            {
                "subject": subject,
                "predicate": predicate,
                "object": obj,
                "tier": tier,
                "evidence": sentence,
            }
        )

    def trap(self, subject: str, predicate: str, obj: str, why: str) -> None:
        self.traps.append({"subject": subject, "predicate": predicate, "object": obj, "why": why})

    def attribute(self, subject: str, prop: str, value: float, unit: str) -> None:
        self.attributes.append({"subject": subject, "property": prop, "value": value, "unit": unit})

    def say(self, sentence: str) -> str:
        self.sentences.append(sentence)
        return sentence

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)


def _money(millions: float) -> str:
    """French spelling of an amount given in millions of euros.

    >>> _money(12), _money(1.5), _money(0.8), _money(2400)
    ("12 millions d'euros", "1,5 million d'euros", '800 000 euros', "2,4 milliards d'euros")
    """
    if millions >= 1000:
        value = f"{millions / 1000:g}".replace(".", ",")
        return f"{value} milliard{'s' if millions >= 2000 else ''} d'euros"
    if millions < 1:
        return f"{int(millions * 1000)} 000 euros"
    value = f"{millions:g}".replace(".", ",")
    return f"{value} million{'s' if millions >= 2 else ''} d'euros"


def de(name: str) -> str:
    """``de`` before a name, elided before a vowel.

    >>> de("Nexolia"), de("Axocom"), de("Élan")
    ('de Nexolia', "d'Axocom", "d'Élan")
    """
    return f"d'{name}" if _key(name[:1]) in set("aeiouy") else f"de {name}"


def _key(name: str) -> str:
    """A gold id: lower-case ASCII words joined by ``_``.

    >>> _key("Cassiopée Ventures")
    'cassiopee_ventures'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "_".join("".join(c if c.isalnum() else " " for c in ascii_name.lower()).split())


# Each story writes the lead of an article about company ``c`` and returns its title.
Story = Callable[[_Draft, Company], str]


def _funding(d: _Draft, c: Company) -> str:
    fund = fund_name(partner_index(c.index, "fund"))
    amount = d.rng.choice((1.5, 3, 5, 8, 12, 20, 35, 60))
    o, f = d.org(c.name), d.org(fund)
    d.attribute(o, "fundsRaised", amount * 1e6, "EUR")
    lead = d.pick(
        f"{c.name} lève {_money(amount)} auprès de {fund}.",
        f"La start-up {c.name} a levé {_money(amount)} auprès du fonds {fund}.",
        f"{c.name} boucle un tour de table de {_money(amount)} mené par {fund}.",
    )
    d.fact(f, "investedIn", o, d.say(lead), "explicit")
    return f"{c.name} lève {_money(amount)}"


def _acquisition(d: _Draft, c: Company) -> str:
    target = company(partner_index(c.index, "target"))
    o, t = d.org(c.name), d.org(target.name)
    lead = d.pick(
        f"{c.name} rachète {target.name}, spécialiste de {target.sector}.",
        f"{c.name} a finalisé le rachat {de(target.name)}.",
        f"Le groupe {c.name} met la main sur {target.name}.",
        f"{target.name} a été rachetée par {c.name} pour un montant non communiqué.",
    )
    d.fact(o, "acquired", t, d.say(lead), "explicit")
    sentence = d.say(f"{target.name}, basée à {target.city}, emploie {target.employees} salariés.")
    d.fact(t, "headquarteredIn", d.place(target.city), sentence, "explicit")
    d.attribute(t, "employees", target.employees, "persons")
    return f"{c.name} s'offre {target.name}"


def _partnership(d: _Draft, c: Company) -> str:
    other = company(partner_index(c.index, "partner"))
    o, p = d.org(c.name), d.org(other.name)
    lead = d.pick(
        f"{c.name} signe un partenariat stratégique avec {other.name}.",
        f"{c.name} s'allie à {other.name} pour accélérer en Europe.",
        f"{c.name} et {other.name} ont signé un accord de distribution.",
        f"{c.name} noue une alliance commerciale avec la société {other.name}.",
    )
    d.fact(o, "partnerOf", p, d.say(lead), "explicit")
    return f"Alliance entre {c.name} et {other.name}"


def _client(d: _Draft, c: Company) -> str:
    supplier = company(partner_index(c.index, "supplier"))
    o, s = d.org(c.name), d.org(supplier.name)
    lead = d.pick(
        f"{c.name} a choisi la plateforme {de(supplier.name)} pour gérer ses données.",
        f"{supplier.name} compte désormais {c.name} parmi ses clients.",
        f"{c.name} est devenue cliente {de(supplier.name)}.",
    )
    d.fact(o, "clientOf", s, d.say(lead), "explicit")
    return f"{c.name} mise sur {supplier.name}"


def _appointment(d: _Draft, c: Company) -> str:
    p, o = d.person(c.ceo), d.org(c.name)
    title = d.rng.choice(CEO_TITLES[c.ceo.gender][1:2])
    lead = d.pick(
        f"{c.ceo.name} a été {c.ceo.agree('nommé')} {title} {de(c.name)}.",
        f"{c.ceo.name} prend la tête {de(c.name)}.",
    )
    d.fact(p, "ceoOf", o, d.say(lead), "explicit")
    return f"{c.name} : {c.ceo.name} aux commandes"


STORIES: tuple[Story, ...] = (_funding, _acquisition, _partnership, _client, _appointment)


def _profile(d: _Draft, c: Company, story: Story) -> None:
    """Who founded and runs the company, where it is, what it weighs."""
    o = d.org(c.name)
    city, founder = d.place(c.city), d.person(c.founder)
    descriptor = d.rng.choice(DESCRIPTORS)
    sentence = d.say(
        d.pick(
            f"{descriptor}, fondée en {c.founded} par {c.founder.name}, est basée à {c.city}.",
            f"Basée à {c.city}, {c.name} a été fondée en {c.founded} par {c.founder.name}.",
            f"{c.founder.name} a fondé {c.name} en {c.founded} à {c.city}.",
        )
    )
    tier = "inferred" if sentence.startswith(descriptor) else "explicit"
    d.fact(founder, "founderOf", o, sentence, tier)
    if "asée" in sentence:
        d.fact(o, "headquarteredIn", city, sentence, tier)
    else:  # "fondé … à Lyon" says where it was born, most likely where it still is
        d.acceptable.append({"subject": o, "predicate": "headquarteredIn", "object": city})
    d.attribute(o, "foundingYear", c.founded, "year")
    if story is not _appointment:
        ceo = d.person(c.ceo)
        title = d.rng.choice(CEO_TITLES[c.ceo.gender])
        boss = "La directrice générale" if c.ceo.gender == "F" else "Le directeur général"
        sentence = d.say(
            d.pick(
                "« Nous voulons doubler de taille d'ici trois ans », "
                f"explique {c.ceo.name}, {title} {de(c.name)}.",
                f"{c.name} est dirigée depuis {c.founded + 3} par {c.ceo.name}.",
                f"{boss} {de(c.name)}, {c.ceo.name}, vise désormais l'international.",
            )
        )
        d.fact(ceo, "ceoOf", o, sentence, "explicit")
    sentence = d.say(
        d.pick(
            f"{descriptor} affiche un chiffre d'affaires de {_money(c.revenue_m)} "
            f"et emploie {c.employees} salariés.",
            f"{c.name} a réalisé un chiffre d'affaires de {_money(c.revenue_m)} l'an dernier.",
        )
    )
    d.attribute(o, "revenue", c.revenue_m * 1e6, "EUR")
    if "emploie" in sentence:
        d.attribute(o, "employees", c.employees, "persons")


def _color(d: _Draft, c: Company) -> None:
    """Optional sentences: a second manager, a school, a denial, a plan."""
    o = d.org(c.name)
    if d.rng.random() < 0.5:
        cfo = d.person(c.cfo)
        title = d.rng.choice(JOB_TITLES[c.cfo.gender])
        sentence = d.say(
            f"{c.cfo.name}, {title} {de(c.name)}, précise que la croissance reste rentable."
        )
        d.fact(cfo, "worksFor", o, sentence, "explicit")
    if d.rng.random() < 0.3:
        school, names = c.school
        s = d.entity(names[0], "Organization", *names[1:])
        sentence = d.say(
            f"{c.founder.name}, {c.founder.agree('diplômé')} de {school}, "
            f"a longtemps travaillé dans {c.sector}."
        )
        d.fact(d.person(c.founder), "alumnusOf", s, sentence, "explicit")
    if d.rng.random() < 0.35:
        rival = company(partner_index(c.index, "rival"))
        r = d.org(rival.name)
        d.say(
            d.pick(
                f"Contrairement aux rumeurs, {c.name} n'a pas racheté {rival.name}.",
                f"{c.name} dément tout rachat {de(rival.name)}.",
            )
        )
        d.trap(o, "acquired", r, "negated")
    if d.rng.random() < 0.3:
        fund = fund_name(partner_index(c.index, "suitor"))
        f = d.org(fund)
        d.say(
            d.pick(
                f"Le fonds {fund} n'a jamais investi dans {c.name}, précise la direction.",
                f"{fund} pourrait investir dans {c.name} l'an prochain.",
            )
        )
        d.trap(f, "investedIn", o, "negated or planned")
    if d.rng.random() < 0.4:
        d.say(f"{DESCRIPTORS[0]} prévoit de recruter une cinquantaine de personnes cette année.")


BACKGROUND = (
    "Le marché de {sector} progresse de {pct} % par an selon les analystes du secteur.",
    "Les clients historiques, surtout des PME et des collectivités, représentent "
    "encore l'essentiel de l'activité.",
    "Le contexte reste pourtant tendu, entre la hausse des taux d'intérêt et la "
    "pénurie de profils qualifiés.",
    "L'opération doit permettre d'accélérer le développement commercial et de "
    "renforcer les équipes de recherche.",
    "« Nous avons construit une offre simple, que nos clients adoptent en quelques "
    "semaines », résume la direction.",
    "La concurrence s'intensifie sur {sector}, où de nombreux acteurs cherchent à "
    "atteindre la taille critique.",
    "Les premiers résultats sont jugés encourageants, avec une marge opérationnelle "
    "en nette amélioration.",
    "Une partie des fonds servira à ouvrir de nouveaux marchés en Europe d'ici deux ans.",
    "Les salariés ont été informés du projet lors d'une réunion interne la semaine dernière.",
    "Plusieurs recrutements sont prévus dans les fonctions commerciales et "
    "techniques d'ici la fin de l'année.",
    "Le secteur a connu une vague de consolidation depuis deux ans, portée par des "
    "investisseurs en quête de rendement.",
    "La direction se dit confiante, tout en reconnaissant que la rentabilité reste à consolider.",
)


def _background(d: _Draft, c: Company) -> None:
    """Sentences that name no entity: the bulk of a real article."""
    for line in d.rng.sample(BACKGROUND, d.rng.randint(3, 6)):
        d.say(line.format(sector=c.sector, pct=d.rng.randint(4, 25)))


def article(index: int, seed: int = 0) -> Article:
    """Article number ``index`` of the corpus of ``seed``."""
    rng = random.Random(f"article:{seed}:{index}")
    c = company(rng.randrange(N_COMPANIES))
    d = _Draft(rng)
    story = rng.choice(STORIES)
    title = story(d, c)
    _profile(d, c, story)
    _background(d, c)
    _color(d, c)
    name = f"gen-{index:06d}.txt"
    text = title + "\n\n" + " ".join(d.sentences) + "\n"
    gold = {
        "document": name,
        "entities": list(d.entities.values()),
        "relations": d.relations,
        "acceptable": d.acceptable,
        "traps": d.traps,
        "attributes": d.attributes,
    }
    return Article(name, text, gold)


def generate(n: int, *, seed: int = 0, start: int = 0) -> Iterator[Article]:
    """Articles ``start`` … ``start + n - 1`` of the corpus of ``seed``, lazily."""
    for index in range(start, start + n):
        yield article(index, seed)


def write_corpus(
    out_dir: str | Path, n: int, *, seed: int = 0, gold_dir: str | Path | None = None
) -> list[Path]:
    """Write ``n`` articles as ``out_dir/gen-NNNNNN.txt`` (and their gold as JSON in
    ``gold_dir`` when given); return the text paths. Files already identical are left alone, so
    a second call does not disturb an incremental build."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for item in generate(n, seed=seed):
        path = out / item.name
        if not path.is_file() or path.read_text(encoding="utf-8") != item.text:
            write_text_atomic(path, item.text)
        paths.append(path)
        if gold_dir is not None:
            gold_path = Path(gold_dir) / item.name.replace(".txt", ".json")
            write_text_atomic(gold_path, json.dumps(item.gold, ensure_ascii=False, indent=1) + "\n")
    return paths
