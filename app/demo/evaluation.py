"""The demo's evaluations, made through the evaluation services as a committee would, day by day:
"Jongeren na detentie" partly scored (one member recused, one still drafting, no consensus),
"Schuldhulp zonder wachtlijst" complete, so its report has a ranking for the award step."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.challenges import lifecycle
from app.challenges.models import Challenge
from app.clock import AMSTERDAM
from app.coalitions.models import Coalition
from app.context import Context
from app.evaluation import committee, consensus, declarations, scoring
from app.evaluation.schemas import (
    CommitteeIn,
    ConsensusIn,
    DeclarationIn,
    DeclarationsIn,
    ScoreIn,
    ScoresIn,
    VerdictIn,
    VerdictsIn,
)
from app.organisations.models import User

# The challenges, by their index in app.demo.data.challenges().
DETENTION = 1
DEBT_HELP = 2

CHAIR = "inkoop@voorbeeldstad.nl"  # municipal staff, chairs both committees
PETERS = "expert1@maatschappelijkeffect.nl"
AMRANI = "expert2@maatschappelijkeffect.nl"
DEKKER = "marieke@dekkeronderzoek.nl"

# The quality criteria of every demo challenge (app.demo.data.STANDARD_CRITERIA).
APPROACH = "Aanpak en samenwerking"
THEORY = "Onderbouwing (veranderingstheorie)"
VOICE = "Betrokkenheid van de doelgroep"

Scores = dict[str, tuple[int, str]]  # criterion name -> (whole score on the scale, rationale)
NO_CONFLICT = (False, "")


@dataclass
class Committee:
    """One challenge's evaluation as it happens: the people, the challenge, its proposals."""

    db: AsyncSession
    users: dict[str, User]
    challenge: Challenge
    proposals: dict[str, UUID]  # coalition name -> proposal id
    now: datetime

    def ctx(self, email: str, day: int, hour: int, *, before_deadline: bool = False) -> Context:
        """The member at `hour` (Amsterdam) `day` days after the deadline; every step lies
        before the demo's now and, except forming the committee, after the opening."""
        deadline = self.challenge.submission_deadline
        local = (deadline + timedelta(days=day)).astimezone(AMSTERDAM)
        moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        if moment >= self.now or (not before_deadline and moment <= deadline + timedelta(hours=1)):
            raise ValueError(f"demo evaluation step at {moment} lies outside its evaluation")
        return Context(db=self.db, user=self.users[email], now=moment)

    def criterion(self, name: str) -> int:
        return next(c.id for c in self.challenge.criteria if c.name == name)

    def scores(self, given: Scores) -> list[ScoreIn]:
        return [
            ScoreIn(criterion_id=self.criterion(name), score=score, rationale=rationale)
            for name, (score, rationale) in given.items()
        ]


@dataclass(frozen=True)
class Formed:
    day: int
    hour: int
    officer: str
    chair: str
    evaluators: tuple[str, ...]

    async def run(self, c: Committee) -> None:
        ctx = c.ctx(self.officer, self.day, self.hour, before_deadline=True)
        await committee.set_committee(
            ctx,
            c.challenge.id,
            CommitteeIn(
                chair_user_id=c.users[self.chair].id,
                evaluator_user_ids=[c.users[email].id for email in self.evaluators],
            ),
        )


@dataclass(frozen=True)
class Declared:
    day: int
    hour: int
    member: str
    # coalition -> (conflict of interest?, explanation); an explanation may also disclose a tie
    # that the member judges is no conflict
    on: dict[str, tuple[bool, str]]

    async def run(self, c: Committee) -> None:
        await declarations.declare(
            c.ctx(self.member, self.day, self.hour),
            c.challenge.id,
            DeclarationsIn(
                declarations=[
                    DeclarationIn(
                        proposal_id=c.proposals[coalition],
                        conflict=conflict,
                        explanation=explanation,
                    )
                    for coalition, (conflict, explanation) in self.on.items()
                ]
            ),
        )


