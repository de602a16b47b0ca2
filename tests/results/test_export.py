"""A cut scenario as CSV for Dutch Excel and as XLSX, with no way to smuggle in a formula."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.results.amounts import decimal_comma
from app.results.cuts import CutContract, Saving, cut_scenario
from app.results.export import guarded, scenario_csv, scenario_xlsx

CONTRACTS = [
    CutContract("A", 100_000_00, 50, ("youth",), name='=HYPERLINK("http://evil")'),
    CutContract("B", 200_000_00, 400, ("debts", "youth"), name="Schuldhulp; Zuid"),
    CutContract("C", 100_000_00, 20, ("debts",), floor_cents=60_000_00, estimated=True),
    CutContract("D", 50_000_00, 100, ("housing",), protected=True, name="Wonen\nnoord"),
]
SCENARIO = cut_scenario(CONTRACTS, Saving.of_amount(60_000_00))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_for_dutch_excel():
    data = scenario_csv(SCENARIO)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"").replace(b"Wonen\nnoord", b"")
    rows = read_csv(data)
    assert rows[0][:6] == [
        "Contract",
        "Naam",
        "Doelgroepen",
        "Beschermd",
        "Ondergrens (€)",
        "Budget voor (€)",
    ]
    by_id = {row[0]: row for row in rows[1:5]}
    # Flat: 15 % off A, B and C; results-based: C to its floor, then A.
    assert by_id["A"][5:12] == [
        "100000,00",
        "15000,00",
        "85000,00",
        "7,50",
        "20000,00",
        "80000,00",
        "10,00",
    ]
    assert by_id["C"][4] == "60000,00" and by_id["C"][13] == "ja"
    assert by_id["B"][1] == "Schuldhulp; Zuid" and by_id["D"][1] == "Wonen\nnoord"
    assert rows[5][0] == "Totaal" and rows[5][6] == "60000,00" and rows[5][8] == "70,50"
    assert [
        "debts",
        "nee",
        "200000,00",
        "30000,00",
        "170000,00",
        "33,00",
        "40000,00",
        "160000,00",
        "8,00",
    ] in rows
    assert any(row and row[0] == "Aannames" for row in rows)


def test_a_formula_in_a_name_stays_text():
    rows = read_csv(scenario_csv(SCENARIO))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_guarded(start):
    assert guarded(start + "1+1") == "'" + start + "1+1"


@given(st.text(max_size=20))
def test_guarded_text_never_starts_a_formula(text):
    assert not guarded(text).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert guarded(text) in (text, "'" + text)


def test_a_shortfall_is_in_the_file():
    short = cut_scenario(CONTRACTS, Saving.of_amount(100_000_00), {"youth"})
    rows = read_csv(scenario_csv(short))
    line = next(row for row in rows if row and row[0] == "Tekort (€)")
    assert line[1] == "60000,00" and "tekort" in line[2]


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=30), st.text(max_size=12).filter(lambda t: t.strip()))
def test_any_name_and_group_come_back_as_written(name, group):
    scenario = cut_scenario([CutContract("x", 100, 1, (group,), name=name)], Saving.of_amount(1))
    rows = read_csv(scenario_csv(scenario))
    assert rows[1][1] == guarded(name)
    assert rows[1][2] == guarded(group)


def test_xlsx_holds_numbers_as_numbers_and_formulas_as_text():
    workbook = openpyxl.load_workbook(io.BytesIO(scenario_xlsx(SCENARIO)))
    sheet = workbook.active
    assert sheet["A1"].value == "Contract"
    assert sheet["B2"].value == '=HYPERLINK("http://evil")'
    assert sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix
    assert sheet["F2"].value == 100_000 and sheet["F2"].number_format == "#,##0.00"
    assert sheet["I2"].value == Decimal("7.5") or sheet["I2"].value == 7.5
    assert sheet["A6"].value == "Totaal" and sheet["G6"].value == 60_000


def test_amounts_with_a_decimal_comma_keep_their_sign():
    assert [decimal_comma(c) for c in (0, 5, 123456, -150, -5)] == [
        "0,00",
        "0,05",
        "1234,56",
        "-1,50",
        "-0,05",
    ]
