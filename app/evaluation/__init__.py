"""Evaluation: the committee, conflict-of-interest declarations, scores, consensus, the report.

The pure rules (scores, formula, eligibility, ranking) are plain functions on frozen dataclasses,
without a database or a web framework, so the rules that decide an award can be read and tested
on their own. The rest is the database side: models, the services (committee, declarations,
scoring, consensus, report) and the JSON API.

Decisions taken here (issue 9 leaves them open):
- The chair scores too: the committee is one chair and at least two evaluators, and every member
  scores every quality criterion of every proposal they may judge, then submits. The chair's
  consensus waits for every member who judges the proposal, the chair included.
- Who may sit: staff of the owning municipality with the policy officer or evaluator role, or an
  outside expert with the evaluator role (any organisation). Never a provider member, an auditor
  (they audit the evaluation), an admin (no power over scores) or a switched-off account.
- A committee is formed on a published challenge only (a draft's criteria may still change;
  409), before or after the deadline; a cancelled challenge's committee and evaluation no longer
  change (409). A change once any score is saved needs a reason; seats that end are kept with
  `removed_at`, and every change is kept with the composition before and after.
- A policy officer of the owner who sits on the committee reads proposals as a member only:
  `visible_coalitions` hides the coalition routes from them, and `opened_proposals` refuses them
  (403 committee_member), so their officer role cannot bypass declaring or a recusal. The
  opening record (names, receipts, hashes; no content) stays readable to them, as to members.
- Blind scoring holds everywhere: a member sees other members' scores of a proposal (in the
  scores answer, the chair's view and the report) only after submitting all of their own, and
  never of a proposal they are recused from; the report leaves such proposals out for them.
- Scores are whole numbers on the challenge's scale; consensus too.
- The lot's seed is drawn (secrets.token_hex) only when a ranking first needs a lot, stored
  once and recorded in the challenge's sealed audit stream, so nobody knows it beforehand.
- Audit events that name proposals go to the challenge's sealed stream; committee changes to the
  platform stream.
"""
