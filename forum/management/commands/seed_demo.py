"""`python manage.py seed_demo`: a realistic demo consultation to click through.

It builds a mid-term review of a global programme on the rule of law and
human rights: three open rooms with guiding questions, a moderator rota
around today, about fifteen participants (some of them organisations) and
about forty comments in English, Spanish and French, with mentions and links
between rooms, dated over the consultation's first two weeks, each tagged
with the question it says it answers; and, in the moderation queue, a
newcomer's comment held for approval and an open report.

Running it again changes nothing: when the demo consultation (found by its
slug) already exists, the command only prints the log-ins, unless its dates
have gone stale (no moderator on duty today), in which case the dates alone
are moved so that the demo is open around today again. Comments are posted
through the forum services, like any other comment.
"""

import random
import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from textwrap import dedent

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation

from accounts import services as accounts_services
from accounts import terms
from accounts.models import ConsentChange, Acceptance, LegalDocument, User
from forum import services
from forum.counts import recount_rooms
from forum.models import Comment, Consultation, Endorsement, Notification, Report, Room, RoomModerator, RoomSummary
from forum.models import Rapporteur
from forum.rendering import plain_text
from forum.services import synthesis
from forum.services.summaries import write_summary
from forum.shifts import Shift, shift_dates

DEMO_PASSWORD = "demo-consultation"

# The consultation opened a little over two weeks ago: its comments are spread
# over those two weeks, and the moderators of the rest of it are on duty today.
OPENED_DAYS_AGO = 15
CONSULTATION_DAYS = 28
# Comments were posted over the consultation's first this many days.
DISCUSSION_DAYS = 14
# Demo accounts were made this many days before the consultation opened.
JOINED_DAYS_BEFORE = 10


# --- People ---------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    display_name: str
    handle: str
    title: str = ""
    organisation: str = ""
    country: str = ""
    languages: str = ""
    bio: str = ""
    speaks_for_organisation: bool = False
    is_admin: bool = False

    @property
    def site_language(self) -> str:
        """The site's language the person reads it in (User.language): the first
        language they speak that the site speaks, or "" (their browser's)."""
        spoken = [name.strip() for name in self.languages.split(",")]
        return next((SITE_LANGUAGES[name] for name in spoken if name in SITE_LANGUAGES), "")


# The site's languages by their own names, as people list the languages they speak.
SITE_LANGUAGES = {name: code for code, name in settings.LANGUAGES}


ADMIN = Person(
    key="admin",
    email="admin@example.org",
    display_name="Consultation team",
    handle="consultation_team",
    title="Site administrator",
    organisation="Global Programme team",
    languages="English, Español, Français",
    is_admin=True,
)

MODERATORS = [
    Person(
        key="hannah",
        email="hannah.lindqvist@example.org",
        display_name="Hannah Lindqvist",
        handle="hannah_lindqvist",
        title="Programme Specialist, Rule of Law",
        organisation="Global Programme team",
        country="SE",
        languages="English, Svenska, Español",
        bio="Leads the programme's work on legal aid and justice services.",
    ),
    Person(
        key="kwame",
        email="kwame.mensah@example.org",
        display_name="Kwame Mensah",
        handle="kwame_mensah",
        title="Access to Justice Adviser",
        organisation="Global Programme team",
        country="GH",
        languages="English, Français",
        bio="Former public defender; advises country teams on legal aid policy.",
    ),
    Person(
        key="lucia",
        email="lucia.fernandez@example.org",
        display_name="Lucía Fernández",
        handle="lucia_fernandez",
        title="Human Rights Officer",
        organisation="Global Programme team",
        country="UY",
        languages="Español, English, Português",
        bio="Works on civic space and the protection of human rights defenders.",
    ),
    Person(
        key="amira",
        email="amira.haddad@example.org",
        display_name="Amira Haddad",
        handle="amira_haddad",
        title="Governance Specialist",
        organisation="Global Programme team",
        country="JO",
        languages="العربية, English, Français",
        bio="Supports judicial councils and national human rights institutions.",
    ),
    Person(
        key="tomasz",
        email="tomasz.nowak@example.org",
        display_name="Tomasz Nowak",
        handle="tomasz_nowak",
        title="Knowledge Management Analyst",
        organisation="Global Programme team",
        country="PL",
        languages="Polski, English",
        bio="Looks after the programme's results framework and justice data.",
    ),
]

