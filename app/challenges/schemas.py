"""The shape of a challenge on the way in and out, and the rules that make it publishable."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.challenges.models import CriterionKind, Direction, Frequency, Theme
from app.clock import AMSTERDAM
from app.i18n import Lazy
from app.validation import NAME_MAX, TEXT_MAX, Input

# The limits of what is written, named once: the API, the forms and the messages use these.
UNIT_MAX = 60
REQUIREMENT_MAX = 5000
REASON_MIN, REASON_MAX = 3, 5000
QUESTION_MIN, QUESTION_MAX = 5, 5000
ANSWER_MIN, ANSWER_MAX = 2, 20_000
MAX_ROWS = 50

Text = Annotated[str, Field(max_length=TEXT_MAX)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
Reason = Annotated[str, Field(min_length=REASON_MIN, max_length=REASON_MAX)]


def _aware(value: datetime | None) -> datetime | None:
    """A moment without a zone is read as Amsterdam time, the zone users think in."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=AMSTERDAM)
    return value


# Dates outside these years are typing errors; near the ends of the calendar a time zone
# conversion or a few days added would overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def _in_range(value: date | None) -> date | None:
    day = value.date() if isinstance(value, datetime) else value
    if day is not None and not EARLIEST <= day <= LATEST:
        raise PydanticCustomError("date_range", "date out of range")
    return value


# A stored row's id, given back when changing it; left out of dumps (and so of amendment diffs).
RowId = Annotated[int | None, Field(default=None, ge=1, le=2_147_483_647, exclude=True)]


class IndicatorIn(Input):
    id: RowId = None
    name: Name
    definition: Text = ""
    unit: Annotated[str, Field(max_length=UNIT_MAX)] = ""
    baseline_value: float | None = None
    baseline_date: date | None = None
    direction: Direction = Direction.increase
    target_value: float | None = None
    measurement_method: Text = ""
    reporting_frequency: Frequency = Frequency.quarterly
    outcome_value_cents: Annotated[int, Field(ge=0, le=10**12)] | None = None

    _dates = field_validator("baseline_date")(_in_range)


class CriterionIn(Input):
    id: RowId = None
    kind: CriterionKind = CriterionKind.quality
    name: Name
    description: Text = ""
    weight: Annotated[int, Field(ge=1, le=100)]
    indicator_position: Annotated[int, Field(ge=0, le=MAX_ROWS - 1)] | None = Field(
        default=None, validate_default=True
    )

    # Rules across fields are field validators on the later field (not model validators), so
    # they are reported together with every other field's error instead of in a second round.
    @field_validator("indicator_position")
    @classmethod
    def _formula_needs_indicator(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("kind") == CriterionKind.formula and value is None:
            raise PydanticCustomError("formula_indicator", "choose the indicator")
        return value


class ChallengeIn(Input):
    """A challenge as written; a draft may be incomplete, publication checks the rest."""

    title: Name
    summary: Text = ""
    desired_result: Text = ""
    target_group: Text = ""
    target_group_size: Annotated[int, Field(ge=1, le=10**9)] | None = None
    context: Text = ""
    theme: Theme | None = None
    budget_cents: Annotated[int, Field(ge=1, le=10**13)] | None = None
    period_start: date | None = None
    period_end: date | None = None
    scale_min: Annotated[int, Field(ge=0, le=100)] = 0
    scale_max: Annotated[int, Field(ge=1, le=100)] = 10
    question_deadline: datetime | None = None
    submission_deadline: datetime | None = None
    expected_award_date: date | None = None
    allow_multiple_coalitions: bool = False
    indicators: Annotated[list[IndicatorIn], Field(max_length=MAX_ROWS)] = []
    criteria: Annotated[list[CriterionIn], Field(max_length=MAX_ROWS)] = []
    requirements: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=REQUIREMENT_MAX)]],
        Field(max_length=MAX_ROWS),
    ] = []

    _zones = field_validator("question_deadline", "submission_deadline")(_aware)
    _dates = field_validator(
        "period_start",
        "period_end",
        "question_deadline",
        "submission_deadline",
        "expected_award_date",
    )(_in_range)

    @field_validator("period_end")
    @classmethod
    def _period_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("period_start")
        if start and value and value <= start:
            raise PydanticCustomError("period_order", "period end before start")
        return value

    @field_validator("scale_max")
    @classmethod
    def _scale_order(cls, value: int, info: ValidationInfo) -> int:
        if "scale_min" in info.data and value <= info.data["scale_min"]:
            raise PydanticCustomError("scale_order", "scale max not above min")
        return value

    @field_validator("criteria")
    @classmethod
    def _indicators_exist(cls, value: list[CriterionIn], info: ValidationInfo) -> list:
        indicators = info.data.get("indicators")
        for criterion in value if indicators is not None else []:
            position = criterion.indicator_position
            if position is not None and position >= len(indicators):
                raise PydanticCustomError("formula_indicator", "indicator does not exist")
        return value


