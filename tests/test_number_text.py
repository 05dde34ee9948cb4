"""Numbers typed by hand: read as Python reads a float, or refused as no number."""

import math

import pytest

from mlgarden.number_text import typed_number


@pytest.mark.parametrize("text, number", [("0.1", 0.1), (" -2e-3 ", -0.002), ("1_000", 1000.0),
                                          ("16", 16.0), ("+.5", 0.5), ("1E3", 1000.0)])
def test_a_typed_number_is_read_exactly(text, number):
    assert typed_number(text) == number


def test_infinity_and_nan_are_read_as_numbers_for_the_document_to_refuse():
    assert typed_number("inf") == math.inf and math.isnan(typed_number("nan"))


@pytest.mark.parametrize("text", ["1/3", "", "  ", "1,5", "0.5.1", "2 3", "one", "1e"])
def test_text_that_is_no_number_is_none(text):
    assert typed_number(text) is None
