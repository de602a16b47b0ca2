"""Amendments keep each indicator's id with that indicator: proposals commit targets by id."""

import pytest
from sqlalchemy import select

from app.challenges import forms, lifecycle
from app.challenges.models import Criterion, Indicator
from app.errors import ValidationFailed
from app.organisations.models import Role
from app.proposals import service as proposals
from tests.conftest import csrf, sign_in
from tests.factories import challenge_data, coalition_of, complete_content

NAMES = ("Terug op school", "Verzuim", "Tevredenheid ouders")


def _three_indicators(make) -> dict:
    data = challenge_data(make.clock.now())
    base = data["indicators"][0]
    indicators = [{**base, "name": name} for name in NAMES]
    criteria = [
        {"name": "Aanpak", "weight": 60},
        {"name": "Onderbouwing", "weight": 25},
        # Measures the last indicator, so removing the first shifts its position.
        {"name": "Ambitie", "weight": 15, "kind": "formula", "indicator_position": 2},
    ]
    return {"indicators": indicators, "criteria": criteria}


@pytest.fixture
async def officer(make):
    return await make.user(Role.policy_officer)


@pytest.fixture
async def published(make, officer):
    challenge = await make.challenge(officer, publish=True, **_three_indicators(make))
    return await lifecycle.get_challenge(make.ctx(officer), challenge.id)


def _without_first(challenge):
    """The challenge as written, minus its first indicator; the formula follows its indicator."""
    data = lifecycle.as_input(challenge)
    criteria = [
        c.model_copy(update={"indicator_position": 1}) if c.indicator_position == 2 else c
        for c in data.criteria
    ]
    return data.model_copy(update={"indicators": data.indicators[1:], "criteria": criteria})


async def _indicator_ids(make, challenge_id: int) -> list[int]:
    return list(
        (
            await make.db.scalars(
                select(Indicator.id)
                .where(Indicator.challenge_id == challenge_id)
                .order_by(Indicator.position)
            )
        ).all()
    )


async def test_removing_the_first_indicator_keeps_the_others_ids(make, officer, published):
    removed, *kept = [i.id for i in published.indicators]
    await lifecycle.amend(make.ctx(officer), published.id, _without_first(published), "Geschrapt")
    after = await lifecycle.get_challenge(make.ctx(officer), published.id)
    assert [(i.id, i.name) for i in after.indicators] == list(zip(kept, NAMES[1:], strict=True))
    assert removed not in await _indicator_ids(make, published.id)
    assert await make.db.get(Indicator, removed) is None
    formula = next(c for c in after.criteria if c.indicator_position is not None)
    assert after.indicators[formula.indicator_position].name == NAMES[2]


async def test_without_ids_rows_are_matched_by_name_not_position(make, officer, published):
    """An API client that leaves the ids out still never moves an id to another indicator."""
    ids = {i.name: i.id for i in published.indicators}
    data = _without_first(published)
    data = data.model_copy(
        update={"indicators": [i.model_copy(update={"id": None}) for i in data.indicators]}
    )
    await lifecycle.amend(make.ctx(officer), published.id, data, "Geschrapt")
    after = await lifecycle.get_challenge(make.ctx(officer), published.id)
    assert {i.name: i.id for i in after.indicators} == {n: ids[n] for n in NAMES[1:]}


async def test_committed_target_still_names_the_same_indicator(make, officer, published):
    lead = await make.user(Role.provider_member)
    coalition = await coalition_of(make, published, lead)
    content = complete_content(published, coalition)
    target = {t.indicator_id: t.value for t in content.targets}
    removed, kept = published.indicators[0].id, published.indicators[2]
    kept_id, kept_name = kept.id, kept.name
    target[kept_id] = 42
    content = content.model_copy(
        update={
            "targets": [
                t.model_copy(update={"value": target[t.indicator_id]}) for t in content.targets
            ]
        }
    )
    await proposals.save_draft(make.ctx(lead), coalition.public_id, content)

    await lifecycle.amend(make.ctx(officer), published.id, _without_first(published), "Geschrapt")

    after = await lifecycle.get_challenge(make.ctx(officer), published.id)
    saved, _draft = await proposals.load_draft(make.ctx(lead), coalition)
    by_id = {i.id: i for i in after.indicators}
    committed = {t.indicator_id: t.value for t in saved.targets}
    assert by_id[kept_id].name == kept_name and committed[kept_id] == 42
    # The removed indicator's target points nowhere, never at another indicator.
    assert removed not in by_id
    problems = proposals.missing(after, coalition, saved)
    assert not [key for key in problems if key.startswith("target.")]