@dataclass(frozen=True)
class Scored:
    """A member saves scores on one proposal (a draft until they submit)."""

    day: int
    hour: int
    member: str
    coalition: str
    given: Scores

    async def run(self, c: Committee) -> None:
        await scoring.save_scores(
            c.ctx(self.member, self.day, self.hour),
            c.challenge.id,
            c.proposals[self.coalition],
            ScoresIn(scores=c.scores(self.given)),
        )


@dataclass(frozen=True)
class Submitted:
    day: int
    hour: int
    member: str

    async def run(self, c: Committee) -> None:
        await scoring.submit(c.ctx(self.member, self.day, self.hour), c.challenge.id)


@dataclass(frozen=True)
class Judged:
    """The chair's verdict on each minimum requirement, in the challenge's order."""

    day: int
    hour: int
    chair: str
    coalition: str
    verdicts: tuple[tuple[bool, str], ...]

    async def run(self, c: Committee) -> None:
        requirements = c.challenge.requirements
        if len(requirements) != len(self.verdicts):
            raise ValueError(f"judge every minimum requirement of {c.challenge.title}")
        await consensus.record_requirements(
            c.ctx(self.chair, self.day, self.hour),
            c.challenge.id,
            c.proposals[self.coalition],
            VerdictsIn(
                verdicts=[
                    VerdictIn(requirement_id=r.id, passed=passed, reason=reason)
                    for r, (passed, reason) in zip(requirements, self.verdicts, strict=True)
                ]
            ),
        )


@dataclass(frozen=True)
class Agreed:
    """The chair records the committee's consensus on one proposal."""

    day: int
    hour: int
    chair: str
    coalition: str
    given: Scores

    async def run(self, c: Committee) -> None:
        await consensus.record_consensus(
            c.ctx(self.chair, self.day, self.hour),
            c.challenge.id,
            c.proposals[self.coalition],
            ConsensusIn(scores=c.scores(self.given)),
        )


Step = Formed | Declared | Scored | Submitted | Judged | Agreed


# --- Jongeren na detentie: partly scored ------------------------------------------------------
# Dr. Dekker evaluated De Brug's method for them, so she is recused from "Nieuwe start";
# Youssef Amrani has saved four of his six scores and not submitted; no consensus yet.

