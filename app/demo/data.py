"""Gemeente Voorbeeldstad's demo portfolio, made through the real services, dated from today."""

import io
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.passwords import hash_password
from app.auth.permissions import is_unsealed
from app.auth.service import create_user
from app.awards import service as awards
from app.awards.schemas import DecisionIn, ObjectionIn
from app.challenges import attachments, lifecycle, questions
from app.challenges.schemas import ChallengeIn
from app.clock import AMSTERDAM
from app.coalitions import service as coalitions
from app.coalitions.models import Coalition
from app.coalitions.schemas import CoalitionIn, InviteIn, ResponseIn
from app.config import get_settings
from app.context import Context
from app.contracts import service as contracts
from app.contracts.schemas import ContractTerms
from app.demo.evaluation import debt_help_award, load_evaluations
from app.demo.pdf import one_page_pdf
from app.demo.results import load_results
from app.demo.scenarios import load_scenario
from app.documents.store import LocalDocumentStore
from app.organisations.models import Organisation, OrganisationKind, Role, User
from app.proposals import opening as openings
from app.proposals import service as proposals
from app.proposals.schemas import ProposalContent

DEMO_PASSWORD = "demo-uitkomst"

ORGANISATIONS = [
    ("Gemeente Voorbeeldstad", OrganisationKind.municipality, None),
    ("Welzijn Voorbeeldstad", OrganisationKind.welfare_organisation, "40123456"),
    ("Jeugdhulp De Brug", OrganisationKind.welfare_organisation, "40234567"),
    ("Stichting Scholengroep Rivierenland", OrganisationKind.school_board, "40345678"),
    ("Stichting Schuldhulp Samen", OrganisationKind.welfare_organisation, "40456789"),
    ("Werkplaats Vooruit", OrganisationKind.social_enterprise, "40567890"),
    ("Studentenroeivereniging De Spiegel", OrganisationKind.citizen_collective, "40678901"),
    ("Woonstichting Thuis", OrganisationKind.social_enterprise, "40789012"),
    ("Bewonersinitiatief De Oostwijk", OrganisationKind.citizen_collective, "40890123"),
    ("Installatiebedrijf Van Dijk", OrganisationKind.company, "40901234"),
    ("Adviesbureau Maatschappelijk Effect", OrganisationKind.company, "41012345"),
    ("Dekker Onderzoek & Advies", OrganisationKind.company, "41123456"),
]

