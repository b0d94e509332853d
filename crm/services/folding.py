"""How names are compared: case and accents do not make a different name, in every script.

``fold`` lower-cases (Unicode case folding, so Greek final sigma and Turkish İ fold too), spells
out German umlauts and ß (ä → ae, so „Mueller“ finds „Müller“) and drops accents and other
combining marks. ``name_words`` keeps the letters, marks and digits of *every* script and turns
everything else (punctuation, symbols, spaces) into single spaces: „Ελληνική Κοινότητα“,
„Русская школа“, „日本語学校“ and „مدرسة اللغة العربية“ stay themselves, so two names in
another script are never taken for one another (before, they all folded to the empty string).

The import's name keys (``crm.services.imports.lookups.name_key``) and the duplicate check
(``crm.services.landscape.duplicates.normalise_name``) build on these two.
"""
from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark, folded as their base
# letter would be: the dotless ı (Turkish) is an i without its dot, ł an l with a stroke.
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss", "æ": "ae", "ø": "oe", "œ": "oe",
                       "ı": "i", "ł": "l", "đ": "d"})


def fold(text: str) -> str:
    """Case folded, umlauts spelt out, accents and other combining marks dropped."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def name_words(text: str) -> list[str]:
    """The words of a folded name: runs of letters, marks and digits of any script."""
    folded = fold(text)
    return "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in folded).split()


# The same letters as ``_FOLD`` without the German spelling-out: „Müller“ as „muller“.
_FOLD_PLAIN = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ı": "i", "ł": "l", "đ": "d"})


def fold_plain(text: str) -> str:
    """Case folded with every accent and umlaut dropped to its base letter (ü → u, é → e, ß → ss):
    how someone types a name on a keyboard without umlauts ("Muller" for „Müller“)."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_FOLD_PLAIN)
    text = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def search_folds(text: str) -> str:
    """Text as a search column stores it: the ``fold`` (ü → ue) and, where it differs, the
    ``fold_plain`` (ü → u) after it, so a folded search word finds the name either way."""
    spelt, plain = fold(text), fold_plain(text)
    return spelt if spelt == plain else f"{spelt} {plain}"