PARTICIPANTS = [
    Person(
        key="alvaro",
        email="alvaro.herrero@example.org",
        display_name="Álvaro Herrero",
        handle="alvaro_herrero",
        title="Director",
        organisation="Fundación Acceso",
        country="AR",
        languages="Español, English",
        bio="Abogado. Coordina consultorios jurídicos gratuitos en barrios populares del Gran Buenos Aires.",
    ),
    Person(
        key="ngozi",
        email="ngozi.okafor@example.org",
        display_name="Ngozi Okafor",
        handle="ngozi_okafor",
        title="Senior Advocate",
        organisation="Lagos Justice Clinic",
        country="NG",
        languages="English, Igbo, Yoruba",
        bio="Defence lawyer working on pre-trial detention and legal aid at police stations.",
    ),
    Person(
        key="haki",
        email="haki@example.org",
        display_name="Haki Legal Aid Network",
        handle="haki_legal_aid",
        title="Network of community paralegal organisations",
        organisation="Haki Legal Aid Network",
        country="KE",
        languages="English, Kiswahili",
        bio="A network of community paralegal organisations in Kenya. Posts are written by our secretariat.",
        speaks_for_organisation=True,
    ),
    Person(
        key="camille",
        email="camille.rousseau@example.org",
        display_name="Camille Rousseau",
        handle="camille_rousseau",
        title="Chercheuse",
        organisation="Institut de recherche sur la justice de proximité",
        country="FR",
        languages="Français, English",
        bio="Recherches sur les parajuristes et la justice de proximité en Afrique de l'Ouest et centrale.",
    ),
    Person(
        key="mariam",
        email="mariam.diop@example.org",
        display_name="Mariam Diop",
        handle="mariam_diop",
        title="Coordinatrice",
        organisation="Réseau Justice de proximité",
        country="SN",
        languages="Français, Wolof, Pulaar",
        bio="Coordonne un réseau de parajuristes communautaires dans le sud du Sénégal.",
    ),
    Person(
        key="voix",
        email="voix.citoyennes@example.org",
        display_name="Collectif Voix Citoyennes",
        handle="voix_citoyennes",
        title="Coalition d'organisations de la société civile",
        organisation="Collectif Voix Citoyennes",
        country="CD",
        languages="Français, Lingala, Kiswahili",
        bio="Trente-deux organisations congolaises pour la défense des libertés publiques.",
        speaks_for_organisation=True,
    ),
    Person(
        key="diego",
        email="diego.ramirez@example.org",
        display_name="Diego Ramírez Quispe",
        handle="diego_ramirez",
        title="Juez de paz letrado",
        country="PE",
        languages="Español, Quechua",
        bio="Juez en una provincia andina. Interesado en la justicia intercultural.",
    ),
    Person(
        key="priya",
        email="priya.raghavan@example.org",
        display_name="Priya Raghavan",
        handle="priya_raghavan",
        title="Data Scientist",
        organisation="Justice Data Lab",
        country="IN",
        languages="English, हिन्दी, தமிழ்",
        bio="Builds indicators and dashboards from court and prison records.",
    ),
    Person(
        key="jonas",
        email="jonas.weber@example.org",
        display_name="Jonas Weber",
        handle="jonas_weber",
        title="Programme Officer, Governance",
        organisation="Justice Partnership Fund",
        country="DE",
        languages="Deutsch, English",
        bio="Funds justice and governance programmes; interested in shared reporting.",
    ),
    Person(
        key="fatima",
        email="fatima.elamrani@example.org",
        display_name="Fatima Zahra El Amrani",
        handle="fatima_elamrani",
        title="Professeure de droit public",
        organisation="Faculté de droit, Rabat",
        country="MA",
        languages="العربية, Français, English",
        bio="Enseigne le droit public ; travaille sur l'indépendance de la justice.",
    ),
    Person(
        key="observatorio",
        email="observatorio@example.org",
        display_name="Observatorio Ciudadano de Justicia",
        handle="observatorio_justicia",
        title="Observatorio de la sociedad civil",
        organisation="Observatorio Ciudadano de Justicia",
        country="MX",
        languages="Español",
        bio="Damos seguimiento a los nombramientos judiciales y a la transparencia de los tribunales.",
        speaks_for_organisation=True,
    ),
    Person(
        key="sofia",
        email="sofia.castillo@example.org",
        display_name="Sofía Castillo",
        handle="sofia_castillo",
        title="Organizadora juvenil",
        organisation="Red Juvenil por la Paz",
        country="CO",
        languages="Español, English",
        bio="Trabajo con jóvenes de municipios afectados por el conflicto armado.",
    ),
    Person(
        key="oleksandra",
        email="oleksandra.kovalenko@example.org",
        display_name="Oleksandra Kovalenko",
        handle="oleksandra_k",
        title="Human rights lawyer",
        organisation="Documentation Centre for Human Rights",
        country="UA",
        languages="Українська, English",
        bio="Documents human rights violations for use in national and international proceedings.",
    ),
    Person(
        key="openjustice",
        email="openjustice@example.org",
        display_name="Open Justice Data Initiative",
        handle="open_justice_data",
        title="Non-profit publishing court data in open formats",
        organisation="Open Justice Data Initiative",
        country="ZA",
        languages="English, isiZulu, Afrikaans",
        bio="We help courts publish their data in formats anyone can reuse.",
        speaks_for_organisation=True,
    ),
    Person(
        key="lan",
        email="nguyen.thi.lan@example.org",
        display_name="Nguyễn Thị Lan",
        handle="nguyen_thi_lan",
        title="Legal aid officer",
        organisation="Provincial Legal Aid Centre",
        country="VN",
        languages="Tiếng Việt, English",
        bio="Gives legal advice to women and migrant workers, in person and online.",
    ),
]

# Writes the consultation's report on the workbench (forum.models.Rapporteur).
RAPPORTEUR = Person(
    key="elena",
    email="elena.varga@example.org",
    display_name="Elena Varga",
    handle="elena_varga",
    title="Evaluation consultant, rapporteur of the review",
    organisation="Independent evaluator",
    country="HU",
    languages="English, Magyar, Français",
    bio="Turns what the consultation hears into the review's findings.",
)

PEOPLE = [ADMIN, *MODERATORS, *PARTICIPANTS, RAPPORTEUR]

# The three accounts printed at the end: (role, person key).
LOGINS = [("moderator", "hannah"), ("participant", "ngozi"), ("rapporteur", "elena"), ("admin", "admin")]


# --- Consultation and rooms -------------------------------------------------

CONSULTATION = {
    "slug": "rule-of-law-review",
    "title": "Mid-term review of the Global Programme on Rule of Law and Human Rights",
    "introduction": (
        "The Global Programme on Rule of Law and Human Rights supports national partners in more than "
        "forty countries to make justice accessible, institutions accountable and civic space open. "
        "Halfway through its current phase, we are reviewing what has worked, what has not, and what "
        "should change. This consultation is open to everyone who works on these questions: officials, "
        "judges and lawyers, civil society organisations, researchers, development partners, and people "
        "who have used justice services themselves."
    ),
    "objective": (
        "To gather practical evidence and recommendations on the programme's three areas of work, and "
        "to test the emerging findings of the mid-term review before they are finalised."
    ),
    "outcome": (
        "A summary of each discussion room, published on this site, and a consolidated set of "
        "recommendations for the mid-term review report and the design of the programme's next phase."
    ),
}

CONSULTATION_LANGUAGE = "en"

# Guiding questions are numbered across groups, in the order written here.
ROOMS = [
    {
        "slug": "access-to-justice",
        "title": "Access to justice",
        "introduction": (
            "Most people who face a legal problem never reach a lawyer or a court. The programme has "
            "funded legal aid schemes, community paralegals, mobile courts and justice help desks. In "
            "this room we want to hear what has actually helped people resolve their problems fairly, "
            "and where the gaps remain."
        ),
        "objective": (
            "To identify which access-to-justice approaches supported by the programme have made a "
            "measurable difference for people, especially women, the poor and people in detention, and "
            "which should be scaled up or dropped."
        ),
        "outcome": (
            "A short list of approaches to scale up, with the conditions for their success, and "
            "recommendations on the sustainable funding of legal aid."
        ),
        "questions": {
            "What has worked": [
                "Which legal aid or paralegal services have made the biggest difference to the people you work with, and how do you know?",
                "How have people in pre-trial detention been reached, and what shortened their time before a first hearing?",
                "What role do customary and informal justice mechanisms play, and how can they be supported while protecting rights?",
            ],
            "Looking ahead": [
                "Which services should the next phase scale up, and what would they need to last after programme funding ends?",
                "How can digital tools (hotlines, online hearings, e-filing) widen access without leaving behind people who are offline?",
                "What should national legal aid budgets cover, and how can the programme help secure them?",
            ],
        },
    },
    {
        "slug": "accountable-institutions",
        "title": "Accountable institutions",
        "introduction": (
            "Justice institutions earn trust when they are independent, transparent and answerable for "
            "their decisions. The programme has worked with judicial councils, prosecution services, "
            "police oversight bodies and national human rights institutions, and has invested in justice "
            "data. This room looks at what has strengthened accountability and how progress should be "
            "measured."
        ),
        "objective": (
            "To assess the programme's support to justice and oversight institutions, and to agree on a "
            "small set of indicators that show real change rather than activity."
        ),
        "outcome": (
            "Recommendations on institutional partnerships for the next phase and a proposed results "
            "framework for accountability and justice data."
        ),
        "questions": {
            "Institutions and oversight": [
                "Where has support to judicial councils, prosecutors or police oversight bodies led to visible changes in practice?",
                "How can national human rights institutions become more effective and more independent?",
                "What has helped to prevent and sanction corruption along the justice chain?",
            ],
            "Data and monitoring": [
                "Which indicators should the programme report on to show change for people, not only activities completed?",
                "How can court and detention data be opened to the public while protecting privacy?",
            ],
        },
    },
    {
        "slug": "civic-space",
        "title": "Civic space and participation",
        "introduction": (
            "Civil society organisations, human rights defenders and journalists hold institutions to "
            "account, yet in many countries their space to act is shrinking: restrictive laws, limits on "
            "funding, surveillance, and harassment online and offline. This room asks how the programme "
            "can protect civic space and widen participation, in particular of women, young people and "
            "marginalised groups."
        ),
        "objective": (
            "To understand the main threats to civic space in partner countries and the protective "
            "measures that have worked, and to find ways for people to take part in decisions on justice "
            "reform."
        ),
        "outcome": (
            "Recommendations on the protection of human rights defenders, on partnerships with civil "
            "society, and on participatory approaches for the next phase."
        ),
        "questions": {
            "Protecting civic space": [
                "What are the most serious restrictions on civil society in your country today, and how have they changed in the past three years?",
                "Which protection measures for human rights defenders and journalists have worked, and which have not?",
                "How should the programme respond when a partner government restricts civic space?",
            ],
            "Participation": [
                "How can women, young people and marginalised groups take part in justice reform in ways that have real influence?",
                "What makes online participation safe and meaningful, and what puts people at risk?",
                "How can small and community-based organisations reach the programme's funding and decision-making?",
                "What should this consultation itself do differently to hear voices that are usually missing?",
            ],
        },
    },
]

