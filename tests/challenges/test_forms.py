"""The challenge form's parsing: Dutch amounts, Amsterdam times, rows."""

from datetime import UTC, datetime

import pytest
from starlette.datastructures import FormData

from app.challenges import forms


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("450.000", 450_000_00),
        ("€ 450.000,50", 450_000_50),
        ("450000", 450_000_00),
        ("1.250", 1_250_00),
        ("12,5", 12_50),
        ("1250.5", 1_250_50),
        ("", None),
    ],
)
def test_parse_euros(text, cents):
    assert forms.parse_euros(text) == cents


@pytest.mark.parametrize("text", ["veel", "1.2.3", "12,345", "-5", "1e6"])
def test_parse_euros_refuses(text):
    with pytest.raises(forms.BadAmount):
        forms.parse_euros(text)


def test_format_euros_round_trips():
    for cents in (450_000_00, 450_000_50, 1_00, 0):
        assert forms.parse_euros(forms.format_euros(cents) or "0") == cents


def test_deadline_is_read_as_amsterdam_time():
    data, errors = forms.parse(
        {"title": "x", "submission_deadline": "2026-07-01T12:00", "question_deadline": ""}
    )
    assert errors == {}
    assert data.submission_deadline.astimezone(UTC) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_rows_are_compacted_and_renumbered():
    form = FormData(
        [
            ("title", "x"),
            ("indicators-0-name", ""),
            ("indicators-0-direction", "increase"),
            ("indicators-3-name", "Recidive"),
            ("indicators-3-direction", "decrease"),
            ("requirements-2-text", "AVG"),
        ]
    )
    values = forms.values_from_form(form)
    assert values["indicators-0-name"] == "Recidive"
    assert "indicators-1-name" not in values
    data, errors = forms.parse(values)
    assert errors == {}
    assert [i.direction.value for i in data.indicators] == ["decrease"]
    assert data.requirements == ["AVG"]


def test_too_many_rows_is_an_error_not_a_crash():
    values = {"title": "x"} | {f"requirements-{i}-text": "eis" for i in range(60)}
    data, errors = forms.parse(forms.values_from_form(FormData(list(values.items()))))
    assert data is None and "requirements" in errors