def publication_problems(data: ChallengeIn, now: datetime) -> dict[str, Lazy]:
    """What is still missing or wrong before this challenge can be published."""
    problems: dict[str, Lazy] = {}
    for name in ("summary", "desired_result", "target_group"):
        if not getattr(data, name):
            problems[name] = Lazy("This field is required.")
    required: dict[str, Any] = {
        "theme": data.theme,
        "budget_cents": data.budget_cents,
        "period_start": data.period_start,
        "period_end": data.period_end,
        "question_deadline": data.question_deadline,
        "submission_deadline": data.submission_deadline,
        "expected_award_date": data.expected_award_date,
    }
    for name, value in required.items():
        if value is None:
            problems[name] = Lazy("This field is required.")
    if not data.indicators:
        problems["indicators"] = Lazy("Add at least one indicator.")
    for index, indicator in enumerate(data.indicators):
        for name in ("definition", "unit", "measurement_method"):
            if not getattr(indicator, name):
                problems[f"indicators.{index}.{name}"] = Lazy("This field is required.")
        for name in ("baseline_value", "baseline_date", "target_value"):
            if getattr(indicator, name) is None:
                problems[f"indicators.{index}.{name}"] = Lazy("This field is required.")
        if indicator.baseline_value is not None and indicator.target_value is not None:
            better = (
                indicator.target_value > indicator.baseline_value
                if indicator.direction == Direction.increase
                else indicator.target_value < indicator.baseline_value
            )
            if not better:
                problems[f"indicators.{index}.target_value"] = Lazy(
                    "The target must be better than the baseline in the desired direction."
                )
    if not data.criteria:
        problems["criteria"] = Lazy("Add at least one quality criterion.")
    elif (total := sum(c.weight for c in data.criteria)) != 100:
        problems["criteria"] = Lazy(
            "The weights add up to %(total)s; they must add up to 100.", total=total
        )
    if data.submission_deadline and data.submission_deadline <= now:
        problems["submission_deadline"] = Lazy("The submission deadline must be in the future.")
    if data.question_deadline and data.question_deadline <= now:
        problems["question_deadline"] = Lazy("The question deadline must be in the future.")
    if (
        data.question_deadline
        and data.submission_deadline
        and data.question_deadline >= data.submission_deadline
    ):
        problems["question_deadline"] = Lazy("Questions must close before the submission deadline.")
    if (
        data.expected_award_date
        and data.submission_deadline
        and data.expected_award_date <= data.submission_deadline.astimezone(AMSTERDAM).date()
    ):
        problems["expected_award_date"] = Lazy(
            "The award is expected after the submission deadline."
        )
    return problems


class IndicatorOut(IndicatorIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class CriterionOut(CriterionIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    url: str


class ChallengeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    open_for_submissions: bool
    municipality: str
    organisation_id: int
    title: str
    summary: str
    desired_result: str
    target_group: str
    target_group_size: int | None
    context: str
    theme: Theme | None
    budget_cents: int | None
    currency: str = "EUR"
    period_start: date | None
    period_end: date | None
    scale_min: int
    scale_max: int
    question_deadline: datetime | None
    submission_deadline: datetime | None
    expected_award_date: date | None
    allow_multiple_coalitions: bool
    published_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    indicators: list[IndicatorOut]
    criteria: list[CriterionOut]
    requirements: list[str]
    attachments: list[AttachmentOut]


class ChallengeSummaryOut(BaseModel):
    id: int
    status: str
    open_for_submissions: bool
    municipality: str
    title: str
    summary: str
    theme: Theme | None
    budget_cents: int | None
    submission_deadline: datetime | None
    url: str


class ChallengePage(BaseModel):
    items: list[ChallengeSummaryOut]
    total: int
    page: int
    per_page: int
    pages: int


class AmendmentIn(Input):
    reason: Reason
    challenge: ChallengeIn


class ReasonIn(Input):
    """Why a published challenge is amended or cancelled; shown to everyone who can see it."""

    reason: Reason


class AmendmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    reason: str
    changes: dict[str, Any]
    created_at: datetime


class QuestionIn(Input):
    text: Annotated[str, Field(min_length=QUESTION_MIN, max_length=QUESTION_MAX)]


class AnswerIn(Input):
    answer: Annotated[str, Field(min_length=ANSWER_MIN, max_length=ANSWER_MAX)]


class QuestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: int
    text: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