async def test_a_removed_id_is_never_given_to_a_new_indicator(make, officer, published):
    removed = published.indicators[0].id
    await lifecycle.amend(make.ctx(officer), published.id, _without_first(published), "Geschrapt")
    after = await lifecycle.get_challenge(make.ctx(officer), published.id)
    kept = [i.id for i in after.indicators]
    data = lifecycle.as_input(after)
    new = data.indicators[0].model_copy(update={"id": None, "name": "Nieuw"})
    criteria = [
        c if c.indicator_position is None else c.model_copy(update={"indicator_position": 2})
        for c in data.criteria
    ]
    await lifecycle.amend(
        make.ctx(officer),
        published.id,
        data.model_copy(update={"indicators": [new, *data.indicators], "criteria": criteria}),
        "Toegevoegd",
    )
    latest = await lifecycle.get_challenge(make.ctx(officer), published.id)
    assert latest.indicators[0].name == "Nieuw"
    assert latest.indicators[0].id not in {removed, *kept}
    assert [i.id for i in latest.indicators[1:]] == kept


async def test_an_id_of_another_challenge_is_refused(make, officer, published):
    other = await make.challenge(officer, **_three_indicators(make))
    other = await lifecycle.get_challenge(make.ctx(officer), other.id)
    data = lifecycle.as_input(published)
    foreign = data.indicators[0].model_copy(update={"id": other.indicators[0].id})
    with pytest.raises(ValidationFailed) as refused:
        await lifecycle.amend(
            make.ctx(officer),
            published.id,
            data.model_copy(update={"indicators": [foreign, *data.indicators[1:]]}),
            "Gekaapt",
        )
    assert "indicators.0" in refused.value.errors
    assert (await make.db.get(Indicator, other.indicators[0].id)).challenge_id == other.id


async def test_a_formula_criterion_may_not_move_to_another_indicator(make, officer, published):
    """Removing the first indicator without following it leaves position 2 pointing nowhere."""
    data = lifecycle.as_input(published)
    criteria = [
        c.model_copy(update={"indicator_position": 1}) if c.indicator_position == 2 else c
        for c in data.criteria
    ]
    with pytest.raises(ValidationFailed) as refused:
        await lifecycle.amend(
            make.ctx(officer), published.id, data.model_copy(update={"criteria": criteria}), "Nee"
        )
    assert "criteria" in refused.value.errors


async def test_draft_edit_removing_a_row_deletes_it(make, officer):
    draft = await make.challenge(officer, **_three_indicators(make))
    draft = await lifecycle.get_challenge(make.ctx(officer), draft.id)
    removed, *kept = [i.id for i in draft.indicators]
    data = lifecycle.as_input(draft)
    data = data.model_copy(update={"indicators": data.indicators[1:], "criteria": []})
    await lifecycle.update_draft(make.ctx(officer), draft.id, data)
    assert await _indicator_ids(make, draft.id) == kept
    assert not (
        await make.db.scalars(select(Criterion).where(Criterion.challenge_id == draft.id))
    ).all()


async def test_the_page_form_carries_the_ids(client, officer, make, published):
    removed, *kept = [i.id for i in published.indicators]
    await sign_in(client, officer.email)
    page = await client.get(f"/challenges/{published.id}/edit")
    assert f'name="indicators-0-id" value="{removed}"' in page.text
    values = forms.values_from(lifecycle.as_input(published))
    for name in forms.ROW_FIELDS["indicators"]:
        if name != "id":
            values[f"indicators-0-{name}"] = ""  # a row is removed by clearing it
    formula = next(
        key for key, value in values.items() if key.endswith("indicator_position") and value
    )
    values[formula] = "1"
    token = await csrf(client, f"/challenges/{published.id}/edit")
    response = await client.post(
        f"/challenges/{published.id}/edit",
        data={**values, "reason": "Eerste indicator geschrapt", "csrf_token": token},
    )
    assert response.status_code in (200, 303), response.text[:2000]
    assert await _indicator_ids(make, published.id) == kept


async def test_removing_the_last_indicator_does_not_free_its_id(make, officer):
    """SQLite hands the highest rowid out again once its row is gone; proposals may name it."""
    draft = await make.challenge(officer, **_three_indicators(make))
    draft = await lifecycle.get_challenge(make.ctx(officer), draft.id)
    removed = draft.indicators[2].id
    data = lifecycle.as_input(draft)
    trimmed = data.model_copy(update={"indicators": data.indicators[:2], "criteria": []})
    await lifecycle.update_draft(make.ctx(officer), draft.id, trimmed)
    new = data.indicators[0].model_copy(update={"id": None, "name": "Nieuw"})
    data = lifecycle.as_input(await lifecycle.get_challenge(make.ctx(officer), draft.id))
    grown = data.model_copy(update={"indicators": [*data.indicators, new]})
    await lifecycle.update_draft(make.ctx(officer), draft.id, grown)
    assert removed not in await _indicator_ids(make, draft.id)
