"""Write a deterministic synthetic news corpus (.txt files in nested folders, or .jsonl shards) for the benchmarks.

It must never write outside OUTDIR, never touch a reader database, and never need anything beyond the standard library.
"""

#     python benchmarks/generate_corpus.py 100000 benchmarks/out/corpus-100000 --seed 1
#     python benchmarks/generate_corpus.py 100000 benchmarks/out/jsonl-100000 --jsonl
#
# Each article is a headline line, a dateline ("GENEVA, March 3 (Wirefeed) — ..."), and several
# paragraphs of template prose naming people, organisations and places (some with non-ASCII
# letters), with a "[Photo]" line now and then; about 2% are one-line briefs. Articles are
# 1-6 KB (briefs are shorter). At most 1,000 files share a folder.

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FILES_PER_FOLDER = 1000
FOLDERS_PER_PART = 10
LINES_PER_SHARD = 10_000
BRIEF_SHARE = 0.02

# ---- word lists ------------------------------------------------------------------------------

FIRST_NAMES = """Ana Maria José João Zoë Chloé Noémie Łukasz Zofia Jürgen Søren Åsa Björn Ingrid
Amara Kwame Chinedu Fatima Aisha Omar Yusuf Leila Hamid Priya Arjun Ravi Anjali Mei Wei Li Hiroshi
Yuki Kenji Sung-min Ji-woo Nguyễn Thảo Olga Dmitri Irina Pavel Elena Carlos Lucía Andrés Sofía
Mateo Camila Diego Valentina Emma Liam Olivia Noah James Sarah David Laura Michael Anna Peter
Thomas Claire Hélène François Élodie René Gül Emre Çağla Ayşe Mehmet Kofi Nomvula Thabo Sipho
Tendai Wanjiru Baraka Ines Tomás Giulia Marco Francesca Dorota Jan Katarzyna Mikael Aino Eero""".split()

LAST_NAMES = """Lima Silva Santos Oliveira Costa Nakamura Tanaka Sato Kim Park Lee Chen Wang Zhang
Müller Schmidt Schneider Fischer Weber Kowalski Nowak Wiśniewski Dvořák Novák Horváth Nagy
Jensen Nielsen Andersson Johansson Virtanen Korhonen O'Brien Murphy Kelly Byrne Dupont Lefèvre
Moreau Girard García Martínez López Hernández González Pérez Rossi Russo Ferrari Esposito
Okonkwo Mensah Owusu Adeyemi Kamau Otieno Mwangi Ndlovu Dlamini Haddad Khalil Rahman Hussain
Sharma Patel Gupta Singh Ivanov Petrov Smirnov Popescu Ionescu Yılmaz Kaya Demir Çelik Papadopoulos
Georgiou Nguyen Tran Pham Hoang Abdi Mohamed Farah Okafor Eze Brown Smith Taylor Wilson Clarke""".split()

TITLES = """Foreign Minister|Finance Minister|Prime Minister|President|Mayor|Governor|Senator|
Health Minister|Trade Minister|central bank governor|chief executive|spokeswoman|spokesman|
Ambassador|General|Judge|Professor|Dr.|union leader|opposition leader|economist|analyst|
Deputy Mayor|Interior Minister|committee chair|chief negotiator|police chief|researcher""".replace("\n", "").split("|")

ORGS = """United Nations|World Health Organization|European Commission|International Monetary Fund|
World Bank|African Union|Red Cross|Amnesty International|Ministry of Finance|Ministry of Health|
Central Bank|Supreme Court|Constitutional Court|National Assembly|City Council|Port Authority|
Harbour Workers' Union|Teachers' Federation|Chamber of Commerce|Institute for Climate Research|
University of Geneva|Sorbonne University|Karolinska Institute|World Trade Organization|
Organisation for Economic Co-operation and Development|NATO|UNICEF|Médecins Sans Frontières|
Energy Regulatory Office|Federal Statistics Office|Electoral Commission""".replace("\n", "").split("|")

COMPANIES = """Northwind Energy|Loopstream|Helvetia Rail|Atlas Shipping|Meridian Bank|Sunfield Solar|
Greenleaf Foods|Orbital Dynamics|Société Générale|Banco do Brasil|Deutsche Bahn|Electricité de France|
Ørsted|Nestlé|Škoda|Grupo Bimbo|Tata Motors|Samsung Electronics|Toyota|Petrobras""".replace("\n", "").split("|")