DETENTION_STEPS: list[Step] = [
    Formed(-7, 10, "jeugd@voorbeeldstad.nl", CHAIR, (PETERS, AMRANI, DEKKER)),
    Declared(1, 9, CHAIR, {"Nieuwe start": NO_CONFLICT, "Wijk als vangnet": NO_CONFLICT}),
    Declared(
        1,
        14,
        PETERS,
        {
            "Nieuwe start": NO_CONFLICT,
            "Wijk als vangnet": (
                False,
                "Geen belang. Ik gaf in 2024 eenmalig een training aan het team van Welzijn "
                "Voorbeeldstad; daar loopt niets meer uit en ik heb er geen vervolgafspraken mee.",
            ),
        },
    ),
    Declared(
        2,
        11,
        DEKKER,
        {
            "Nieuwe start": (
                True,
                "Ik heb vorig jaar in opdracht van Jeugdhulp De Brug hun nazorgmethodiek "
                "geëvalueerd en werk nu aan een vervolgonderzoek dat zij financieren. Over een "
                "voorstel dat op die methodiek steunt, kan ik niet onafhankelijk oordelen.",
            ),
            "Wijk als vangnet": NO_CONFLICT,
        },
    ),
    Declared(3, 16, AMRANI, {"Nieuwe start": NO_CONFLICT, "Wijk als vangnet": NO_CONFLICT}),
    Scored(
        6,
        10,
        CHAIR,
        "Nieuwe start",
        {
            APPROACH: (
                8,
                "Sterk: de begeleiding begint al in de laatste maand van detentie en één vaste "
                "begeleider houdt gezin, school en werk bij elkaar. De leerwerkplekken bij Van "
                "Dijk zijn concreet toegezegd. Minder duidelijk is wie beslist als de partners "
                "het oneens zijn.",
            ),
            THEORY: (
                8,
                "De aanpak volgt de intensieve nazorg waarmee elders de recidive sterk daalde, "
                "en het voorstel laat zien welke onderdelen de coalitie daarvan overneemt. De "
                "aanname dat een leerwerkplek binnen zes weken lukt, is optimistisch.",
            ),
            VOICE: (
                6,
                "Jongeren zijn geïnterviewd bij het schrijven van het plan, maar hebben in de "
                "uitvoering geen vaste stem. Een jongerenpanel of een ervaringsdeskundige "
                "begeleider zou het voorstel versterken.",
            ),
        },
    ),
    Scored(
        7,
        15,
        CHAIR,
        "Wijk als vangnet",
        {
            APPROACH: (
                6,
                "Buurtmentoren zijn dichtbij en snel beschikbaar, maar het contact met de "
                "justitiële jeugdinrichting vóór de vrijlating ontbreekt: de overdracht begint "
                "pas als de jongere al thuis is.",
            ),
            THEORY: (
                5,
                "Het voorstel beschrijft goed wat de buurt kan bieden, maar niet waarom dat de "
                "recidive verlaagt. Er staat geen verwijzing in naar onderzoek of naar eigen "
                "resultaten.",
            ),
            VOICE: (
                8,
                "Sterk punt: een deel van de mentoren is zelf opgegroeid in de wijk met een "
                "vergelijkbare achtergrond, en bewoners beslissen mee over het budget voor "
                "vrijetijdsactiviteiten.",
            ),
        },
    ),
    Submitted(8, 9, CHAIR),
    Scored(
        9,
        13,
        PETERS,
        "Nieuwe start",
        {
            APPROACH: (
                9,
                "Uitgewerkt tot op het niveau van één jongere: het voorbeeld in bijlage 2 laat "
                "zien hoe begeleider, werkmeester en leerplichtambtenaar in de eerste week "
                "samenwerken. Heldere afspraken over de caseload (acht jongeren per begeleider) "
                "en over vervanging bij ziekte.",
            ),
            THEORY: (
                8,
                "Goed onderbouwd met landelijke kennis over nazorg en met de resultaten uit de "
                "stad waar de recidive van 85 % naar 10 % daalde. De coalitie benoemt terecht "
                "dat die cijfers uit een kleine groep komen; haar eigen doel is ambitieus maar "
                "verdedigbaar.",
            ),
            VOICE: (
                7,
                "Ouders worden vanaf het begin betrokken en de jongere ondertekent zijn eigen "
                "plan. De inbreng van jongeren in het ontwerp van de aanpak blijft beperkt tot "
                "een paar gesprekken.",
            ),
        },
    ),
    Scored(
        10,
        11,
        PETERS,
        "Wijk als vangnet",
        {
            APPROACH: (
                6,
                "Een laagdrempelige en sympathieke aanpak. De samenwerking met scholen en "
                "werkgevers is nog een intentie: er worden geen scholen of bedrijven genoemd "
                "die meedoen.",
            ),
            THEORY: (
                4,
                "De veranderingstheorie rust op de aanname dat een netwerk in de wijk genoeg is. "
                "Jongeren met een zwaar delict hebben intensieve, professionele begeleiding "
                "nodig; dat onderscheid maakt het voorstel niet.",
            ),
            VOICE: (
                8,
                "De jongeren en hun buurt zijn de motor van dit voorstel. Het bewonersinitiatief "
                "organiseert de eerste ontmoeting, nog vóór de eerste afspraak met een "
                "hulpverlener.",
            ),
        },
    ),
    Submitted(10, 16, PETERS),
    Scored(
        12,
        10,
        DEKKER,
        "Wijk als vangnet",
        {
            APPROACH: (
                5,
                "De rolverdeling tussen welzijnswerker en vrijwillige mentor is onduidelijk, "
                "vooral bij zorgsignalen. Wie schakelt de reclassering in als het misgaat?",
            ),
            THEORY: (
                4,
                "Onderzoek naar mentorprogramma's voor jongeren na detentie laat wisselende "
                "effecten zien. Het voorstel gaat daar niet op in en beschrijft niet hoe de "
                "coalitie bijstuurt als het effect uitblijft.",
            ),
            VOICE: (
                7,
                "De wijk is goed betrokken. Ik mis de stem van ouders, die bij deze jongeren "
                "vaak een sleutelrol spelen.",
            ),
        },
    ),
    Submitted(12, 14, DEKKER),
    Scored(
        15,
        20,
        AMRANI,
        "Nieuwe start",
        {
            APPROACH: (
                7,
                "Een sterke keten van detentie naar werk, maar het plan leunt op één leerbedrijf. "
                "Als Van Dijk minder plekken heeft, is er geen alternatief beschreven.",
            ),
            THEORY: (
                7,
                "De veranderingstheorie is logisch. De koppeling tussen vrije tijd en minder "
                "recidive wordt alleen genoemd, niet uitgewerkt.",
            ),
            VOICE: (
                5,
                "De jongeren zijn vooral onderwerp van de aanpak. Ik mis hoe zij zelf kunnen "
                "bijsturen als het plan niet bij hen past.",
            ),
        },
    ),
    Scored(
        26,
        21,
        AMRANI,
        "Wijk als vangnet",
        {
            APPROACH: (
                6,
                "Snel contact na terugkeer en een vertrouwd gezicht in de wijk. Voor school en "
                "werk is het voorstel nog dun: er is geen afspraak met een leerwerkbedrijf.",
            ),
        },
    ),
]