# Rooms whose texts the organisers have translated: per language, the room's
# texts, its group headings and its questions in the order above. The other
# rooms, and the consultation's own texts, are read in English everywhere
# (with a note saying no translation is available yet).
ROOM_TRANSLATIONS = {
    "access-to-justice": {
        "es": {
            "title": "Acceso a la justicia",
            "introduction": (
                "La mayoría de las personas que enfrentan un problema legal nunca llegan a un abogado ni a un "
                "tribunal. El programa ha financiado sistemas de asistencia jurídica, paralegales comunitarios, "
                "tribunales móviles y puntos de atención jurídica. En esta sala queremos saber qué ha ayudado "
                "realmente a las personas a resolver sus problemas de manera justa, y dónde siguen existiendo "
                "carencias."
            ),
            "objective": (
                "Determinar qué enfoques de acceso a la justicia apoyados por el programa han marcado una "
                "diferencia medible para las personas, en especial para las mujeres, las personas pobres y las "
                "personas privadas de libertad, y cuáles deberían ampliarse o abandonarse."
            ),
            "outcome": (
                "Una lista breve de enfoques que conviene ampliar, con las condiciones de su éxito, y "
                "recomendaciones sobre la financiación sostenible de la asistencia jurídica."
            ),
            "headings": ["Lo que ha funcionado", "De cara al futuro"],
            "questions": [
                "¿Qué servicios de asistencia jurídica o de paralegales han marcado la mayor diferencia para las personas con las que trabaja, y cómo lo sabe?",
                "¿Cómo se ha llegado a las personas en prisión preventiva, y qué ha acortado su espera hasta una primera audiencia?",
                "¿Qué papel desempeñan los mecanismos de justicia consuetudinaria e informal, y cómo pueden apoyarse sin dejar de proteger los derechos?",
                "¿Qué servicios debería ampliar la próxima fase, y qué necesitarían para perdurar cuando termine la financiación del programa?",
                "¿Cómo pueden las herramientas digitales (líneas de atención, audiencias en línea, presentación electrónica de escritos) ampliar el acceso sin dejar atrás a quienes no están conectados?",
                "¿Qué deberían cubrir los presupuestos nacionales de asistencia jurídica, y cómo puede el programa ayudar a garantizarlos?",
            ],
        },
        "fr": {
            "title": "Accès à la justice",
            "introduction": (
                "La plupart des personnes confrontées à un problème juridique n’ont jamais accès à un avocat "
                "ni à un tribunal. Le programme a financé des dispositifs d’aide juridique, des parajuristes "
                "communautaires, des audiences foraines et des guichets d’information juridique. Dans cette "
                "salle, nous voulons savoir ce qui a réellement aidé les gens à résoudre leurs problèmes de "
                "manière équitable, et où subsistent les lacunes."
            ),
            "objective": (
                "Déterminer quelles approches de l’accès à la justice soutenues par le programme ont produit "
                "un changement mesurable pour les personnes, en particulier les femmes, les personnes pauvres "
                "et les personnes détenues, et lesquelles devraient être étendues ou abandonnées."
            ),
            "outcome": (
                "Une courte liste d’approches à étendre, avec les conditions de leur réussite, et des "
                "recommandations sur le financement durable de l’aide juridique."
            ),
            "headings": ["Ce qui a fonctionné", "Perspectives"],
            "questions": [
                "Quels services d’aide juridique ou de parajuristes ont le plus changé les choses pour les personnes avec lesquelles vous travaillez, et comment le savez-vous ?",
                "Comment a-t-on atteint les personnes en détention provisoire, et qu’est-ce qui a raccourci leur attente avant une première audience ?",
                "Quel rôle jouent les mécanismes de justice coutumière et informelle, et comment les soutenir tout en protégeant les droits ?",
                "Quels services la prochaine phase devrait-elle étendre, et de quoi auraient-ils besoin pour durer après la fin du financement du programme ?",
                "Comment les outils numériques (lignes d’assistance, audiences en ligne, dépôt électronique) peuvent-ils élargir l’accès sans laisser de côté les personnes qui ne sont pas connectées ?",
                "Que devraient couvrir les budgets nationaux d’aide juridique, et comment le programme peut-il aider à les garantir ?",
            ],
        },
    },
}

# Per room: (the pair on duty in the first week, the three on duty for the rest).
ROTA = {
    "access-to-justice": (("hannah", "kwame"), ("hannah", "lucia", "tomasz")),
    "accountable-institutions": (("amira", "tomasz"), ("amira", "kwame", "hannah")),
    "civic-space": (("lucia", "amira"), ("lucia", "kwame", "tomasz")),
}


# --- Comments -----------------------------------------------------------------
#
# Bodies are filled in with str.format_map as they are posted: "@{ngozi}"
# becomes that person's @handle, "{pretrial}" the permalink of the comment
# posted earlier with key="pretrial", and "{site}" the site's address.


@dataclass(frozen=True)
class Post:
    author: str
    body: str
    replies: tuple = ()
    key: str = ""
    # The number of the guiding question it says it answers ("This is about
    # question 2"), as the room page numbers them; the moderators tag it so.
    question: int | None = None


def say(author, body, *replies, key="", question=None):
    return Post(author=author, body=dedent(body).strip(), replies=replies, key=key, question=question)


