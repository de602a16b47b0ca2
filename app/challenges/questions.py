"""The question round: providers ask, the municipality answers, everyone reads the answers."""

from sqlalchemy import func, select

from app.auth.permissions import Action, assert_can, readable_questions
from app.challenges.lifecycle import get_challenge, questions_open
from app.challenges.models import Challenge, ChallengeStatus, Question
from app.challenges.schemas import AnswerIn, QuestionIn
from app.context import Context
from app.errors import Conflict, InvalidTransition, NotFound
from app.validation import checked


async def ask_question(ctx: Context, challenge_id: int, text: str) -> Question:
    challenge = await get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.question_ask, challenge)
    if not questions_open(challenge, ctx.now):
        raise Conflict("The question round for this challenge is closed.", code="questions_closed")
    text = checked(QuestionIn, {"text": text}).text
    last = await ctx.db.scalar(
        select(func.max(Question.number)).where(Question.challenge_id == challenge.id)
    )
    question = Question(
        challenge_id=challenge.id,
        number=(last or 0) + 1,
        text=text,
        asked_by_id=ctx.user.id,
        asked_at=ctx.now,
    )
    ctx.db.add(question)
    await ctx.db.flush()
    await ctx.record("question.asked", "challenge", challenge.id, question=question.number)
    return question


async def answer_question(
    ctx: Context, challenge_id: int, question_id: int, answer: str
) -> Question:
    challenge = await get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.question_answer, challenge)
    question = await ctx.db.scalar(
        select(Question).where(Question.id == question_id, Question.challenge_id == challenge.id)
    )
    if question is None:
        raise NotFound("This question does not exist.")
    if challenge.status != ChallengeStatus.published:
        raise InvalidTransition("Questions can only be answered on a published challenge.")
    if question.answer is not None:
        raise Conflict("This question has already been answered.", code="already_answered")
    question.answer = checked(AnswerIn, {"answer": answer}).answer
    question.answered_by_id = ctx.user.id
    question.answered_at = ctx.now
    await ctx.record("question.answered", "challenge", challenge.id, question=question.number)
    return question


async def list_questions(ctx: Context, challenge: Challenge) -> list[Question]:
    """Answered questions for everyone; the owner also sees open ones, an asker their own."""
    query = select(Question).where(Question.challenge_id == challenge.id).order_by(Question.number)
    query = query.where(readable_questions(ctx.user, challenge))
    return list((await ctx.db.scalars(query)).all())