# --- Schuldhulp zonder wachtlijst: complete, "Direct in gesprek" first -------------------------
# The members differ widely on how "Geldfit Voorbeeldstad" involves the households (3 to 9),
# which the chair's view highlights and the consensus explains.

DEBT_HELP_STEPS: list[Step] = [
    Formed(-5, 11, "werk@voorbeeldstad.nl", CHAIR, (PETERS, AMRANI)),
    Declared(
        1, 10, CHAIR, {"Direct in gesprek": NO_CONFLICT, "Geldfit Voorbeeldstad": NO_CONFLICT}
    ),
    Declared(
        1, 15, PETERS, {"Direct in gesprek": NO_CONFLICT, "Geldfit Voorbeeldstad": NO_CONFLICT}
    ),
    Declared(
        2,
        9,
        AMRANI,
        {
            "Direct in gesprek": NO_CONFLICT,
            "Geldfit Voorbeeldstad": (
                False,
                "Geen belang. Ons bureau deed in 2023 een klanttevredenheidsonderzoek voor "
                "Werkplaats Vooruit; die opdracht is afgerond en er is geen vervolg afgesproken.",
            ),
        },
    ),
    Scored(
        5,
        10,
        CHAIR,
        "Direct in gesprek",
        {
            APPROACH: (
                8,
                "Heldere werkwijze: binnen vijf werkdagen een gesprek, zo nodig thuis, en één "
                "vaste contactpersoon tot de situatie stabiel is. De vroegsignalering door de "
                "woonstichting is concreet uitgewerkt, met toestemming van de huurder.",
            ),
            THEORY: (
                7,
                "Goed onderbouwd dat wachten de schulden laat groeien door incassokosten. Het "
                "effect van vroegsignalering op het aantal stabiele huishoudens is aannemelijk, "
                "maar nog niet met eigen cijfers aangetoond.",
            ),
            VOICE: (
                7,
                "Cliënten hebben meegelezen met de aanpak en een klantpanel bespreekt twee keer "
                "per jaar de werkwijze.",
            ),
        },
    ),
    Scored(
        5,
        14,
        CHAIR,
        "Geldfit Voorbeeldstad",
        {
            APPROACH: (
                6,
                "Originele inzet van ervaringsdeskundigen en werkgevers. Hoe de schuldregeling "
                "zelf verloopt, blijft vaag: daarvoor verwijst het voorstel naar een partner "
                "buiten de coalitie.",
            ),
            THEORY: (
                5,
                "De gedachte dat een stabiel inkomen nieuwe schulden voorkomt, is sterk. Niet "
                "duidelijk is hoe het eerste gesprek zo snel lukt met de beschikbare formatie.",
            ),
            VOICE: (
                5,
                "Ervaringsdeskundigen zijn betrokken, maar of huishoudens zelf invloed hebben op "
                "de aanpak staat er niet in.",
            ),
        },
    ),
    Submitted(6, 9, CHAIR),
    Scored(
        7,
        11,
        PETERS,
        "Direct in gesprek",
        {
            APPROACH: (
                8,
                "Drie partners die elkaar aanvullen: signaleren (woonstichting), ondersteunen "
                "(welzijn) en regelen (schuldhulp). De overdracht tussen hen staat in een "
                "stappenplan met termijnen.",
            ),
            THEORY: (
                8,
                "Sluit aan op wat bekend is over vroegsignalering en op de eigen wachtlijstcijfers "
                "van de stichting. De coalitie benoemt ook wat zij niet weet: hoeveel huishoudens "
                "buiten beeld blijven.",
            ),
            VOICE: (
                8,
                "Verhalen van huishoudens zijn gebruikt om het eerste gesprek laagdrempeliger te "
                "maken; zo hoeft niemand bij de eerste afspraak al een map met papieren mee te "
                "nemen.",
            ),
        },
    ),
    Scored(
        8,
        10,
        PETERS,
        "Geldfit Voorbeeldstad",
        {
            APPROACH: (
                6,
                "De werkgeversaanpak bij loonbeslag is een goede aanvulling op de gewone "
                "schuldhulp. De samenwerking met de gemeentelijke schuldhulp is alleen op "
                "hoofdlijnen beschreven.",
            ),
            THEORY: (
                6,
                "Aannemelijk voor werkenden met schulden. Voor huishoudens zonder werk, een groot "
                "deel van de doelgroep, legt het voorstel niet uit waarom de aanpak werkt.",
            ),
            VOICE: (
                9,
                "Uitstekend: het eerste gesprek wordt gevoerd door mensen die zelf schulden "
                "hebben gehad en daarvoor zijn opgeleid. Dat verlaagt de drempel voor een groep "
                "die zich vaak schaamt.",
            ),
        },
    ),
    Submitted(8, 16, PETERS),
    Scored(
        9,
        10,
        AMRANI,
        "Direct in gesprek",
        {
            APPROACH: (
                7,
                "Een solide plan. De capaciteit in piekmaanden, na de jaarafrekeningen van "
                "energie, is krap begroot; ik mis wat de coalitie doet als de instroom stijgt.",
            ),
            THEORY: (
                7,
                "De redenering klopt en past bij landelijke ervaringen. Het doel voor stabiele "
                "huishoudens ligt hoog; de tussenstappen ernaartoe zijn niet allemaal uitgewerkt.",
            ),
            VOICE: (
                7,
                "De doelgroep wordt gehoord via het klantpanel. Sterker zou zijn als "
                "ervaringsdeskundigen ook zelf gesprekken voeren.",
            ),
        },
    ),
    Scored(
        9,
        15,
        AMRANI,
        "Geldfit Voorbeeldstad",
        {
            APPROACH: (
                5,
                "De aanpak hangt af van de bereidheid van werkgevers. Er zijn nu twee "
                "toezeggingen; voor zeshonderd huishoudens is dat te weinig.",
            ),
            THEORY: (
                4,
                "De beloofde wachttijd is ambitieus, maar niet onderbouwd: het voorstel geeft "
                "geen cijfers over de huidige capaciteit van de werkplaats.",
            ),
            VOICE: (
                3,
                "De ervaringsdeskundigen zijn medewerkers van de werkplaats, geen stem van de "
                "doelgroep. Huishoudens hebben geen rol in het ontwerp of de evaluatie van de "
                "aanpak.",
            ),
        },
    ),
    Submitted(10, 9, AMRANI),
    Judged(
        13,
        10,
        CHAIR,
        "Direct in gesprek",
        (
            (
                True,
                "Verwerkersovereenkomst bijgevoegd; Stichting Schuldhulp Samen is "
                "verwerkingsverantwoordelijke en de woonstichting deelt gegevens alleen met "
                "toestemming van de huurder.",
            ),
            (
                True,
                "KvK-uittreksel en verklaring betalingsgedrag van de Belastingdienst, niet ouder "
                "dan drie maanden, zijn aangeleverd.",
            ),
            (
                True,
                "De schuldhulpverleners van Stichting Schuldhulp Samen werken onder het "
                "NVVK-keurmerk; het certificaat is gecontroleerd.",
            ),
        ),
    ),
    Judged(
        13,
        11,
        CHAIR,
        "Geldfit Voorbeeldstad",
        (
            (
                True,
                "Werkplaats Vooruit is verwerkingsverantwoordelijke; de privacyparagraaf is "
                "beknopt maar volledig.",
            ),
            (True, "KvK-uittreksel en verklaring betalingsgedrag zijn aangeleverd."),
            (
                True,
                "De schuldregelingen lopen via de NVVK-gecertificeerde kredietbank, vastgelegd in "
                "een intentieverklaring bij het voorstel; de ervaringsdeskundigen voeren alleen "
                "het eerste gesprek.",
            ),
        ),
    ),
    Agreed(
        14,
        15,
        CHAIR,
        "Direct in gesprek",
        {
            APPROACH: (
                8,
                "De commissie is eensgezind: een uitgewerkte werkwijze met duidelijke taken per "
                "partner en een realistische termijn voor het eerste gesprek. Het punt over de "
                "piekmaanden is besproken; de flexibele pool die de coalitie noemt, is klein "
                "maar voldoende voor een 8.",
            ),
            THEORY: (
                7,
                "Overtuigend over waarom snel contact werkt; de verwachte stabilisatie is nog "
                "niet met eigen resultaten onderbouwd. Twee van de drie leden gaven een 7.",
            ),
            VOICE: (
                7,
                "Het klantpanel en het gebruik van ervaringsverhalen zijn goed, maar "
                "ervaringsdeskundigen voeren nog geen gesprekken. De commissie kiest 7.",
            ),
        },
    ),
    Agreed(
        14,
        16,
        CHAIR,
        "Geldfit Voorbeeldstad",
        {
            APPROACH: (
                6,
                "Vernieuwend door werkgevers en ervaringsdeskundigen, maar de schuldregeling "
                "zelf ligt buiten de coalitie. De commissie houdt 6 aan.",
            ),
            THEORY: (
                5,
                "Aannemelijk voor werkenden, minder voor huishoudens zonder inkomen uit werk; de "
                "capaciteit voor de beloofde wachttijd is niet onderbouwd.",
            ),
            VOICE: (
                6,
                "De individuele scores lagen ver uiteen (3 tot 9). Na bespreking: de inzet van "
                "ervaringsdeskundigen is waardevol, maar huishoudens hebben zelf geen invloed "
                "op de aanpak. De commissie komt uit op 6.",
            ),
        },
    ),
]


