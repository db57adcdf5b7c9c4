"""Values as the app and the chat show them: amounts with currency and scale, percentages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.display import format_amount, format_figures, format_value


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (383300000000, "USD", "$383.3 billion"),
    (Decimal("307400000000"), "USD", "$307.4 billion"),
    (1.2e9, "EUR", "EUR 1.2 billion"),
    (97000000000, "DKK", "DKK 97 billion"),
    (7.5e12, "GBP", "GBP 7.5 trillion"),
    (45600000, "USD", "$45.6 million"),
    (-2.5e9, "USD", "-$2.5 billion"),
    (1500, "USD", "$1,500"),
    (22.4, "%", "22.4%"),
    ("22.40", "percent", "22.4%"),
    (12.5, "mg", "12.5 mg"),
    (2023, None, "2023"),
    ("n/a", "USD", "n/a USD"),
])
def test_amounts_are_shown_with_their_currency_and_scale(value, unit, shown):
    assert format_amount(value, unit) == shown


@pytest.mark.parametrize(("stored", "shown"), [
    ("383300000000 USD", "$383.3 billion"),
    ("307400000000 USD (307.4 billion)", "$307.4 billion"),
    ("1,200,000,000 EUR", "EUR 1.2 billion"),
    ("22.4%", "22.4%"),
    ("22.4 percent", "22.4%"),
    ("500 mg twice daily", "500 mg twice daily"),
    ("2023", "2023"),
    ("FY2023", "FY2023"),
    ("type 2 diabetes", "type 2 diabetes"),
])
def test_stored_figures_are_written_for_reading_and_other_values_left_alone(stored, shown):
    assert format_value(stored) == shown


def test_amounts_in_running_text_are_rewritten_and_the_rest_kept():
    text = "Apple Inc. revenue FY2023 value 383300000000 USD (383.3 billion) [F1]; in 2023 it grew 2%."
    assert format_figures(text) == "Apple Inc. revenue FY2023 value $383.3 billion [F1]; in 2023 it grew 2%."