PLACES = """Geneva|Nairobi|São Paulo|Zürich|Kraków|Reykjavík|Istanbul|Rotterdam|Buenos Aires|Doha|
Athens|Cork|Wrocław|Mekong Delta|Lagos|Accra|Addis Ababa|Cairo|Tunis|Casablanca|Johannesburg|
Cape Town|Mumbai|New Delhi|Dhaka|Jakarta|Manila|Hanoi|Bangkok|Seoul|Tokyo|Osaka|Beijing|Shanghai|
Sydney|Auckland|Lima|Bogotá|Santiago|Mexico City|Montréal|Toronto|Chicago|Brussels|Strasbourg|
Luxembourg|Vienna|Prague|Budapest|Warsaw|Vilnius|Riga|Tallinn|Helsinki|Stockholm|Oslo|Copenhagen|
Hamburg|Munich|Lyon|Marseille|Barcelona|Sevilla|Lisbon|Porto|Milan|Naples|Valletta|Nicosia|Kyiv|
Tbilisi|Yerevan|Baku|Almaty|Tashkent|Ulaanbaatar|Kathmandu|Colombo|Malé|Dakar|Abidjan|Kinshasa|
Kampala|Kigali|Dar es Salaam|Lusaka|Harare|Maputo|Antananarivo|Port Louis""".replace("\n", "").split("|")

COUNTRIES = """France|Germany|Kenya|Brazil|Switzerland|Poland|Iceland|Turkey|the Netherlands|
Argentina|Qatar|Greece|Ireland|Vietnam|Nigeria|Ghana|Ethiopia|Egypt|Tunisia|Morocco|South Africa|
India|Bangladesh|Indonesia|the Philippines|Thailand|South Korea|Japan|China|Australia|New Zealand|
Peru|Colombia|Chile|Mexico|Canada|the United States|Belgium|Austria|Czechia|Hungary|Lithuania|
Latvia|Estonia|Finland|Sweden|Norway|Denmark|Spain|Portugal|Italy|Malta|Cyprus|Ukraine|Georgia|
Armenia|Azerbaijan|Kazakhstan|Uzbekistan|Mongolia|Nepal|Sri Lanka|the Maldives|Senegal|
Côte d'Ivoire|Uganda|Rwanda|Tanzania|Zambia|Zimbabwe|Mozambique|Madagascar|Mauritius""".replace("\n", "").split("|")

NATIONALITIES = """French German Kenyan Brazilian Swiss Polish Icelandic Turkish Dutch Argentine
Greek Irish Vietnamese Nigerian Ghanaian Egyptian Moroccan Indian Japanese Chinese Australian
Mexican Canadian American Belgian Austrian Spanish Portuguese Italian Ukrainian European African""".split()

AGENCIES = ["Wirefeed", "Globe Wire", "Press Union", "Newsline", "Continental Press", "Agence Nord"]

TOPICS = """the draft accord|the budget|the loan programme|the water agreement|the port strike|
the tariff dispute|the vaccination campaign|the runoff vote|the rice harvest|the court ruling|
the rail project|the data protection fine|the climate package|the housing plan|the fisheries deal|
the pension reform|the energy subsidy|the ceasefire talks|the election law|the mining licence|
the drought response|the school reform|the tax treaty|the solar tender|the museum restitution""".replace("\n", "").split("|")

NOUNS = """officials|delegates|workers|farmers|residents|investors|negotiators|lawmakers|doctors|
teachers|students|traders|analysts|engineers|nurses|dockers|shareholders|voters|diplomats|
researchers|activists|regulators|suppliers|commuters|fishermen|families""".replace("\n", "").split("|")

VERBS_SAID = ["said", "told reporters", "said in a statement", "wrote on social media", "told Wirefeed",
              "said on Tuesday", "added", "warned", "insisted", "said late on Friday"]

ADJECTIVES = """cautious|sharp|modest|unexpected|lengthy|tense|historic|fragile|ambitious|costly|
preliminary|binding|temporary|contested|broad|narrow|decisive|delayed|renewed|sweeping""".replace("\n", "").split("|")

ACTIONS = """rejected|approved|postponed|criticised|welcomed|signed|questioned|extended|suspended|
revised|announced|defended|challenged|endorsed|blocked|outlined|reviewed|proposed""".replace("\n", "").split("|")

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CURRENCIES = ["$", "€", "£", "CHF ", "US$"]