ACCOUNTS = [
    (
        "jeugd@voorbeeldstad.nl",
        "Fatima el Amrani",
        "Gemeente Voorbeeldstad",
        Role.policy_officer,
        "beleidsmedewerker jeugd en onderwijs",
    ),
    (
        "werk@voorbeeldstad.nl",
        "Joost de Vries",
        "Gemeente Voorbeeldstad",
        Role.policy_officer,
        "beleidsmedewerker werk en inkomen",
    ),
    (
        "controller@voorbeeldstad.nl",
        "Ingrid Bakker",
        "Gemeente Voorbeeldstad",
        Role.auditor,
        "controller",
    ),
    (
        "beheer@voorbeeldstad.nl",
        "Sander Mulder",
        "Gemeente Voorbeeldstad",
        Role.admin,
        "platformbeheerder",
    ),
    (
        "rekenkamer@voorbeeldstad.nl",
        "Marleen Visser",
        "Gemeente Voorbeeldstad",
        Role.auditor,
        "rekenkamer",
    ),
    (
        "inkoop@voorbeeldstad.nl",
        "Bram Koster",
        "Gemeente Voorbeeldstad",
        Role.evaluator,
        "adviseur inkoop, voorzitter beoordelingscommissies",
    ),
    (
        "anna@welzijnvoorbeeldstad.nl",
        "Anna Jansen",
        "Welzijn Voorbeeldstad",
        Role.provider_member,
        "welzijnsorganisatie",
    ),
    (
        "karim@jeugdhulpdebrug.nl",
        "Karim Bouzid",
        "Jeugdhulp De Brug",
        Role.provider_member,
        "jeugdhulp",
    ),
    (
        "petra@rivierenland.nl",
        "Petra Smit",
        "Stichting Scholengroep Rivierenland",
        Role.provider_member,
        "schoolbestuur",
    ),
    (
        "ruud@schuldhulpsamen.nl",
        "Ruud Hendriks",
        "Stichting Schuldhulp Samen",
        Role.provider_member,
        "schuldhulp",
    ),
    (
        "lisa@werkplaatsvooruit.nl",
        "Lisa de Graaf",
        "Werkplaats Vooruit",
        Role.provider_member,
        "sociale onderneming",
    ),
    (
        "tom@despiegel.nl",
        "Tom Willems",
        "Studentenroeivereniging De Spiegel",
        Role.provider_member,
        "roeivereniging",
    ),
    (
        "eva@woonstichtingthuis.nl",
        "Eva Kok",
        "Woonstichting Thuis",
        Role.provider_member,
        "woningcorporatie",
    ),
    (
        "noor@oostwijk.nl",
        "Noor Yilmaz",
        "Bewonersinitiatief De Oostwijk",
        Role.provider_member,
        "bewonersinitiatief",
    ),
    (
        "bert@vandijk.nl",
        "Bert van Dijk",
        "Installatiebedrijf Van Dijk",
        Role.provider_member,
        "leerwerkbedrijf",
    ),
    (
        "expert1@maatschappelijkeffect.nl",
        "Dr. Hanna Peters",
        "Adviesbureau Maatschappelijk Effect",
        Role.evaluator,
        "externe beoordelaar",
    ),
    (
        "expert2@maatschappelijkeffect.nl",
        "Youssef Amrani",
        "Adviesbureau Maatschappelijk Effect",
        Role.evaluator,
        "externe beoordelaar",
    ),
    (
        "marieke@dekkeronderzoek.nl",
        "Dr. Marieke Dekker",
        "Dekker Onderzoek & Advies",
        Role.evaluator,
        "onafhankelijk onderzoeker jeugd en veiligheid",
    ),
]

ACCOUNTS_TEXT = f"Demo accounts (password for all: {DEMO_PASSWORD}):\n" + "\n".join(
    f"  {email:34} {role.value:16} {note}" for email, _n, _o, role, note in ACCOUNTS
)


def _at(base: datetime, days: int, hour: int = 12) -> datetime:
    """A moment `days` from base, at a round Amsterdam hour."""
    local = (base + timedelta(days=days)).astimezone(AMSTERDAM)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _indicator(
    name,
    definition,
    unit,
    baseline,
    target,
    direction="increase",
    frequency="quarterly",
    method="",
    outcome_value=None,
    baseline_date=None,
):
    return {
        "name": name,
        "definition": definition,
        "unit": unit,
        "baseline_value": baseline,
        "baseline_date": baseline_date,
        "target_value": target,
        "direction": direction,
        "reporting_frequency": frequency,
        "measurement_method": method,
        "outcome_value_cents": outcome_value,
    }


STANDARD_CRITERIA = [
    {
        "name": "Aanpak en samenwerking",
        "weight": 40,
        "description": "Hoe bereikt de coalitie het resultaat, en hoe werken de partners samen?",
    },
    {
        "name": "Onderbouwing (veranderingstheorie)",
        "weight": 30,
        "description": "Waarom zal deze aanpak werken? Met welke bewijzen of ervaringen?",
    },
    {
        "name": "Betrokkenheid van de doelgroep",
        "weight": 15,
        "description": "Hoe denken de mensen om wie het gaat mee over de aanpak?",
    },
]


