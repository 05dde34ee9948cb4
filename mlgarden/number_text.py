"""Numbers as people read them: never a negative zero.

A value that rounds to zero at the digits shown ("-0.00001" at four decimals) would print as
"-0.0000", and an exact negative zero (what -1 * 0.0 gives) as "-0": both read as a glitch.
`plain(value, spec)` formats like `format(value, spec)` and drops the sign of such a zero.
"""

from __future__ import annotations


def plain(value: float, spec: str) -> str:
    """`format(value, spec)` without the minus sign of a number that shows as zero."""
    text = format(value, spec)
    if text.startswith("-") and _shows_zero(text):
        return text[1:]
    return text


def _shows_zero(text: str) -> bool:
    try:
        return float(text.rstrip("%")) == 0.0
    except ValueError:
        return False
