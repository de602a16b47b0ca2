"""The evaluation pages of a member and of the chair, driven as a browser without JavaScript
would: declare first, score with reasons (drafts save, nothing typed is lost), submit, and the
chair's requirements and consensus; each refuses what the API refuses."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.evaluation.models import (
    ConsensusScore,
    Declaration,
    RequirementVerdict,
    Score,
    ScoringSubmission,
)
from app.proposals import service as proposals
from tests.conftest import post_form, sign_in
from tests.documents.samples import make_pdf
from tests.evaluation.world import AFTER, build
from tests.factories import coalition_of, complete_content


class Pages:
    def __init__(self, world, client):
        self.world, self.client = world, client
        self.base = f"/challenges/{world.challenge.id}"

    async def as_(self, who):
        self.client.cookies.clear()
        await sign_in(self.client, self.world.users[who].email)

    def proposal(self, index, rest=""):
        return f"{self.base}/evaluation/proposals/{self.world.pid(index)}{rest}"

    async def post(self, path, data, page=None):
        return await post_form(self.client, path, data, page=page or f"{self.base}/evaluation")

    def declarations(self, conflicts=(), explain=True):
        data = {}
        for i in range(len(self.world.proposals)):
            key = self.world.pid(i)
            data[f"conflict-{key}"] = "yes" if i in conflicts else "no"
            data[f"explanation-{key}"] = "Ik werkte daar." if i in conflicts and explain else ""
        return data

    def quality(self):
        return [c for c in self.world.challenge.criteria if c.kind == "quality"]

    def scores(self, score=7, reason="Sterk plan."):
        data = {}
        for c in self.quality():
            data[f"score-{c.id}"] = str(score)
            data[f"rationale-{c.id}"] = reason
        return data

    async def count(self, model) -> int:
        return await self.world.make.db.scalar(select(func.count()).select_from(model))


@pytest.fixture
async def pages(make, client, clock):
    world = await build(make)
    await world.form()
    clock.at = clock.at + timedelta(days=AFTER)
    return Pages(world, client)


async def test_a_member_declares_first_then_scores_and_submits_on_the_pages(pages):
    await pages.as_("eva")
    detail = await pages.client.get(pages.base)
    assert f'href="{pages.base}/evaluation"' in detail.text

    tasks = await pages.client.get(f"{pages.base}/evaluation")
    assert tasks.status_code == 200
    # Coalitions and their members are listed; no proposal is linked before declaring.
    assert pages.world.proposals[0].name in tasks.text
    assert pages.proposal(0) not in tasks.text
    assert (await pages.client.get(pages.proposal(0))).status_code == 403

    # A conflict without an explanation: refused, named, the answers kept, nothing saved.
    refused = await pages.post(
        f"{pages.base}/evaluation/declarations", pages.declarations(conflicts={2}, explain=False)
    )
    assert refused.status_code == 422
    assert 'id="error-summary"' in refused.text
    explanation = f"f-explanation-{pages.world.pid(2)}"
    assert f'href="#{explanation}"' in refused.text
    assert f'id="{explanation}" name="explanation-{pages.world.pid(2)}" rows="2"' in refused.text
    assert 'value="yes" checked' in refused.text
    assert await pages.count(Declaration) == 0

    declared = await pages.post(
        f"{pages.base}/evaluation/declarations", pages.declarations(conflicts={2})
    )
    assert declared.status_code == 303
    tasks = await pages.client.get(declared.headers["location"])
    assert "0 van 4 scores" in tasks.text  # 2 quality criteria on 2 proposals: one recused
    assert pages.proposal(0) in tasks.text and pages.proposal(2) not in tasks.text
    # Recused: nothing of that proposal.
    assert (await pages.client.get(pages.proposal(2))).status_code == 403

    page = await pages.client.get(pages.proposal(0))
    assert page.status_code == 200
    assert "Eén plan per leerling" in page.text  # the proposal's content
    assert "never scored by hand" in page.text or "nooit met de hand" in page.text

    # A reason without a score is kept on the page with an error, not dropped.
    first = pages.quality()[0]
    half = {f"rationale-{first.id}": "Mijn halve gedachte."}
    kept = await pages.post(pages.proposal(0), half, page=pages.proposal(0))
    assert kept.status_code == 422
    assert "Mijn halve gedachte." in kept.text
    assert f'href="#f-score-{first.id}"' in kept.text
    # A score without a reason: the service's message, under the field.
    no_reason = await pages.post(
        pages.proposal(0), {f"score-{first.id}": "7", f"rationale-{first.id}": ""}
    )
    assert no_reason.status_code == 422
    assert f'href="#f-rationale-{first.id}"' in no_reason.text
    # Out of the scale.
    high = await pages.post(
        pages.proposal(0), {f"score-{first.id}": "99", f"rationale-{first.id}": "x"}
    )
    assert high.status_code == 422 and f'href="#f-score-{first.id}"' in high.text
    assert await pages.count(Score) == 0

    saved = await pages.post(pages.proposal(0), pages.scores(), page=pages.proposal(0))
    assert saved.status_code == 303
    again = await pages.client.get(saved.headers["location"])
    assert "Sterk plan." in again.text and 'value="7" selected' in again.text
    assert await pages.count(Score) == len(pages.quality())

    # Submitting: the tick first, then what is missing is named; nothing final yet.
    unticked = await pages.post(f"{pages.base}/evaluation/submit", {})
    assert unticked.status_code == 422 and 'href="#f-confirm"' in unticked.text
    early = await pages.post(f"{pages.base}/evaluation/submit", {"confirm": "yes"})
    assert early.status_code == 422
    assert pages.world.proposals[1].name in early.text
    assert await pages.count(ScoringSubmission) == 0

    await pages.post(pages.proposal(1), pages.scores(6), page=pages.proposal(1))
    done = await pages.post(f"{pages.base}/evaluation/submit", {"confirm": "yes"})
    assert done.status_code == 303
    final = await pages.client.get(done.headers["location"])
    assert "definitief" in final.text or "final" in final.text
    assert await pages.count(ScoringSubmission) == 1
    # Final: the form is gone and a save is refused.
    scored = await pages.client.get(pages.proposal(0))
    assert f'action="{pages.proposal(0)}"' not in scored.text
    late = await pages.post(pages.proposal(0), pages.scores(9))
    assert late.status_code == 409


async def test_others_scores_show_only_after_ones_own_submit(pages):
    for who in ("chair", "expert"):
        await pages.as_(who)
        await pages.post(f"{pages.base}/evaluation/declarations", pages.declarations())
        for i in range(3):
            await pages.post(pages.proposal(i), pages.scores(8, f"Oordeel van {who}."))
        await pages.post(f"{pages.base}/evaluation/submit", {"confirm": "yes"})
    await pages.as_("eva")
    await pages.post(f"{pages.base}/evaluation/declarations", pages.declarations())
    blind = await pages.client.get(pages.proposal(0))
    assert "Oordeel van chair." not in blind.text
    for i in range(3):
        await pages.post(pages.proposal(i), pages.scores(5, "Eigen oordeel."))
    await pages.post(f"{pages.base}/evaluation/submit", {"confirm": "yes"})
    seen = await pages.client.get(pages.proposal(0))
    assert "Oordeel van chair." in seen.text and "Oordeel van expert." in seen.text


async def test_the_chair_records_requirements_and_consensus_once_all_submitted(pages):
    await pages.as_("chair")
    await pages.post(f"{pages.base}/evaluation/declarations", pages.declarations())
    consensus = pages.proposal(0, "/consensus")
    tasks = await pages.client.get(f"{pages.base}/evaluation")
    assert consensus in tasks.text
    page = await pages.client.get(consensus)
    assert page.status_code == 200
    assert 'id="waiting"' in page.text
    assert f'action="{consensus}"' not in page.text

    requirement = pages.world.challenge.requirements[0]
    unexplained = await pages.post(
        pages.proposal(0, "/requirements"), {f"passed-{requirement.id}": "no"}, page=consensus
    )
    assert unexplained.status_code == 422
    assert f'href="#f-reason-{requirement.id}"' in unexplained.text
    assert 'value="no" checked' in unexplained.text
    assert await pages.count(RequirementVerdict) == 0
    met = await pages.post(
        pages.proposal(0, "/requirements"),
        {f"passed-{r.id}": "yes" for r in pages.world.challenge.requirements},
        page=consensus,
    )
    assert met.status_code == 303
    assert await pages.count(RequirementVerdict) == len(pages.world.challenge.requirements)

    # Before every member has submitted, the consensus is refused with the reason.
    early = await pages.post(consensus, pages.scores(7, "Samen besloten."))
    assert early.status_code == 409
    assert await pages.count(ConsensusScore) == 0

    # Only the chair: an evaluator is refused the chair's page.
    await pages.as_("eva")
    assert (await pages.client.get(consensus)).status_code == 403

    for who in ("eva", "expert", "chair"):
        await pages.as_(who)
        if who != "chair":
            await pages.post(f"{pages.base}/evaluation/declarations", pages.declarations())
        for i in range(3):
            await pages.post(pages.proposal(i), pages.scores(3 if who == "eva" else 9))
        await pages.post(f"{pages.base}/evaluation/submit", {"confirm": "yes"})
    page = await pages.client.get(consensus)
    # Every member's score side by side; 3 against 9 is a large spread, said in words.
    assert page.text.count("Sterk plan.") == 3 * len(pages.quality())
    assert "Grote spreiding" in page.text or "Large spread" in page.text
    recorded = await pages.post(consensus, pages.scores(7, "Samen besloten."), page=consensus)
    assert recorded.status_code == 303
    assert await pages.count(ConsensusScore) == len(pages.quality())
    after = await pages.client.get(recorded.headers["location"])
    assert "Samen besloten." in after.text and 'id="standing"' in after.text


async def test_a_document_of_the_proposal_for_members_who_may_read_it(make, client, clock, app):
    world = await build(make, proposals_count=0)
    lead = world.users["provider"]

    coalition = await coalition_of(make, world.challenge, lead)
    ctx = make.ctx(lead)
    await proposals.save_draft(
        ctx, coalition.public_id, complete_content(world.challenge, coalition)
    )
    attachment = await proposals.add_attachment(
        ctx, app.state.documents, coalition.public_id, "plan.pdf", io.BytesIO(make_pdf()), 100_000
    )
    await proposals.submit(ctx, coalition.public_id)
    world.proposals.append(coalition)
    await world.form()
    clock.at = clock.at + timedelta(days=AFTER)
    pages = Pages(world, client)
    digest = attachment.document.sha256
    url = pages.proposal(0, f"/attachments/{digest}")

    await pages.as_("eva")
    assert (await client.get(url)).status_code == 403  # not declared yet
    await pages.post(f"{pages.base}/evaluation/declarations", pages.declarations())
    page = await client.get(pages.proposal(0))
    assert f'href="{url}"' in page.text
    got = await client.get(url)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert "attachment" in got.headers["content-disposition"]
    assert (await client.get(pages.proposal(0, "/attachments/" + "0" * 64))).status_code == 404

    await pages.as_("expert")
    await pages.post(f"{pages.base}/evaluation/declarations", pages.declarations(conflicts={0}))
    assert (await client.get(url)).status_code == 403  # recused

    await pages.as_("provider")
    assert (await client.get(url)).status_code == 403  # not on the committee


@pytest.mark.parametrize("who", ["provider", "auditor", "other_officer", "spare"])
async def test_outside_the_committee_the_member_pages_are_refused(pages, who):
    await pages.as_(who)
    assert (await pages.client.get(f"{pages.base}/evaluation")).status_code == 403
    assert (await pages.client.get(pages.proposal(0))).status_code == 403
    detail = await pages.client.get(pages.base)
    assert f'href="{pages.base}/evaluation"' not in detail.text


async def test_my_evaluations_lists_the_committees_one_sits_on(pages, make):
    await pages.as_("eva")
    page = await pages.client.get("/evaluations")
    assert page.status_code == 200
    assert f'href="{pages.base}/evaluation"' in page.text
    assert 'href="/evaluations"' in page.text  # in the menu
    token = await make.token(pages.world.users["eva"])
    seats = await pages.client.get(
        "/api/v1/evaluations", headers={"Authorization": f"Bearer {token}"}
    )
    assert seats.status_code == 200
    assert [(s["challenge_id"], s["role"], s["opened"]) for s in seats.json()] == [
        (pages.world.challenge.id, "evaluator", True)
    ]
    # Someone on no committee: an empty list; a provider has no such menu item, nor list.
    await pages.as_("spare")
    assert f'href="{pages.base}/evaluation"' not in (await pages.client.get("/evaluations")).text
    await pages.as_("provider")
    assert 'href="/evaluations"' not in (await pages.client.get("/challenges")).text
    assert (await pages.client.get("/evaluations")).status_code == 403
