"""A saved scenario as JSON, CSV, XLSX and the memo's PDF: one place for the API and the pages."""

import re

from starlette.responses import Response

from app.documents.download import file_download
from app.evaluation.scores import rounded
from app.results.cuts import ContractCut, GroupCut
from app.results.export import CSV_TYPE, XLSX_TYPE, scenario_csv, scenario_xlsx
from app.scenarios.memo import memo_content, memo_pdf
from app.scenarios.models import CutScenarioRecord
from app.scenarios.schemas import (
    ContractCutOut,
    CutFigures,
    CutOut,
    FloorIn,
    GroupCutOut,
    ScenarioOut,
    ScenarioSummaryOut,
)
from app.scenarios.service import SavedScenario

PDF_TYPE = "application/pdf"
FORMATS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE, "pdf": PDF_TYPE}


def contract_number(key: str) -> int:
    return int(key)


def summary_out(record: CutScenarioRecord) -> ScenarioSummaryOut:
    return ScenarioSummaryOut(
        id=record.public_id,
        name=record.name,
        created_at=record.created_at,
        created_by=record.created_by.name,
        saving_cents=record.saving_cents,
        total_budget_cents=record.total_budget_cents,
        short_cents=record.short_cents,
        flat_results_lost=record.flat_results_lost,
        results_based_results_lost=record.results_results_lost,
    )


def _figures(cut: ContractCut | GroupCut) -> CutFigures:
    return CutFigures(
        cut_cents=cut.cut_cents,
        after_cents=cut.after_cents,
        results_lost=str(cut.results_lost_shown),
    )


def scenario_out(saved: SavedScenario) -> ScenarioOut:
    record, scenario = saved.record, saved.scenario
    flat, results = scenario.flat, scenario.results
    return ScenarioOut(
        **summary_out(record).model_dump(),
        organisation=saved.organisation,
        saving_amount_cents=record.saving_amount_cents,
        saving_percentage=record.saving_percentage,
        protected_contracts=[contract_number(i) for i in record.protected_contracts],
        protected_target_groups=list(record.protected_groups),
        floors=[
            FloorIn(contract_id=contract_number(key), floor_cents=cents)
            for key, cents in sorted(record.floors.items(), key=lambda kv: contract_number(kv[0]))
        ],
        theme=record.filters.get("theme"),
        target_group=record.filters.get("target_group"),
        unit=str(scenario.unit),
        results_before=str(rounded(flat.results_before)),
        results_kept=str(rounded(scenario.results_kept)),
        shortfall=str(flat.shortfall) if flat.shortfall else None,
        flat=CutOut(
            cut_cents=flat.cut_cents,
            short_cents=flat.short_cents,
            results_lost=str(flat.results_lost_shown),
            percentage=str(flat.percentage) if flat.percentage is not None else None,
            rule=str(flat.rule),
        ),
        results_based=CutOut(
            cut_cents=results.cut_cents,
            short_cents=results.short_cents,
            results_lost=str(results.results_lost_shown),
            percentage=None,
            rule=str(results.rule),
        ),
        contracts=[
            ContractCutOut(
                contract_id=contract_number(one.contract),
                name=one.name,
                target_groups=list(one.target_groups),
                protected=one.protected,
                protected_by_groups=list(one.protected_by_groups),
                floor_cents=one.floor_cents,
                estimated=one.estimated,
                budget_cents=one.before_cents,
                expected_results=str(rounded(one.results_before)),
                results_per_euro=str(one.results_per_euro),
                flat=_figures(one),
                results_based=_figures(other),
            )
            for one, other in zip(flat.contracts, results.contracts, strict=True)
        ],
        target_groups=[
            GroupCutOut(
                target_group=one.group,
                protected=one.protected,
                budget_cents=one.before_cents,
                expected_results=str(rounded(one.results_before)),
                flat=_figures(one),
                results_based=_figures(other),
            )
            for one, other in zip(flat.groups, results.groups, strict=True)
        ],
        assumptions=[str(text) for text in scenario.assumptions],
    )


def filename(saved: SavedScenario, extension: str) -> str:
    """The scenario's name as a file name: letters, digits and a few marks, at most 80."""
    name = re.sub(r"[^\w.,() -]+", "-", saved.record.name, flags=re.UNICODE).strip(" -.")
    return f"{name[:80] or 'scenario'}.{extension}"


def scenario_file(saved: SavedScenario, kind: str) -> Response:
    """The scenario as a download: csv, xlsx or pdf (the council memo)."""
    if kind == "csv":
        content = scenario_csv(saved.scenario)
    elif kind == "xlsx":
        content = scenario_xlsx(saved.scenario)
    else:
        content = memo_pdf(memo_content(saved))
    return file_download(content, filename(saved, kind), FORMATS[kind])
