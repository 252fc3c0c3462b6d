"""The built-in sample election: Kazakhstan, early elections of 19 March 2023.

One Astana station modelled on station 379 (2,494 voters, 10,076 ballots received)
with four ballot types. Party names and order are the real ones; candidate names
are fictional. Signed with the DEVELOPMENT headquarters key, which is public.
"""

from __future__ import annotations

import datetime as dt

from kiosk.election.kazakh import kazakh_sort_key
from kiosk.election.model import (
    BallotStyle,
    Contest,
    ControlRatio,
    Election,
    ElectionInfo,
    Option,
    ProtocolForm,
    ProtocolLine,
    Rules,
    Station,
    Text,
)

# Ballot order drawn by lot in 2023.
PARTIES: tuple[tuple[str, str, str, str], ...] = (
    ("amanat", "«AMANAT» партиясы", "Партия «AMANAT»", "AMANAT party"),
    (
        "auyl",
        "«Ауыл» халықтық-демократиялық патриоттық партиясы",
        "Народно-демократическая патриотическая партия «Ауыл»",
        "Auyl People's Democratic Patriotic Party",
    ),
    ("respublica", "«Respublica» партиясы", "Партия «Respublica»", "Respublica party"),
    ("qhp", "Қазақстан Халық партиясы", "Народная партия Казахстана", "People's Party of Kazakhstan"),
    ("baitaq", "«Байтақ» жасылдар партиясы", "Партия зелёных «Байтак»", "Baitaq Green Party"),
    (
        "ak-zhol",
        "«Ақ жол» Қазақстанның демократиялық партиясы",
        "Демократическая партия Казахстана «Ак жол»",
        "Ak Zhol Democratic Party of Kazakhstan",
    ),
    (
        "jsdp",
        "Жалпыұлттық социал-демократиялық партия",
        "Общенациональная социал-демократическая партия",
        "National Social Democratic Party",
    ),
)

AGAINST_ALL = Option(
    id="against-all",
    name=Text(kk="Барлығына қарсы", ru="Против всех", en="Against all"),
    against_all=True,
)

# Fictional names: (Kazakh, Russian) pairs.
_SURNAMES = (
    ("Әбенов", "Абенов"),
    ("Бекмұратов", "Бекмуратов"),
    ("Жұмабаев", "Жумабаев"),
    ("Қасымов", "Касымов"),
    ("Мұқанов", "Муканов"),
    ("Нұрланов", "Нурланов"),
    ("Оспанов", "Оспанов"),
    ("Сәрсенбаев", "Сарсенбаев"),
    ("Төлеуов", "Толеуов"),
    ("Ұзақов", "Узаков"),
    ("Үмбетов", "Умбетов"),
    ("Ғабдуллин", "Габдуллин"),
    ("Дәулетов", "Даулетов"),
    ("Ержанов", "Ержанов"),
    ("Ибраев", "Ибраев"),
    ("Көшербаев", "Кошербаев"),
    ("Исабеков", "Исабеков"),
    ("Рахымов", "Рахимов"),
    ("Серіков", "Сериков"),
    ("Тұрсынов", "Турсунов"),
    ("Шәкенов", "Шакенов"),
)
_GIVEN = (
    ("Нұрлан", "Нурлан"),
    ("Айдос", "Айдос"),
    ("Ерлан", "Ерлан"),
    ("Қайрат", "Кайрат"),
    ("Бауыржан", "Бауыржан"),
    ("Дәурен", "Даурен"),
    ("Асқар", "Аскар"),
)
_FATHERS = (
    ("Серікұлы", "Серикович"),
    ("Болатұлы", "Болатович"),
    ("Маратұлы", "Маратович"),
    ("Әлібекұлы", "Алибекович"),
)
_PARTY_OF_CANDIDATE = ("amanat", "auyl", "respublica", "qhp", "baitaq", "ak-zhol", "jsdp", None)


