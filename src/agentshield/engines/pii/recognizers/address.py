"""ADDRESS: street addresses in US, UK and Spanish forms.

`123 Main Street, Springfield, IL 62704`, `221B Baker Street, London NW1 6XE`,
`Calle Mayor 5, 28013 Madrid`. A house number and a street-type word are both required;
a post office box needs its town (`PO Box 1234, Springfield, IL 62704`).
A US street may have a direction before or after its name (`1600 Pennsylvania Avenue NW`,
`42 N. Main St`: USPS Publication 28, section 233) and a unit after it (`Suite 300`).
"""

from __future__ import annotations

import re

from agentshield.engines.pii.recognizer import Pattern, Recognizer

_WORD = r"[A-Z][a-z]+\.?"
_EN_TYPES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|"
    "Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Close|Crescent|Gardens|Grove|"
    "Mews|Row|Walk|Hill|Loop|Trail|Trl|Plaza|Plz|Alley|Pike|Expressway|Expy|Freeway|Fwy"
)
_US_TAIL = r", [A-Z][a-z]+(?: [A-Z][a-z]+){0,2}, [A-Z]{2}(?: \d{5}(?:-\d{4})?)?"
_UK_TAIL = r"(?:, [A-Z][a-z]+(?: [A-Z][a-z]+)?)?,? [A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_DIRECTION = r"(?:[NS][EW]?|[EW])\b\.?"
_UNIT = "Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|Building|Bldg|#"
_EN = (
    rf"\b\d{{1,6}}[A-Z]?(?: {_DIRECTION})?(?: {_WORD}| \d{{1,3}}(?:st|nd|rd|th)){{1,4}}"
    rf" (?:{_EN_TYPES})\b\.?(?: {_DIRECTION})?"
    rf"(?:,? (?:{_UNIT}) ?[A-Za-z0-9-]{{1,6}})?"
    rf"(?:{_US_TAIL}|{_UK_TAIL}|, [A-Z][a-z]+(?: [A-Z][a-z]+)?\b)?"
)
# A post office box is a postal address too, with its town (as a street needs its type).
# The town is optional here and required by `refuse`: required, it led the reversed view's
# trigger (turned.py), which then opened on any capital or digit (new text +2.6%).
_PO_BOX = rf"\b(?:P\.? ?O\.?|Post Office) Box \d{{1,6}}(?:{_US_TAIL}|{_UK_TAIL})?"
_BARE_BOX = re.compile(r".* Box \d+")
_ES_L = "[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+"
_ES_JOIN = "(?:(?:de|del|la|las|los|el|d') ?)*"
_ES = (
    r"\b(?:Calle|C/|Avenida|Avda\.?|Av\.|Plaza|Pza\.?|Paseo|Camino|Carretera|Ctra\.?|Ronda|"
    r"Travesía|Glorieta|Callejón|Carrer|Rúa) ?"
    rf"{_ES_JOIN}{_ES_L}(?: {_ES_JOIN}{_ES_L}){{0,3}},? (?:n[º°o.] ?)?\d{{1,4}}[A-Za-z]?"
    # The floor and door (`3º B`, `2º izq.`), as scanned: NFKC makes `º` an `o`, `ª` an `a`.
    r"(?:,? \d{1,2}(?:°|[oa]\b|\b)\.?(?: ?(?:izq(?:uierda|da)?|dcha|derecha|[A-Za-z])\b\.?)?)?"
    rf"(?:,? \d{{5}} {_ES_L}(?: {_ES_L})?)?"
)

# The value ends at the last field given (`42 Elm Road;;;;` is the street alone).
_FIELD = r"[^;\n]*[^;\s]"
_VCARD = rf"\bADR(?:;[^:\n]*)?:[^;\n]*;[^;\n]*;(?P<value>{_FIELD}(?:(?:;[^;\n]*){{0,3}};{_FIELD})?)"

# Right after a company's or an institution's name: its address, no person's (`Free
# Software Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA`, in every GPL
# notice), on the same line or the next (a comment's marks before it).
_OF_COMPANY = re.compile(
    r"(?i)\b(?:inc|llc|ltd|plc|gmbh|corp|corporation|foundation|university|institute)\.?,?"
    r"[ \t]*(?:\r?\n[ \t#*/;-]*)?\Z"
)
_YEAR = re.compile(r"(?:19|20)\d\d ")  # opening a copyright notice's line (`refused`)
# What may stand before that year on its line: a sign, earlier years (`© 2013-2014 Timo`).
_NOTICE = re.compile(
    r"(?i)[ \t]*(?:(?:©|\(c\)|copyright)[ \t]*)?(?:(?:19|20)\d\d[ \t]*[-\u2013,][ \t]*)*"
)


class AddressRecognizer(Recognizer):
    entity_type = "ADDRESS"
    patterns = (
        Pattern("english street", _EN, 0.7),
        Pattern("post office box", _PO_BOX, 0.7, refuse=_BARE_BOX.fullmatch),
        Pattern("spanish street", _ES, 0.7),
        # A vCard's (RFC 6350): `ADR;TYPE=home:;;123 Main Street;Springfield;IL;62704;USA`,
        # post office box, extension, street, town, region, postcode and country apart. The
        # value runs from the street: before, the town and postcode were left.
        Pattern("vcard", _VCARD, 0.7, turned=False),
    )
    context = ("address", "live at", "lives at", "street", "ship to", "deliver", "dirección")
    context += ("domicilio", "vivo en", "postcode", "zip")

    def refused(self, text: str, start: int) -> bool:
        if _OF_COMPANY.search(text, max(0, start - 24), start):
            return True
        # A line of a copyright notice: a year opening it, a name ending in a street's word
        # (` 2021 Iain Lane`), no town after a comma.
        if _YEAR.match(text, start) and _NOTICE.fullmatch(
            text, text.rfind("\n", 0, start) + 1, start
        ):
            end = text.find("\n", start)
            return "," not in text[start : end if end >= 0 else len(text)]
        return False
