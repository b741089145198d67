"""Named mentions: spaCy's entities, cleaned, retyped and completed by a few French rules.

The NER model gives PER/ORG/LOC/MISC spans with junk in them ("G.B. Je", "Odoo sur les
applicatifs", "Objectif"); this module trims them, drops junk, retypes what context proves
("la société X", "X (40 salariés)"), and adds what the model misses: domain-named companies
("Showroomprivé.com"), acronyms defined in parentheses ("INT (Institut National des Télécoms)"),
names after an organization head noun ("l'application Doktr"), interview initials ("G.B.").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from spacy.attrs import IDX
from spacy.tokens import Doc, Span, Token

from ..naming import match_key, org_key, strip_accents, strip_elision, strip_legal_words
from ..nlp import doc_text, tokens_in
from .lexicon import Lexicon, _alternation, typing_regex

__all__ = ["Slot", "find_named_slots", "initials_of"]


@dataclass(frozen=True)
class Slot:
    """A span that refers to an entity: a name, a description, a pronoun, a demonym.

    ``name`` is the entity's name (for a description, the name it was resolved to) and ``via``
    says how the span refers: ``name``, ``initials``, ``description``, ``pronoun``, ``we``,
    ``demonym``.
    """

    start: int
    end: int
    type: str
    name: str
    via: str = "name"
    aliases: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        if self.type == "Demonym":
            return "R" if self.via == "region-demonym" else "D"
        return {"Person": "P", "Organization": "O", "Place": "L"}[self.type]

    @property
    def is_named(self) -> bool:
        return self.via in {"name", "initials"}


_LABELS = {"PER": "Person", "ORG": "Organization", "LOC": "Place", "GPE": "Place"}
_DOMAIN = re.compile(r"\b[\w-]{2,}\.(?:com|fr|net|io|be|eu|org|co|ai|ch|ca)\b", re.IGNORECASE)
_ACRONYM_DEF = re.compile(r"\b([A-Z][A-Z&]{1,7})\s*\(\s*([^()]{4,80}?)\s*\)")
_INITIALS = re.compile(r"(?<![\w.])((?:[A-Z]\.\s?-?){2,3})(?=[\s,:;!?)]|$)")
_CAPS_NAME = re.compile(
    r"(?<![\w'’-])([A-ZÀ-Ý][A-ZÀ-Ý'’-]+(?:\s+[A-ZÀ-Ý][A-ZÀ-Ý'’-]+){0,2})\s*[.:]\s+(?=[A-ZÀ-Ý«\"“])"
)
_QUESTION = re.compile(r"[^.?!]*\?")
_LEADING = re.compile(r"^(?:(?:l|d|L|D|qu|Qu)['’]\s*|(?:le|la|les|Le|La|Les)\s+)")


def initials_of(name: str) -> str:
    """Initials of a person's name.

    >>> initials_of("Jean-Guillaume Burlet"), initials_of("Gilles Bertin")
    ('JGB', 'GB')
    """
    return "".join(part[0].upper() for part in re.split(r"[\s-]+", name) if part[:1].isalpha())


def content_initials(name: str) -> str:
    """The initials of a name's content words, accents aside: the acronym it would have.

    >>> content_initials("Caisse de prévoyance des artisans"), content_initials("École d'Arts")
    ('CPA', 'EA')
    """
    words = [
        w
        for w in re.split(r"[\s'’]+", name)
        if w.lower() not in _FUNCTION_WORDS and w[:1].isalpha()
    ]
    return strip_accents("".join(w[0] for w in words)).upper()


def _display(text: str) -> str:
    """Title-case an all-caps person name: "GILLES BERTIN" → "Gilles Bertin"."""
    if text.isupper() and len(text) > 4 and " " in text:
        return " ".join(w.capitalize() if w.isalpha() else w.title() for w in text.split())
    return text


_FUNCTION_WORDS = {
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "l",
    "d",
    "et",
    "pour",
    "en",
    "à",
    "au",
    "aux",
}
_FUNCTION_POS = {"ADP", "CCONJ", "SCONJ", "VERB", "AUX", "PRON", "ADV", "DET"}


_PLACE_KIND = re.compile(
    r"^(?:la\s+)?(?:région|ville|province|commune|canton|département|agglomération|métropole)\s+"
    r"(?:de\s+la\s+|de\s+l['’]|du\s+|de\s+|d['’])(?=[A-ZÀ-Ý])"
)
_TIME_WORD = re.compile(
    r"\s+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|aujourd['’]hui|demain|"
    r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)$",
    re.IGNORECASE,
)


_PLACE_PREPOSITION = re.compile(
    r"(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+|d['’]|à\s+|en\s+|au\s+)(?=[A-ZÀ-Ý])"
)
# "l'aéroport de Vatrina": an airport is the company that runs it.
_AIRPORT = re.compile(r"[aA][ée]roport\s+(?:international\s+)?(?:de\s+|d['’]|du\s+)?(?=[A-ZÀ-Ý])")


def _place_name(text: str, start: int, end: int) -> tuple[int, str]:
    """Start and name of a place span without what the model ran into it: a preposition ("de
    New York"), a kind of place ("région de Toronto", named by the rest), an airport's head.

    >>> _place_name("de New York", 0, 11), _place_name("aéroport de Vatrina", 0, 19)
    ((3, 'New York'), (12, 'Vatrina'))
    """
    for prefix in (_PLACE_PREPOSITION, _AIRPORT):
        found = prefix.match(text, start, end)
        if found:
            start = found.end()
    return start, _PLACE_KIND.sub("", text[start:end])


def _without_leading_junk(text: str, start: int, end: int, lexicon: Lexicon) -> int:
    """Start of a name without a common word the model ran into it ("BTP Ravelli" in "le groupe
    de BTP Ravelli")."""
    first, _, rest = text[start:end].partition(" ")
    return start + len(first) + 1 if rest and first in lexicon.junk_words else start


def _without_time_words(text: str, start: int, end: int) -> int:
    """End of a name without the day the model ran into it ("Vendral mercredi").

    >>> _without_time_words("Vendral mercredi", 0, 16)
    7
    """
    found = _TIME_WORD.search(text, start, end)
    return found.start() if found and found.start() > start else end


def _without_final_stop(name: str, end: int) -> int:
    """End of a name without the full stop the tokenizer glued to it at a sentence's end ("AvH.");
    an initial keeps its dot ("Jean J.").

    >>> _without_final_stop("AvH.", 10), _without_final_stop("J.", 10)
    (9, 10)
    """
    last = name.split()[-1] if name.split() else name
    return (
        end - 1
        if last.endswith(".") and len(last) > 3 and not re.search(r"(?:\b\w\.)+$", last)
        else end
    )


def _capitalised_article(token: Token, label: str) -> bool:
    """A capitalised article inside a sentence belongs to the name: "la conserverie Le Brenn",
    "le magazine Les Marchés", "La Fourmilière"."""
    return (
        label in {"ORG", "MISC"}
        and token.text in {"Le", "La", "Les", "L'", "L’"}
        and not token.is_sent_start
        and token.i > 0
        and not token.doc[token.i - 1].is_punct
        and not token.doc[token.i - 1].is_space
    )


_SITE_HEADS = {"parc", "zone", "technopole", "technopôle", "pôle", "quartier", "campus", "cité"}


def _cut_at_function_word(tokens: list[Token], label: str) -> list[Token]:
    """The tokens up to a lowercase function word that is no part of the name ("Odoo sur les
    applicatifs" → "Odoo"), keeping a person's particle ("Pierre-Yves de Montclar") and a named
    site ("Parc d'activités Marie-Louise")."""
    for i, token in enumerate(tokens[1:], 1):
        # "Dekker & van Loon": an ampersand joins two names into one.
        lower_function = (
            token.pos_ in _FUNCTION_POS and not token.text[:1].isupper() and token.text != "&"
        )
        next_is_name = i + 1 < len(tokens) and tokens[i + 1].text[:1].isupper()
        # "Pierre-Yves de Montclar": a particle before a person's last word is part of the name.
        particle = (
            label == "PER"
            and token.lower_ in {"de", "d'", "d’", "du", "van", "von", "der", "den"}
            and next_is_name
            and i + 2 == len(tokens)
            and all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in tokens[:i])
        )
        # "Parc d'activités Marie-Louise": a kind of site named by what follows, not a "Parc".
        site = (
            label == "LOC"
            and i == 1
            and tokens[0].lower_ in _SITE_HEADS
            and any(t.text[:1].isupper() for t in tokens[2:])
        )
        if lower_function and not particle and not site and (not next_is_name or label == "PER"):
            return tokens[:i]
    return tokens


def _clean_span(span: Span) -> tuple[int, int] | None:
    """Token bounds of the span without leading determiners and trailing words that are not
    part of the name ("Odoo sur les applicatifs", "Doktr et maintenant", "OVH chouchoute")."""
    tokens = list(span)
    while tokens and (
        (
            tokens[0].lower_ in {"l'", "l’", "d'", "d’", "le", "la", "les", "qu'", "s'"}
            and not _capitalised_article(tokens[0], span.label_)
        )
        or tokens[0].is_punct
    ):
        tokens = tokens[1:]
    # "Cour des litiges fonciers", "Consortium international des journalistes": an institution's name
    # holds lowercase words; the model's span is kept, but for function words at its end.
    institution = (
        span.label_ in {"ORG", "MISC"}
        and bool(tokens)
        and tokens[0].lower_ in _INSTITUTION_WORDS
        and tokens[0].text[:1].isupper()
    )
    if institution:
        tokens = _before_clause(tokens)
    if not institution:
        tokens = _cut_at_function_word(tokens, span.label_)
    while tokens and (
        tokens[-1].is_punct
        or tokens[-1].is_space
        or (institution and tokens[-1].pos_ in _FUNCTION_POS and tokens[-1].is_lower)
    ):
        tokens = tokens[:-1]
    # "G.B. Je", "M.O. Chez Datavia": a speaker's initials followed by their answer. A real name
    # that starts with initials ("J.C. Chandor") has no further capitalised word after its surname.
    if (
        len(tokens) >= 2
        and re.fullmatch(r"(?:[A-Z]\.){2,3}", tokens[0].text)
        and (tokens[1].pos_ != "PROPN" or len(tokens) > 2)
        # "B.T.R. Process SARL": a legal form closes a company's name, never an answer.
        and not _LEGAL_FORM_END.search(" " + tokens[-1].text)
    ):
        tokens = tokens[:1]
    if not tokens or (
        span.label_ == "LOC" and len(tokens) == 1 and tokens[0].lower_ in _SITE_HEADS
    ):
        return None  # a bare "Parc" is no place's name
    return tokens[0].i, tokens[-1].i + 1


def _before_clause(tokens: list[Token]) -> list[Token]:
    """The tokens of an institution's name before a verb or a comma the model ran into it
    ("Cour des comptes a validé …")."""
    stop = next(
        (
            i
            for i, t in enumerate(tokens[1:], 1)
            if t.pos_ in {"VERB", "AUX", "PRON", "SCONJ"}
            or (t.is_punct and t.text not in {"'", "’", "-"})
        ),
        len(tokens),
    )
    return tokens[:stop]


def _extend_left(doc: Doc, start: int, end: int, lexicon: Lexicon) -> tuple[int, int]:
    """Take in a capitalised word the model left out of a name: an unknown word ("Tessera"), or
    any word before a company word that cannot stand alone ("Tessera" + "Capital")."""
    suffixes = lexicon.typing_words("organization_suffixes")
    lone_company_word = end - start == 1 and doc[start].lower_ in suffixes
    if start > 0 and _capitalised_article(doc[start - 1], "ORG"):
        start -= 1
    while start > 0:
        previous = doc[start - 1]
        joinable = previous.text[:1].isupper() and previous.is_alpha and previous.whitespace_ == " "
        # "Technologies Velura": a company word opens the name too.
        company_word = previous.lower_ in suffixes and not previous.is_sent_start
        if not (
            joinable
            and not previous.ent_type_
            and (previous.is_oov or lone_company_word or company_word)
        ):
            break
        start -= 1
        lone_company_word = False
    return start, end


def _extend_institution(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Finish an institution's name the model cut before its capitalised end: "Banque de
    financement" + " et d'investissement du Poitou" (a few nouns, adjectives and links, then a name)."""
    if not (doc[start].lower_ in _INSTITUTION_WORDS and doc[start].text[:1].isupper()):
        return start, end
    if end - start < 2:  # a lone "Banque" may be a short form, not a cut name
        return start, end
    for i in range(end, min(end + 5, len(doc))):
        token = doc[i]
        if token.text[:1].isupper():
            linked = doc[i - 1].pos_ in {"ADP", "DET"} and token.pos_ == "PROPN"
            return (start, i + 1) if linked and i > end else (start, end)
        if not (token.is_lower and token.pos_ in {"NOUN", "ADJ", "ADP", "DET", "CCONJ"}):
            break
    return start, end


def _extend_right(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Finish a name the model cut short: "Anne-" + "Sophie Keller"."""
    while end < len(doc):
        token = doc[end]
        if (
            token.text == "-"
            and token.whitespace_ == ""
            and end + 1 < len(doc)
            and doc[end + 1].text[:1].isupper()
        ):
            end += 1
            continue
        glued = doc[end - 1].whitespace_ == "" or doc[end - 1].text.endswith("-")
        if not (token.text[:1].isupper() and token.pos_ == "PROPN" and token.is_alpha):
            break
        if token.ent_type_ and not glued:
            break
        if not glued and not doc[end - 1].text.endswith("-") and doc[start].ent_type_ != "PER":
            break
        end += 1
    return start, end


_COMPASS = re.compile(
    r"[ \t](?:(?:Sud|Nord)(?:-(?:Ouest|Est))?|Ouest|Est|Centre-(?:Est|Ouest))(?![\w-])"
)


def _extend_compass(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A company's regional branch, named by a compass point the model leaves out: "Tervane" +
    " Sud-Ouest" (not a place's: "Lille Sud" stays as the model read it)."""
    if start >= end or doc[start].ent_type_ == "LOC":
        return start, end
    last = doc[end - 1]
    match = _COMPASS.match(doc_text(doc), last.idx + len(last.text))
    if match is None:
        return start, end
    span = doc.char_span(doc[start].idx, match.end(), alignment_mode="expand")
    return (start, span.end) if span is not None else (start, end)


def _looks_like_name(doc: Doc, start: int, end: int, lexicon: Lexicon) -> bool:
    text = doc[start:end].text
    if text in lexicon.junk_words or strip_elision(text) in lexicon.junk_words:
        return False
    if not any(c.isupper() for c in text):  # "la chnouf": a common noun, whatever its tag
        return False
    if len(text) < 2 or not any(c.isalpha() for c in text):
        return False
    tokens = doc[start:end]
    first = tokens[0]
    if _is_description(tokens):
        return False
    # A single capitalised word opening a sentence is a name only if the model calls it a noun
    # of its own ("Objectif", "Voyez", "Personne" are ordinary words).
    if len(tokens) == 1 and (first.is_sent_start or doc[start - 1].text in {"\n", "«", '"', "“"}):
        # A word the model has no vector for is no ordinary French word: a name ("Telvia").
        return first.pos_ == "PROPN" or first.text.isupper() or first.is_oov
    return any(t.pos_ == "PROPN" or t.text[:1].isupper() for t in tokens)


def _is_description(tokens: Span) -> bool:
    """ "Un jeune Marocain, installé à …": an article and a common word make a description, not a
    name ("La Fourmilière", "Le Bon Marché" go on with a capital)."""
    return len(tokens) >= 2 and tokens[0].pos_ == "DET" and tokens[1].is_lower


def _overlaps(slots: list[Slot], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in slots)


def _within_lines(ents: Iterable[Span]) -> Iterator[Span]:
    """Entity spans cut at line breaks and sentence ends: a name never runs over one, though
    the model may join a title's last word to the next paragraph's first ("Pixaform\n\nCybercom")
    or a name to the next sentence's first word ("Lancelot Ventures. Basée à Paris")."""
    for ent in ents:
        start = ent.start
        for token in ent:
            breaks = (token.is_space and "\n" in token.text) or token.text in {".", "!", "?"}
            if breaks or (token.i > start and token.is_sent_start):
                if token.i > start:
                    yield Span(ent.doc, start, token.i, label=ent.label_)
                start = token.i + 1 if breaks else token.i
        if start == ent.start:
            yield ent
        elif start < ent.end:
            yield Span(ent.doc, start, ent.end, label=ent.label_)


def find_named_slots(doc: Doc, lexicon: Lexicon) -> list[Slot]:
    """Named mentions of persons, organizations and places in ``doc``, in text order."""
    text = doc_text(doc)
    slots: list[Slot] = []
    misc: list[tuple[int, int]] = []
    for ent in _within_lines(doc.ents):
        bounds = _clean_span(ent)
        if bounds is not None:
            bounds = _extend_right(doc, *_extend_left(doc, *bounds, lexicon))
            bounds = _extend_institution(doc, *bounds)
            bounds = _extend_compass(doc, *bounds)
        if bounds is None:
            continue
        if not _looks_like_name(doc, *bounds, lexicon):
            # A sentence-opening word the model knows ("Kalimba") is kept when what follows
            # says it is a company ("Kalimba a levé 5 millions d'euros").
            span = doc[bounds[0] : bounds[1]]
            cue = _organization_cue(text, span.start_char, span.end_char, lexicon)
            if cue <= 0 or span.text in lexicon.junk_words or _is_description(span):
                continue
            slots.append(Slot(span.start_char, span.end_char, "Organization", span.text))
            continue
        span = doc[bounds[0] : bounds[1]]
        if ent.label_ == "MISC":
            misc.append((span.start_char, span.end_char))
            continue
        entity_type = _LABELS.get(ent.label_)
        if entity_type:
            end_char = _without_time_words(text, span.start_char, span.end_char)
            end_char = _without_final_stop(text[span.start_char : end_char], end_char)
            start_char = _without_leading_junk(text, span.start_char, end_char, lexicon)
            name = text[start_char:end_char]
            if entity_type == "Place":  # "région de Toronto" is Toronto
                start_char, name = _place_name(text, start_char, end_char)
                entity_type = "Organization" if _AIRPORT.match(text, span.start_char) else "Place"
            if name:
                slots.append(Slot(start_char, end_char, entity_type, name))

    slots = _possessive_brands(text, slots)
    slots = _demonyms(doc, slots, lexicon)
    slots += _caps_speakers(text, slots)
    slots = _rule_organizations(doc, slots, lexicon)
    slots = _promote_misc(doc, slots, misc, lexicon)
    slots += _unlabelled_organizations(doc, slots, lexicon)
    slots += _unlabelled_persons(doc, slots, lexicon)
    slots = _without_common_nouns(doc, slots)
    slots = _join_place_and_company(text, slots)
    slots = _join_name_of_place(text, slots)
    slots = _retype_by_context(doc, slots, lexicon)
    slots = _retype_by_company(text, slots)
    slots = _persons_named_as_companies(text, slots)
    slots += _coordinated_organizations(text, slots, lexicon)
    slots += _repeated_names(text, slots, lexicon)
    slots = _fix_persons(slots, text, lexicon)
    slots = _places_named_as_companies(slots)
    slots = _without_region_codes(text, slots)
    slots = _without_fragments(slots, lexicon)
    slots = _merge_short_forms(slots, text)
    slots = _former_names(text, slots)
    slots += _initials(text, slots)
    slots = [replace(s, name=_display(s.name)) for s in slots]
    return sorted(slots, key=lambda s: (s.start, -s.end))


_POSSESSIVE = {"son", "sa", "ses", "leur", "leurs", "notre", "nos", "votre", "vos", "mon", "ma", "mes"}  # fmt: skip
_UNIT_WORDS = {"million", "millions", "milliard", "milliards", "mille"}
# "EntreprisesDes patrons …": two words a page's layout glued together.
_GLUED = re.compile(
    r"[a-zà-ÿ](?:Des|Les|Du|De|La|Le|Et|Un|Une|Il|Elle|Ils|Nous|En|Au|Aux|Pour|Dans|Sur|Par|Ce|Cette)$"
)
_ROAD = re.compile(r"(?:A|D|N|RN|RD|RM)\s?\d{1,4}")
# "le ministre des Finances": a ministry's domain, not a name of its own.
_MINISTRY = re.compile(
    r"\bminist(?:re|ère|res|ères)\s+(?:de\s+la\s+|de\s+l['’]|des\s+|du\s+|de\s+)$"
)
_THAT_OF = re.compile(r"\bcel(?:ui|le|les|ux)\s+(?:de\s+la\s+|de\s+l['’]|des\s+|du\s+|de\s+)$")


def _ministry_domain(text: str, start: int) -> bool:
    """Is the name at ``start`` a ministry's domain: "le ministre des Finances", "cinq
    ministères, dont celui de l'Agriculture"?"""
    before = text[max(0, start - 30) : start]
    if _MINISTRY.search(before):
        return True
    return _THAT_OF.search(before) is not None and "ministère" in text[max(0, start - 120) : start]


_LINE_END = re.compile(r"[ \t]*(?:\n|$)")


def _without_common_nouns(doc: Doc, slots: list[Slot]) -> list[Slot]:
    """Drop one-word "names" that the words around them show to be common nouns: "son ADN",
    "25 PHD", "470 millions US", "le long de la N12", a word glued to the next one by the
    page's layout ("EntreprisesDes"), a word cut off at the end of a truncated paragraph
    ("… que sont Ret")."""
    text = doc_text(doc)
    common = _common_acronyms(text)
    kept = []
    for slot in slots:
        if " " in slot.name or slot.type == "Demonym" or slot.via != "name":
            kept.append(slot)
            continue
        span = doc.char_span(slot.start, slot.end, alignment_mode="expand")
        previous = doc[span.start - 1] if span is not None and span.start > 0 else None
        # "25 PHD" counts things; "75008 Paris" is a postcode and its town.
        counted = previous is not None and (
            (previous.like_num and not re.fullmatch(r"\d{4,5}", previous.text))
            or previous.lower_ in _UNIT_WORDS
            or previous.lower_ in _POSSESSIVE
        )
        if counted or _GLUED.search(slot.name) or _ROAD.fullmatch(slot.name):
            continue
        if slot.name in common or _ministry_domain(text, slot.start):
            continue
        if _truncated_at(text, slot.end):
            continue
        if _heading_word(doc, text, slot):
            continue
        kept.append(slot)
    return kept


def _heading_word(doc: Doc, text: str, slot: Slot) -> bool:
    r"""Is the name a common word opening a short subheading and named nowhere else
    ("Synergie produit", "Expansion rapide" alone on their line)?

    >>> from kg.nlp import load_pipeline
    >>> text = "Synergie commerciale\nKelvo rachète Darnel."
    >>> _heading_word(load_pipeline()(text), text, Slot(0, 8, "Organization", "Synergie"))
    True
    """
    line_start = text.rfind("\n", 0, slot.start) + 1
    line_end = text.find("\n", slot.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    return (
        line_start == slot.start
        and len(line.split()) <= 3
        and not re.search(r"[.!?:;,]$", line)
        and doc.vocab.has_vector(slot.name.lower())
        and sum(1 for _ in _occurrences(text, slot.name)) == 1
    )


_LOWER_EXPANSION = re.compile(r"((?:[a-zà-ÿ][\w'’-]*\s+){1,6}?)\(\s*([A-Z]{2,6})\s*\)")
# What every match of it ends on, far cheaper to look for: the regex tries each lowercase letter.
_BRACKETED_ACRONYM = re.compile(r"\(\s*[A-Z]{2,6}\s*\)")


def _common_acronyms(text: str) -> set[str]:
    """Acronyms defined by lowercase words: "accidents vasculaires cérébraux (AVC)" abbreviates
    common nouns, not a name.

    >>> sorted(_common_acronyms("les accidents vasculaires cérébraux (AVC) et l'Institut X (IX)"))
    ['AVC']
    """
    found: set[str] = set()
    if not _BRACKETED_ACRONYM.search(text):
        return found
    for match in _LOWER_EXPANSION.finditer(text):
        words = [w for w in re.split(r"[\s'’]+", match.group(1)) if w and w not in _FUNCTION_WORDS]
        acronym = match.group(2)
        for first in range(len(words)):
            if strip_accents("".join(w[0] for w in words[first:])).upper() == acronym:
                found.add(acronym)
                break
    return found


def _truncated_at(text: str, end: int) -> bool:
    """Does a long paragraph stop at ``end`` without a final stop (a page cut mid-sentence)?

    >>> _truncated_at("une phrase " * 12 + "que sont Ret", 144), _truncated_at("Titre Ret", 9)
    (True, False)
    """
    if not _LINE_END.match(text, end):
        return False
    line = text[text.rfind("\n", 0, end) + 1 : end]
    return len(line.split()) >= 12


def _possessive_brands(text: str, slots: list[Slot]) -> list[Slot]:
    """An English possessive ends a brand's name, and makes it a company, not the person it
    is named after: "Kelly's", "Mac Arthur's" (the model stops at the apostrophe).

    >>> _possessive_brands("chez Kelly's", [Slot(5, 11, "Person", "Kelly'")])
    [Slot(start=5, end=12, type='Organization', name="Kelly's", via='name', aliases=())]
    """
    fixed = []
    for slot in slots:
        end = slot.end
        if slot.name.endswith(("'", "’")) and text[end : end + 1] == "s":
            end += 1
        elif text[end : end + 2] in {"'s", "’s"}:
            end += 2
        if end != slot.end and not text[end : end + 1].isalpha():
            slot = replace(slot, end=end, type="Organization", name=text[slot.start : end])
        fixed.append(slot)
    return fixed


def _repeated_names(text: str, slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """Other occurrences of a name found once: the model may tag "Watascale" in the title and
    miss it at the start of the next sentence, but a document uses a name in one sense."""
    types: dict[str, Counter[str]] = {}
    for slot in slots:
        if (
            slot.via == "name"
            and len(slot.name) >= 3
            and slot.name[:1].isupper()
            and text[slot.start : slot.end] == slot.name
            and slot.name not in lexicon.junk_words
        ):
            types.setdefault(slot.name, Counter())[slot.type] += 1
    found: list[Slot] = []
    for name, votes in types.items():
        for start, end in _occurrences(text, name):
            if not _overlaps(slots + found, start, end):
                found.append(Slot(start, end, votes.most_common(1)[0][0], name))
    return found


def _retype_by_company(text: str, slots: list[Slot]) -> list[Slot]:
    """Places and persons that the document's companies show to be companies: a name that
    opens or ends on a company's whole name ("Moravia Lyon" beside "Moravia"), a
    one-word name listed right after a company ("Kelvio Capital, Ardano et …").

    >>> slots = [Slot(0, 5, "Organization", "Vexia"), Slot(7, 13, "Place", "Ardano")]
    >>> [s.type for s in _retype_by_company("Vexia, Ardano et Orvel", slots)]
    ['Organization', 'Organization']
    """
    companies = {s.name for s in slots if s.type == "Organization" and " " not in s.name}
    ordered = sorted(slots, key=lambda s: s.start)
    retyped = []
    for i, slot in enumerate(ordered):
        words = slot.name.split()
        # A person may share the surname of the company named after them ("Jeanne Vexia").
        named_after = len(words) >= 2 and (
            words[0] in companies or (slot.type == "Place" and words[-1] in companies)
        )
        previous = ordered[i - 1] if i else None
        listed = (
            slot.type == "Place"
            and len(words) == 1
            and previous is not None
            and previous.type == "Organization"
            and re.fullmatch(r"\s*,\s*|\s*,?\s+(?:et|ou)\s+", text[previous.end : slot.start])
            is not None
            and re.match(r"\s*(?:,|et\b|ou\b)", text[slot.end : slot.end + 5]) is not None
        )
        if slot.type in {"Place", "Person"} and (named_after or listed):
            slot = replace(slot, type="Organization")
        retyped.append(slot)
    return retyped


def _occurrences(text: str, name: str) -> Iterator[tuple[int, int]]:
    r"""Where ``name`` (not empty) stands in ``text`` as a whole word (no letter, digit, "_" or
    "-" on either side), left to right, as ``re.finditer(r"(?<![\w-])NAME(?![\w-])")`` finds it
    without compiling a regex per name.

    >>> list(_occurrences("Lumio, Lumio-X et Lumio.", "Lumio"))
    [(0, 5), (18, 23)]
    """
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        if not _word_side(text, start - 1) and not _word_side(text, end):
            yield start, end
            start = text.find(name, end)
        else:
            start = text.find(name, start + 1)


def _word_side(text: str, position: int) -> bool:
    r"""Whether ``text[position]`` exists and is a character of ``[\w-]`` as ``re`` reads it."""
    if not 0 <= position < len(text):
        return False
    char = text[position]
    return char.isalnum() or char in "_-"


def _coordinated_organizations(text: str, slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """A capitalised name coordinated with a company is one too: "Telvia et Marinéo"."""
    found: list[Slot] = []
    for slot in slots:
        if slot.type != "Organization":
            continue
        match = re.match(
            r"(?:\s*,?\s+(?:et|ou)\s+|\s*,\s*)([A-ZÀ-Ý][\w'’-]+(?:[ \u00a0][A-ZÀ-Ý][\w'’-]+){0,2})",
            text[slot.end : slot.end + 60],
        )
        if not match:
            continue
        start, end = slot.end + match.start(1), slot.end + match.end(1)
        if match.group(1) not in lexicon.junk_words and not _overlaps(slots + found, start, end):
            found.append(Slot(start, end, "Organization", match.group(1)))
    return found


def _join_place_and_company(text: str, slots: list[Slot]) -> list[Slot]:
    """A place name right before a company word is part of the company's name ("Lorraine" +
    "Énergies", "Bretagne" + "Télécom"); so is a company name right before another one, which
    the model cut in two ("Kestrel Financial" + "Services Limited")."""

    def cut(previous: Slot, slot: Slot) -> bool:
        return (
            previous.type in {"Place", "Organization"}
            and slot.type == "Organization"
            and slot.via == previous.via == "name"
            and text[previous.end : slot.start] == " "
        )

    return _join_cut_companies(text, slots, cut)


_OF = re.compile(r" (?:de|De|du|Du|des|van|Van|von) ")
_PLACE_KIND_WORDS = {
    "région", "ville", "province", "canton", "commune", "département", "état", "etat", "gare", "rue",
    "avenue", "boulevard", "place", "quai", "pays", "île", "lac", "mont", "vallée", "district",
}  # fmt: skip


def _join_name_of_place(text: str, slots: list[Slot]) -> list[Slot]:
    """A one-word name, "de", then a place is one company the model cut in two ("Orvia" + "de
    Namur", "Brouwerij De" + "Kempen"), unless the word is a kind of place ("Province de Namur").

    >>> [s.name for s in _join_name_of_place("Orvia de Namur", [
    ...     Slot(0, 5, "Place", "Orvia"), Slot(9, 14, "Place", "Namur")])]
    ['Orvia de Namur']
    """

    def cut(previous: Slot, slot: Slot) -> bool:
        return (
            slot.type == "Place"
            and previous.type in {"Place", "Organization"}
            and " " not in previous.name
            and previous.name.lower() not in _PLACE_KIND_WORDS
            and text[previous.start : previous.end] == previous.name
            and _OF.fullmatch(text[previous.end : slot.start]) is not None
        )

    return _join_cut_companies(text, slots, cut)


def _join_cut_companies(
    text: str, slots: list[Slot], cut: Callable[[Slot, Slot], bool]
) -> list[Slot]:
    """Slots in text order, each that ``cut(previous, slot)`` says the model cut from the one
    before joined to it as one organization spanning both."""
    joined: list[Slot] = []
    for slot in sorted(slots, key=lambda s: s.start):
        previous = joined[-1] if joined else None
        if previous is not None and cut(previous, slot):
            name = text[previous.start : slot.end]
            joined[-1] = Slot(previous.start, slot.end, "Organization", name)
        else:
            joined.append(slot)
    return joined


def _demonyms(doc: Doc, slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """Demonyms name places ("le Rennais Medria", "l'hébergeur roubaisien"), whatever NER said."""
    found = []
    for i in tokens_in(doc, lexicon.demonym_words()):  # the few words worth a Token
        token = doc[i]
        if not token.is_alpha:  # a demonym is a word
            continue
        if lexicon.is_nationality(token.text):
            slots = _without_word(slots, token.idx, token.idx + len(token.text))
            continue
        found_place = lexicon.demonym_place(token.text)
        if not found_place:
            continue  # most words: the neighbours below need not be looked at
        # "Lorraine Énergies" is a name, not a Lorrain company.
        next_token = doc[token.i + 1] if token.i + 1 < len(doc) else None
        after_article = token.i > 0 and doc[token.i - 1].lower_ in {"le", "la", "les", "l'", "l’"}
        in_name = (
            token.text[:1].isupper()
            and not after_article
            and next_token is not None
            and next_token.text[:1].isupper()
        )
        if found_place and token.pos_ in {"ADJ", "NOUN", "PROPN"} and not in_name:
            place, region = found_place
            start, end = token.idx, token.idx + len(token.text)
            slots = [s for s in slots if not (s.start < end and start < s.end)]
            found.append(
                Slot(
                    start,
                    end,
                    "Demonym",
                    place,
                    via="region-demonym" if region else "demonym",
                    aliases=(token.text,),
                )
            )
    return slots + found


def _without_word(slots: list[Slot], start: int, end: int) -> list[Slot]:
    """``slots`` with the word at ``[start, end)`` taken out: a slot that is that word goes, one that
    starts with it begins after it ("Français kLab Studio" → "kLab Studio")."""
    kept = []
    for slot in slots:
        if slot.start == start and slot.end > end + 1:
            rest = slot.name[end - start :].lstrip()
            kept.append(replace(slot, start=slot.end - len(rest), name=rest))
        elif not (slot.start == start and slot.end <= end + 1):
            kept.append(slot)  # "République tchèque": a country's name holds its adjective
    return kept


def _caps_speakers(text: str, slots: list[Slot]) -> list[Slot]:
    """Interview turns labelled in capitals: "FABIEN PINCKAERS. Ni l'un…" is a person answering;
    a label before a question ("TRENDS-TENDANCES. Qui a eu l'idée ?") is the interviewing
    publication, an organization."""
    found = []
    for match in _CAPS_NAME.finditer(text):
        words = match.group(1).split()
        if not all(w.isalpha() or "-" in w for w in words) or any(len(w) < 2 for w in words):
            continue
        asks = _QUESTION.match(text, match.end()) is not None
        if not asks and len(words) < 2:
            continue  # a lone capitalised word before a statement is as likely an acronym
        start, end = match.span(1)
        kept = [s for s in slots if not (s.start < end and start < s.end)]
        slots[:] = kept
        found.append(Slot(start, end, "Organization" if asks else "Person", match.group(1)))
    return found


# A rule that finds organizations the model missed: given the text's slots and the organizations
# found so far, it returns both lists updated (it may widen or drop a slot the model made).
OrganizationRule = Callable[[Doc, list[Slot], list[Slot], Lexicon], tuple[list[Slot], list[Slot]]]


def _rule_organizations(doc: Doc, slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """``slots`` plus the organizations the model misses, rule after rule (``ORGANIZATION_RULES``):
    domain names, defined acronyms, names the context calls companies, "chez X", "la société X"."""
    found: list[Slot] = []
    for rule in ORGANIZATION_RULES:
        slots, found = rule(doc, slots, found, lexicon)
    return slots + found


def _domain_names(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """ "Showroomprivé.com": a domain name is a company; a name the model cut is widened to it."""
    text = doc_text(doc)
    slots, found = list(slots), list(found)
    for match in _DOMAIN.finditer(text):
        start, end = match.span()
        if not _overlaps(slots + found, start, end):
            found.append(Slot(start, end, "Organization", match.group()))
            continue
        for i, slot in enumerate(slots):
            if slot.start <= start < slot.end or start <= slot.start < end:
                lo, hi = min(start, slot.start), max(end, slot.end)
                slots[i] = Slot(lo, hi, "Organization", text[lo:hi])
    return slots, found


def _defined_acronyms(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """ "INT (Institut National des Télécoms)": the acronym and its expansion are one company."""
    found = list(found)
    for match in _ACRONYM_DEF.finditer(doc_text(doc)):
        acronym, expansion = match.group(1), match.group(2)
        capitals = "".join(w[0] for w in re.findall(r"[A-ZÀ-Ý][\w'’-]*", expansion))
        if capitals.upper() != acronym.replace("&", ""):
            continue
        start, end = match.span(1)
        exp_start, exp_end = match.start(2), match.start(2) + len(expansion)
        slots = [
            s
            for s in slots
            if not (s.start < end and start < s.end)
            and not (s.start < exp_end and exp_start < s.end)
        ]
        found.append(Slot(start, end, "Organization", acronym, aliases=(expansion,)))
        found.append(Slot(exp_start, exp_end, "Organization", acronym, aliases=(expansion,)))
    return slots, found


# "le Rennais Medria", "Medria (40 salariés, CA : 4 M€)": a name the context calls a company.
_CONTEXT_COMPANY = re.compile(
    r"(?:(?<=⟦D⟧ )|(?<=⟦D⟧\u00a0))([A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+){0,2})"
    r"|([A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+){0,2})(?=\s*\(\s*\d[\d.,\s]*"
    r"(?:salariés|employés|collaborateurs))"
)


def _context_companies(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """A capitalised name after a city's demonym or before a headcount is a company."""
    text = _mark_demonyms(doc_text(doc), slots)
    return slots, _companies_matched(_CONTEXT_COMPANY, text, slots, found, lexicon)


def _companies_matched(
    regex: re.Pattern[str], text: str, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> list[Slot]:
    """``found`` plus an organization for each match of ``regex`` (its first group that took
    part) that is no junk word and overlaps no slot yet.

    >>> from kg.extract.lexicon import default_lexicon
    >>> [s.name for s in _companies_matched(_CHEZ, "chez Datavia", [], [], default_lexicon())]
    ['Datavia']
    """
    found = list(found)
    for match in regex.finditer(text):
        group = next(i for i in range(1, (regex.groups or 0) + 1) if match.group(i))
        start, end = match.span(group)
        name = match.group(group)
        if name not in lexicon.junk_words and not _overlaps(slots + found, start, end):
            found.append(Slot(start, end, "Organization", name))
    return found


# In these names a dot is part of a word ("Showroomprive.com"), never a full stop.
_CHEZ = re.compile(
    r"(?<![\w'’])[Cc]hez\s+([A-ZÀ-Ý](?:[\w&'’-]|\.(?=\w))*(?:[ \u00a0][A-ZÀ-Ý](?:[\w&'’-]|\.(?=\w))*){0,2})"
)


def _chez_names(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """ "chez Datavia": a company (or a shop) named after "chez"."""
    return slots, _companies_matched(_CHEZ, doc_text(doc), slots, found, lexicon)


_EXPANSION_FIRST = re.compile(
    r"([A-ZÀ-Ý][\w'’-]*(?:\s+[\w&'’-]+){1,8}?)\s*\(\s*([A-Z](?:[A-Z&]|[a-z](?=[A-Z])){1,7})\s*\)"
)


def _expanded_acronyms(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """ "L'Institut régional de robotique appliquée (IRRA)": the expansion comes first, accents
    and function words aside ("École nationale des arts et métiers de Vannes (ENAMV)")."""
    text = doc_text(doc)
    for match in _EXPANSION_FIRST.finditer(text):
        expansion, acronym = match.group(1), match.group(2)
        # "Dekker & van Loon (DvL)": a particle may give the acronym a lowercase letter.
        words = [
            w
            for w in re.split(r"[\s'’]+", expansion)
            if w.lower() not in _FUNCTION_WORDS and w[:1].isalpha()
        ]
        for first in range(len(words)):
            if content_initials(" ".join(words[first:])) != acronym.replace("&", "").upper():
                continue
            start, end = match.start(1) + expansion.index(words[first]), match.end(1)
            slots = [s for s in slots if not (s.start < end and start < s.end)]
            found = [s for s in found if not (s.start < end and start < s.end)]
            found.append(Slot(start, end, "Organization", acronym, aliases=(text[start:end],)))
            a_start, a_end = match.span(2)
            if not _overlaps(slots + found, a_start, a_end):
                found.append(
                    Slot(a_start, a_end, "Organization", acronym, aliases=(text[start:end],))
                )
            break
    return slots, found


def _headed_names(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """ "la société Nexolia", and in bylines "par Magazine En-Contact"; "le groupe OVH" is also a
    name of OVH."""
    slots, found = list(slots), list(found)
    for match in _heads_regex(lexicon).finditer(doc_text(doc)):
        start, end = match.span(1)
        name = match.group(1)
        head = match.group(0)[: match.start(1) - match.start()].strip()
        head_word = re.sub(
            r"^(?:l['’]|la|le|les|du|au|d['’]|un|une)\s*", "", head, flags=re.IGNORECASE
        )
        aliases = (f"{head_word} {name}",) if head_word.lower() in {"groupe", "group"} else ()
        same = [i for i, s in enumerate(slots) if (s.start, s.end) == (start, end)]
        if same and slots[same[0]].type == "Organization":
            slots[same[0]] = replace(slots[same[0]], aliases=slots[same[0]].aliases + aliases)
        elif name not in lexicon.junk_words and not _overlaps(slots + found, start, end):
            found.append(Slot(start, end, "Organization", name, aliases=aliases))
    return slots, found


def _heads_regex(lexicon: Lexicon) -> re.Pattern[str]:
    """A head noun, then the capitalised name it introduces (compiled once per lexicon)."""
    key = "org-heads"
    if key not in lexicon.compiled:
        lexicon.compiled[key] = re.compile(
            r"(?:\b(?:l['’]\s*|la\s+|le\s+|les\s+|du\s+|au\s+|d['’]\s*|un\s+|une\s+)(?i:"
            + _alternation(lexicon.org_heads + lexicon.org_descriptors)
            + r")"
            r"|(?<![\w'’])(?=[A-ZÀ-Ý])(?i:"
            + _alternation(lexicon.org_heads)
            + r"))"
            + r"[ \u00a0]+((?:[A-ZÀ-Ý](?:[\w&'’-]|\.(?=\w))*)(?:[ \u00a0]+[A-ZÀ-Ý](?:[\w&'’-]|\.(?=\w))*){0,2})",
        )
    return lexicon.compiled[key]


_FAMILY = re.compile(
    r"(?<![\w'’])[Ff]amille[ \u00a0]+([A-ZÀ-Ý][\w'’]+(?:-[A-ZÀ-Ý][\w'’]+)?)(?![\w-])"
)


def _family_names(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """ "la famille Delorme": a family holding shares is one party, named with its head noun; its
    surname alone is no company (nor a person)."""
    found = list(found)
    for match in _FAMILY.finditer(doc_text(doc)):
        start, end = match.span()
        if match.group(1) in lexicon.junk_words or _overlaps(found, start, end):
            continue
        slots = [s for s in slots if not (s.start < end and start < s.end)]
        found.append(Slot(start, end, "Organization", f"famille {match.group(1)}"))
    return slots, found


def _states(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """ "l'État français" buys shares and sits on boards: a state named with its nationality is
    a party to deals (an organization), not the country's territory."""
    found = list(found)
    for match in re.finditer(r"(?<!\w)[ÉE]tat\s+([a-zéèç-]+)\b", doc.text):
        if not lexicon.is_nationality(match.group(1)):
            continue
        start, end = match.span()
        slots = [s for s in slots if not (s.start < end and start < s.end)]
        found = [s for s in found if not (s.start < end and start < s.end)]
        found.append(Slot(start, end, "Organization", match.group()))
    return slots, found


# "Jeanne Roy (Kelbio Industrie)": a capitalised name in brackets right after a person's.
_AFFILIATION = re.compile(
    r"\s*\(\s*([A-ZÀ-Ý][\w&'’.-]*(?:\s+(?:de\s+|d['’]|du\s+|&\s+)?[A-ZÀ-Ý][\w&'’.-]*){0,3})\s*\)"
)


def _bracketed_affiliations(
    doc: Doc, slots: list[Slot], found: list[Slot], lexicon: Lexicon
) -> tuple[list[Slot], list[Slot]]:
    """A name in brackets after a person's is where they work ("Léa Roy (Kelbio Industrie), Marc
    Dul (DataVerse)"): an organization, even when the model called it a person; a lone plain
    word stays unnamed unless its form marks a brand ("(Photo)" is no company).

    >>> from kg.extract.lexicon import default_lexicon
    >>> from kg.nlp import load_pipeline
    >>> doc = load_pipeline()("Léa Roy (DataVerse) et Marc Dul (Photo) sont là.")
    >>> people = [Slot(0, 7, "Person", "Léa Roy"), Slot(23, 31, "Person", "Marc Dul")]
    >>> [s.name for s in _bracketed_affiliations(doc, people, [], default_lexicon())[1]]
    ['DataVerse']
    """
    text, found = doc_text(doc), list(found)
    for person in [s for s in slots if s.type == "Person"]:
        match = _AFFILIATION.match(text, person.end)
        if match is None or match.group(1) in lexicon.junk_words:
            continue
        start, end = match.span(1)
        name = match.group(1)
        if any(s.type == "Place" and s.start < end and start < s.end for s in slots):
            continue  # "Paul Roy (Lyon)": where the person is
        mistyped = [s for s in slots if s.type == "Person" and s.start == start and s.end == end]
        if mistyped or (
            not _overlaps(slots + found, start, end)
            and (" " in name or _CAMEL.search(name) or name.isupper())
        ):
            slots = [s for s in slots if s not in mistyped]
            found.append(Slot(start, end, "Organization", name))
    return slots, found


# In order: a later rule sees what the earlier ones found.
ORGANIZATION_RULES: tuple[OrganizationRule, ...] = (
    _domain_names,
    _defined_acronyms,
    _context_companies,
    _chez_names,
    _expanded_acronyms,
    _family_names,
    _states,
    _headed_names,
    _bracketed_affiliations,
)


def _mark_demonyms(text: str, slots: list[Slot]) -> str:
    """``text`` with each demonym replaced by a same-length marker ending in ⟦D⟧."""
    chars = list(text)
    for slot in slots:
        if slot.type == "Demonym" and slot.via == "demonym" and slot.end - slot.start >= 3:
            width = slot.end - slot.start
            chars[slot.start : slot.end] = list("·" * (width - 3) + "⟦D⟧")
    return "".join(chars)


def _promote_misc(
    doc: Doc, slots: list[Slot], misc: list[tuple[int, int]], lexicon: Lexicon
) -> list[Slot]:
    """Keep a MISC span as an organization when the document shows it is one: the same name
    is an organization elsewhere, or an organization cue surrounds it ("PDG de X", "X rachète"),
    or its form does ("Kelbio Investissement", "NovaCore"), or it is listed with a company
    ("comme Vexia ou Amazon")."""
    text = doc_text(doc)
    org_keys = {org_key(s.name) for s in slots if s.type == "Organization"}
    suffix = _suffix_regex(lexicon)
    for start, end in misc:
        name = text[start:end]
        if _overlaps(slots, start, end):
            continue
        if (
            org_key(name) in org_keys
            or _organization_cue(text, start, end, lexicon) > 0
            or suffix.search(name) is not None
            or _CAMEL.search(name) is not None
            or _listed_with_company(text, start, end, slots)
        ):
            slots.append(Slot(start, end, "Organization", name))
    return slots


# "NovaCore", "DataVerse": a capital inside a word marks a brand, never a common word.
_CAMEL = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]+[A-Z][a-zà-ÿ]+")
_LIST_LINK = re.compile(r"\s*(?:,\s*|,?\s+(?:et|ou)\s+)")


def _listed_with_company(text: str, start: int, end: int, slots: list[Slot]) -> bool:
    """Is the span coordinated with a company ("Vexia ou Amazon", "Kelbio, Orvane et …")?"""
    for slot in slots:
        if slot.type != "Organization":
            continue
        if _LIST_LINK.fullmatch(text[end : slot.start]) or _LIST_LINK.fullmatch(
            text[slot.end : start]
        ):
            return True
    return False


def _unlabelled_organizations(doc: Doc, slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """Proper nouns the model left unlabelled but whose context says "company" ("Verdalis, basé
    à Lyon, emploie …", "Fintrade a son siège social à Genève")."""
    text = doc_text(doc)
    found: list[Slot] = []
    read = 0  # the tokens before this one are read (part of a name looked at)
    # Capitalised words only, picked by their first character: most words are lowercase, and
    # a Token object for each would cost more than this whole pass.
    for i in [i for i, start in enumerate(doc.to_array(IDX).tolist()) if text[start].isupper()]:
        if i < read:
            continue
        token = doc[i]
        content = token.pos_ in {"PROPN", "NOUN", "X", "ADJ"} or token.is_oov
        if not content or token.is_stop or token.ent_type_:
            continue
        last = token
        while (
            last.i + 1 < len(doc)
            and (following := doc[last.i + 1]).pos_ == "PROPN"
            and following.text[:1].isupper()
            and not following.ent_type_
            and following.idx == last.idx + len(last.text) + 1
        ):
            last = following
        start, end = token.idx, last.idx + len(last.text)
        name = text[start:end]
        # The context cue is the evidence here, so a sentence-initial word the model knows
        # ("Kalimba a levé…") may still be a name.
        if (
            name not in lexicon.junk_words
            and not _overlaps(slots + found, start, end)
            and _organization_cue(text, start, end, lexicon) > 0
        ):
            found.append(Slot(start, end, "Organization", name))
        read = last.i + 1
    return found


# What a person, not a company, does right after their name: "Zeb Orla dirige …", "X, 41 ans".
_DEED_AFTER_NAME = re.compile(
    r"\s+(?:dirige|dirigeait|a\s+fondé|a\s+cofondé|a\s+créé|fonde|cofonde|explique|raconte|"
    r"confie|souligne|affirme|estime|sourit|se\s+souvient|est\s+né|"
    r"est\s+née)\b|\s*,\s*\d{2}\s+ans\b"
)
# Two capitalised words, overlapping pairs included ("Selon Zeb Orla": "Selon Zeb", "Zeb Orla").
_NAME_PAIR = re.compile(
    r"(?<![\w'’-])(?=(([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?) "
    r"([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?))(?![\w-]))"
)


def _unlabelled_persons(doc: Doc, slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """Two capitalised words the model left unlabelled that the document repeats and that act
    like a person once ("Zeb Orla dirige …", "Oren Brandt, 52 ans"): a person with an unusual
    given name. Each of their occurrences becomes a slot.

    >>> from kg.extract.lexicon import default_lexicon
    >>> from kg.nlp import load_pipeline
    >>> doc = load_pipeline()("Zeb Orla dirige la société. Selon Zeb Orla, tout va bien.")
    >>> doc.set_ents([], default="outside")  # as if the model had missed the name
    >>> [s.name for s in _unlabelled_persons(doc, [], default_lexicon())]
    ['Zeb Orla', 'Zeb Orla']
    """
    text = doc_text(doc)
    pairs = list(_NAME_PAIR.finditer(text))
    counts = Counter(m.group(1) for m in pairs)
    names = {
        m.group(1)
        for m in pairs
        if counts[m.group(1)] >= 2
        and _DEED_AFTER_NAME.match(text, m.end(1))
        and not _overlaps(slots, m.start(1), m.end(1))
        and not {m.group(2), m.group(3)} & lexicon.junk_words
        and _suffix_regex(lexicon).search(m.group(1)) is None
        and all(_plain_name(doc, start, end) for start, end in (m.span(2), m.span(3)))
    }
    return [
        Slot(start, start + len(name), "Person", name)
        for name in sorted(names)
        for start, _ in _occurrences(text, name)
        if not _overlaps(slots, start, start + len(name))
    ]


def _plain_name(doc: Doc, start: int, end: int) -> bool:
    """Is the word at ``start`` no entity, stop word or verb of the model's (a name it missed)?"""
    span = doc.char_span(start, end)
    return span is not None and all(
        not t.ent_type_ and not t.is_stop and t.pos_ not in {"VERB", "AUX", "DET", "ADP"}
        for t in span
    )


def _organization_cue(text: str, start: int, end: int, lexicon: Lexicon) -> int:
    """+1 when the words around a name say it is an organization (+2 for a title before it),
    -1 a place, 0 neither.

    What comes before the name weighs most ("PDG de X" beats "de X"); a place preposition
    ("à X", "usine de X") beats a verb after the name.
    """
    line_start = max(text.rfind("\n", 0, start), text.rfind(". ", 0, max(0, start - 1))) + 1
    before = text[max(line_start, start - 80) : start]
    after = text[end : end + 60]
    if typing_regex(lexicon, "organization_strong_before").search(before):
        return 2
    if typing_regex(lexicon, "organization_before").search(before):
        return 1
    if typing_regex(lexicon, "place_before").search(before):
        return 1 if typing_regex(lexicon, "organization_apposition").search(after) else -1
    if typing_regex(lexicon, "organization_after").search(after):
        return 1
    return 0


def _suffix_regex(lexicon: Lexicon) -> re.Pattern[str]:
    """A name ending in a company word ("Tessera Capital"), compiled once per lexicon."""
    if "org-suffix" not in lexicon.compiled:
        lexicon.compiled["org-suffix"] = re.compile(
            r"(?:^|\s)" + _alternation(lexicon.typing.get("organization_suffixes", [])) + r"$",
            re.IGNORECASE,
        )
    return lexicon.compiled["org-suffix"]


_INSTITUTION_WORDS = {
    "université", "école", "institut", "caisse", "banque", "groupe", "société", "compagnie",
    "fondation", "association", "fédération", "laboratoire", "holding", "agence", "ministère",
    "commission", "office", "bourse", "chambre", "conseil", "fonds", "hôpital", "clinique",
    "collège", "lycée", "centre", "syndicat", "mutuelle", "crédit", "assurances", "cour",
    "tribunal", "autorité", "consortium", "registre",
}  # fmt: skip


def _retype_by_context(doc: Doc, slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """Places and persons the context shows to be companies ("PDG de Lumina", "Nexolia rachète
    …", "auprès de Serena Ventures").

    Cues are counted per name over the document, so one "à Lumina" does not undo three
    "PDG de Lumina"; a name needs more organization cues than place cues to change type. A
    person's name ending in a company word ("Ventures", "Capital") is a company.
    """
    text = doc_text(doc)
    suffix = _suffix_regex(lexicon)
    company_words = {w.lower() for w in lexicon.typing.get("organization_suffixes", [])}
    votes: Counter[str] = Counter()
    # "le groupe IT Tarvel Dumont … le fournisseur Tarvel Dumont": a name the model reads as a
    # company elsewhere in the document counts as a strong cue for its "person" mentions.
    companies = {match_key(s.name) for s in slots if s.type == "Organization" and " " in s.name}
    for slot in slots:
        if slot.type == "Place" or (slot.type == "Person" and len(slot.name.split()) >= 2):
            votes[match_key(slot.name)] += _organization_cue(text, slot.start, slot.end, lexicon)
            if slot.type == "Person" and match_key(slot.name) in companies:
                votes[match_key(slot.name)] += 2
    retyped = []
    for slot in slots:
        key = match_key(slot.name)
        span = doc.char_span(slot.start, slot.end, alignment_mode="expand")
        # A "place" the model has no vector for and nothing calls a place is more likely one of
        # the many small companies news writes about ("Telvia a conclu…").
        unknown = span is not None and all(t.is_oov for t in span) and votes[key] == 0
        # "Groupe Varenne", "Orvalis SAS": a group or legal word makes a company.
        legal = strip_legal_words(slot.name) != strip_elision(slot.name)
        # "Université de Tours", "Banque de financement…": a name that opens on an institution noun.
        institution = slot.name.split()[0].lower() in _INSTITUTION_WORDS or (
            " " in slot.name and slot.name.split()[0].lower() in company_words
        )
        acronym = _acronym_company(doc, text, slot)
        # "Château Margaux", "Domaine Vallard": a wine estate is a business ("Château de Blois"
        # is a building).
        estate = _ESTATE.match(slot.name) is not None
        to_org = (
            slot.type == "Place"
            and (
                votes[key] > 0
                or estate
                or unknown
                or acronym
                or legal
                or institution
                or suffix.search(slot.name) is not None
            )
        ) or (
            slot.type == "Person"
            and (
                suffix.search(slot.name) is not None
                or slot.name.split()[0].lower() in lexicon.typing_words("organization_prefixes")
                # "fondée par Jeanne Morel": a common given name outweighs the cues around it.
                or (votes[key] > 1 and slot.name.split()[0] not in lexicon.given_names)
                or institution
            )
        )
        retyped.append(replace(slot, type="Organization") if to_org else slot)
    return retyped


_ESTATE = re.compile(r"(?:Ch[âa]teau|Domaine|Clos)\s+(?!de\b|du\b|des\b|d['’])[A-ZÀ-Ý]")


def _acronym_company(doc: Doc, text: str, slot: Slot) -> bool:
    """Is a "place" written as an acronym a company? "BMO", "CD&V", "UCLyon": places are seldom
    written as acronyms, companies often; a dateline's "PARIS" is a word the model knows, "BMO"
    is not; "le CERN", "la SNCF": after an article, an institution, known word or not."""
    if re.fullmatch(r"[A-Z][A-Z&]{1,5}|[A-Z]{2,4}[a-zà-ÿ]{2,}", slot.name) is None:
        return False
    return slot.name not in _PLACE_ACRONYMS and (
        len(slot.name) <= 3
        or not doc.vocab.has_vector(slot.name.lower())
        or _ARTICLE_BEFORE.search(text, max(0, slot.start - 4), slot.start) is not None
    )


_ARTICLE_BEFORE = re.compile(r"(?<![\w])(?:le|la|l['’])\s*$", re.IGNORECASE)
_PLACE_ACRONYMS = {"USA", "US", "UK", "UE", "RDC", "EAU", "RU", "NYC", "RFA", "URSS", "DOM", "TOM"}


_ARTICLE = re.compile(r"^(?:Le|La|Les|L['’])\s*")
_HONORIFIC = re.compile(r"^(?:M\.|Mme|Mlle|Me|Dr|Pr|Monsieur|Madame|Mademoiselle)\s+(?=[A-ZÀ-Ý])")


def _without_fragments(slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """Drop one-word names that are pieces of other names: a given name cut from a list of
    people ("Alain, Jean-Marc et Hugues Vautrin"), a company word cut from its name
    ("Partners", "Capital")."""
    suffixes = lexicon.typing_words("organization_suffixes")
    return [
        s
        for s in slots
        if " " in s.name.strip()
        or s.type == "Demonym"
        or not (
            s.name in lexicon.given_names
            or (s.type == "Organization" and s.name.lower() in suffixes)
        )
    ]


def _merge_short_forms(slots: list[Slot], text: str = "") -> list[Slot]:
    """An organization named in full once and by its first or last words elsewhere is one
    company: "Norvalis Technology" … "Norvalis", "Maison Verlaque" … "Verlaque". Only when the
    short form begins or ends exactly one longer name of the document: beside "DMT Global" and
    "DMT Canada", "DMT" could be either.

    >>> merged = _merge_short_forms([Slot(0, 19, "Organization", "Norvalis Technology"),
    ...                              Slot(30, 38, "Organization", "Norvalis")])
    >>> [(s.name, s.aliases) for s in merged]
    [('Norvalis Technology', ()), ('Norvalis Technology', ('Norvalis',))]
    """
    names = {s.name for s in slots if s.type == "Organization"}
    # An acronym's slot keeps its expansion as an alias: "l'Office" is short for the
    # "Office régional de l'habitat …" named ORH.
    forms = {n: n for n in names}
    for slot in slots:
        if slot.type == "Organization":
            for alias in slot.aliases:
                forms.setdefault(alias, slot.name)
    for form, name in list(forms.items()):  # "Technologies Parlea Inc" ends on "Parlea"
        forms.setdefault(strip_legal_words(form), name)
    longer: dict[str, str] = {}
    ambiguous: dict[str, set[str]] = {}
    for short in names:
        if len(short) < 3:
            continue
        # "Le Cabanon" opening a sentence loses its article to the name cleaner.
        found = {
            forms[n]
            for n in forms
            if n != short
            and not n.startswith("famille ")  # "Vautrin" is no short form of "famille Vautrin"
            and (
                (n.startswith(short + " ") and country_unit_parent(n) != short)
                # "Banque populaire … du Limousin" is not "Limousin": a complement is no short form
                or (n.endswith(" " + short) and not _after_function_word(n, short))
                or (n.endswith("-" + short) and n[:1].isupper())  # "Lyon-Bron"
                or _ARTICLE.sub("", n) == short
            )
        }
        # "Lyon-Bron" and "Lyon Bron" are one name written two ways.
        found = set({match_key(n.replace("-", " ")): n for n in sorted(found)}.values())
        if len(found) == 1 and short not in found:
            longer[short] = found.pop()
        elif len(found) > 1 and short not in found:
            ambiguous[short] = found
    longer.update(_university_contractions(names))
    return [
        replace(s, name=longer[s.name], aliases=(*s.aliases, s.name))
        if s.type == "Organization" and s.name in longer and not _parent_complement(text, s.start)
        else _by_context(text, s, ambiguous[s.name])
        if s.type == "Organization" and s.name in ambiguous
        else s
        for s in slots
    ]


# "Vexia Belgium" beside "Vexia": a unit named after its parent and a country is not the parent.
_COUNTRY_WORDS = (
    "Belgium|Belgique|België|France|Canada|Suisse|Schweiz|Switzerland|Deutschland|Germany|UK"
    "|USA|Europe|Benelux|Luxembourg|Italia|Italy|España|Spain|Nederland|Netherlands|Maroc"
    "|Morocco|Afrique|Africa|Asia|Asie|North America|Amérique du Nord|Polska|Portugal|Austria"
    "|Österreich|Ireland|Irlande|Japan|Japon|China|Chine|India|Inde|Brasil|Brazil|Mexico"
)
_COUNTRY_UNIT = re.compile(r"(.+?)\s+(?:" + _COUNTRY_WORDS + r")")


def country_unit_parent(name: str) -> str | None:
    """The parent a country unit is named after: "Vexia Belgium" → "Vexia", else None.

    >>> country_unit_parent("Vexia Belgium"), country_unit_parent("Vexia Technologies")
    ('Vexia', None)
    """
    found = _COUNTRY_UNIT.fullmatch(name)
    return found.group(1) if found else None


_UNIVERSITY = re.compile(r"Université\s+(?:de\s+|d['’]\s*|du\s+)?([A-ZÀ-Ý][\w-]+)")


def _university_contractions(names: set[str]) -> dict[str, str]:
    """A university's contraction beside its full name: "UVarenne" is "Université de Varenne".

    >>> _university_contractions({"UVarenne", "Université de Varenne", "Vexia"})
    {'UVarenne': 'Université de Varenne'}
    """
    full = {}
    for name in names:
        found = _UNIVERSITY.fullmatch(name)
        if found:
            full["U" + found.group(1)] = name
    return {name: full[name] for name in names if name in full}


# "X Ventures, la branche capital-risque de X": a short form after a unit word and "de" is the
# parent the longer name was named after, not the unit itself.
_UNIT_OF = re.compile(
    r"\b(?:filiale|branche|bras|division|pôle|entité|unité|maison[- ]mère|société\s+mère)"
    r"(?:\s+[\w'’-]+){0,2}?\s+(?:de\s+|d['’]\s*|du\s+)(?:groupe\s+)?$",
    re.IGNORECASE,
)


def _parent_complement(text: str, start: int) -> bool:
    """Is the name at ``start`` the parent after a unit word: "la branche capital-risque de X"?

    >>> _parent_complement("Orvel Capital, la branche d'investissement d'Orvel", 45)
    True
    >>> _parent_complement("Orvel Capital investit avec Orvel", 28)
    False
    """
    return _UNIT_OF.search(text[max(0, start - 60) : start]) is not None


def _by_context(text: str, slot: Slot, candidates: set[str]) -> Slot:
    """A short form several names end or begin with, read in its sentence: "le groupe Vexia
    vend sa filiale Énergie" means "Vexia Énergie", not "Orvel Énergie".

    >>> _by_context("Vexia vend sa filiale Énergie", Slot(22, 29, "Organization", "Énergie"),
    ...             {"Vexia Énergie", "Orvel Énergie"}).name
    'Vexia Énergie'
    """
    before = text[max(0, text.rfind(".", 0, slot.start) + 1, slot.start - 150) : slot.start]
    named = [
        c
        for c in candidates
        if all(
            re.search(rf"(?<!\w){re.escape(w)}(?!\w)", before) for w in c.split() if w != slot.name
        )
    ]
    if len(named) != 1:
        return slot
    return replace(slot, name=named[0], aliases=(*slot.aliases, slot.name))


_FORMER = re.compile(
    r"\s*(?:\(\s*|,\s*)(?:anciennement|ex-|ex\s+|auparavant|précédemment|autrefois|jadis)\s*"
    r"(?:(?:la\s+|le\s+|l['’]\s*)?(?:firme|société|groupe|entreprise|marque|enseigne)\s+)?"
    r"([A-ZÀ-Ý][\w&'’.-]*(?:[ \u00a0][A-ZÀ-Ý][\w&'’.-]*){0,2})(?=\s*[),])"
)


def _former_names(text: str, slots: list[Slot]) -> list[Slot]:
    """A company's former name is one more name of it: "Talmio (ex-Orvane)", "Vexia,
    anciennement Kelbio, …"; every mention of the old name is the company.

    >>> [(s.name, s.aliases) for s in _former_names("Talmio (ex-Orvane)", [Slot(0, 6, "Organization", "Talmio")])]
    [('Talmio', ()), ('Talmio', ('Orvane',))]
    """
    renamed: dict[str, str] = {}
    added: list[Slot] = []
    for slot in slots:
        found = _FORMER.match(text, slot.end) if slot.type == "Organization" else None
        if found is None or found.group(1) == slot.name:
            continue
        renamed[found.group(1)] = slot.name
        start, end = found.span(1)
        slots = [s for s in slots if not (s.start < end and start < s.end)]
        added.append(Slot(start, end, "Organization", slot.name, aliases=(found.group(1),)))
    return [
        replace(s, type="Organization", name=renamed[s.name], aliases=(*s.aliases, s.name))
        if s.name in renamed
        else s
        for s in slots
    ] + added


def _after_function_word(name: str, short: str) -> bool:
    """Does ``short`` end ``name`` after a preposition or article ("… du Limousin")?"""
    before = name[: len(name) - len(short)].split()
    return bool(before) and before[-1].lower().strip("'’") in _FUNCTION_WORDS | {"d", "l"}


def _fix_persons(slots: list[Slot], text: str = "", lexicon: Lexicon | None = None) -> list[Slot]:
    """One-word persons: a known person's first or last name, else (a brand) an organization.
    A title before a name is no part of it: "Mme Perrin" is Lise Perrin."""
    slots = [
        replace(s, name=_HONORIFIC.sub("", s.name)) if s.type == "Person" else s for s in slots
    ]
    full_names = [s.name for s in slots if s.type == "Person" and len(s.name.split()) >= 2]
    parts: Counter[str] = Counter()
    owners: dict[str, str] = {}
    for name in set(full_names):
        for part in re.split(r"\s+", name):
            parts[match_key(part)] += 1
            owners[match_key(part)] = name
    fixed = []
    for slot in slots:
        if slot.type != "Person" or len(slot.name.split()) >= 2:
            fixed.append(slot)
            continue
        if re.fullmatch(r"(?:[A-Z]\.\s?-?){2,3}", slot.name):
            continue  # initials: _initials() links them to the person they abbreviate
        key = match_key(slot.name)
        # A company named after its founder: "chez Garnaud" beside "Lucien Garnaud".
        if lexicon is not None and _organization_cue(text, slot.start, slot.end, lexicon) > 0:
            fixed.append(replace(slot, type="Organization"))
        elif parts.get(key) == 1:
            fixed.append(
                replace(slot, name=owners[key], via="name", aliases=(*slot.aliases, slot.name))
            )
        elif key not in parts and not _no_brand(text, slot):
            fixed.append(replace(slot, type="Organization"))
    return fixed


_PARTICIPLE_BY = re.compile(r"\w+(?:é|ée|és|ées)\s+par\b")


def _no_brand(text: str, slot: Slot) -> bool:
    """Is a lone word the model called a person neither a person nor a brand: a credit alone on
    its line ("Anna"), a participle opening a sentence ("Honoré par l'idée …")?

    >>> _no_brand("Honoré par l'idée", Slot(0, 6, "Person", "Honoré"))
    True
    """
    if not text:
        return False
    line_start = text.rfind("\n", 0, slot.start) + 1
    line_end = text.find("\n", slot.end)
    alone = text[line_start : line_end if line_end >= 0 else len(text)].strip() == slot.name
    return alone or _PARTICIPLE_BY.match(text, slot.start) is not None


def _initials(text: str, slots: list[Slot]) -> list[Slot]:
    """Interview initials ("G.B.") of a person named elsewhere in the document."""
    by_initials: dict[str, set[str]] = {}
    for slot in slots:
        if slot.type == "Person" and len(slot.name.split()) >= 2:
            by_initials.setdefault(initials_of(_display(slot.name)), set()).add(_display(slot.name))
    found = []
    for match in _INITIALS.finditer(text):
        letters = re.sub(r"[^A-Z]", "", match.group(1))
        names = {match_key(n): n for n in by_initials.get(letters, set())}
        start, end = match.span(1)
        if len(names) == 1 and not _overlaps(slots, start, end):
            name = next(iter(names.values()))
            found.append(
                Slot(start, end, "Person", name, via="initials", aliases=(match.group(1).strip(),))
            )
    return found


# "le groupe (français) Léon Tavel", "chez Tavel Frères", "injecté 1 M€ dans Tavel Dumont": places
# in the text where only a company can stand.
_COMPANY_SLOT_BEFORE = re.compile(
    r"(?:\b(?:le|la|l['’]|du|au|ce|cette)\s*(?:groupe|société|entreprise|firme|PME|compagnie|"
    r"holding|manufacture|maison|constructeur|fabricant|sous-traitant)(?:\s+(?-i:[a-zé][\w-]*)){0,2}"
    r"|\b(?:travaill\w*|employés|salariés|collaborateurs|personnes|ouvriers)\s+chez"
    r"|\b(?:injecté|injecte|investi|investit|apporté|réinjecté)\b"
    r"(?:[^.;!?⟨⟩]|(?<=\d)\.(?=\d)){0,60}?\bdans)\s+$",
    re.IGNORECASE,
)
_COMPANY_SLOT_AFTER = re.compile(
    r"^\s+(?:emploie|employait|compte\s+\d|a\s+réalisé\s+un\s+chiffre|réalise\s+un\s+chiffre)\b"
)
# A person's marks: "M. Tavel", "Léon Tavel, président …", "Léon Tavel (52 ans)", "explique Léon Tavel".
_PERSON_AFTER = re.compile(
    r"^\s*(?:,\s*(?:\w+\s+)?(?:président|présidente|directeur|directrice|PDG|CEO|fondateur|"
    r"fondatrice|associé|associée|gérant|gérante|administrateur|administratrice|porte-parole)\b"
    r"|,\s*\d{2}\s+ans\b|\(\s*\d{2}\s+ans)"
)
_PERSON_BEFORE = re.compile(
    r"\b(?:explique|déclare|souligne|confie|ajoute|précise|estime|raconte|assure|selon|"
    r"PDG|CEO|président|présidente|directeur|directrice|fondateur|fondatrice)\s+$"
)


def _persons_named_as_companies(text: str, slots: list[Slot]) -> list[Slot]:
    """Two-word "persons" the text uses as companies at least twice and never as a person:
    a construction firm called after its founder ("le groupe Léon Tavel … chez Léon Tavel").

    >>> s = [Slot(10, 20, "Person", "Léon Tavel"), Slot(40, 50, "Person", "Léon Tavel")]
    >>> t = "Le groupe Léon Tavel emploie 90 personnes. La PME Léon Tavel a signé."
    >>> [x.type for x in _persons_named_as_companies(t, s)]
    ['Organization', 'Organization']
    """
    retyped = []
    verdicts: dict[str, bool] = {}
    for slot in slots:
        if slot.type == "Person" and len(slot.name.split()) >= 2:
            if slot.name not in verdicts:
                verdicts[slot.name] = _used_as_company(text, slot.name)
            if verdicts[slot.name]:
                slot = replace(slot, type="Organization")
        retyped.append(slot)
    return retyped


def _used_as_company(text: str, name: str) -> bool:
    """Whether ``name`` stands at least twice where only a company can and never as a person."""
    surname = name.split()[-1]
    if re.search(r"\b(?:M\.|Mme|Monsieur|Madame)\s+" + re.escape(surname) + r"\b", text):
        return False
    company_uses = 0
    for start, end in _occurrences(text, name):
        before, after = text[max(0, start - 90) : start], text[end : end + 60]
        if _PERSON_AFTER.match(after) or _PERSON_BEFORE.search(before):
            return False
        if _COMPANY_SLOT_BEFORE.search(before) or _COMPANY_SLOT_AFTER.match(after):
            company_uses += 1
    return company_uses >= 2


def _places_named_as_companies(slots: list[Slot]) -> list[Slot]:
    """A "place" whose exact name the document gives a company at least twice and more often
    as often as a place: "la société Prevel … les usines de Prevel à Namur" is one company.

    >>> s = [Slot(0, 6, "Organization", "Prevel"), Slot(9, 15, "Organization", "Prevel"),
    ...      Slot(20, 26, "Place", "Prevel")]
    >>> [x.type for x in _places_named_as_companies(s)]
    ['Organization', 'Organization', 'Organization']
    """
    as_company = Counter(s.name for s in slots if s.type == "Organization")
    as_place = Counter(s.name for s in slots if s.type == "Place")
    return [
        replace(s, type="Organization")
        if s.type == "Place" and as_company[s.name] >= max(2, as_place[s.name])
        else s
        for s in slots
    ]


def _without_region_codes(text: str, slots: list[Slot]) -> list[Slot]:
    """Drop the two-letter codes in brackets after a place ("Sion (VS)", "Lévis (QC)"): a
    canton, province or department, not a company.

    >>> t = "Sion (VS) et Bulle"
    >>> s = [Slot(0, 4, "Place", "Sion"), Slot(6, 8, "Organization", "VS")]
    >>> [x.name for x in _without_region_codes(t, s)]
    ['Sion']
    """
    places = [s for s in slots if s.type == "Place"]
    kept = []
    for slot in slots:
        code = re.fullmatch(r"[A-Z]{2}", slot.name) is not None
        bracketed = (
            text[slot.start - 1 : slot.start] == "(" and text[slot.end : slot.end + 1] == ")"
        )
        after_place = any(re.fullmatch(r"\s*\(", text[p.end : slot.start]) for p in places)
        if not (slot.type != "Place" and code and bracketed and after_place):
            kept.append(slot)
    return kept


# A legal form closing a name: "SARL", "S.A.R.L.", "SA", "S.A.", "GmbH", "NV", "SPRL"…
_LEGAL_FORM_END = re.compile(
    r"\s(?:S\.?A\.?R\.?L\.?|S\.?A\.?S\.?U?\.?|S\.?A\.?|S\.?P\.?R\.?L\.?|S\.?R\.?L\.?|GmbH|AG|NV|BV|"
    r"Inc\.?|Ltd\.?|Sàrl)$"
)
