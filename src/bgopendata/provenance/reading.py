"""Read the number a figure's text writes, in the row's unit, and the place value of its last digit.

Digits are read with babel's ``parse_decimal`` in the document's locale (Italian ``1.778`` =
1778 and ``13,1`` = 13.1; English ``1,778`` = 1778), a scale word right after them
(``miliardi``, ``mila``, ``billion``...) converts them to the row's unit with the factor the
lexicon gives for that unit, and a suffix (``4a``, ``9°``, ``4th``, ``%``) is ignored.
Without digits, the lexicon's number words (``two-thirds``, ``il doppio``) and ordinals
(``la quinta``, ``fifth``, ``forth``) are tried, then text2num for cardinal words
(``two main technology parks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from bgopendata.provenance.lexicon import entries, lexicon

# digits as either language writes them, with thousands and decimal separators
NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")


class Unreadable(ValueError):
    """The text writes no number this reader understands (the message says why)."""


@dataclass(frozen=True)
class Reading:
    value: Decimal
    resolution: Decimal
    how: str  # "digits", "word" or "ordinal"
    qualifier: str = "exact"  # what the wording implies without a hedge word


@cache
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A lexicon phrase on word boundaries, any case."""
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)


@cache
def parse_written(token: str, language: str) -> Decimal:
    """One written number in the document's locale (babel)."""
    if token.isdigit():  # no separator: every locale reads it alike, babel's locale data is not needed
        return Decimal(token)
    from babel.numbers import NumberFormatError, parse_decimal

    locale = lexicon()["locales"].get(language, language)
    try:
        return parse_decimal(token, locale=locale)
    except NumberFormatError as exc:
        raise Unreadable(f"{token!r} is not a number in {language}") from exc


def place_value(token: str, language: str) -> Decimal:
    """The place value of the token's last written digit: ``13,1`` -> 0.1, ``1.778`` (it) -> 1."""
    exponent = parse_written(token, language).as_tuple().exponent
    return Decimal(1).scaleb(min(int(exponent), 0))


def scale_factor(after: str, language: str, unit: str) -> tuple[Decimal, str | None]:
    """The factor of a scale word at the start of ``after`` for ``unit`` (1 if none)."""
    words = entries("scale_words", language)
    match = re.match(r"\s*([^\W\d_]+)", after)
    if not match or match.group(1).lower() not in words:
        return Decimal(1), None
    word = match.group(1).lower()
    factors = words[word]
    if unit not in factors:
        raise Unreadable(f"the scale word {word!r} does not write a figure in {unit}")
    return Decimal(factors[unit]), word


@cache
def read_figure(text: str, language: str, unit: str) -> Reading:
    """The value ``text`` writes, in ``unit``; raises ``Unreadable`` with the reason."""
    numbers = list(NUMBER.finditer(text))
    if numbers:
        token = numbers[0]
        factor, _ = scale_factor(text[token.end() :], language, unit)
        value = parse_written(token.group(), language) * factor
        resolution = place_value(token.group(), language) * factor
        if "%" in text[token.end() : token.end() + 2] and unit not in lexicon()["percent_units"]:
            raise Unreadable(f"{text!r} writes a percentage, not a figure in {unit}")
        return Reading(value.normalize(), resolution.normalize(), "digits")
    return read_words(text, language, unit)


def read_words(text: str, language: str, unit: str) -> Reading:
    """A figure written in words: the lexicon's number words and ordinals, then text2num."""
    for phrase, by_unit in sorted(entries("number_words", language).items(), key=lambda kv: -len(kv[0])):
        if phrase != "description" and phrase_pattern(phrase).search(text):
            if unit not in by_unit:
                raise Unreadable(f"{phrase!r} does not write a figure in {unit}")
            meant = by_unit[unit]
            return Reading(
                Decimal(meant["value"]), Decimal(meant["resolution"]), "word", meant.get("qualifier", "exact")
            )
    for word, number in entries("ordinals", language).items():
        if word != "description" and phrase_pattern(word).search(text):
            return Reading(Decimal(number), Decimal(1), "ordinal")
    cardinal = _text2num(text, language)
    if cardinal is not None:
        return Reading(cardinal, Decimal(1), "word")
    raise Unreadable(f"{text!r} writes no number the lexicon or text2num can read")


def _text2num(text: str, language: str) -> Decimal | None:
    from text_to_num import alpha2digit

    try:
        converted = alpha2digit(text, language, threshold=0)
    except (ValueError, KeyError, NotImplementedError):
        return None
    found = re.search(r"\d+", converted)
    return Decimal(found.group()) if found and converted != text else None


def bound_of(text: str, language: str, unit: str) -> dict[str, str] | None:
    """The bounds the lexicon gives a wording that names a value without writing it, or None."""
    for phrase, by_unit in entries("bounds", language).items():
        if phrase != "description" and unit in by_unit and phrase_pattern(phrase).search(text):
            return by_unit[unit]
    return None


def hedge(window: str, language: str) -> str | None:
    """The qualifier of the hedge word in ``window`` (the longest phrase wins), or None."""
    for phrase, qualifier in sorted(entries("hedges", language).items(), key=lambda kv: -len(kv[0])):
        if phrase != "description" and phrase_pattern(phrase).search(window):
            return qualifier
    return None


def to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None