def _challenge(
    today: date,
    now: datetime,
    *,
    title,
    theme,
    summary,
    desired_result,
    target_group,
    size,
    context,
    budget_eur,
    years,
    indicators,
    ambition_on=0,
    requirements,
    question_days,
    submission_days,
    start_in_days,
) -> dict[str, Any]:
    start = today + timedelta(days=start_in_days)
    for indicator in indicators:
        indicator["baseline_date"] = indicator["baseline_date"] or today - timedelta(days=120)
        indicator["measurement_method"] = indicator["measurement_method"] or (
            "Registratie van de coalitie, gecontroleerd tegen de gemeentelijke administratie."
        )
    return {
        "title": title,
        "theme": theme,
        "summary": summary,
        "desired_result": desired_result,
        "target_group": target_group,
        "target_group_size": size,
        "context": context,
        "budget_cents": budget_eur * 100,
        "period_start": start,
        "period_end": start + timedelta(days=365 * years),
        "question_deadline": _at(now, question_days),
        "submission_deadline": _at(now, submission_days),
        "expected_award_date": today + timedelta(days=submission_days + 35),
        "indicators": indicators,
        "criteria": STANDARD_CRITERIA
        + [
            {
                "name": "Ambitie van het toegezegde resultaat",
                "weight": 15,
                "kind": "formula",
                "indicator_position": ambition_on,
                "description": "Toegezegde streefwaarde ten opzichte van het meest ambitieuze voorstel.",
            }
        ],
        "requirements": requirements,
    }


