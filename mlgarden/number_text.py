"""Numbers as people read and type them: never a negative zero, never a silent misreading.

A value that rounds to zero at the digits shown ("-0.00001" at four decimals) would print as
"-0.0000", and an exact negative zero (what -1 * 0.0 gives) as "-0": both read as a glitch.
`plain(value, spec)` formats like `format(value, spec)` and drops the sign of such a zero.
`typed_number(text)` reads a number typed by hand as Python does (0.5, -2e-3, 1_000), or says it
is none: a field that read only the leading number took "1/3" for 1.
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


def typed_number(text: str) -> float | None:
    """The float64 a person typed (surrounding spaces allowed), or None when it is not a number."""
    try:
        return float(text.strip())
    except ValueError:
        return None