THREADS = {
    "access-to-justice": [
        say(
            "hannah",
            """
            Welcome to the discussion on **access to justice**!

            Over the next four weeks we want to learn from your experience: what has helped people resolve their legal problems fairly, and what has not. The guiding questions above are a starting point, not a checklist.

            To begin, please introduce yourself in a reply: who you are, where you work, and the justice problem you see most often. You are welcome to write in English, Spanish or French.

            @{kwame} and I are moderating this first week.
            """,
            say(
                "alvaro",
                """
                Hola a todos. Soy Álvaro Herrero, de Fundación Acceso, en Buenos Aires. Coordinamos consultorios jurídicos gratuitos en barrios populares del conurbano.

                El problema que más vemos: desalojos y conflictos de vivienda en los que las familias piden ayuda cuando ya hay una sentencia firme. Llegamos tarde, casi siempre.
                """,
                say(
                    "hannah",
                    """
                    ¡Bienvenido, Álvaro! Arriving too late is a theme we are already hearing from several countries; question 2 asks about it for people in detention. It would be very useful to hear what your clinics do to reach families *before* a case is decided.
                    """,
                ),
            ),
            say(
                "mariam",
                """
                Bonjour à toutes et à tous. Je suis Mariam Diop, coordinatrice du réseau Justice de proximité au Sénégal. Nous formons et accompagnons une soixantaine de parajuristes dans les régions de Kolda et de Tambacounda.

                Les problèmes les plus fréquents chez nous : les conflits fonciers, les pensions alimentaires non versées et l'absence d'actes d'état civil, sans lesquels on ne peut faire valoir aucun droit.
                """,
                say(
                    "kwame",
                    """
                    Bienvenue, Mariam ! L'état civil revient souvent dans nos évaluations : sans acte de naissance, pas de carte d'identité, et sans carte, pas d'accès au tribunal ni à l'aide juridictionnelle. N'hésitez pas à développer ce point sous la question 1.
                    """,
                ),
            ),
        ),
        say(
            "ngozi",
            """
            **Legal aid reaches people in detention far too late.** This is about question 2.

            In Lagos, most of the people we meet in custody have waited weeks before anyone explains the charge to them. In the two police stations where the programme funded a duty lawyer scheme, three things made the difference:

            1. A lawyer or paralegal present at the station every day, not on call.
            2. A simple register shared with the court registry, so that no one "disappears" between arrest and first appearance.
            3. Monthly case review meetings with the police, the prosecution and the prison service.

            In those stations the average time to a first court appearance went from about eleven days to four. The scheme still depends entirely on programme funding.
            """,
            say(
                "haki",
                """
                We see the same pattern in Kenya. Our paralegals are present in 26 police stations, and daily presence is what matters most: officers start calling us *before* they decide on bail rather than after.

                @{ngozi}, did the case review meetings need a formal agreement with the police, or did they start informally? Ours stall whenever a station commander is transferred.
                """,
                say(
                    "ngozi",
                    """
                    @{haki} They started informally, with one supportive divisional officer, and that was exactly the weakness you describe. After eight months we obtained a memorandum signed by the State Commissioner of Police, and the meetings have since survived two transfers.

                    One piece of advice: get it in writing while there is goodwill.
                    """,
                    say(
                        "priya",
                        """
                        This is the kind of result the programme should be able to show everywhere, and mostly can't. "Days from arrest to first appearance" can be measured from the very registers Ngozi describes.

                        Flagging this to @{tomasz}, as it relates to the question on indicators in *Accountable institutions*.
                        """,
                    ),
                ),
            ),
            say(
                "diego",
                """
                Desde el Perú, una experiencia complementaria. Soy juez de paz letrado en una provincia andina. Muchas personas detenidas no tienen el castellano como lengua materna, y la falta de intérpretes de quechua alarga los plazos tanto como la falta de abogados.

                La defensa pública mejoró mucho con el programa, pero **sin intérpretes la asistencia jurídica no llega de verdad**.
                """,
                say(
                    "alvaro",
                    """
                    Muy cierto, Diego. En Argentina pasa algo parecido con las comunidades qom y guaraníes. ¿Los intérpretes que mencionas dependen del Poder Judicial o los aportan organizaciones de la sociedad civil? Me interesa saber cómo se financian.
                    """,
                ),
            ),
            key="pretrial",
            question=2,
        ),
        say(
            "mariam",
            """
            Sur la question 3 : au Sénégal, la plupart des conflits sont d'abord portés devant le chef de village ou l'imam, pas devant le tribunal. Nos parajuristes ne cherchent pas à remplacer ces mécanismes, mais à les accompagner :

            - ils assistent aux médiations quand les parties le demandent ;
            - ils rappellent les droits des femmes en matière d'héritage et de foncier ;
            - ils orientent vers le tribunal quand la médiation ne protège pas la personne la plus vulnérable.

            Ce qui nous manque, c'est un financement stable : chaque parajuriste dépend d'un projet qui dure deux ans.
            """,
            say(
                "camille",
                """
                Merci Mariam, c'est très parlant. Nos recherches au Sénégal et au Burkina Faso vont dans le même sens : là où les parajuristes sont reconnus par un texte, ils restent actifs après la fin des projets. Là où ils ne le sont pas, le réseau se défait en quelques mois.

                > Ce qui nous manque, c'est un financement stable

                La reconnaissance juridique est sans doute la première condition de ce financement.
                """,
                say(
                    "fatima",
                    """
                    Je rejoins Camille. Au Maroc, le débat porte justement sur la place des assistants juridiques communautaires dans le dispositif d'aide juridictionnelle. La reconnaissance est nécessaire, mais elle doit s'accompagner d'une formation certifiée ; sinon les barreaux s'y opposent, et ils n'ont pas toujours tort.
                    """,
                ),
            ),
            question=3,
        ),
    ],
    "accountable-institutions": [
        say(
            "amira",
            """
            Welcome to the room on **accountable institutions**. @{tomasz} and I are moderating during the first week.

            To start, we would like to hear about concrete changes in practice. Has support to a judicial council, a prosecution service, a police oversight body or a national human rights institution led to something you could see from outside: a decision published, a complaint handled, an official sanctioned?

            Please name the country and the institution where you can.
            """,
            say(
                "oleksandra",
                """
                One concrete example from Ukraine. The programme brought regional prosecutors and civil society groups together to agree on common standards for documenting violations: how to record witness statements, keep a chain of custody for evidence and protect the identity of victims.

                Because our documentation now follows those standards, prosecutors have used it in several cases instead of starting again from zero. That is accountability you can see, even if it is slow.
                """,
                say(
                    "amira",
                    """
                    Thank you, @{oleksandra}, a very clear example. What made prosecutors willing to rely on documentation produced by civil society? In many places that trust is the hardest part.
                    """,
                    say(
                        "oleksandra",
                        """
                        Three things, I think:

                        - **joint training**, where prosecutors and NGO documenters sat in the same room and practised on the same cases;
                        - a **shared template**, so that our files look like theirs;
                        - and time. In the first year nothing was used; in the second, a few files. Trust is built case by case.
                        """,
                    ),
                ),
                key="documentation",
            ),
        ),
        say(
            "priya",
            """
            **Measuring what matters.** This is about question 4.

            Most of the programme's progress reports count activities: trainings held, manuals produced, people reached. They say very little about whether justice got better for anyone. I propose a short list of outcome indicators, all built from administrative data that partners already hold:

            1. Days from arrest to first court appearance (see Ngozi's comment on pre-trial detention in Access to justice: {site}{pretrial}).
            2. Share of detainees held without a sentence.
            3. Share of legal aid requests resolved within three months.
            4. Share of complaints against the police that receive a decision.

            @{openjustice} works with court data in South Africa and may want to add to this.
            """,
            say(
                "openjustice",
                """
                Thanks @{priya}. We agree with the list, and would add one caution.

                > built from administrative data that partners already hold

                In our experience the data exist, but in formats nobody can reuse: scanned registers, PDFs, spreadsheets whose columns change every year. Before choosing indicators, the programme should fund the unglamorous part: **common data formats and a publication schedule** agreed with the courts. Privacy matters too: publishing case-level data about detainees carelessly could put people at risk.
                """,
                say(
                    "priya",
                    """
                    Fair point, and I agree on privacy. Figures aggregated per court and per month would already be a big step, and carry little risk. Case-level data can come later, with proper anonymisation rules.
                    """,
                    say(
                        "tomasz",
                        """
                        Thank you both, this is very useful. Summarising the thread so far for this week's summary:

                        - outcome indicators should be built from existing administrative data;
                        - the programme should first invest in **data formats and regular publication** with the courts;
                        - figures aggregated per court and month can be published now; case-level data need anonymisation rules first.

                        Please correct me if I have missed something.
                        """,
                    ),
                ),
            ),
            say(
                "jonas",
                """
                From a funder's side, I strongly support this. Partners report against dozens of indicators because every donor adds its own. If the programme's partners agreed on four or five outcome indicators like these, we would be ready to use them in our own reporting instead of asking for more.
                """,
            ),
            key="indicators",
            question=4,
        ),
        say(
            "observatorio",
            """
            Desde el Observatorio Ciudadano de Justicia damos seguimiento a los nombramientos de jueces y magistrados en México. Sobre la pregunta 1: lo que más cambió la práctica no fue la capacitación sino la **transparencia de los procesos de selección**, es decir, publicar las listas de aspirantes, sus perfiles y las entrevistas en línea.

            Cuando el proceso es público, la sociedad civil puede presentar observaciones y los nombramientos se discuten con argumentos. Recomendamos que el programa apoye esto en otros países.
            """,
            say(
                "fatima",
                """
                Je rejoins l'Observatorio. Au Maroc aussi, la publication des critères et des résultats des concours de la magistrature a changé la qualité du débat public. Mais la transparence ne suffit pas si l'organe de sélection n'est pas lui-même indépendant : il faut regarder qui nomme les membres du conseil.
                """,
                say(
                    "observatorio",
                    """
                    Gracias, Fatima, totalmente de acuerdo: la independencia del órgano de selección es la condición previa. ¿Conoce algún caso en que el programa haya apoyado una reforma de la composición de un consejo de la judicatura? Sería útil compararlo con nuestra experiencia.
                    """,
                ),
            ),
            say(
                "diego",
                """
                Como juez, añado algo: la transparencia en los nombramientos debe ir acompañada de transparencia en la evaluación del desempeño. Hoy nadie sabe con qué criterios se evalúa a un juez de paz, ni siquiera nosotros mismos.
                """,
            ),
            question=1,
        ),
    ],
    "civic-space": [
        say(
            "lucia",
            """
            Welcome to the room on **civic space and participation**. / Les damos la bienvenida a la sala sobre espacio cívico y participación.

            This room asks how the programme can protect the space in which civil society, human rights defenders and journalists work, and how more people can take part in decisions about justice. Please share experiences from your country and tell us what you would like the programme to do differently.

            @{amira} and I are moderating this week. Pueden escribir en español, en francés o en inglés.
            """,
            say(
                "sofia",
                """
                ¡Hola! Soy Sofía Castillo, de la Red Juvenil por la Paz, en Colombia. Trabajamos con jóvenes de municipios afectados por el conflicto armado.

                Sobre la pregunta 4: a los jóvenes nos invitan mucho a "validar" documentos ya escritos y casi nunca a decidir. La participación real empieza cuando se comparten el presupuesto y el calendario, no solo el micrófono.
                """,
                say(
                    "lucia",
                    """
                    Gracias, Sofía, lo dices muy claramente. ¿Puedes contarnos algún ejemplo en que la participación de jóvenes sí haya cambiado una decisión? Nos ayudaría mucho para las recomendaciones.
                    """,
                ),
                question=4,
            ),
        ),
        say(
            "voix",
            """
            Le Collectif Voix Citoyennes regroupe trente-deux organisations de la société civile en République démocratique du Congo. Sur la question 1, trois restrictions pèsent le plus sur nous :

            - des procédures d'enregistrement des associations longues et coûteuses ;
            - des contrôles de plus en plus lourds sur les financements extérieurs ;
            - les menaces et les arrestations de défenseurs, surtout dans l'est du pays.

            **Notre recommandation** : que le programme prévoie, dans chaque pays, un fonds de protection d'urgence pour les défenseurs (relocalisation temporaire, frais d'avocat, soutien psychologique), accessible en quelques jours et non en quelques mois.
            """,
            say(
                "oleksandra",
                """
                Strongly support the emergency fund. Documenting violations also exposes the people who document: several of our colleagues were threatened after giving evidence. The trust with prosecutors I described in Accountable institutions ([on documentation standards]({documentation})) only works if the people who collect evidence are protected.
                """,
                say(
                    "voix",
                    """
                    Merci @{oleksandra}, c'est exactement notre expérience. La protection ne peut pas être pensée après coup : elle doit figurer dans le budget de chaque activité de documentation ou de plaidoyer, dès le départ.
                    """,
                    say(
                        "camille",
                        """
                        Nos entretiens avec des défenseurs en Afrique centrale confirment ce point. J'ajouterais une chose : les fonds d'urgence existants restent souvent hors de portée des petites organisations rurales, faute de contacts ou de formulaires en français. Le programme pourrait proposer des procédures en français et en langues locales, et passer par des réseaux comme le Collectif.
                        """,
                    ),
                ),
            ),
            say(
                "haki",
                """
                Legal aid for defenders matters as much as relocation. When one of our paralegals is arrested, the first 48 hours decide everything, just as for any other detainee. The police-station presence discussed under Access to justice ({site}{pretrial}) protects our own members too.

                @{jonas}, could funders accept that some protection costs are unpredictable and keep a flexible budget line for them?
                """,
                say(
                    "jonas",
                    """
                    @{haki} Yes, I think we can, and we should; several of us already do it through a contingency line. The difficulty is usually on our side: approval chains that take weeks. A list of eligible costs agreed in advance would let partners act first and report afterwards.
                    """,
                ),
            ),
            question=1,
        ),
        say(
            "sofia",
            """
            Sobre la pregunta 5, la participación en línea. Durante la pandemia muchas consultas públicas pasaron a internet, y eso abrió la puerta a jóvenes de zonas rurales. Pero también trajo **acoso digital**, sobre todo contra mujeres jóvenes y lideresas sociales que opinan en público.

            Propuestas concretas:

            - que los espacios en línea tengan reglas claras y moderación activa, como esta consulta;
            - que se pueda participar con seudónimo cuando hay riesgo;
            - que las plataformas no pidan más datos personales de los necesarios.
            """,
            say(
                "lan",
                """
                In Viet Nam our legal aid centre started taking questions through a messaging app, and the number of women asking about domestic violence tripled within a year. Many of them would never have come to the office. But we had to learn quickly to protect their data: no names in group chats, and messages deleted once the case file is opened.

                I agree with @{sofia}: collect only what you need.
                """,
                say(
                    "priya",
                    """
                    This is also a data question for the programme. When partners move services online, the programme should fund basic data protection (secure tools, staff training, a retention policy) as part of the service, not as an afterthought. I made a similar point about court data in Accountable institutions: [the thread on indicators]({indicators}).
                    """,
                    say(
                        "sofia",
                        """
                        Gracias @{priya} y @{lan}. Me llevo la idea de una política de conservación de datos para nuestra red: hoy guardamos todo, por si acaso, y eso también es un riesgo.
                        """,
                    ),
                ),
            ),
            question=5,
        ),
    ],
}