def challenges(now: datetime) -> list[tuple[str, int, dict[str, Any]]]:
    """(author email, days ago it was written, data); negative deadlines lie in the past."""
    today = now.astimezone(AMSTERDAM).date()
    common_requirements = [
        "De coalitie houdt zich aan de AVG en legt vast wie verwerkingsverantwoordelijke is.",
        "De penvoerder is ingeschreven bij de KvK en heeft geen belastingschulden.",
    ]
    return [
        (
            "jeugd@voorbeeldstad.nl",
            40,
            _challenge(
                today,
                now,
                title="Thuiszitters terug naar school",
                theme="education",
                summary="Leerlingen die al maanden thuiszitten gaan weer naar school en zitten er een jaar later nog steeds.",
                desired_result="Van de thuiszitters in Voorbeeldstad gaat ten minste 60 % binnen een schooljaar weer volledig naar school, en is 80 % van hen een jaar later nog steeds ingeschreven en aanwezig.",
                target_group="Leerlingen van 6 tot 18 jaar die langer dan vier weken zonder ontheffing niet naar school gaan (thuiszitters), en hun ouders.",
                size=85,
                context="Eén kind, één plan: school, jeugdhulp en een onafhankelijke bemiddelaar werken samen rond het kind. De zorgen van de school zelf (onrust in de klas, budget, reputatie) zijn onderdeel van het probleem en horen in de aanpak thuis. De gemeente betaalt een vast bedrag; coalities concurreren op de kwaliteit van hun aanpak.",
                budget_eur=650_000,
                years=3,
                start_in_days=90,
                question_days=14,
                submission_days=35,
                indicators=[
                    _indicator(
                        "Terug op school",
                        "Aandeel thuiszitters dat binnen een schooljaar weer volledig naar school gaat.",
                        "%",
                        22,
                        60,
                    ),
                    _indicator(
                        "Duurzaam op school",
                        "Aandeel teruggekeerde leerlingen dat een jaar later nog ingeschreven is en minstens 90 % aanwezig.",
                        "%",
                        40,
                        80,
                        frequency="half_yearly",
                    ),
                    _indicator(
                        "Wachttijd tot plan",
                        "Gemiddeld aantal dagen van melding tot een gezamenlijk plan.",
                        "dagen",
                        63,
                        14,
                        direction="decrease",
                        outcome_value=None,
                    ),
                ],
                requirements=common_requirements
                + ["Ten minste één schoolbestuur maakt deel uit van de coalitie."],
            ),
        ),
        (
            "jeugd@voorbeeldstad.nl",
            160,
            _challenge(
                today,
                now,
                title="Jongeren na detentie: school, werk en geen nieuwe delicten",
                theme="justice",
                summary="Minder jongeren vallen terug in criminaliteit en meer jongeren zitten op school of hebben werk.",
                desired_result="Jongeren die terugkeren uit detentie plegen minder nieuwe delicten en hebben binnen een half jaar een dagbesteding: school, werk of een opleiding.",
                target_group="Jongeren van 16 tot 23 jaar uit Voorbeeldstad die terugkeren uit een justitiële jeugdinrichting.",
                size=40,
                context="In een Nederlandse stad daalde de recidive van 85 % naar 10 % met intensieve individuele begeleiding waarin gezin, school, werk en vrije tijd samen worden opgepakt.",
                budget_eur=480_000,
                years=2,
                start_in_days=60,
                question_days=-50,
                submission_days=-30,
                indicators=[
                    _indicator(
                        "Recidive",
                        "Aandeel jongeren met een nieuw delict binnen twee jaar na terugkeer.",
                        "%",
                        85,
                        30,
                        direction="decrease",
                        frequency="half_yearly",
                        outcome_value=None,
                    ),
                    _indicator(
                        "Dagbesteding",
                        "Aandeel jongeren met school, werk of opleiding zes maanden na terugkeer.",
                        "%",
                        35,
                        75,
                    ),
                ],
                requirements=common_requirements,
            ),
        ),
        (
            "werk@voorbeeldstad.nl",
            120,
            _challenge(
                today,
                now,
                title="Schuldhulp zonder wachtlijst",
                theme="debt",
                summary="Huishoudens met problematische schulden krijgen snel een eerste gesprek en komen tot rust.",
                desired_result="Elk huishouden met problematische schulden heeft binnen vijf werkdagen een eerste gesprek, en twee derde is binnen een jaar stabiel.",
                target_group="Huishoudens in Voorbeeldstad met problematische schulden die zich melden of gesignaleerd worden.",
                size=600,
                context="Tijdens het wachten groeien de schulden door incassokosten en haken veel mensen af.",
                budget_eur=900_000,
                years=3,
                start_in_days=35,
                question_days=-75,
                submission_days=-50,
                indicators=[
                    _indicator(
                        "Dagen tot eerste gesprek",
                        "Gemiddeld aantal werkdagen tussen aanmelding en eerste gesprek.",
                        "werkdagen",
                        32,
                        5,
                        direction="decrease",
                        frequency="monthly",
                    ),
                    _indicator(
                        "Stabiele huishoudens",
                        "Aandeel huishoudens dat na een jaar een stabiele financiële situatie heeft.",
                        "%",
                        38,
                        66,
                        outcome_value=250_000,
                    ),
                ],
                requirements=common_requirements
                + ["Schuldhulpverleners zijn NVVK-gecertificeerd."],
            ),
        ),
        (
            "werk@voorbeeldstad.nl",
            420,
            _challenge(
                today,
                now,
                title="Vrijwilligerswerk houdt het werkritme vast",
                theme="work",
                summary="Werkzoekenden houden via vrijwilligerswerk een werkritme en meer van hen vinden betaald werk.",
                desired_result="Werkzoekenden in de bijstand houden een werkritme vast en 30 % vindt binnen twee jaar betaald werk.",
                target_group="Werkzoekenden met een bijstandsuitkering, onder wie hoogopgeleide werklozen die zich als vrijwilliger melden.",
                size=200,
                context="Hoogopgeleide werklozen melden zich als vrijwilliger; hun ritme en netwerk blijven zo behouden.",
                budget_eur=300_000,
                years=2,
                start_in_days=-300,
                question_days=-370,
                submission_days=-350,
                indicators=[
                    _indicator(
                        "Actief als vrijwilliger",
                        "Aantal deelnemers dat minstens acht uur per week vrijwilligerswerk doet.",
                        "deelnemers",
                        40,
                        150,
                    ),
                    _indicator(
                        "Uitstroom naar betaald werk",
                        "Aantal deelnemers dat betaald werk vindt.",
                        "deelnemers",
                        10,
                        60,
                        outcome_value=1_500_000,
                    ),
                ],
                requirements=common_requirements,
            ),
        ),
        (
            "jeugd@voorbeeldstad.nl",
            400,
            _challenge(
                today,
                now,
                title="Sport in de wijk",
                theme="sport",
                summary="Kinderen in de Oostwijk sporten elke week en de buurt wordt hechter.",
                desired_result="Kinderen uit de Oostwijk doen elke week mee aan sport en de sociale samenhang in de buurt verbetert.",
                target_group="Kinderen van 8 tot 14 jaar in de Oostwijk, een prioriteitswijk.",
                size=450,
                context="Een studentenroeivereniging, een woningcorporatie en de kinderen uit de buurt maakten samen de plannen; de gemeente gaf alleen een startsubsidie.",
                budget_eur=150_000,
                years=2,
                start_in_days=-240,
                question_days=-330,
                submission_days=-300,
                indicators=[
                    _indicator(
                        "Wekelijks sportende kinderen",
                        "Aantal kinderen dat minstens één keer per week meedoet.",
                        "kinderen",
                        60,
                        200,
                    ),
                    _indicator(
                        "Sociale samenhang",
                        "Score op de buurtmonitor (schaal 1–10).",
                        "score",
                        5.2,
                        6.5,
                        frequency="yearly",
                    ),
                ],
                requirements=common_requirements,
            ),
        ),
        (
            "werk@voorbeeldstad.nl",
            380,
            _challenge(
                today,
                now,
                title="Wijkcoaches voor multiprobleemhuishoudens",
                theme="care",
                summary="Huishoudens met problemen op meerdere terreinen hebben één plan en één coach.",
                desired_result="Multiprobleemhuishoudens hebben één plan en één vaste coach, en hun problemen nemen aantoonbaar af.",
                target_group="Huishoudens met problemen op drie of meer leefgebieden.",
                size=250,
                context="Coaches met een breed mandaat gaan langs de deuren en nemen eerstelijnswerk van meerdere organisaties over.",
                budget_eur=750_000,
                years=3,
                start_in_days=-200,
                question_days=-290,
                submission_days=-260,
                indicators=[
                    _indicator(
                        "Huishoudens met één plan",
                        "Aantal huishoudens met één plan en één vaste coach.",
                        "huishoudens",
                        20,
                        200,
                    ),
                    _indicator(
                        "Verbeterde zelfredzaamheid",
                        "Aandeel huishoudens met verbeterde score op de zelfredzaamheidsmatrix.",
                        "%",
                        25,
                        60,
                        frequency="half_yearly",
                    ),
                ],
                requirements=common_requirements,
            ),
        ),
    ]