def _candidates(contest_no: int, count: int) -> tuple[Option, ...]:
    """`count` fictional candidates in Kazakh alphabetical order, plus 'against all'."""
    people: list[tuple[str, str, str | None]] = []
    i = 0
    while len(people) < count:
        s = _SURNAMES[(i * 5 + contest_no) % len(_SURNAMES)]
        g = _GIVEN[(i * 3 + i // 4 + contest_no) % len(_GIVEN)]
        f = _FATHERS[(i + contest_no) % len(_FATHERS)]
        kk = f"{s[0]} {g[0]} {f[0]}"
        ru = f"{s[1]} {g[1]} {f[1]}"
        if all(kk != p[0] for p in people):
            people.append((kk, ru, _PARTY_OF_CANDIDATE[(i * 7 + contest_no) % 8]))
        i += 1
    people.sort(key=lambda p: kazakh_sort_key(p[0]))
    party_names = {p[0]: Text(kk=p[1], ru=p[2], en=p[3]) for p in PARTIES}
    options = [
        Option(
            id=f"c{n + 1:02d}",
            name=Text(kk=kk, ru=ru),
            party=party_names[party] if party else None,
            self_nominated=party is None,
        )
        for n, (kk, ru, party) in enumerate(people)
    ]
    return (*options, AGAINST_ALL)


def _parties() -> tuple[Option, ...]:
    parties = tuple(Option(id=pid, name=Text(kk=kk, ru=ru, en=en)) for pid, kk, ru, en in PARTIES)
    return (*parties, AGAINST_ALL)


def default_protocol(contest: Contest) -> ProtocolForm:
    """The default protocol form: lines 1-8, then the votes per option (9.x).

    Modelled on the regional practice of the protocol forms of Kazakhstan's 2023
    parliamentary election, as this sample models it (not a copy of an official text); a
    real election's package brings its own form (docs/election-package.md)."""

    def t(kk: str, ru: str, en: str) -> Text:
        return Text(kk=kk, ru=ru, en=en)

    lines = [
        ProtocolLine(
            id="voters_on_list",
            number="1",
            source="entered",
            title=t(
                "Сайлаушылар тізіміне енгізілген сайлаушылар саны",
                "Число избирателей, внесённых в список избирателей",
                "Voters on the list",
            ),
        ),
        ProtocolLine(
            id="ballots_received",
            number="2",
            source="entered",
            title=t(
                "Учаскелік сайлау комиссиясы алған бюллетеньдер саны",
                "Число бюллетеней, полученных участковой комиссией",
                "Ballots received by the commission",
            ),
        ),
        ProtocolLine(
            id="ballots_issued",
            number="3",
            source="entered",
            title=t(
                "Сайлаушыларға берілген бюллетеньдер саны",
                "Число бюллетеней, выданных избирателям",
                "Ballots issued to voters",
            ),
        ),
        ProtocolLine(
            id="ballots_cancelled",
            number="4",
            source="entered",
            title=t(
                "Жойылған (пайдаланылмаған) бюллетеньдер саны",
                "Число погашенных (неиспользованных) бюллетеней",
                "Ballots cancelled (unused)",
            ),
        ),
        ProtocolLine(
            id="ballots_spoiled",
            number="5",
            source="entered",
            title=t(
                "Бүлінген бюллетеньдердің орнына берілген бюллетеньдер саны",
                "Число испорченных бюллетеней, выданных взамен",
                "Spoiled ballots exchanged",
            ),
        ),
        ProtocolLine(
            id="ballots_in_box",
            number="6",
            source="counted",
            title=t(
                "Жәшіктен табылған бюллетеньдер саны",
                "Число бюллетеней, обнаруженных в ящике",
                "Ballots found in the box",
            ),
        ),
        ProtocolLine(
            id="invalid",
            number="7",
            source="counted",
            title=t("Жарамсыз бюллетеньдер саны", "Число недействительных бюллетеней", "Invalid ballots"),
        ),
        ProtocolLine(
            id="valid",
            number="8",
            source="counted",
            title=t("Жарамды бюллетеньдер саны", "Число действительных бюллетеней", "Valid ballots"),
        ),
    ]
    vote_lines = [
        ProtocolLine(
            id=f"votes.{o.id}",
            number=f"9.{n + 1}",
            source="counted",
            option=o.id,
            title=Text(
                kk=f"{o.name.kk}: дауыс саны",
                ru=f"{o.name.ru}: число голосов",
                en=f"{o.name.en or o.id}: votes",
            ),
        )
        for n, o in enumerate(contest.options)
    ]
    ratios = (
        ControlRatio(
            id="r1",
            left=("voters_on_list",),
            op=">=",
            right=("ballots_issued",),
            title=t("1 >= 3", "1 >= 3", "voters on the list >= ballots issued"),
        ),
        ControlRatio(
            id="r2",
            left=("ballots_received",),
            op="=",
            right=("ballots_issued", "ballots_cancelled", "ballots_spoiled"),
            title=t("2 = 3 + 4 + 5", "2 = 3 + 4 + 5", "received = issued + cancelled + spoiled"),
        ),
        ControlRatio(
            id="r3",
            left=("ballots_in_box",),
            op="=",
            right=("invalid", "valid"),
            title=t("6 = 7 + 8", "6 = 7 + 8", "in the box = invalid + valid"),
        ),
        ControlRatio(
            id="r4",
            left=("valid",),
            op="=",
            right=tuple(v.id for v in vote_lines),
            title=t("8 = 9.1 + ...", "8 = 9.1 + ...", "valid = sum of the votes"),
        ),
        ControlRatio(
            id="r5",
            left=("ballots_in_box",),
            op="<=",
            right=("ballots_issued",),
            title=t("6 <= 3", "6 <= 3", "in the box <= issued"),
        ),
    )
    return ProtocolForm(contest=contest.id, lines=(*lines, *vote_lines), ratios=ratios)


def sample_election(logic_and_accuracy_required: bool = False) -> Election:
    """The built-in sample (DEVELOPMENT). Its package waives the logic-and-accuracy test
    (issue 16), explicitly, in its rules: tests, tools and the kiosk window open its stations
    without a test deck. `logic_and_accuracy_required=True` gives the same election in the
    package as it was before that rule (the same hash), which requires the test, as every
    package does by default: `make demo` and tests/test_lat.py use it."""
    contests = (
        Contest(
            id="mazhilis-list",
            kind="party_list",
            seats=69,
            options=_parties(),
            title=Text(
                kk="Қазақстан Республикасы Парламенті Мәжілісінің депутаттарын партиялық тізімдер бойынша сайлау",
                ru="Выборы депутатов Мажилиса Парламента Республики Казахстан по партийным спискам",
                en="Mazhilis, party lists",
            ),
        ),
        Contest(
            id="mazhilis-smd-astana-2",
            kind="single_mandate",
            seats=1,
            options=_candidates(2, 42),
            title=Text(
                kk="Мәжіліс депутатын Астана қаласының №2 бір мандатты аумақтық сайлау округі бойынша сайлау",
                ru="Выборы депутата Мажилиса по одномандатному территориальному избирательному округу №2 города Астаны",
                en="Mazhilis, single-mandate district No. 2 (Astana)",
            ),
        ),
        Contest(
            id="astana-maslikhat-list",
            kind="party_list",
            seats=19,
            options=_parties(),
            title=Text(
                kk="Астана қаласы мәслихатының депутаттарын партиялық тізімдер бойынша сайлау",
                ru="Выборы депутатов маслихата города Астаны по партийным спискам",
                en="Astana city maslikhat, party lists",
            ),
        ),
        Contest(
            id="astana-maslikhat-smd-7",
            kind="single_mandate",
            seats=1,
            options=_candidates(7, 9),
            title=Text(
                kk="Астана қаласы мәслихатының депутатын №7 бір мандатты сайлау округі бойынша сайлау",
                ru="Выборы депутата маслихата города Астаны по одномандатному избирательному округу №7",
                en="Astana city maslikhat, single-mandate district No. 7",
            ),
        ),
    )
    styles = (
        BallotStyle(
            id="MZ-LIST",
            contest="mazhilis-list",
            colour="#3b6fc4",
            colour_name=Text(kk="көк", ru="синий", en="blue"),
            title=Text(
                kk="Мәжіліс депутаттарын сайлауға арналған САЙЛАУ БЮЛЛЕТЕНІ (партиялық тізімдер)",
                ru="ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ для голосования по выборам депутатов Мажилиса (партийные списки)",
                en="Ballot: Mazhilis, party lists",
            ),
        ),
        BallotStyle(
            id="MZ-SMD-02",
            contest="mazhilis-smd-astana-2",
            colour="#3e9b5b",
            colour_name=Text(kk="жасыл", ru="зелёный", en="green"),
            title=Text(
                kk="Мәжіліс депутатын сайлауға арналған САЙЛАУ БЮЛЛЕТЕНІ (№2 бір мандатты округ)",
                ru="ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ для голосования по выборам депутата Мажилиса (одномандатный округ №2)",
                en="Ballot: Mazhilis, district No. 2",
            ),
        ),
        BallotStyle(
            id="AST-LIST",
            contest="astana-maslikhat-list",
            colour="#8a4fb0",
            colour_name=Text(kk="күлгін", ru="фиолетовый", en="purple"),
            title=Text(
                kk="Астана қаласы мәслихатының депутаттарын сайлауға арналған САЙЛАУ БЮЛЛЕТЕНІ (партиялық тізімдер)",
                ru="ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ для голосования по выборам депутатов маслихата города Астаны (партийные списки)",
                en="Ballot: Astana maslikhat, party lists",
            ),
        ),
        BallotStyle(
            id="AST-SMD-07",
            contest="astana-maslikhat-smd-7",
            colour="#e08a2e",
            colour_name=Text(kk="сарғылт", ru="оранжевый", en="orange"),
            title=Text(
                kk="Астана қаласы мәслихатының депутатын сайлауға арналған САЙЛАУ БЮЛЛЕТЕНІ (№7 округ)",
                ru="ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ для голосования по выборам депутата маслихата города Астаны (округ №7)",
                en="Ballot: Astana maslikhat, district No. 7",
            ),
        ),
    )
    station = Station(
        id="379",
        name=Text(kk="№379 сайлау учаскесі", ru="Избирательный участок №379", en="Polling station No. 379"),
        address=Text(
            kk="Астана қ., Мәңгілік Ел даңғылы, 00 (үлгі)",
            ru="г. Астана, проспект Мангилик Ел, 00 (образец)",
            en="Astana, Mangilik El avenue, 00 (sample)",
        ),
        styles=tuple(s.id for s in styles),
        voters_on_list=2494,
        ballots_received={s.id: 2519 for s in styles},  # 4 x 2,519 = 10,076
    )
    return Election(
        election=ElectionInfo(
            id="kz-2023-03-19-sample",
            title=Text(
                kk="Қазақстан Республикасы Парламенті Мәжілісі мен мәслихаттар депутаттарының кезектен тыс сайлауы",
                ru="Внеочередные выборы депутатов Мажилиса Парламента и маслихатов Республики Казахстан",
                en="SAMPLE: early elections of the Mazhilis and maslikhats of Kazakhstan",
            ),
            date=dt.date(2023, 3, 19),
            official=True,
            jurisdiction=Text(kk="Астана қаласы", ru="город Астана", en="Astana"),
        ),
        contests=contests,
        styles=styles,
        stations=(station,),
        protocols=tuple(default_protocol(c) for c in contests),
        rules=Rules(logic_and_accuracy_required=logic_and_accuracy_required),
    )