# --- Terms of use and privacy notice -------------------------------------------

# A first version of each, short and plain, as an organisation might publish
# for a consultation; staff write the real ones in the admin.
DOCUMENTS = [
    {
        "kind": LegalDocument.Kind.TERMS,
        "version": "1",
        "title": "Terms of use",
        "body": dedent("""\
            These terms apply to everyone who takes part in the consultations on this site.

            1. What you write. Comments are public and shown with your display name and organisation. Write in your own name or in the name of an organisation you are entitled to speak for.

            2. How we discuss. Be respectful; write as you would in a meeting. No insults, harassment, advertising or personal data about others. Moderators may hide comments that break these rules, with a reason, and may suspend accounts that keep breaking them.

            3. How your words are used. What you write may be quoted in the consultation's report, by name, anonymously or not at all, as you choose in your profile.

            4. Changes. When these terms change we publish a new version here and ask you to accept it before your next post. Earlier versions remain readable.
            """),
    },
    {
        "kind": LegalDocument.Kind.PRIVACY,
        "version": "1",
        "title": "Privacy notice",
        "body": dedent("""\
            This notice explains what personal data the consultation keeps and why.

            What we keep: your email address (never shown to others), your profile, what you write, and a record of the versions of these documents you accepted, with the date.

            Why: to run the consultation and prepare its report, on the basis of your participation. Your email address is used only for account messages and the notifications you choose.

            Who sees it: comments and profiles are public; moderators and staff see reports and moderation notes.

            How long: for the duration of the consultation and its report, then as set out in our records policy. You can ask for a copy of your data or for your account to be deleted at any time.

            Questions: write to the data protection officer at privacy@example.org.
            """),
    },
]