HEADLINES = [
    "{place} talks on {topic} resume after {adjective} week",
    "{org} {action} {topic}",
    "{nationality} {nouns} protest over {topic}",
    "{person} named to lead {org}",
    "{country} and {country2} agree on {topic}",
    "Court in {place} rules on {topic}",
    "{org} warns of {adjective} year for {nouns}",
    "In {place}, {nouns} wait for {topic}",
    "{company} fined {money} over {topic}",
    "{person} resigns as {title} after {adjective} vote",
]

SENTENCES = [
    "{person}, the {title} of {country}, said the {topic_bare} was \u201cclose to done\u201d.",
    "The {org} {action} {topic} on {weekday}, according to two people familiar with the matter.",
    "{title_cap} {person} met {nouns} from the {org} in {place} on {date}.",
    "\u201cWe are not there yet,\u201d {person} {said}.",
    "Critics in {country} called the decision {adjective} and said it would hurt {nouns}.",
    "The plan would cost about {money} over five years, the {org} estimated.",
    "About {number} {nouns} gathered outside the offices of the {org} in {place}.",
    "{person} of the {org} said the figures were {adjective} but encouraging.",
    "Talks between {country} and {country2} stalled last {month} over {topic}.",
    "{nationality} officials declined to comment on {topic}.",
    "The vote is expected on {date}, {person} {said}.",
    "Shares in {company} fell {percent}% in early trading in {place}.",
    "A spokesperson for the {org} did not respond to a request for comment.",
    "Prices rose {percent}% in {month}, the fastest pace since {year}.",
    "The {org} has said it will review {topic} before the end of the year.",
    "{person} and {person2} are due to meet in {place} next week.",
    "Local media in {place} reported that {number} {nouns} had been affected.",
    "In a {adjective} session, the {org} {action} a proposal by {person}.",
    "Observers from the {org} described the process as {adjective}.",
    "The agreement still needs the approval of the {org}, which meets in {month}.",
    "Opposition leader {person} said {nouns} in {country} deserved better.",
    "Rain delayed work on the project near {place}, officials said.",
    "Since {year}, {country} has received {money} in support from the {org}.",
    "\u201cThis is a {adjective} day for {nouns},\u201d {person} told a crowd in {place}.",
]

PHOTO_LINES = ["[Photo]", "[Photo] {nouns_cap} gather in {place}.", "[Photo: {person} arrives in {place}]",
               "[Video] {person} speaks to reporters.", "[Photo] The headquarters of {company} in {place}."]

NAV_LINES = ["Home | World | Business | Sport", "Skip to content", "Advertisement"]

FOOTERS = ["Reporting by {person}; editing by {person2}.", "({agency})", "Additional reporting by {person} in {place}."]


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    """One generated article: where it goes, its metadata, and its text."""

    number: int
    relpath: str
    title: str
    source: str
    published: str
    text: str


class _Slots(dict):
    """Template slots: every {slot} lookup draws a fresh value (nothing is stored)."""

    def __init__(self, rng: random.Random, agency: str):
        super().__init__()
        self.rng = rng
        self.agency = agency

    def __missing__(self, key: str) -> str:
        rng = self.rng
        choice = rng.choice
        if key in ("person", "person2"):
            value = f"{choice(FIRST_NAMES)} {choice(LAST_NAMES)}"
        elif key == "title":
            value = choice(TITLES)
        elif key == "title_cap":
            title = choice(TITLES)
            value = title[0].upper() + title[1:]
        elif key == "org":
            value = choice(ORGS)
        elif key == "company":
            value = choice(COMPANIES)
        elif key == "place":
            value = choice(PLACES)
        elif key in ("country", "country2"):
            value = choice(COUNTRIES)
        elif key == "nationality":
            value = choice(NATIONALITIES)
        elif key == "topic":
            value = choice(TOPICS)
        elif key == "topic_bare":
            value = choice(TOPICS).removeprefix("the ")
        elif key == "nouns":
            value = choice(NOUNS)
        elif key == "nouns_cap":
            value = choice(NOUNS).capitalize()
        elif key == "adjective":
            value = choice(ADJECTIVES)
        elif key == "action":
            value = choice(ACTIONS)
        elif key == "said":
            value = choice(VERBS_SAID).replace("Wirefeed", self.agency)
        elif key == "weekday":
            value = choice(WEEKDAYS)
        elif key == "month":
            value = choice(MONTHS)
        elif key == "date":
            value = f"{choice(MONTHS)} {rng.randint(1, 28)}"
        elif key == "year":
            value = str(rng.randint(1990, 2024))
        elif key == "number":
            value = f"{rng.randint(2, 90) * rng.choice((1, 10, 100, 1000)):,}"
        elif key == "percent":
            value = f"{rng.randint(1, 19)}.{rng.randint(0, 9)}"
        elif key == "money":
            value = f"{choice(CURRENCIES)}{rng.randint(2, 950)} {choice(('million', 'billion'))}"
        elif key == "agency":
            value = self.agency
        else:
            raise KeyError(key)
        return value


