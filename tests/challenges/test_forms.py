"""The challenge form's parsing: Dutch amounts, Amsterdam times, rows."""

from datetime import UTC, datetime

from starlette.datastructures import FormData

from app.challenges import forms


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