def publish_documents(people: dict) -> None:
    """A first version of each document, unless one is already in force, accepted
    by every demo account as if at sign-up."""
    admin = people[ADMIN.key]
    for spec in DOCUMENTS:
        if terms.current_document(spec["kind"]) is None:
            document = LegalDocument.objects.create(**spec)
            accounts_services.publish_document(admin, document=document)
    current = terms.read_current_document_ids()
    for user in people.values():
        accounts_services.accept_documents(user, document_ids=current, source=Acceptance.Source.SIGN_UP)
        if user.quoting_consent_chosen_at is None:
            accounts_services.choose_quoting_consent(
                user, consent=user.quoting_consent, source=ConsentChange.Source.SIGN_UP
            )


# --- Building it --------------------------------------------------------------


def create_people(*, joined) -> dict:
    """The demo accounts by key, registered on `joined`. An address that is already
    registered keeps its account as it is."""
    # One hash for all: every demo account shares the password, and hashing is slow on purpose.
    password_hash = make_password(DEMO_PASSWORD)
    people = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first() or _create_user(person, password_hash, joined=joined)
        people[person.key] = user
    return people


def _create_user(person: Person, password_hash: str, *, joined: datetime) -> User:
    handle = person.handle
    if User.objects.filter(handle=handle).exists():
        handle = User.objects.propose_handle(person.display_name)
    user = User.objects.create_user(
        email=person.email,
        password=None,
        display_name=person.display_name,
        handle=handle,
        title=person.title,
        organisation=person.organisation,
        country=person.country,
        languages=person.languages,
        language=person.site_language,
        bio=person.bio,
        speaks_for_organisation=person.speaks_for_organisation,
        is_staff=person.is_admin,
        is_superuser=person.is_admin,
    )
    user.password = password_hash
    # Joined before the consultation opened, as its participants did (reports need an account some hours old).
    user.date_joined = joined
    user.save(update_fields=["password", "date_joined"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def create_consultation(opens_on, closes_on) -> Consultation:
    # Written in English first (its language), whatever language the command runs in.
    with translation.override(CONSULTATION_LANGUAGE):
        return Consultation.objects.create(
            **CONSULTATION, language=CONSULTATION_LANGUAGE, opens_on=opens_on, closes_on=closes_on, is_published=True
        )


def create_rooms(consultation: Consultation) -> dict:
    """The rooms by slug, open and published, each with its guiding questions."""
    rooms = {}
    for position, spec in enumerate(ROOMS, start=1):
        with translation.override(CONSULTATION_LANGUAGE):
            rooms[spec["slug"]] = _create_room(consultation, spec, position)
    for slug, languages in ROOM_TRANSLATIONS.items():
        for language, texts in languages.items():
            _translate_room(rooms[slug], language, texts)
    return rooms


def _create_room(consultation: Consultation, spec: dict, position: int) -> Room:
    room = Room.objects.create(
        consultation=consultation,
        slug=spec["slug"],
        title=spec["title"],
        position=position,
        introduction=spec["introduction"],
        objective=spec["objective"],
        outcome=spec["outcome"],
        opens_on=consultation.opens_on,
        closes_on=consultation.closes_on,
        state=Room.State.OPEN,
        is_published=True,
    )
    services.add_guiding_questions(
        room, [(heading, text) for heading, texts in spec["questions"].items() for text in texts]
    )
    return room


def _translate_room(room: Room, language: str, texts: dict) -> None:
    """A room's texts, group headings and questions in another language (in the
    order the room has them), as an admin types them in the admin."""
    suffix = language.replace("-", "_")
    for name in ("title", "introduction", "objective", "outcome"):
        setattr(room, f"{name}_{suffix}", texts[name])
    room.save()
    for group, heading in zip(room.question_groups.order_by("position"), texts["headings"], strict=True):
        setattr(group, f"heading_{suffix}", heading)
        group.save()
    for question, text in zip(room.questions.in_order(), texts["questions"], strict=True):
        setattr(question, f"text_{suffix}", text)
        question.save()


def create_rota(rooms: dict, people: dict, opens_on, closes_on) -> None:
    """Two moderators for the first week, three for the rest of the consultation."""
    first_week = shift_dates(Shift.FIRST_WEEK, opens_on=opens_on, closes_on=closes_on)
    rest = shift_dates(Shift.REST, opens_on=opens_on, closes_on=closes_on)
    for slug, (first_week_keys, rest_keys) in ROTA.items():
        RoomModerator.objects.bulk_create(
            RoomModerator(room=rooms[slug], user=people[key], starts_on=starts_on, ends_on=ends_on)
            for keys, (starts_on, ends_on) in [(first_week_keys, first_week), (rest_keys, rest)]
            for key in keys
        )


def post_threads(rooms: dict, people: dict) -> list[tuple[Post, Comment]]:
    """Every room's threads, in order, so that later bodies can link to earlier
    comments. Returns each post with its comment, in the order they were posted."""
    placeholders = {key: user.handle for key, user in people.items()} | {"site": settings.SITE_URL}
    posted: list[tuple[Post, Comment]] = []
    for slug, threads in THREADS.items():
        for thread in threads:
            _post(thread, room=rooms[slug], people=people, placeholders=placeholders, posted=posted)
    return posted


def _post(
    post: Post, *, room: Room, people: dict, placeholders: dict, posted: list, parent: Comment | None = None
) -> None:
    author = people[post.author]
    body = post.body.format_map(placeholders)
    if parent is None:
        comment = services.post_comment(author, room=room, body=body)
    else:
        comment = services.reply_to_comment(author, parent=parent, body=body)
    posted.append((post, comment))
    if post.key:
        placeholders[post.key] = comment.get_absolute_url()
    for reply in post.replies:
        _post(reply, room=room, people=people, placeholders=placeholders, posted=posted, parent=comment)


def spread_over_the_first_weeks(consultation: Consultation, posted: list[tuple[Post, Comment]], now) -> None:
    """Date the comments as if posted over the consultation's first DISCUSSION_DAYS:
    each room's threads started on days spread over them, each reply some hours
    after the comment before it in its thread (so after its parent), none later
    than now. The services dated them all now; the comments-per-day chart, the
    relative times and the summary's period read these dates instead."""
    zone = zoneinfo.ZoneInfo(consultation.time_zone)
    start = datetime.combine(consultation.opens_on, time(9, 0), tzinfo=zone)
    chance = random.Random(consultation.slug)  # the same demo every time
    roots_by_room: dict[int, list[Comment]] = {}
    for _post_, comment in posted:
        if comment.parent_id is None:
            roots_by_room.setdefault(comment.room_id, []).append(comment)
    last_in_thread: dict[int, datetime] = {}
    dated: dict[int, datetime] = {}
    for _post_, comment in posted:
        if comment.parent_id is None:
            roots = roots_by_room[comment.room_id]
            day = round(roots.index(comment) * (DISCUSSION_DAYS - 4) / max(1, len(roots) - 1))
            dated[comment.pk] = start + timedelta(days=day, minutes=chance.randint(0, 8 * 60))
        else:
            dated[comment.pk] = last_in_thread[comment.tree_id] + timedelta(minutes=chance.randint(90, 20 * 60))
        last_in_thread[comment.tree_id] = dated[comment.pk]
    latest = min(start + timedelta(days=DISCUSSION_DAYS), now - timedelta(hours=2))
    stretch = min(1.0, (latest - start) / (max(dated.values()) - start))
    for comment_id, moment in dated.items():
        moment = start + (moment - start) * stretch
        Comment.objects.filter(pk=comment_id).update(created_at=moment)
        Notification.objects.filter(comment_id=comment_id).update(created_at=moment)
    for room_id in roots_by_room:
        last = Comment.objects.filter(room_id=room_id).aggregate(last=Max("created_at"))["last"]
        Room.objects.filter(pk=room_id).update(last_activity_at=last)


def build_demo(today) -> Consultation:
    opens_on = today - timedelta(days=OPENED_DAYS_AGO)
    closes_on = opens_on + timedelta(days=CONSULTATION_DAYS - 1)
    people = create_people(joined=timezone.now() - timedelta(days=OPENED_DAYS_AGO + JOINED_DAYS_BEFORE))
    publish_documents(people)
    consultation = create_consultation(opens_on, closes_on)
    rooms = create_rooms(consultation)
    create_rota(rooms, people, opens_on, closes_on)
    posted = post_threads(rooms, people)
    spread_over_the_first_weeks(consultation, posted, timezone.now())
    moderate(rooms, people, posted, opens_on)
    fill_the_moderation_queue(rooms, people)
    endorse_comments(rooms, people)
    # Each thread's latest activity follows its comments' dates: set it from them
    # whatever moved those dates above.
    recount_rooms(list(rooms.values()))
    draft_the_report(consultation, rooms, people)
    return consultation


def endorse_comments(rooms: dict, people: dict) -> None:
    """A few endorsements on most comments, from the other participants, so the
    demo shows counts and its "most endorsed" order means something. Chosen by
    position, so every build gives the same; through the service, like anyone."""
    everyone = sorted(people.values(), key=lambda person: person.pk)
    comments = Comment.objects.filter(room__in=rooms.values(), state=Comment.State.VISIBLE).select_related("room")
    for index, comment in enumerate(comments.order_by("pk")):
        for turn in range((index * 5 + 2) % 5):
            person = everyone[(index * 3 + turn * 5) % len(everyone)]
            kind = Endorsement.Kind.AGREE if (index + turn) % 3 else Endorsement.Kind.USEFUL
            try:
                services.set_endorsement(person, comment=comment, kind=kind, endorsed=True)
            except PermissionDenied:
                pass  # their own comment, say: nobody endorses that


def moderate(rooms: dict, people: dict, posted: list[tuple[Post, Comment]], opens_on) -> None:
    """What the moderators on duty have done so far: each comment that says which
    question it answers tagged with that one, the most useful contribution
    highlighted, and a summary of the first room's first week. Through the
    services, like any moderator."""
    numbered = {slug: list(room.questions.in_order()) for slug, room in rooms.items()}
    slugs = {room.pk: slug for slug, room in rooms.items()}
    for post, comment in posted:
        if post.question:
            slug = slugs[comment.room_id]
            services.tag_comment(people[ROTA[slug][1][0]], comment=comment, question=numbered[slug][post.question - 1])
    for slug, room in rooms.items():
        threads = list(room.comments.filter(level=0).order_by("thread_number"))
        if len(threads) > 1:
            services.highlight_comment(people[ROTA[slug][1][0]], comment=threads[1])
    room = rooms["access-to-justice"]
    first = room.comments.filter(level=0).order_by("thread_number").values_list("pk", flat=True)[1:2]
    cited = f" ({settings.SITE_URL}/comment/{first[0]}/)" if first else ""
    write_summary(
        people[ROTA["access-to-justice"][0][0]],
        room=room,
        kind="interim",
        period_start=opens_on,
        period_end=opens_on + timedelta(days=6),
        body=(
            "**What we have heard so far.** Participants from legal aid networks describe the same gap: "
            "help arrives after a decision, not before it" + cited + ".\n\n"
            "- Paralegals reach people the courts never see.\n"
            "- Funding is short-term and stops when projects end.\n\n"
            "Next week we would like to hear more about question 4: what should be scaled up?"
        ),
    )


# The draft report: a few findings, each citing the first words of the threads that answer its question.
DRAFT_FINDINGS = {
    "access-to-justice": [
        "Paralegal and legal aid services make the most difference when they reach people before a decision "
        "is taken, not after it.",
        "Long pre-trial detention is shortened where someone follows each case to its first hearing.",
    ],
    "accountable-institutions": [
        "Support to oversight bodies changes practice where their findings are published and followed up.",
    ],
}


def draft_the_report(consultation: Consultation, rooms: dict, people: dict) -> None:
    """A rapporteur assigned, and a draft report with findings and evidence, so the
    workbench is seen at work. Through the services, like any rapporteur."""
    rapporteur = people[RAPPORTEUR.key]
    Rapporteur.objects.get_or_create(consultation=consultation, user=rapporteur)
    for slug, texts in DRAFT_FINDINGS.items():
        questions = list(rooms[slug].questions.in_order())
        for question, text in zip(questions, texts):
            finding = synthesis.add_finding(rapporteur, consultation=consultation, question=question, text=text)
            for comment in question.comments.filter(state=Comment.State.VISIBLE).select_related("room")[:2]:
                first_sentence = re.split(r"(?<=[.!?])\s", plain_text(comment.body_html), maxsplit=1)[0]
                synthesis.add_evidence(rapporteur, finding=finding, comment=comment, quote=first_sentence[:300])
    synthesis.add_finding(
        rapporteur,
        consultation=consultation,
        question=None,
        text="Several participants ask that the programme's own funding reach small, community-based organisations.",
    )


# Someone who joined yesterday: their first comment waits for a moderator in
# the room that holds newcomers' first comments, and a heated reply of theirs
# elsewhere has been reported. The moderation queue shows both.
NEWCOMER = Person(
    key="newcomer",
    email="samuel.otieno@example.org",
    display_name="Samuel Otieno",
    handle="samuel_otieno",
    country="KE",
    languages="English, Kiswahili",
)
HELD_COMMENT = """
Hello, I am new here. In my county young people who are arrested almost never see a lawyer or a paralegal. Who do we contact at the programme to bring a paralegal service to our area? I can bring twenty young people to a meeting.
"""
REPORTED_REPLY = """
Transparency will change nothing. Everybody knows which judges are bought, so why not publish their names and home addresses here and let people deal with them?
"""


ACCOUNTS = [*PEOPLE, NEWCOMER]


def fill_the_moderation_queue(rooms: dict, people: dict) -> None:
    """A held comment and an open report, through the services, as they happen."""
    newcomer = User.objects.filter(email=NEWCOMER.email).first() or _create_user(
        NEWCOMER, make_password(DEMO_PASSWORD), joined=timezone.now() - timedelta(days=1)
    )
    accounts_services.accept_documents(
        newcomer, document_ids=terms.read_current_document_ids(), source=Acceptance.Source.SIGN_UP
    )
    if newcomer.quoting_consent_chosen_at is None:
        accounts_services.choose_quoting_consent(
            newcomer, consent=newcomer.quoting_consent, source=ConsentChange.Source.SIGN_UP
        )
    # The printed moderator is on duty in both rooms, so their queue has both.
    access = rooms["access-to-justice"]
    Room.objects.filter(pk=access.pk).update(premoderate_first=1)
    access.premoderate_first = 1
    services.post_comment(newcomer, room=access, body=dedent(HELD_COMMENT).strip())
    institutions = rooms["accountable-institutions"]
    selection = institutions.comments.filter(level=0, author=people["observatorio"]).first()
    reply = services.reply_to_comment(newcomer, parent=selection, body=dedent(REPORTED_REPLY).strip())
    services.report_comment(
        people["diego"],
        comment=reply,
        reason=Report.Reason.PERSONAL,
        note="Pide publicar los domicilios de jueces. / It asks for judges' home addresses.",
    )


def rooms_without_moderator_on(consultation: Consultation, day) -> list[Room]:
    return [
        room for room in consultation.rooms.all() if not RoomModerator.objects.filter(room=room).on_duty(day).exists()
    ]


def move_dates_around(consultation: Consultation, today) -> None:
    """Shift every date of the demo (consultation, rooms, rota) so that it opened
    OPENED_DAYS_AGO days before today, as a fresh build would."""
    shift = (today - timedelta(days=OPENED_DAYS_AGO)) - consultation.opens_on
    rows = [consultation, *consultation.rooms.all(), *RoomModerator.objects.filter(room__consultation=consultation)]
    for row in rows:
        for field in ("opens_on", "closes_on", "starts_on", "ends_on"):
            if getattr(row, field, None) is not None:
                setattr(row, field, getattr(row, field) + shift)
        row.save()
    # The discussion moves with its dates, so the first two weeks are still the first two weeks.
    Comment.objects.filter(room__consultation=consultation).update(
        created_at=F("created_at") + shift, edited_at=F("edited_at") + shift
    )
    Notification.objects.filter(comment__room__consultation=consultation).update(created_at=F("created_at") + shift)
    Room.objects.filter(consultation=consultation).update(last_activity_at=F("last_activity_at") + shift)
    RoomSummary.objects.filter(room__consultation=consultation).update(
        period_start=F("period_start") + shift,
        period_end=F("period_end") + shift,
        period_ends_at=F("period_ends_at") + shift,
    )


class Command(BaseCommand):
    help = "Build a demo consultation with rooms, moderators, participants and comments (once)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        with transaction.atomic():
            consultation = Consultation.objects.filter(slug=CONSULTATION["slug"]).first()
            if consultation is None:
                consultation = build_demo(today)
                self.stdout.write(self.style.SUCCESS("Built the demo consultation."))
            elif rooms_without_moderator_on(consultation, today):
                move_dates_around(consultation, today)
                self.stdout.write("The demo consultation was there with old dates; it now runs around today.")
            else:
                self.stdout.write("The demo consultation is already there; nothing was changed.")
        self._print_summary(consultation)
        self._print_logins()

    def _print_summary(self, consultation: Consultation) -> None:
        rooms = consultation.rooms.count()
        comments = Comment.objects.filter(room__consultation=consultation).count()
        self.stdout.write(
            f"{consultation.title}\n"
            f"  open {consultation.opens_on} to {consultation.closes_on}; "
            f"{rooms} rooms, {comments} comments, {len(ACCOUNTS)} accounts\n"
        )
        self.stdout.write(f"Demo ready at {settings.SITE_URL}{consultation.get_absolute_url()}")
        self.stdout.write("Sign in with:")

    def _print_logins(self) -> None:
        by_key = {person.key: person for person in PEOPLE}
        rows = [("Role", "Email", "Password")] + [(role, by_key[key].email, DEMO_PASSWORD) for role, key in LOGINS]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            self.stdout.write("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        self.stdout.write(f"Every demo account ({len(ACCOUNTS)} in all, under example.org) uses the same password.")