def _sentence(fresh: _Slots, rng: random.Random) -> str:
    return rng.choice(SENTENCES).format_map(fresh)


def generate(n: int, seed: int = 1) -> Iterator[SyntheticArticle]:
    """`n` articles, the same ones for the same `seed` (texts are distinct)."""
    rng = random.Random(seed)
    seen: set[bytes] = set()
    width = max(6, len(str(n - 1)))
    for number in range(n):
        while True:
            article = _article(rng, number, width)
            digest = hashlib.blake2b(article.text.encode("utf-8"), digest_size=16).digest()
            if digest not in seen:
                seen.add(digest)
                break
        yield article


def _article(rng: random.Random, number: int, width: int) -> SyntheticArticle:
    agency = rng.choice(AGENCIES)
    fresh = _Slots(rng, agency)
    title = rng.choice(HEADLINES).format_map(fresh)
    title = title[0].upper() + title[1:]
    month_index = rng.randrange(12)
    day = rng.randint(1, 28)
    year = rng.choice((2023, 2024, 2025))
    published = f"{year}-{month_index + 1:02d}-{day:02d}"
    place = rng.choice(PLACES)
    dateline = f"{place.upper()}, {MONTHS[month_index]} {day} ({agency}) \u2014"
    part, folder = divmod(number // FILES_PER_FOLDER, FOLDERS_PER_PART)
    slug = "-".join(title.lower().split()[:4]).replace("/", "").replace("'", "")
    relpath = f"part-{part:03d}/{folder}/{number:0{width}d}-{slug}.txt"

    if rng.random() < BRIEF_SHARE:
        text = f"{dateline} {_sentence(fresh, rng)}"
        return SyntheticArticle(number, relpath, text, agency, published, text)

    target = rng.randint(1000, 6000)
    lines: list[str] = []
    if rng.random() < 0.03:
        lines.append(rng.choice(NAV_LINES))
    lines.append(title)
    first = " ".join(_sentence(fresh, rng) for _ in range(rng.randint(2, 3)))
    lines.append(f"{dateline} {first}")
    size = sum(len(line) for line in lines) * 11 // 10  # bytes: some names are not ASCII
    footer = rng.choice(FOOTERS).format_map(fresh) if rng.random() < 0.5 else ""
    target -= len(footer) + 2
    while size < target:
        if rng.random() < 0.08:
            paragraph = rng.choice(PHOTO_LINES).format_map(fresh)
        else:
            paragraph = " ".join(_sentence(fresh, rng) for _ in range(rng.randint(2, 5)))
        if size + len(paragraph) > target and size >= 1000:
            break
        lines.append(paragraph)
        size += len(paragraph) + 2
    if footer:
        lines.append(footer)
    return SyntheticArticle(number, relpath, title, agency, published, "\n\n".join(lines) + "\n")


LONG_SECTIONS = [
    "Day {day}: {place} talks on {topic} run late",
    "What {person} told the {org}",
    "Reaction in {country}",
    "The numbers behind {topic}",
    "{org} hearing, session {day}",
    "Timeline: {topic} since {year}",
]


def long_document(target_bytes: int = 1_000_000, seed: int = 1, one_line: bool = False) -> str:
    """One long news-like document of about `target_bytes` UTF-8 bytes (never more): a live
    report or inquiry transcript with a headline, a dateline, section headings every 10-30
    paragraphs, paragraphs of 2-6 sentences, photo lines and quotes. With `one_line`, the same
    kind of text with no line break at all (paragraphs and headings joined by spaces)."""
    rng = random.Random(seed * 7919 + (1 if one_line else 0))
    agency = rng.choice(AGENCIES)
    fresh = _Slots(rng, agency)
    title = "Live: " + rng.choice(HEADLINES).format_map(fresh)
    place = rng.choice(PLACES)
    month_index = rng.randrange(12)
    parts = [title, f"{place.upper()}, {MONTHS[month_index]} {rng.randint(1, 28)} ({agency}) \u2014 "
             + " ".join(_sentence(fresh, rng) for _ in range(3))]
    separator = " " if one_line else "\n\n"
    size = sum(len(part.encode("utf-8")) for part in parts) + len(separator)
    day, until_section = 1, rng.randint(10, 30)
    while True:
        until_section -= 1
        if until_section <= 0:
            day += 1
            until_section = rng.randint(10, 30)
            fresh_day = dict(day=day)
            paragraph = rng.choice(LONG_SECTIONS).format_map(_DaySlots(fresh, fresh_day))
        elif rng.random() < 0.05:
            paragraph = rng.choice(PHOTO_LINES).format_map(fresh)
        else:
            paragraph = " ".join(_sentence(fresh, rng) for _ in range(rng.randint(2, 6)))
        added = len(paragraph.encode("utf-8")) + len(separator)
        if size + added > target_bytes:
            break
        parts.append(paragraph)
        size += added
    text = separator.join(parts)
    return text if one_line else text + "\n"


class _DaySlots(dict):
    def __init__(self, fresh: _Slots, extra: dict[str, object]):
        super().__init__(extra)
        self.fresh = fresh

    def __missing__(self, key: str) -> str:
        return self.fresh[key]


def write_long_documents(outdir: Path, target_bytes: int, seed: int) -> dict[str, Path]:
    """`long-paragraphs.txt` and `long-one-line.txt` (no line break at all) in `outdir`."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, one_line in (("paragraphs", False), ("one-line", True)):
        path = outdir / f"long-{name}.txt"
        path.write_bytes(long_document(target_bytes, seed, one_line).encode("utf-8"))
        written[name] = path
    return written


def write_txt(n: int, outdir: Path, seed: int) -> tuple[int, int]:
    """Write `n` .txt files under `outdir`; returns (files, bytes)."""
    made: set[str] = set()
    total = 0
    for article in generate(n, seed):
        path = outdir / article.relpath
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        data = article.text.encode("utf-8")
        with open(path, "wb") as stream:
            stream.write(data)
        total += len(data)
    return n, total


def write_jsonl(n: int, outdir: Path, seed: int) -> tuple[int, int]:
    """Write the same `n` articles as .jsonl shards of LINES_PER_SHARD lines; returns (shards, bytes)."""
    outdir.mkdir(parents=True, exist_ok=True)
    shards = 0
    total = 0
    stream = None
    for article in generate(n, seed):
        if article.number % LINES_PER_SHARD == 0:
            if stream:
                stream.close()
            stream = open(outdir / f"shard-{shards:03d}.jsonl", "w", encoding="utf-8", newline="\n")
            shards += 1
        record = {"title": article.title, "source": article.source, "published": article.published, "text": article.text}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        stream.write(line)
        total += len(line.encode("utf-8"))
    if stream:
        stream.close()
    return shards, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles (up to 100,000 or more; 0 with --long-documents)")
    parser.add_argument("outdir", type=Path, help="folder to write into (created; should be empty)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jsonl", action="store_true", help=f"write .jsonl shards of {LINES_PER_SHARD:,} lines instead of .txt files")
    parser.add_argument("--long-documents", type=int, metavar="BYTES", default=0,
                        help="also write long/long-paragraphs.txt and long/long-one-line.txt of at most BYTES each")
    args = parser.parse_args(argv)
    if args.n < 1 and not args.long_documents:
        parser.error("N must be at least 1")
    if args.outdir.exists() and any(args.outdir.iterdir()):
        parser.error(f"{args.outdir} is not empty")
    if args.long_documents:
        for path in write_long_documents(args.outdir / "long", args.long_documents, args.seed).values():
            print(f"{path}: {path.stat().st_size:,} bytes", file=sys.stderr)
        if args.n < 1:
            return 0
    started = time.perf_counter()
    if args.jsonl:
        files, size = write_jsonl(args.n, args.outdir, args.seed)
        kind = "jsonl shards"
    else:
        files, size = write_txt(args.n, args.outdir, args.seed)
        kind = "txt files"
    elapsed = time.perf_counter() - started
    print(
        f"{args.n:,} articles as {files:,} {kind} in {args.outdir}: {size / 1e6:.1f} MB "
        f"(mean {size / args.n / 1000:.2f} KB/article) in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