async def _users(db: AsyncSession, now: datetime) -> dict[str, User]:
    orgs = {}
    for name, kind, kvk in ORGANISATIONS:
        org = Organisation(name=name, kind=kind, kvk_number=kvk, created_at=now)
        db.add(org)
        orgs[name] = org
    await db.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for email, name, org_name, role, _note in ACCOUNTS:
        users[email] = await create_user(
            db,
            orgs[org_name],
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            now=now,
            details={"role": role.value, "demo": True},
        )
    return users


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Organisations, accounts and challenges in every stage this release knows."""
    users = await _users(db, now)
    store = LocalDocumentStore(get_settings().documents_dir)
    created = []
    for email, days_ago, data in challenges(now):
        written = now - timedelta(days=days_ago)
        ctx = Context(db=db, user=users[email], now=written)
        challenge = await lifecycle.create_draft(ctx, ChallengeIn.model_validate(data))
        ctx.now = written + timedelta(days=2)
        await attachments.add_attachment(
            ctx,
            store,
            challenge.id,
            "Achtergrondnotitie.pdf",
            io.BytesIO(one_page_pdf(data["title"][:60])),
            get_settings().max_upload_bytes,
        )
        await lifecycle.publish(ctx, challenge.id)
        created.append((challenge, ctx))

    open_challenge, ctx = created[0]
    anna = Context(db=db, user=users["anna@welzijnvoorbeeldstad.nl"], now=now - timedelta(days=20))
    karim = Context(db=db, user=users["karim@jeugdhulpdebrug.nl"], now=now - timedelta(days=18))
    q1 = await questions.ask_question(
        anna,
        open_challenge.id,
        "Mogen ook leerlingen met een vrijstelling op grond van de Leerplichtwet meetellen?",
    )
    await questions.ask_question(
        karim,
        open_challenge.id,
        "Kan de gemeente de huidige wachttijd per school uitsplitsen?",
    )
    ctx.now = now - timedelta(days=15)
    await questions.answer_question(
        ctx,
        open_challenge.id,
        q1.id,
        "Nee. Leerlingen met een vrijstelling vallen buiten de doelgroep; zij tellen niet mee voor de indicatoren.",
    )
    amended = lifecycle.as_input(open_challenge)
    amended.submission_deadline = amended.submission_deadline + timedelta(days=7)
    amended.expected_award_date = amended.expected_award_date + timedelta(days=7)
    await lifecycle.amend(
        ctx, open_challenge.id, amended, "Meer tijd voor coalitievorming na vragen uit de markt."
    )

    await _coalitions(db, users, created, now, store)
    await _contracts(db, users, created)
    await load_results(db, users, created, now, store)
    await load_evaluations(db, users, created, now)
    await _debt_help_award(db, users, created, now)
    await load_scenario(db, users, now)

    officer = users["jeugd@voorbeeldstad.nl"]
    draft_ctx = Context(db=db, user=officer, now=now - timedelta(days=3))
    await lifecycle.create_draft(
        draft_ctx,
        ChallengeIn(
            title="Laaggeletterdheid: meer ouders lezen voor",
            theme="education",
            summary="Ouders die moeite hebben met lezen, lezen hun kinderen vaker voor.",
            desired_result="Meer laaggeletterde ouders lezen hun kinderen wekelijks voor.",
            budget_cents=200_000_00,
        ),
    )
    cancelled = await lifecycle.create_draft(
        draft_ctx,
        ChallengeIn.model_validate(
            challenges(now)[0][2]
            | {"title": "Huiswerkbegeleiding in de bibliotheek", "theme": "education"}
        ),
    )
    await lifecycle.publish(draft_ctx, cancelled.id)
    draft_ctx.now = now - timedelta(days=1)
    await lifecycle.cancel(
        draft_ctx,
        cancelled.id,
        "De bibliotheek sluit tijdelijk voor verbouwing; de opgave komt later opnieuw.",
    )


async def _debt_help_award(
    db: AsyncSession, users: dict[str, User], created: list, now: datetime
) -> None:
    """Debt help in its standstill: the decision sent six days ago, and the runner-up objecting."""
    ready = debt_help_award(created, now)
    await awards.decide_award(
        ready.officer,
        ready.challenge_id,
        DecisionIn(
            reasons=(
                "“Direct in gesprek” scoort op elk kwaliteitscriterium het hoogst. De commissie "
                "waardeert vooral het eerste gesprek binnen vijf werkdagen en de vroegsignalering "
                "door de woonstichting, waardoor schulden niet eerst groeien. “Geldfit "
                "Voorbeeldstad” betrekt ervaringsdeskundigen sterk, maar maakt minder concreet "
                "hoe huishoudens zonder werkgever worden bereikt."
            )
        ),
    )
    runner_up = Context(
        db=db, user=users["lisa@werkplaatsvooruit.nl"], now=ready.officer.now + timedelta(days=4)
    )
    await awards.lodge_objection(
        runner_up,
        ready.challenge_id,
        ObjectionIn(
            reasons=(
                "De commissie stelt dat wij huishoudens zonder werkgever niet bereiken, maar "
                "paragraaf 3 van ons voorstel beschrijft juist de samenwerking met de "
                "voedselbank en het wijkteam voor die groep. Wij vragen de score op "
                "“Betrokkenheid van de doelgroep” opnieuw te bezien."
            )
        ),
    )


# (challenge index, coalition name, lead email, member emails, accept all?, submit?, approach)
COALITIONS = [
    (
        0,
        "Samen terug naar school",
        "petra@rivierenland.nl",
        ["karim@jeugdhulpdebrug.nl", "noor@oostwijk.nl"],
        True,
        2,
        "Per leerling één plan, gemaakt met de leerling, de ouders, de school en de jeugdhulp aan één tafel. Een onafhankelijke bemiddelaar bewaakt het plan; de school krijgt ondersteuning in de klas zodat terugkeer ook voor de klas werkt.",
    ),
    (
        0,
        "Roeien naar de klas",
        "tom@despiegel.nl",
        ["eva@woonstichtingthuis.nl"],
        True,
        1,
        "Sport als brug: thuiszitters trainen twee keer per week met studenten van de roeivereniging; een vaste coach van de woonstichting begeleidt het gezin thuis en de terugkeer naar school.",
    ),
    (
        0,
        "Schuldenvrij leren",
        "ruud@schuldhulpsamen.nl",
        ["bert@vandijk.nl"],
        False,
        0,
        "Geldzorgen thuis zijn vaak een oorzaak van thuiszitten; wij pakken die zorgen aan terwijl de school de leerling terughaalt.",
    ),
    (
        1,
        "Nieuwe start",
        "karim@jeugdhulpdebrug.nl",
        ["lisa@werkplaatsvooruit.nl", "bert@vandijk.nl"],
        True,
        1,
        "Intensieve individuele begeleiding vanaf de laatste maand in detentie: gezin, school, werk en vrije tijd samen, met een leerwerkplek bij een lokaal bedrijf.",
    ),
    (
        1,
        "Wijk als vangnet",
        "anna@welzijnvoorbeeldstad.nl",
        ["noor@oostwijk.nl"],
        True,
        1,
        "Buurtmentoren en het welzijnswerk vangen jongeren op bij terugkeer en verbinden ze met school of werk in de wijk.",
    ),
    (
        2,
        "Direct in gesprek",
        "ruud@schuldhulpsamen.nl",
        ["anna@welzijnvoorbeeldstad.nl", "eva@woonstichtingthuis.nl"],
        True,
        1,
        "Binnen vijf werkdagen een eerste gesprek, aan huis als dat nodig is; de woonstichting meldt betalingsachterstanden vroeg, zodat schulden niet eerst groeien.",
    ),
    (
        2,
        "Geldfit Voorbeeldstad",
        "lisa@werkplaatsvooruit.nl",
        ["bert@vandijk.nl"],
        True,
        1,
        "Ervaringsdeskundigen van de werkplaats voeren het eerste gesprek; werkgevers helpen met loonbeslag en een stabiel inkomen.",
    ),
    (
        3,
        "Vrijwillig aan het werk",
        "lisa@werkplaatsvooruit.nl",
        ["anna@welzijnvoorbeeldstad.nl"],
        True,
        1,
        "Vrijwilligerswerk met een vast ritme en een loopbaancoach; werkgevers uit het netwerk bieden proefplaatsingen.",
    ),
    (
        4,
        "Oostwijk in beweging",
        "tom@despiegel.nl",
        ["eva@woonstichtingthuis.nl", "noor@oostwijk.nl"],
        True,
        1,
        "Kinderen, studenten en de woningcorporatie organiseren samen wekelijkse sport op het plein en op het water.",
    ),
    (
        5,
        "Eén gezin, één coach",
        "anna@welzijnvoorbeeldstad.nl",
        ["karim@jeugdhulpdebrug.nl", "ruud@schuldhulpsamen.nl"],
        True,
        1,
        "Wijkcoaches met doorzettingsmacht gaan langs de deuren en nemen het eerstelijnswerk van de partners over.",
    ),
]


async def _coalitions(
    db: AsyncSession,
    users: dict[str, User],
    created: list,
    now: datetime,
    store: LocalDocumentStore,
) -> None:
    """Coalitions and proposals on the open challenge (sealed) and on the closed ones (opened)."""
    for index, name, lead_email, member_emails, accept, submissions, approach in COALITIONS:
        challenge = created[index][0]
        deadline = challenge.submission_deadline
        start = min(now - timedelta(days=12), deadline - timedelta(days=20))
        lead = Context(db=db, user=users[lead_email], now=start)
        coalition = await coalitions.start_coalition(
            lead,
            challenge.id,
            CoalitionIn(
                name=name, role="penvoerder", contribution="Coördinatie en verantwoording."
            ),
        )
        for email in member_emails:
            await coalitions.invite(
                lead,
                coalition.public_id,
                InviteIn(organisation_id=users[email].organisation_id).organisation_id,
            )
            if accept:
                member = Context(db=db, user=users[email], now=start + timedelta(days=1))
                await coalitions.respond(
                    member,
                    coalition.public_id,
                    ResponseIn(accept=True, role="partner", contribution="Uitvoering in de wijk."),
                )
        if not submissions:
            continue
        coalition = await coalitions.load_coalition(lead, coalition.id)
        challenge = await lifecycle.get_challenge(lead, challenge.id)
        accepted = [m for m in coalition.members if m.status.value == "accepted"]
        share = (challenge.budget_cents * 9 // 10) // len(accepted)
        lead.now = start + timedelta(days=3)
        for version in range(1, submissions + 1):
            content = ProposalContent(
                approach=approach,
                theory_of_change="Wie de situatie van dichtbij kent, ziet eerder wat werkt. "
                "Door één plan met alle partners voorkomen we dat mensen tussen "
                "organisaties in vallen.",
                targets=[
                    {"indicator_id": i.id, "value": _ambition(i, version, name)}
                    for i in challenge.indicators
                ],
                budget=[
                    {"organisation_id": m.organisation_id, "amount_cents": share} for m in accepted
                ],
                requirement_answers=[
                    {
                        "requirement_id": r.id,
                        "met": True,
                        "explanation": "Ja, zie het plan van aanpak.",
                    }
                    for r in challenge.requirements
                ],
            )
            await proposals.save_draft(lead, coalition.public_id, content)
            if version == 1:
                await proposals.add_attachment(
                    lead,
                    store,
                    coalition.public_id,
                    "Plan van aanpak.pdf",
                    io.BytesIO(one_page_pdf(f"Plan van aanpak {name}"[:60])),
                    get_settings().max_upload_bytes,
                )
            await proposals.submit(lead, coalition.public_id)
            lead.now += timedelta(days=2)

    officers = {c.organisation_id: c.created_by_id for c, _ctx in created}
    by_id = {u.id: u for u in users.values()}
    for challenge, _ctx in created:
        if is_unsealed(challenge, now):
            officer = Context(
                db=db,
                user=by_id[officers[challenge.organisation_id]],
                now=challenge.submission_deadline + timedelta(hours=1),
            )
            officer.user = by_id[challenge.created_by_id]
            await openings.opening(officer, challenge.id)


def _ambition(indicator, version: int, seed: str) -> float:
    """A committed target near the challenge's target, different per coalition."""
    spread = (sum(map(ord, seed)) % 7 - 3) / 20 + (version - 1) * 0.02
    value = indicator.target_value * (1 + spread)
    return round(value, 1)