async def _run(
    db: AsyncSession, users: dict[str, User], challenge: Challenge, steps: list[Step], now: datetime
) -> None:
    rows = await db.execute(
        select(Coalition.name, Coalition.public_id).where(Coalition.challenge_id == challenge.id)
    )
    found = Committee(db, users, challenge, {name: public_id for name, public_id in rows}, now)
    for step in sorted(steps, key=lambda s: (s.day, s.hour)):
        await step.run(found)


async def load_evaluations(
    db: AsyncSession, users: dict[str, User], created: list, now: datetime
) -> None:
    """Both evaluations, after their challenges' proposals were opened."""
    for index, steps in ((DETENTION, DETENTION_STEPS), (DEBT_HELP, DEBT_HELP_STEPS)):
        written, author = created[index]
        reader = Context(db=db, user=author.user, now=now)
        challenge = await lifecycle.get_challenge(reader, written.id)
        await _run(db, users, challenge, steps, now)


@dataclass(frozen=True)
class AwardReady:
    """What the award decision on debt help needs: the challenge and its policy officer."""

    challenge_id: int
    officer: Context


def debt_help_award(created: list, now: datetime) -> AwardReady:
    """The ranked debt-help challenge, with the officer who wrote it at the moment of the award
    decision: six days ago, well after the consensus, so the 20-day standstill still runs."""
    challenge, author = created[DEBT_HELP]
    local = (now - timedelta(days=6)).astimezone(AMSTERDAM)
    moment = local.replace(hour=10, minute=0, second=0, microsecond=0)
    return AwardReady(challenge.id, Context(db=author.db, user=author.user, now=moment))
