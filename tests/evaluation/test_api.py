"""The evaluation through the API, from both sides: declare first, recused sees nothing of that
proposal, blind until submitted, final after submit; bad input is a 4xx that changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.evaluation.models import Declaration, Score, ScoringSubmission
from tests.api_world import assert_refused
from tests.evaluation.world import AFTER, build

MISSING = "00000000-0000-4000-8000-000000000000"


class Api:
    def __init__(self, world, client, tokens):
        self.world, self.client, self.tokens = world, client, tokens
        self.base = f"/api/v1/challenges/{world.challenge.id}"

    async def call(self, who, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return await self.client.request(method, self.base + path, headers=headers, **kwargs)

    def scores_path(self, index) -> str:
        return f"/evaluation/proposals/{self.world.pid(index)}/scores"

    def quality(self):
        return [c for c in self.world.challenge.criteria if c.kind == "quality"]

    def formula(self):
        return [c for c in self.world.challenge.criteria if c.kind == "formula"]

    def full_scores(self, score=7):
        return {
            "scores": [
                {"criterion_id": c.id, "score": score, "rationale": "Goed onderbouwd."}
                for c in self.quality()
            ]
        }

    async def declare(self, who, conflicts=()):
        body = {
            "declarations": [
                {
                    "proposal_id": str(self.world.pid(i)),
                    "conflict": i in conflicts,
                    "explanation": "Ik werkte daar." if i in conflicts else "",
                }
                for i in range(len(self.world.proposals))
            ]
        }
        response = await self.call(who, "POST", "/evaluation/declarations", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    async def score_all(self, who, skip=()):
        for i in range(len(self.world.proposals)):
            if i in skip:
                continue
            response = await self.call(who, "PUT", self.scores_path(i), json=self.full_scores())
            assert response.status_code == 200, response.text

    async def state(self) -> tuple:
        db = self.world.make.db
        counts = []
        for model in (Declaration, Score, ScoringSubmission, AuditEvent):
            counts.append(await db.scalar(select(func.count()).select_from(model)))
        rows = await db.execute(
            select(Score.user_id, Score.criterion_id, Score.score, Score.rationale)
        )
        return tuple(counts), sorted(tuple(r) for r in rows)


@pytest.fixture
async def api(make, client, clock):
    world = await build(make)
    await world.form()
    tokens = {who: await make.token(user) for who, user in world.users.items()}
    clock.at = clock.at + timedelta(days=AFTER)
    return Api(world, client, tokens)


async def test_before_the_deadline_a_member_hears_it_is_sealed(make, client):
    world = await build(make, proposals_count=1)
    await world.form(days=1)
    token = await make.token(world.users["eva"])
    response = await client.get(
        f"/api/v1/challenges/{world.challenge.id}/evaluation",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_refused(response, 409, "sealed")


@pytest.mark.parametrize(
    "who", ["officer", "auditor", "spare", "provider", "admin", "other_officer"]
)
async def test_only_members_have_evaluation_tasks(api, who):
    assert_refused(await api.call(who, "GET", "/evaluation"), 403)
    assert_refused(await api.call(who, "GET", api.scores_path(0)), 403)


async def test_tasks_list_the_opened_proposals_and_nothing_of_their_content(api):
    response = await api.call("eva", "GET", "/evaluation")
    assert response.status_code == 200, response.text
    tasks = response.json()
    assert tasks["role"] == "evaluator"
    assert [p["proposal_id"] for p in tasks["proposals"]] == [
        str(api.world.pid(i)) for i in range(3)
    ]
    first = tasks["proposals"][0]
    assert first["coalition"] == api.world.proposals[0].name
    assert len(first["members"]) == 2  # the lead and its partner, as submitted
    assert first["declared"] is False and first["to_score"] == 0
    assert tasks["progress"] == "0 van 0 scores"  # Dutch unless the caller asks otherwise
    assert "approach" not in response.text


async def test_no_content_before_declaring_on_every_proposal(api):
    assert_refused(await api.call("eva", "GET", api.scores_path(0)), 403, "declare_first")
    body = {"declarations": [{"proposal_id": str(api.world.pid(0)), "conflict": False}]}
    assert (await api.call("eva", "POST", "/evaluation/declarations", json=body)).status_code == 201
    # One of three declared: still nothing.
    assert_refused(await api.call("eva", "GET", api.scores_path(0)), 403, "declare_first")
    put = await api.call("eva", "PUT", api.scores_path(0), json=api.full_scores())
    assert_refused(put, 403, "declare_first")
    rest = {
        "declarations": [{"proposal_id": str(api.world.pid(i)), "conflict": False} for i in (1, 2)]
    }
    assert (await api.call("eva", "POST", "/evaluation/declarations", json=rest)).status_code == 201
    response = await api.call("eva", "GET", api.scores_path(0))
    assert response.status_code == 200, response.text
    assert response.json()["content"]["approach"]


async def test_a_declaration_is_final_and_a_conflict_needs_an_explanation(api):
    await api.declare("eva", conflicts=(1,))
    before = await api.state()
    again = {
        "declarations": [
            {"proposal_id": str(api.world.pid(0)), "conflict": True, "explanation": "Toch."}
        ]
    }
    assert_refused(await api.call("eva", "POST", "/evaluation/declarations", json=again), 409)
    assert await api.state() == before


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"conflict": True, "explanation": ""}, "declarations.0.explanation"),
        ({"conflict": False, "proposal_id": MISSING}, "declarations.0.proposal_id"),
        ({"conflict": "misschien"}, "declarations.0.conflict"),
        ({"conflict": False, "extra": 1}, "declarations.0.extra"),
    ],
)
async def test_bad_declarations_are_refused_naming_the_field(api, item, field):
    before = await api.state()
    body = {"declarations": [{"proposal_id": str(api.world.pid(0)), **item}]}
    response = await api.call("eva", "POST", "/evaluation/declarations", json=body)
    assert_refused(response, 422)
    assert field in response.json()["errors"]
    assert await api.state() == before


async def test_a_recused_member_sees_nothing_of_that_proposal(api):
    await api.declare("eva", conflicts=(1,))
    tasks = (await api.call("eva", "GET", "/evaluation")).json()
    assert [p["recused"] for p in tasks["proposals"]] == [False, True, False]
    assert tasks["scores_total"] == 2 * len(api.quality())
    for method, kwargs in (("GET", {}), ("PUT", {"json": api.full_scores()})):
        response = await api.call("eva", method, api.scores_path(1), **kwargs)
        assert_refused(response, 403, "recused")
        assert "approach" not in response.text
    # Not even after submitting, and not the others' scores of it.
    await api.declare("expert")
    await api.score_all("expert")
    await api.score_all("eva", skip=(1,))
    assert (await api.call("eva", "POST", "/evaluation/submit")).status_code == 200
    assert_refused(await api.call("eva", "GET", api.scores_path(1)), 403, "recused")
    # Through the coalition's own routes the seated officer/evaluator finds nothing either.
    coalition = f"/api/v1/coalitions/{api.world.pid(1)}/submissions/1"
    headers = {"Authorization": f"Bearer {api.tokens['eva']}"}
    assert (await api.client.get(coalition, headers=headers)).status_code == 404


async def test_scores_save_as_drafts_and_progress_counts(api):
    await api.declare("eva")
    quality = api.quality()
    first = {"scores": [{"criterion_id": quality[0].id, "score": 6, "rationale": "Redelijk."}]}
    response = await api.call("eva", "PUT", api.scores_path(0), json=first)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["missing"] == [c.id for c in quality[1:]]
    assert body["others"] is None
    tasks = (await api.call("eva", "GET", "/evaluation")).json()
    total = 3 * len(quality)
    assert (tasks["scores_done"], tasks["scores_total"]) == (1, total)
    assert tasks["progress"] == f"1 van {total} scores"
    assert tasks["proposals"][0]["scored"] == 1
    # Saving the same again writes nothing (no new audit event).
    before = await api.state()
    assert (await api.call("eva", "PUT", api.scores_path(0), json=first)).status_code == 200
    assert await api.state() == before


async def test_formula_criteria_are_computed_with_their_rule_and_never_typed(api):
    await api.declare("eva")
    body = (await api.call("eva", "GET", api.scores_path(2))).json()
    [formula] = body["formula"]
    # Targets 40, 50, 60 over a baseline of 22 (increase): the third is the most ambitious.
    assert formula["score"] == "10.00"
    assert formula["rule"] and formula["explanation"]
    first = (await api.call("eva", "GET", api.scores_path(0))).json()["formula"][0]
    assert first["score"] == "4.74"  # 0 + 10 × 18 / 38
    before = await api.state()
    typed = {"scores": [{"criterion_id": api.formula()[0].id, "score": 9, "rationale": "x"}]}
    response = await api.call("eva", "PUT", api.scores_path(0), json=typed)
    assert_refused(response, 422)
    assert "scores.0.criterion_id" in response.json()["errors"]
    assert await api.state() == before


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"score": 11}, "scores.0.score"),  # the scale is 0..10
        ({"score": -1}, "scores.0.score"),
        ({"score": 5, "rationale": ""}, "scores.0.rationale"),
        ({"score": 5, "rationale": "   "}, "scores.0.rationale"),
        ({"score": 5, "criterion_id": 999_999}, "scores.0.criterion_id"),
        ({"score": "zeven"}, "scores.0.score"),
        ({"score": 5.5}, "scores.0.score"),
    ],
)
async def test_bad_scores_are_refused_naming_the_field_and_nothing_is_saved(api, item, field):
    await api.declare("eva")
    before = await api.state()
    good = {"criterion_id": api.quality()[1].id, "score": 5, "rationale": "Prima."}
    bad = {"criterion_id": api.quality()[0].id, "rationale": "Zo zo.", **item}
    response = await api.call("eva", "PUT", api.scores_path(0), json={"scores": [bad, good]})
    assert_refused(response, 422)
    assert field in response.json()["errors"]
    assert await api.state() == before


async def test_submit_lists_what_is_missing_and_then_scores_are_final(api):
    await api.declare("eva")
    await api.score_all("eva", skip=(2,))
    before = await api.state()
    response = await api.call("eva", "POST", "/evaluation/submit")
    assert_refused(response, 422)
    missing = response.json()["errors"]
    assert len(missing) == len(api.quality())
    assert all(key.startswith(str(api.world.pid(2))) for key in missing)
    assert await api.state() == before
    await api.score_all("eva")
    submitted = await api.call("eva", "POST", "/evaluation/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["submitted"] is True
    after = await api.state()
    put = await api.call("eva", "PUT", api.scores_path(0), json=api.full_scores(3))
    assert_refused(put, 409, "submitted")
    assert_refused(await api.call("eva", "POST", "/evaluation/submit"), 409, "submitted")
    assert await api.state() == after


async def test_others_scores_only_after_submitting_all_of_ones_own(api):
    for who in ("eva", "expert"):
        await api.declare(who)
        await api.score_all(who)
    blind = (await api.call("eva", "GET", api.scores_path(0))).json()
    assert blind["others"] is None
    assert (await api.call("eva", "POST", "/evaluation/submit")).status_code == 200
    seen = (await api.call("eva", "GET", api.scores_path(0))).json()
    others = {o["user_id"]: o for o in seen["others"]}
    expert = others[api.world.users["expert"].id]
    # The expert's scores are still a draft: theirs alone until they submit.
    assert not expert["submitted"]
    assert [s["score"] for s in expert["scores"]] == [None] * len(api.quality())
    # The expert, who has not submitted, is still blind to the evaluator's scores.
    assert (await api.call("expert", "GET", api.scores_path(0))).json()["others"] is None
    assert (await api.call("expert", "POST", "/evaluation/submit")).status_code == 200
    seen = (await api.call("eva", "GET", api.scores_path(0))).json()
    expert = {o["user_id"]: o for o in seen["others"]}[api.world.users["expert"].id]
    assert [s["score"] for s in expert["scores"]] == [7] * len(api.quality())


async def test_the_seated_officer_reads_proposals_only_through_the_evaluation(api):
    from app.evaluation import committee
    from app.evaluation.schemas import CommitteeIn

    users = api.world.users
    data = CommitteeIn(
        chair_user_id=users["chair"].id,
        evaluator_user_ids=[users["eva"].id, users["colleague"].id],
    )
    await committee.set_committee(api.world.ctx("officer"), api.world.challenge.id, data)
    proposals = await api.call("colleague", "GET", "/proposals")
    assert_refused(proposals, 403, "committee_member")
    assert "approach" not in proposals.text
    assert_refused(await api.call("colleague", "GET", api.scores_path(0)), 403, "declare_first")
    # The officer who is not on the committee still reads them as the municipality.
    assert (await api.call("officer", "GET", "/proposals")).status_code == 200


async def test_declarations_and_scores_are_audited_in_the_challenges_sealed_stream(api):
    await api.declare("eva")
    await api.score_all("eva")
    await api.call("eva", "POST", "/evaluation/submit")
    rows = await api.world.make.db.execute(
        select(AuditEvent.action, AuditEvent.stream).where(AuditEvent.action.like("evaluation.%"))
    )
    found = [tuple(r) for r in rows]
    stream = f"sealed:challenge:{api.world.challenge.id}"
    assert {s for _a, s in found} == {stream}
    actions = [a for a, _s in found]
    assert actions.count("evaluation.declared") == 3
    assert actions.count("evaluation.scores_saved") == 3
    assert actions.count("evaluation.submitted") == 1