# (challenge index, winning coalition, fixed share in basis points, results cap in euros or None)
CONTRACTS = [
    (3, "Vrijwillig aan het werk", 7_000, None),
    (4, "Oostwijk in beweging", 8_000, None),
    (5, "Eén gezin, één coach", 6_000, 250_000),
]


async def _contracts(db: AsyncSession, users: dict[str, User], created: list) -> None:
    """The running challenges' contracts, made two weeks before each contract period began (so
    months ago), by the officer who wrote the challenge, from its one opened proposal."""
    by_id = {u.id: u for u in users.values()}
    for index, coalition_name, fixed_share_bp, cap_eur in CONTRACTS:
        challenge = created[index][0]
        coalition_id = await db.scalar(
            select(Coalition.public_id).where(
                Coalition.challenge_id == challenge.id, Coalition.name == coalition_name
            )
        )
        start = datetime.combine(challenge.period_start, datetime.min.time(), tzinfo=AMSTERDAM)
        officer = Context(db=db, user=by_id[challenge.created_by_id], now=_at(start, -14, hour=10))
        await contracts.make_contract(
            officer,
            challenge.id,
            coalition_id,
            ContractTerms(
                fixed_share_bp=fixed_share_bp,
                results_cap_cents=cap_eur * 100 if cap_eur is not None else None,
            ),
        )
