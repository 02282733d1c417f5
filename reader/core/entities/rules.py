"""The first, rule-based recogniser: gazetteers, date and money patterns, then capitalisation cues.

It only reads the text it is given: it must never import Textual or touch the store, the network or the UI.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

from reader.core.entities import lexicon
from reader.core.entities.spans import LABELS, Span
from reader.core.entities.places import data_version, place_names

# ---------------------------------------------------------------------------------------------
# Built-in gazetteer (exact, case-sensitive phrases). A leading "the" is never part of a phrase.
# ---------------------------------------------------------------------------------------------

_COUNTRIES: tuple[str, ...] = (
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda", "Argentina",
    "Armenia", "Australia", "Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados",
    "Belarus", "Belgium", "Belize", "Benin", "Bhutan", "Bolivia", "Bosnia and Herzegovina", "Bosnia",
    "Botswana", "Brazil", "Brunei", "Bulgaria", "Burkina Faso", "Burundi", "Cambodia", "Cameroon",
    "Canada", "Cape Verde", "Central African Republic", "Chad", "Chile", "China", "Colombia",
    "Comoros", "Congo", "Costa Rica", "Croatia", "Cuba", "Cyprus", "Czech Republic", "Czechia",
    "Democratic Republic of Congo", "Democratic Republic of the Congo", "Denmark", "Djibouti",
    "Dominica", "Dominican Republic", "East Timor", "Timor-Leste", "Ecuador", "Egypt", "El Salvador",
    "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia", "Fiji", "Finland", "France",
    "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Grenada", "Guatemala", "Guinea",
    "Guinea-Bissau", "Guyana", "Haiti", "Honduras", "Hungary", "Iceland", "India", "Indonesia",
    "Iran", "Iraq", "Ireland", "Israel", "Italy", "Ivory Coast", "Côte d'Ivoire", "Jamaica", "Japan",
    "Jordan", "Kazakhstan", "Kenya", "Kiribati", "Kosovo", "Kuwait", "Kyrgyzstan", "Laos", "Latvia",
    "Lebanon", "Lesotho", "Liberia", "Libya", "Liechtenstein", "Lithuania", "Luxembourg",
    "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta", "Marshall Islands",
    "Mauritania", "Mauritius", "Mexico", "Micronesia", "Moldova", "Monaco", "Mongolia", "Montenegro",
    "Morocco", "Mozambique", "Myanmar", "Burma", "Namibia", "Nauru", "Nepal", "Netherlands",
    "New Zealand", "Nicaragua", "Niger", "Nigeria", "North Korea", "North Macedonia", "Norway",
    "Oman", "Pakistan", "Palau", "Palestine", "Panama", "Papua New Guinea", "Paraguay", "Peru",
    "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Russia", "Rwanda",
    "Saint Kitts and Nevis", "Saint Lucia", "Samoa", "San Marino", "Saudi Arabia", "Senegal",
    "Serbia", "Seychelles", "Sierra Leone", "Singapore", "Slovakia", "Slovenia", "Solomon Islands",
    "Somalia", "South Africa", "South Korea", "South Sudan", "Spain", "Sri Lanka", "Sudan",
    "Suriname", "Sweden", "Switzerland", "Syria", "Taiwan", "Tajikistan", "Tanzania", "Thailand",
    "Togo", "Tonga", "Trinidad and Tobago", "Tunisia", "Turkey", "Türkiye", "Turkmenistan", "Tuvalu",
    "Uganda", "Ukraine", "United Arab Emirates", "United Kingdom", "United States", "Uruguay",
    "Uzbekistan", "Vanuatu", "Vatican", "Venezuela", "Vietnam", "Yemen", "Zambia", "Zimbabwe",
    "Korea", "Hong Kong", "Macau", "Gaza", "West Bank", "Puerto Rico", "Greenland", "England",
    "Scotland", "Wales", "Northern Ireland", "Tibet", "Crimea",
)

_COUNTRY_ALIASES: tuple[str, ...] = (
    "U.S.", "US", "USA", "U.S.A.", "United States of America", "America", "UK", "U.K.", "Britain",
    "Great Britain", "UAE", "DRC", "PRC", "Holland",
)

_CITIES: tuple[str, ...] = (
    "Washington", "New York", "Los Angeles", "Chicago", "San Francisco", "Boston", "Houston",
    "Toronto", "Ottawa", "Mexico City", "Havana", "Bogotá", "Lima", "Caracas", "Santiago",
    "Buenos Aires", "São Paulo", "Rio de Janeiro", "Brasília", "London", "Paris", "Berlin", "Madrid",
    "Rome", "Lisbon", "Dublin", "Amsterdam", "Brussels", "Geneva", "Zurich", "Vienna", "Prague",
    "Warsaw", "Budapest", "Athens", "Stockholm", "Oslo", "Copenhagen", "Helsinki", "Moscow",
    "St. Petersburg", "Kyiv", "Kiev", "Minsk", "Istanbul", "Ankara", "Jerusalem", "Tel Aviv",
    "Beirut", "Damascus", "Baghdad", "Tehran", "Riyadh", "Doha", "Dubai", "Abu Dhabi", "Cairo",
    "Tripoli", "Tunis", "Algiers", "Rabat", "Lagos", "Abuja", "Accra", "Dakar", "Nairobi",
    "Mogadishu", "Addis Ababa", "Khartoum", "Kampala", "Kinshasa", "Johannesburg", "Cape Town",
    "Pretoria", "Harare", "Kabul", "Islamabad", "Karachi", "New Delhi", "Delhi", "Mumbai", "Dhaka",
    "Kathmandu", "Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Wuhan", "Taipei", "Tokyo",
    "Osaka", "Seoul", "Pyongyang", "Bangkok", "Hanoi", "Ho Chi Minh City", "Manila", "Jakarta",
    "Kuala Lumpur", "Sydney", "Melbourne", "Canberra", "Auckland", "Hague", "Strasbourg",
    "Frankfurt", "Munich", "Milan", "Barcelona", "Davos",
)

_US_STATES: tuple[str, ...] = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana",
    "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "North Carolina",
    "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "West Virginia",
    "Wisconsin", "Wyoming",
)

#: Nationalities whose plural adds an "s" ("Kenyan", "Kenyans").
_NATIONALITIES_WITH_PLURAL: tuple[str, ...] = (
    "American", "German", "Italian", "Russian", "Korean", "Indian", "Pakistani", "Iranian", "Iraqi",
    "Israeli", "Palestinian", "Syrian", "Turk", "Saudi", "Egyptian", "Kenyan", "Nigerian",
    "Ethiopian", "South African", "Ugandan", "Ghanaian", "Somali", "Mexican", "Brazilian",
    "Argentine", "Colombian", "Venezuelan", "Cuban", "Canadian", "Australian", "Ukrainian",
    "Belgian", "Norwegian", "Greek", "Austrian", "Hungarian", "Czech", "Romanian", "Serbian",
    "Afghan", "Indonesian", "Filipino", "Malaysian", "North Korean", "South Korean", "Jordanian",
    "Yemeni", "Libyan", "Moroccan", "Algerian", "Tunisian", "Rwandan", "Tanzanian", "Zimbabwean",
    "Peruvian", "Chilean", "European", "African", "Asian", "Arab", "Latino", "Hispanic", "Muslim",
    "Christian", "Jew", "Hindu", "Buddhist", "Catholic", "Sunni", "Shiite", "Kurd", "Republican",
    "Democrat", "Emirati", "Qatari",
)

#: Nationalities with no separate plural form.
_NATIONALITIES: tuple[str, ...] = (
    "British", "Chinese", "French", "Spanish", "Japanese", "Turkish", "Sudanese", "Polish", "Dutch",
    "Swiss", "Swedish", "Danish", "Finnish", "Irish", "Scottish", "Welsh", "English", "Portuguese",
    "Vietnamese", "Thai", "Taiwanese", "Lebanese", "Congolese", "Jewish", "Shia", "Kurdish",
    "Senegalese", "Nepalese", "Burmese",
)

_REGIONS: tuple[str, ...] = (
    "Africa", "Asia", "Europe", "North America", "South America", "Latin America",
    "Central America", "Americas", "Antarctica", "Arctic", "Oceania", "Middle East", "Far East",
    "Southeast Asia", "South Asia", "Central Asia", "East Asia", "West Africa", "East Africa",
    "North Africa", "Southern Africa", "Sub-Saharan Africa", "Horn of Africa", "Sahel", "Balkans",
    "Caucasus", "Scandinavia", "Eastern Europe", "Western Europe", "Persian Gulf", "Pacific",
    "Atlantic", "Indian Ocean", "Mediterranean", "Red Sea", "Black Sea", "Baltic", "North Sea",
    "Caribbean", "South China Sea", "East China Sea", "Caspian Sea", "Rhine", "Danube", "Nile",
    "Thames", "Seine", "Yangtze", "Mekong", "Ganges", "Euphrates", "Tigris", "Volga", "Himalayas",
    "Alps", "Andes", "Sahara", "Siberia", "Strait of Hormuz", "Gulf of Mexico", "Gulf of Aden",
    "Taiwan Strait", "Korean Peninsula", "Arabian Peninsula", "Lake Victoria", "Mount Everest",
    "Kilimanjaro",
)

_ORGANISATIONS: tuple[str, ...] = (
    "United Nations", "UN", "U.N.", "World Health Organization", "World Health Organisation", "WHO",
    "European Union", "EU", "NATO", "International Monetary Fund", "IMF", "World Bank",
    "World Trade Organization", "WTO", "OPEC", "Red Cross", "Red Crescent", "ICRC", "African Union",
    "ASEAN", "Interpol", "UNICEF", "UNESCO", "UNHCR", "UNDP", "World Food Programme", "WFP", "FAO",
    "International Atomic Energy Agency", "IAEA", "International Criminal Court",
    "International Court of Justice", "ICJ", "ICC", "G7", "G20", "BRICS", "OECD", "European Commission",
    "European Parliament", "European Central Bank", "ECB", "Federal Reserve", "Amnesty International",
    "Human Rights Watch", "Doctors Without Borders", "Médecins Sans Frontières", "MSF", "Greenpeace",
    "Hamas", "Hezbollah", "Taliban", "Islamic State", "Kremlin", "White House", "Pentagon",
    "Congress", "Senate", "FBI", "CIA", "Reuters", "Associated Press", "AFP", "Agence France-Presse",
    "Xinhua", "BBC", "CNN", "Bloomberg", "Al Jazeera", "Arab League", "Gulf Cooperation Council",
    "FIFA", "International Olympic Committee", "World Economic Forum",
)

_EVENTS: tuple[str, ...] = (
    "World War II", "World War I", "Second World War", "First World War", "Cold War", "Holocaust",
    "Olympic Games", "Olympics", "Paralympics", "World Cup", "Arab Spring",
)

# ---------------------------------------------------------------------------------------------
# Words the capitalisation heuristics rely on.
# ---------------------------------------------------------------------------------------------

_ORGANISATION_WORDS = set((
    "Ministry", "Department", "University", "Institute", "Institution", "Agency", "Council",
    "Committee", "Commission", "Party", "Bank", "Court", "Corporation", "Corp", "Inc", "Ltd", "Co",
    "Plc", "Group", "Association", "Union", "Authority", "Federation", "Foundation", "Organisation",
    "Organization", "Times", "Post", "Fund", "Office", "Bureau", "Board", "Service", "Services",
    "Company", "Airlines", "Airways", "Motors", "Holdings", "Industries", "Technologies",
    "Pharmaceuticals", "Press", "Network", "News", "Television", "Broadcasting", "Club", "League",
    "Academy", "College", "School", "Hospital", "Army", "Navy", "Forces", "Police", "Assembly",
    "Parliament", "Government", "Administration", "Alliance", "Coalition", "Movement", "Front",
    "Society", "Trust", "Reserve", "Exchange", "Centre", "Center", "Church", "Embassy",
    "Secretariat", "Tribunal", "Consortium", "Partners", "Cabinet", "Electronics", "Petroleum",
    "Semiconductor", "Software", "Securities", "Insurance", "Logistics", "Media", "Telecom",
    "Communications", "Entertainment", "Studios", "Ventures", "Bancorp",
))
_FACILITY_WORDS = set((
    "Airport", "Bridge", "Stadium", "Square", "Tower", "Palace", "Street", "Avenue", "Road",
    "Highway", "Dam", "Canal", "Terminal", "Cathedral", "Mosque", "Temple", "Station", "Arena",
    "Prison", "Plant",
))
_LOCATION_WORDS = set((
    "River", "Sea", "Ocean", "Mountains", "Valley", "Lake", "Desert", "Gulf", "Bay", "Peninsula",
    "Island", "Islands", "Strait", "Coast", "Strip",
))
_PLACE_WORDS = {"Province", "County", "City", "Prefecture", "Oblast"}
_EVENT_WORDS = set((
    "War", "Olympics", "Games", "Cup", "Summit", "Championship", "Championships", "Festival",
    "Revolution", "Uprising", "Conference", "Expo",
))
# More keywords, from the lexicon's heads and tails: only words that name nothing else.
_ORGANISATION_WORDS |= {
    "Brotherhood", "Chamber", "Confederation", "Directorate", "Inspectorate", "Polytechnic",
    "Syndicate", "Cooperative", "AG", "GmbH", "LLC", "PLC", "plc", "Berhad", "Bhd", "Limited", "Pty",
    "SpA", "Aerospace", "Automotive", "Biotech", "Breweries", "Chemicals", "Engineering",
    "Enterprises", "Foods", "Healthcare", "Holding", "Investments", "Labs", "Manufacturing", "Metals",
    "Minerals", "Mining", "Networks", "Petrochemical", "Pharma", "Pharmaceutical", "Properties",
    "Railways", "Resources", "Shipping", "Solutions", "Steel", "Systems", "Telecommunications",
    "Therapeutics", "Utilities", "Chronicle", "Gazette", "Herald", "Journal", "Tribune", "Telegraph",
    "Observer", "Battalion", "Brigade", "Brigades", "Corps", "Regiment", "Marines", "Militia",
    "Cartel", "Caucus", "FC", "Library", "Clinic", "Capital", "Senate", "Congress", "Platforms",
}
_FACILITY_WORDS |= {
    "Abbey", "Airbase", "Airfield", "Barracks", "Basilica", "Boulevard", "Building", "Castle",
    "Cemetery", "Chapel", "Citadel", "Consulate", "Cosmodrome", "Expressway", "Fortress", "Freeway",
    "Harbor", "Harbour", "Hotel", "Jail", "Lighthouse", "Mall", "Mausoleum", "Memorial", "Monastery",
    "Monument", "Motorway", "Museum", "Observatory", "Pagoda", "Penitentiary", "Pier", "Pipeline",
    "Plaza", "Refinery", "Shrine", "Spaceport", "Speedway", "Synagogue", "Theater", "Theatre",
    "Towers", "Tunnel", "Wharf", "Racecourse",
}
_LOCATION_WORDS |= {
    "Archipelago", "Atoll", "Basin", "Canyon", "Darya", "Delta", "Estuary", "Fjord", "Glacier",
    "Gorge", "Highlands", "Hills", "Lagoon", "Lowlands", "Marshes", "Mountain", "Plateau",
    "Rainforest", "Reef", "Reservoir", "Ridge", "Steppe", "Wetlands", "Shan",
}
_PLACE_WORDS |= {
    "District", "Governorate", "Municipality", "Parish", "Region", "Territory", "Township",
    "Borough", "Shire", "Krai", "Okrug", "Regency", "Emirate", "Canton",
}
_EVENT_WORDS |= {
    "Marathon", "Massacre", "Genocide", "Earthquake", "Intifada", "Tournament", "Trophy",
    "Rebellion", "Biennale", "Carnival", "Awards", "Open", "Hurricane", "Typhoon", "Cyclone",
}
#: A capitalised run containing one of these words names something of that label.
_KEYWORD_LABELS: dict[str, str] = {
    **dict.fromkeys(_ORGANISATION_WORDS, "ORG"),
    **dict.fromkeys(_FACILITY_WORDS, "FAC"),
    **dict.fromkeys(_LOCATION_WORDS, "LOC"),
    **dict.fromkeys(_PLACE_WORDS, "GPE"),
    **dict.fromkeys(_EVENT_WORDS, "EVENT"),
}
#: Keywords written with a full stop that belongs to the name ("Acme Inc.").
_ABBREVIATED_KEYWORDS = frozenset(("Inc", "Ltd", "Corp", "Co", "Plc"))

#: Capitalised titles: the words after them name a person, the title itself is not part of the name.
_TITLE_WORDS = set((
    "President", "Vice-President", "President-elect", "Premier", "Minister", "Secretary",
    "Secretary-General", "Under-Secretary", "Undersecretary", "Senator", "Sen", "Governor",
    "Governor-General", "Mayor", "Chancellor", "Judge", "Justice", "Spokesperson", "Spokesman",
    "Spokeswoman", "Ambassador", "Envoy", "Chairman", "Chairwoman", "Chairperson", "Chair", "Chief",
    "Director", "Director-General", "Commissioner", "Councilor", "Councillor", "Representative",
    "Congressman", "Congresswoman", "Lawmaker", "Leader", "Professor", "Prof", "Dr", "Mr", "Mrs",
    "Ms", "King", "Queen", "Prince", "Princess", "Pope", "Sheikh", "Emir", "Sultan", "Cardinal",
    "Archbishop", "Bishop", "Rabbi", "Imam", "Reverend", "Colonel", "Lieutenant", "Captain",
    "Commander", "Admiral", "Sergeant", "Marshal", "Attorney", "Prosecutor", "Speaker", "Coach",
    "Detective", "Inspector", "Superintendent", "Founder", "Dean", "Rector", "Ombudsman", "Head",
    "Gen", "Rep", "Gov", "Lt", "Col", "Capt", "Sgt", "Rev",
))
#: Words that qualify a title ("Minister of Public Security", "Chief Executive").
_TITLE_QUALIFIERS = set((
    "Foreign", "Affairs", "State", "Defence", "Defense", "Finance", "Interior", "Home", "Health",
    "Trade", "Commerce", "Economy", "Economic", "Justice", "Education", "Energy", "Environment",
    "Agriculture", "Security", "Public", "National", "Federal", "Vice", "Deputy", "Prime", "Chief",
    "Executive", "Attorney", "General", "Policy", "Senior", "Former", "Acting", "Interim",
    "Assistant", "Associate", "Permanent", "Managing", "Operating", "Financial", "Technology",
    "Supreme", "Labour", "Labor", "Transport", "Treasury", "Culture", "Information", "Development",
    "International", "Relations", "Internal", "External", "Military", "Staff", "Joint",
    "Opposition", "Majority", "Minority", "Regional", "Provincial", "Elect",
))
_TITLE_WORDS |= {
    "Sheik", "Sheikha", "Duke", "Duchess", "Emperor", "Empress", "Czar", "Tsar", "Taoiseach",
    "Ayatollah", "Mufti", "Patriarch", "Pastor", "Brigadier", "Corporal", "Commodore", "Magistrate",
    "Sheriff", "Adviser", "Advisor", "Dame", "Sir", "Lord", "Baroness", "Baron", "Alhaji", "Datuk",
    "Mme", "Madame", "Monsieur", "Herr", "Frau", "Señor", "Shri", "Amb", "Det", "Cmdr", "Brig", "Maj",
    "Administrator", "Coordinator", "Treasurer", "Comptroller", "Auditor", "Registrar", "Provost",
    "Chancellor", "Whip", "Delegate", "Consul", "Legislator", "Assemblyman", "Assemblywoman",
    "Councilman", "Councilwoman", "Alderman", "Economist", "Analyst", "Striker", "Midfielder",
    "Goalkeeper", "Defender", "Winger", "Manager",
}
_TITLE_QUALIFIERS |= {
    "Homeland", "Veterans", "Housing", "Urban", "Services", "Transportation", "Planning", "Water",
    "Resources", "Fisheries", "Tourism", "Industry", "Investment", "Communications", "Digital",
    "Science", "Innovation", "Youth", "Sports", "Family", "Social", "Welfare", "Mines", "Oil",
    "Power", "Infrastructure", "Immigration", "Citizenship", "Religious", "Rural", "Lands",
    "Natural", "Climate", "Emergency", "Intelligence", "Revenue", "Planning", "Statistics",
    "Emeritus", "Honorary", "Incoming", "Junior", "Outgoing", "Principal", "Retired", "Shadow",
    "Special", "Under", "Veteran", "Lieutenant",
}
#: Lower-case (or all-caps, abbreviated) words right before a capitalised run that make it a person.
_TITLE_CUES_BEFORE = frozenset((
    "president", "minister", "secretary", "secretary-general", "senator", "governor", "mayor",
    "chancellor", "judge", "justice", "spokesperson", "spokesman", "spokeswoman", "ambassador",
    "envoy", "chairman", "chairwoman", "chair", "chief", "director", "director-general",
    "commissioner", "lawmaker", "leader", "professor", "premier", "king", "queen", "prince", "pope",
    "colonel", "commander", "prosecutor", "attorney", "speaker", "coach", "founder", "head",
    "ceo", "cfo", "coo", "mp", "mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr", "prof.", "gen.", "sen.", "rep.",
    "gov.", "lt.", "col.", "capt.", "sgt.", "rev.", "supt.", "insp.", "adm.", "maj.", "pres.",
    "chief executive", "prime minister", "vice president", "state councilor", "state councillor",
))
_TITLE_CUES_BEFORE = _TITLE_CUES_BEFORE | {
    "administrator", "coordinator", "treasurer", "comptroller", "auditor", "registrar",
} | {
    title for title in lexicon.TITLES if title.islower() and len(title.split()) <= 2
}
#: Nouns that, after a comma, describe the person just named ("Wang Yi, member of ...").
_APPOSITION_NOUNS = frozenset((
    "member", "official", "deputy", "adviser", "advisor", "analyst", "economist", "researcher",
    "lawyer", "candidate", "activist", "author", "executive", "officer", "spokesperson",
))
#: Words right before a capitalised run that introduce the people it names ("said John Kerry").
_SAYING_CUES_BEFORE = frozenset((
    "said", "says", "told", "according to", "reporting by", "editing by", "writing by",
))

#: Capitalised words that are never part of a name: function words, pronouns, months and days.
_FUNCTION_WORDS = frozenset((
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "He", "She", "We", "They", "You",
    "His", "Her", "Their", "Our", "My", "Your", "But", "And", "Or", "If", "When", "While", "After",
    "Before", "As", "At", "In", "On", "For", "With", "From", "By", "To", "Of", "Under", "Over",
    "Since", "During", "Although", "Though", "Because", "So", "Yet", "Then", "There", "Here", "What",
    "Which", "Who", "Whom", "Whose", "Where", "Why", "How", "All", "Some", "Many", "Most", "Several",
    "Both", "Each", "Every", "No", "Not", "Yes", "Meanwhile", "However", "Also", "Still", "Even",
    "Now", "Later", "Earlier", "Instead", "Despite", "Amid", "Among", "Against", "Without", "Within",
    "Following", "According", "Asked", "Speaking", "Such", "Other", "Another", "Former", "St", "Jr",
    "Sr",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep",
    "Sept", "Oct", "Nov", "Dec", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "Today", "Yesterday", "Tomorrow",
))
#: Function words that are also names ("Theresa May", "Nguyễn Văn An"): inside a run they stay.
_ALSO_NAMES = frozenset(("An", "April", "May", "June", "August"))
#: Capitalised words that rule out reading an uncued run as a person's name.
_NOT_NAME_WORDS = frozenset((
    "New", "Old", "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western",
    "Central", "Global", "Royal", "Great", "Grand", "High", "First", "Second", "Third", "Human",
    "Rights", "Climate", "Change", "Internet", "Covid", "Coronavirus", "Christmas", "Easter",
    "Ramadan", "Eid", "Photo", "Video", "Image", "Images", "Home", "World", "Business", "Politics",
    "Sport", "Sports", "Opinion", "Live", "Read", "More", "Share", "Click", "Subscribe",
    "Advertisement", "Related", "Updated", "Published", "Copyright", "Breaking", "Editor", "Note",
    "Reporting", "Writing", "Editing", "Day", "Act", "Bill", "Law", "Treaty", "Agreement", "Accord",
    "Plan", "Report", "Index", "Program", "Programme", "Project", "Initiative", "Strategy", "Zone",
    "Market", "Markets", "Science", "Travel", "Latest",
))
#: Lower-case words joining capitalised words inside one name.
_NAME_PARTICLES = frozenset((
    "de", "van", "von", "der", "den", "da", "del", "di", "du", "bin", "ibn", "al", "ten", "ter", "dos", "das",
))
#: Lower-case words joining capitalised words inside organisation names ("Ministry of ...").
_ORGANISATION_CONNECTORS = frozenset(("of", "for", "and", "the", "on"))
#: Words a name never starts with.
_NEVER_FIRST = _FUNCTION_WORDS | _ORGANISATION_CONNECTORS
#: Words right before a capitalised run after which it is not read as a name without a cue
#: ("the Great Recession", "analysts at Goldman Sachs").
_NO_NAME_AFTER = frozenset((
    "the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "at",
    "in", "near", "across", "into", "inside", "outside",
))
#: Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset((
    "mr.", "mrs.", "ms.", "dr.", "prof.", "gen.", "sen.", "rep.", "gov.", "st.", "jr.", "sr.", "lt.",
    "col.", "capt.", "sgt.", "rev.", "u.s.", "u.k.", "u.n.", "e.u.", "no.", "vs.", "v.", "inc.",
    "corp.", "co.", "ltd.", "jan.", "feb.", "mar.", "apr.", "aug.", "sept.", "sep.", "oct.", "nov.",
    "dec.",
))
#: Capitals that are not organisations' acronyms.
_ACRONYM_STOPLIST = frozenset((
    "I", "A", "OK", "TV", "AM", "PM", "AD", "BC", "CEO", "CFO", "CTO", "COO", "GDP", "AI", "PHOTO",
    "VIDEO", "LIVE", "NEWS", "UPDATE", "BREAKING", "WATCH", "READ", "MORE", "FILE", "EXCLUSIVE",
    "FAQ", "PDF", "USD", "EUR", "GBP", "JPY", "CNY", "ID", "DNA", "HIV", "AIDS", "COVID", "SARS",
    "MP", "MPS", "SUV", "LGBT", "LGBTQ", "ET", "EST", "EDT", "GMT", "UTC", "BST", "CET", "PT", "PST",
    "NB", "PS", "VIP", "IQ", "IT", "HQ", "NO", "YES", "NOT", "AND", "THE", "FOR", "ALL", "NEW",
    "OR", "IN", "ON", "AT", "TO", "OF", "BY", "IS", "BE", "WE", "US", "UPDATED", "OPINION",
    "ANALYSIS", "EDITORIAL",
))

#: What follows a number that makes it a count rather than a year ("2000 people", "2020%").
_COUNTED_NOUNS = frozenset((
    "%", "people", "troops", "soldiers", "workers", "residents", "cases", "deaths", "members", "units",
    "tons", "tonnes", "km", "kilometres", "kilometers", "miles", "metres", "meters", "feet",
    "students", "children", "families", "jobs", "homes", "votes", "seats", "points", "percent",
    "dollars", "euros", "barrels", "households", "refugees", "migrants", "patients", "cars",
))
#: Words right before a bare month or year that make it a date ("in 2025", "since March").
_DATE_CUES_BEFORE = frozenset((
    "in", "since", "until", "till", "by", "from", "during", "through", "throughout", "before",
    "after", "of", "between", "and", "to", "fiscal", "year", "around", "circa", "early", "late",
))

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CURRENCY_WORDS = (
    "US dollars", "U.S. dollars", "Hong Kong dollars", "Canadian dollars", "Australian dollars",
    "Swiss francs", "Kenyan shillings", "pounds sterling", "dollars", "euros", "yen", "yuan",
    "renminbi", "rupees", "roubles", "rubles", "francs", "pesos", "reais", "rand", "shillings",
    "naira", "lira", "dirhams", "riyals", "cents", "pence", "USD", "EUR", "GBP",
    "kroner", "krone", "kronor", "krona", "zloty", "zlotys", "forint", "won", "baht", "ringgit",
    "rupiah", "dong", "tenge", "lei", "dinars", "dinar", "hryvnias", "hryvnia", "shekels", "taka",
    "cedis", "dollar", "euro", "pound", "rupee", "riyal", "dirham", "soms", "som", "manat", "lari",
    "birr", "kwacha", "pula", "rials", "rial", "liras",
)

# Confidence of each kind of evidence.
_GAZETTEER_CONFIDENCE = 1.0
_BUILTIN_CONFIDENCE = 0.9
_PATTERN_CONFIDENCE = 0.9
_TITLE_CONFIDENCE = 0.85
_SAYING_CONFIDENCE = 0.8
_KEYWORD_CONFIDENCE = 0.8
_ACRONYM_DEFINED_CONFIDENCE = 0.8
_PROPAGATED_CONFIDENCE = 0.7
_AGENCY_CONFIDENCE = 0.7
_ACRONYM_CONFIDENCE = 0.6
_LONE_SAYING_CONFIDENCE = 0.6
_SENTENCE_START_CONFIDENCE = 0.6
_UNCUED_CONFIDENCE = 0.5
_LISTED_CONFIDENCE = 0.8
#: Persons at least this sure lend their names to later mentions of a surname or first name.
_PROPAGATION_THRESHOLD = 0.75

#: Which source wins an overlap: lower rank first.
_SOURCE_RANK = {"gazetteer": 0, "builtin": 1, "pattern": 2, "heuristic": 3}


class RuleRecogniser:
    """Finds entities with gazetteers, date and money patterns and capitalisation heuristics."""

    name = "builtin"

    @staticmethod
    def engine_version() -> str:
        """The rules' own version and that of the place data they read."""
        return f"4+{data_version()}"

    @property
    def version(self) -> str:
        return self.engine_version()

    def __init__(self, gazetteer: dict[str, tuple[str, ...]]) -> None:
        self._user = _PhraseMatcher(_user_phrases(gazetteer), "gazetteer", _GAZETTEER_CONFIDENCE)
        self._builtin = _PhraseMatcher(_builtin_phrases(), "builtin", _BUILTIN_CONFIDENCE)

        upper, lower = _letter_classes()
        letter = r"[^\W\d_]"
        space = r"[ \t\u00a0]+"
        word = rf"{upper}(?:{upper}?{lower}|['’]{upper}{lower}){letter}*(?:-{letter}+)*"
        initial = rf"{upper}\.(?=[ \t]+{upper})"
        connector = "|".join(sorted(_NAME_PARTICLES | _ORGANISATION_CONNECTORS))
        self._run = re.compile(
            rf"(?<![\w'’.-])(?:{word}|{initial})"
            rf"(?P<more>(?:{space}(?:(?:{connector}){space}){{0,2}}(?:{word}|{initial}))+)?"
        )
        self._token = re.compile(rf"(?<![\w'’.-])(?:{word}|{initial})|(?<!\w)(?:{connector})(?!\w)")
        self._long_word = re.compile(rf"{letter}{{4,}}")
        not_joining = "|".join(sorted(w for w in _FUNCTION_WORDS | _TITLE_WORDS if w not in _ALSO_NAMES))
        self._capitalised_after = re.compile(rf"[ \t]+(?!(?:{not_joining})(?!\w)){upper}{lower}")
        self._capitalised_before = re.compile(
            rf"(?<![\w'’.-])(?!(?:{not_joining})(?!\w)){upper}{lower}+[ \t]+\Z"
        )

        month = "(?:" + "|".join(_MONTHS) + "|(?:" + "|".join(_MONTH_ABBREVIATIONS) + r")\.?)"
        day = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
        year = r"(?:1[89]\d\d|20\d\d)"
        weekday = "(?:" + "|".join(_WEEKDAYS) + ")"
        relative = r"(?:last|next|this|past|coming|Last|Next|This)"
        period = r"(?:week|weekend|month|year|decade|century|quarter|spring|summer|autumn|fall|winter)"
        part = r"(?:early|late|mid|Early|Late|Mid)[- ]"
        count = r"(?:\d{1,3}|a few|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|\d{1,3}[ ]to[ ]\d{1,3})"
        self._date = re.compile(
            rf"""(?<![\w$€£¥₹₦₩₽-])(?:  # "£5 January 1": the 5 is money, not a day
                \d{{4}}-\d{{2}}-\d{{2}}(?![\w-])
              | \d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})(?![\w/])
              | (?:{part})?{month}[ \t\u00a0]+{day}(?:[ \t\u00a0]*(?:-|–|to|and)[ \t\u00a0]*{day})?(?:,?[ \t\u00a0]+{year})?(?!\w)
              | {day}[ \t\u00a0]+(?:of[ \t\u00a0]+)?{month}(?:,?[ \t\u00a0]+{year})?(?!\w)
              | (?:{part})?{month},?[ \t\u00a0]+{year}(?!\w)
              | (?:{part}|(?:last|next|this)[ ])(?:{month}|{year})(?!\w)
              | (?:{relative}[ ]+)?{weekday}(?!\w)
              | {relative}[ ]+{period}(?!\w)
              | (?:yesterday|today|tomorrow|Yesterday|Today|Tomorrow)(?!\w)
              | (?:(?:past|last|next|coming|previous|first|final|Past|Last|Next|First)[ ]+)?{count}[ ]+(?:days?|weeks?|months?|years?|decades?)(?:[ ]+(?:ago|earlier|later|before))?(?![\w-])
              | (?:first|second|third|fourth|First|Second|Third|Fourth)[- ]quarter(?:[ ]+of[ ]+(?:fiscal[ ]+)?{year})?(?!\w)
              | (?:first|second|First|Second)[ ]half[ ]+of[ ]+{year}(?!\w)
              | (?:end|beginning|start|middle)[ ]+of[ ]+(?:{year}|{month})(?!\w)
              | (?:1[89]|20)\d0s(?!\w)
            )""",
            re.VERBOSE,
        )
        self._bare_date = re.compile(rf"(?<![\w$€£¥₹₦₩₽-])(?:{'|'.join(_MONTHS)}|{year})(?![\w-])")
        self._next_word = re.compile(r"[ \t]*(%|[a-z]+)")

        number = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
        scale = r"(?:thousand|million|billion|trillion|crore|lakh|bn|mn|tn|m|b|k)(?!\w)"
        dollar = r"(?:US|U\.S\.|A|AU|C|CA|HK|NZ|NT|S|R)?\$"
        code = r"(?:USD|EUR|GBP|CHF|JPY|CNY|RMB|INR|KES|ZAR|NGN|Rs\.?)(?=[ \d])"
        symbol = rf"(?:{dollar}|[€£¥₹₦₩₽]|{code})"
        currency = "|".join(re.escape(name) for name in sorted(_CURRENCY_WORDS, key=len, reverse=True))
        demonym = _alternation(singular for singular, _plural in lexicon.DEMONYMS)  # "250,000 Danish kroner"
        self._money = re.compile(
            rf"""(?<![\w$€£¥₹₦₩₽.,])(?:
                {symbol}[ \u00a0]?{number}(?![\d]|,\d)(?:[ \u00a0]?{scale})?
              | {number}(?:[ \u00a0]{scale})?[ \u00a0](?:(?:{demonym})[ \u00a0])?(?:{currency})(?!\w)
              | {number}[ \u00a0]{scale}[ \u00a0]pounds(?!\w)
            )""",
            re.VERBOSE,
        )

        caps = r"[A-Z][A-Z'’.\-]*[A-Z]\.?"
        self._dateline = re.compile(
            rf"(?<![\w'’.-])(?P<place>{caps}(?:[ ]{caps}){{0,3}})"
            rf"(?:,[ \t]+[^\n(—–]{{1,40}}?)?[ \t]*(?:\((?P<agency>[A-Z][^()\n]{{1,38}})\)[ \t]*)?[—–-]"
        )
        # "ISTANBUL 1996-08-31", "FARMINGTON HILLS, Mich. 1996-08-30": a wire dateline with no dash
        self._dated_dateline = re.compile(
            rf"(?m)^(?P<place>{caps}(?:[ ]{caps}){{0,3}})(?:,[ \t]+(?P<region>[A-Z][A-Za-z]+)\.?)?[ \t]*\n?[ \t]*"
            rf"(?=\d{{4}}-\d{{2}}-\d{{2}}|{month}[ \t]+\d)"
        )
        # "NEW YORK", "NORWAY": a run of all-caps words, looked up in title case
        self._caps_run = re.compile(r"(?<![\w'’.-])[A-Z][A-Z'’\-]*[A-Z](?:\.[A-Z]\.?)?(?:[ ]+[A-Z][A-Z'’\-]*[A-Z])*(?![\w'’-])")
        # "the village of Mahala", "the island of Spitzbergen"
        self._place_of = re.compile(
            rf"(?<![\w])(?:village|town|city|island|province|region|district|port|suburb|town[ ]?ship|hamlet|enclave)"
            rf"[ \t]+of[ \t]+(?P<place>{word}(?:[ \t]+{word}){{0,2}})"
        )
        # "Mike Sullivan (Canada)", "Emilio Valle (Cuba) 13.52": a person listed with a country
        self._country_after = re.compile(r"[ \t]*\((?P<country>[A-Z][\w. ]{1,30})\)")
        self._minute_after = re.compile(r"[ \t]*\(\d{1,3}(?:st|nd|rd|th)\b")
        self._shirt_before = re.compile(r"(?:^|[\s,;(])\d{1,2}[ \t]?-[ \t]*\Z")
        self._acronym = re.compile(
            r"(?<![\w.])(?<![A-Z][ \t])(?:[A-Z]{2,6}|(?:[A-Z]\.){2,5})(?!\w)(?![ \t][A-Z]{2})"
        )
        self._roman_numeral = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
        self._parenthetical_acronym = re.compile(r"[ \t]*[(（](?P<acronym>[A-Z][A-Za-z&]{1,9})[)）]")

        saying = r"(?:said|says|told|added|stated|noted|wrote|explained|warned|argued|insisted|recalled|tweeted)"
        self._saying_after = re.compile(rf"[ \t]*,?[ \t]*{saying}(?!\w)")
        verbs = (
            "said|says|told|added|scored|won|lost|met|announced|argued|warned|wrote|led|became|joined|"
            "resigned|died|arrived|left|denied|insisted|urged|called|signed|replied|has|had|is|was|will|would"
        )
        self._verb_after = re.compile(rf"[ \t]+(?:{verbs})(?!\w)")
        self._said_after = re.compile(r"[ \t]+(?:said|says|told|added|stated|noted|wrote|warned|argued)(?!\w)")
        apposition_titles = "|".join(sorted(w for w in _TITLE_CUES_BEFORE | _APPOSITION_NOUNS if "." not in w))
        self._apposition = re.compile(
            rf",[ \t]+(?:\d{{1,3}},"  # "John Smith, 54,"
            rf"|(?:(?:a|an|the|its|his|her|their)[ \t]+)?(?:[\w-]+[ \t]+){{0,3}}?(?:{apposition_titles})(?!\w))",
            re.IGNORECASE,
        )

    def recognise(self, text: str) -> list[Span]:
        """Entities in `text`, sorted by start and never overlapping.

        The user's gazetteer, then the built-in one, then date and money patterns claim text first
        (in that order of precedence). Capitalised runs are read around those claims; the one
        exception to the precedence is a name built on a keyword, which takes in the built-in
        spans inside it ("Bank of England", "Chinese Foreign Ministry"). Last come acronyms and
        the document-level propagation of names and bracketed acronyms.
        """
        places, agencies, dateline_positions = self._datelines(text)
        teams = _table_teams(text)
        listed = [*self._user.find(text), *_not_under([*self._solitary(text, self._builtin.find(text)), *places,
                                                        *self._capitals(text), *self._places_of(text)], teams)]
        amounts = self._amounts(text)
        claimed = _resolve([*_outside(listed, amounts), *self._dates(text), *amounts, *teams], len(text))
        document = _Document(text, claimed, self._long_word)
        for run in self._run.finditer(text):
            if run.group("more") is None:
                self._analyse_word(document, run.start(), run.end())
            else:
                self._analyse_run(document, run.start(), run.end())
        found = [*_tidied(text, document.found), *agencies, *self._acronyms(text, dateline_positions)]
        kept_claims = [span for span in claimed if span not in document.absorbed]
        kept_claims = self._people_not_places(text, kept_claims, document.found)
        found += self._propagate(text, [*kept_claims, *found])
        return _resolve([*kept_claims, *found], len(text))

    def _people_not_places(self, text: str, claims: list[Span], found: list[Span]) -> list[Span]:
        """Claims less the towns that are a person's name in this text: once "George Bush" is a
        person, a later "Bush" is not the town of that name (the propagation then finds him)."""
        parts = set()
        for span in found:
            if span.label == "PERSON" and span.confidence >= _PROPAGATION_THRESHOLD:
                words = text[span.start : span.end].split()
                parts.update(words[1:] if len(words) > 1 else words)
        if not parts:
            return claims
        solitary = _solitary_places()
        kept = []
        for span in claims:
            surface = text[span.start : span.end]
            if span.label == "GPE" and span.source == "builtin" and surface in parts and surface in solitary:
                before = _words_before(text, span.start)
                if not before or before[-1].lower() not in _PLACE_PREPOSITIONS:  # "flew to Lima" stays a town
                    continue
            kept.append(span)
        return kept

    def _solitary(self, text: str, spans: list[Span]) -> list[Span]:
        """Built-in spans, less cities and regions standing next to another capitalised word:
        "Lima" in "Ana Lima", "Paris" in "Paris Olympics" are parts of longer names, left to
        the rules for names (a country keeps its claim: "Kenya Airways" is read by keyword)."""
        kept = []
        for span in spans:
            if text[span.start : span.end] in _solitary_places() and (
                self._capitalised_before.search(text, max(0, span.start - 40), span.start)
                or self._capitalised_after.match(text, span.end)
                or _has_title_cue(_words_before(text, span.start))  # "Mr Kennedy" is no town
            ):
                continue
            kept.append(span)
        return kept

    # --- patterns -------------------------------------------------------------------------------

    def _dates(self, text: str) -> list[Span]:
        spans = [_pattern_span(match, "DATE") for match in self._date.finditer(text)]
        for match in self._bare_date.finditer(text):
            before = _words_before(text, match.start())
            if not before or before[-1].lower() not in _DATE_CUES_BEFORE:
                continue
            following = self._next_word.match(text, match.end())
            if match.group()[0].isdigit() and following and following.group(1) in _COUNTED_NOUNS:
                continue
            spans.append(_pattern_span(match, "DATE"))
        return spans

    def _amounts(self, text: str) -> list[Span]:
        return [_pattern_span(match, "MONEY") for match in self._money.finditer(text)]

    def _datelines(self, text: str) -> tuple[list[Span], list[Span], set[int]]:
        """Known cities in all-caps datelines, the wire agency in brackets, and where the caps are."""
        places: list[Span] = []
        agencies: list[Span] = []
        positions: set[int] = set()
        for match in self._dateline.finditer(text):
            start, end = match.span("place")
            positions.update(range(start, end))
            label = self._builtin.labels.get(match.group("place").title())
            if label == "GPE":
                places.append(Span(start, end, "GPE", "builtin", _BUILTIN_CONFIDENCE))
            if match.group("agency"):
                agency_start, agency_end = match.span("agency")
                agencies.append(Span(agency_start, agency_end, "ORG", "heuristic", _AGENCY_CONFIDENCE))
        for match in self._dated_dateline.finditer(text):
            start, end = match.span("place")
            positions.update(range(start, end))
            known = self._builtin.labels.get(match.group("place").title()) == "GPE"
            places.append(Span(start, end, "GPE", "builtin" if known else "heuristic",
                               _BUILTIN_CONFIDENCE if known else _AGENCY_CONFIDENCE))
            if match.group("region") and self._builtin.labels.get(match.group("region")) == "GPE":
                places.append(Span(*match.span("region"), "GPE", "builtin", _BUILTIN_CONFIDENCE))
        return places, agencies, positions

    def _capitals(self, text: str) -> list[Span]:
        """Known names written in capitals, as in headlines and datelines: "NEW YORK", "NORWAY"
        (the longest known name from each word on; a lone word of two or three letters only
        as written, so "US" is the country and "IT" nothing)."""
        spans: list[Span] = []
        labels = self._builtin.labels
        for run in self._caps_run.finditer(text):
            words = list(re.finditer(r"\S+", run.group()))
            index = 0
            while index < len(words):
                for last in range(min(len(words), index + 4) - 1, index - 1, -1):
                    start, end = run.start() + words[index].start(), run.start() + words[last].end()
                    phrase = text[start:end]
                    label = labels.get(phrase)
                    if label is None and (last > index or end - start >= 4):
                        label = labels.get(phrase.title())
                    if label is not None and label != "FAC":
                        spans.append(Span(start, end, label, "builtin", _BUILTIN_CONFIDENCE))
                        index = last
                        break
                index += 1
        return spans

    def _places_of(self, text: str) -> list[Span]:
        """"the village of Mahala", "the island of Spitzbergen": a place named after its kind."""
        return [Span(*match.span("place"), "GPE", "heuristic", _KEYWORD_CONFIDENCE)
                for match in self._place_of.finditer(text)]

    # --- capitalised runs -----------------------------------------------------------------------

    def _analyse_word(self, document: _Document, start: int, end: int) -> None:
        """A lone capitalised word is a person only right after a title ("Mr. Meng", "spokesperson Mao")."""
        text = document.text
        if not _could_be_name(text[start:end]) or document.claims_between(start, end):
            return
        if _has_title_cue(_words_before(text, start)):
            if not document.is_in_title_case_line(start):  # "Envoy Presses Israel" is a headline
                document.found.append(Span(start, end, "PERSON", "heuristic", _TITLE_CONFIDENCE))
        elif (
            end - start >= 3
            and not text[start:end].isupper()
            and self._said_after.match(text, end)
            and (document.is_sentence_start(start) or text[max(0, start - 3) : start].rstrip().endswith(("\"", "”", "’")))
        ):
            # "Okafor said", '..., " Wiśniewska said': a surname standing for its person
            document.found.append(Span(start, end, "PERSON", "heuristic", _LONE_SAYING_CONFIDENCE))

    def _analyse_run(self, document: _Document, run_start: int, run_end: int) -> None:
        """A run of two or more capitalised words, possibly joined by connectors."""
        text = document.text
        tokens = text[run_start:run_end].split()
        leading = 0  # leading function words and connectors ("In the ...") are dropped
        while leading < len(tokens) and tokens[leading] in _NEVER_FIRST:
            leading += 1
        if len(tokens) - leading < 2:
            return
        claims = document.claims_between(run_start, run_end)
        if claims and claims[0].start <= run_start and run_end <= claims[0].end:
            return
        words = [
            _Word(m.start(), m.end(), m.group(), _overlapping(claims, m.start(), m.end()) if claims else None)
            for m in self._token.finditer(text, run_start, run_end)
        ][leading:]
        before = _words_before(text, run_start)
        previous = before[-1].lower() if before else ""
        byline = text.startswith("By ", run_start) and document.is_sentence_start(run_start)
        context = _RunContext(
            run_start=run_start,
            run_end=run_end,
            first_start=words[0].start,
            first_barred=leading > 0 or previous in _NO_NAME_AFTER,
            introduced=byline or previous in _SAYING_CUES_BEFORE or " ".join(before).lower() in _SAYING_CUES_BEFORE,
        )
        stretch: list[_Word] = []
        title_active = _has_title_cue(before)
        for word in [*words, None]:
            if word is not None and (word.claim is None or word.claim.source == "builtin"):
                stretch.append(word)
                continue
            if stretch:
                self._analyse_stretch(document, stretch, context, title_active)
            stretch, title_active = [], False

    def _analyse_stretch(
        self, document: _Document, words: list[_Word], context: _RunContext, title_active: bool
    ) -> None:
        """Organisations (and places, facilities, events) by keyword, then people, left to right."""
        keyword = next((i for i, w in enumerate(words) if w.claim is None and w.text in _KEYWORD_LABELS), None)
        if keyword is None:
            self._people(document, words, context, title_active)
            return
        first, last, label = _keyword_extent(words, keyword)
        if sum(w.text not in _ORGANISATION_CONNECTORS for w in words[first : last + 1]) < 2:
            self._people(document, words[:keyword], context, title_active)
            self._analyse_stretch(document, words[keyword + 1 :], context, False)
            return
        start, end = words[first].start, words[last].end
        if words[last].text in _ABBREVIATED_KEYWORDS and document.text.startswith(".", end):
            end += 1
        document.found.append(Span(start, end, label, "heuristic", _KEYWORD_CONFIDENCE))
        for word in words[first : last + 1]:
            if word.claim is not None and start <= word.claim.start and word.claim.end <= end:
                document.absorbed.add(word.claim)
        title_waiting = self._people(document, words[:first], context, title_active)
        if last + 1 < len(words):
            self._analyse_stretch(document, words[last + 1 :], context, title_waiting)

    def _people(self, document: _Document, words: list[_Word], context: _RunContext, title_active: bool) -> bool:
        """Add the people named in `words`; return whether a title is still waiting for its name."""
        for segment in _name_segments(words):
            titles = [i for i, word in enumerate(segment) if word.text in _TITLE_WORDS]
            if titles:
                title_active = True
                segment = segment[titles[-1] + 1 :]
            if title_active:
                while segment and segment[0].text in _TITLE_QUALIFIERS:
                    segment = segment[1:]
            name = _strip_particles(segment)
            if not name:
                continue
            size = sum(word.text not in _NAME_PARTICLES for word in name)
            if title_active:
                title_active = False
                # in a headline, a lone word after a title is as likely a verb ("Envoy Presses")
                if size <= 4 and not (size == 1 and document.is_in_title_case_line(name[0].start)):
                    document.found.append(_person(name, _TITLE_CONFIDENCE))
                continue
            confidence = self._uncued_person_confidence(document, name, size, context)
            if confidence is not None:
                document.found.append(_person(name, confidence))
        return title_active

    def _uncued_person_confidence(
        self, document: _Document, name: list[_Word], size: int, context: _RunContext
    ) -> float | None:
        """How sure a run of 2-3 capitalised words with no title is a person, or None to skip it."""
        if not 2 <= size <= 3 or any(not _could_be_name(word.text) for word in name):
            return None
        end = name[-1].end
        if end == context.run_end and (
            self._saying_after.match(document.text, end) or self._apposition.match(document.text, end)
        ):
            return _SAYING_CONFIDENCE
        if context.introduced:
            return _SAYING_CONFIDENCE
        listed_with = self._country_after.match(document.text, end)
        if listed_with and self._builtin.labels.get(listed_with.group("country")) in ("GPE", "LOC"):
            return _LISTED_CONFIDENCE  # "Emilio Valle (Cuba) 13.52"
        if self._minute_after.match(document.text, end) or self._shirt_before.search(
            document.text, max(0, name[0].start - 6), name[0].start
        ):
            return _LISTED_CONFIDENCE  # a line-up's "9 - Ana Lima", a scorer's "Ana Lima (53rd)"
        if len(name[0].text) == 2 and name[0].text.endswith(".") and size == 2:
            return _LISTED_CONFIDENCE  # "D. Lehmann": an initial and a surname
        if name[0].start == context.first_start and (
            context.first_barred or document.is_sentence_start(context.run_start)
        ):
            # a sentence that opens with a name and a verb: "Marcus Rashford scored twice"
            if (
                not context.first_barred
                and end == context.run_end
                and not document.is_in_title_case_line(context.run_start)
                and self._verb_after.match(document.text, end)
            ):
                return _SENTENCE_START_CONFIDENCE
            return None
        if document.is_in_title_case_line(context.run_start):
            return None
        return _UNCUED_CONFIDENCE

    # --- acronyms and document-level propagation ------------------------------------------------

    def _acronyms(self, text: str, skipped_positions: set[int]) -> list[Span]:
        spans = []
        for match in self._acronym.finditer(text):
            letters = match.group().replace(".", "")
            if letters in _ACRONYM_STOPLIST or self._roman_numeral.fullmatch(letters):
                continue
            if match.start() in skipped_positions:
                continue
            if len(letters) >= 4 and self._builtin.labels.get(letters.title()) == "GPE":
                spans.append(Span(match.start(), match.end(), "GPE", "builtin", _BUILTIN_CONFIDENCE))  # "LONDON/SINGAPORE"
                continue
            spans.append(Span(match.start(), match.end(), "ORG", "heuristic", _ACRONYM_CONFIDENCE))
        return spans

    def _propagate(self, text: str, spans: Iterable[Span]) -> list[Span]:
        """Other mentions of confident people's name parts, and of acronyms defined in brackets."""
        name_parts: dict[str, str] = {}
        acronyms: dict[str, str] = {}
        lower_words: set[str] | None = None
        for span in spans:
            confident = span.source == "gazetteer" or span.confidence >= _PROPAGATION_THRESHOLD
            if span.label == "PERSON" and confident:
                for part in text[span.start : span.end].split():
                    if len(part) > 1 and part[0].isupper() and "." not in part and _could_be_name(part):
                        name_parts[part] = "PERSON"
            elif span.label == "PERSON" and span.source == "heuristic":
                # a surname alone after the full name: "Ana Lima ... Lima said" (the given name is
                # left: a lone "Ana" is less surely her)
                # (and not "Lumo" from a headline's "Shopping Platform Lumo": a name has no word the
                # text also writes in lower case)
                parts = text[span.start : span.end].split()
                if 2 <= len(parts) <= 3 and len(parts[-1]) > 2 and "." not in parts[-1] and _could_be_name(parts[-1]):
                    if lower_words is None:
                        lower_words = set(_LOWER_WORD.findall(text))
                    if not any(part.lower() in lower_words for part in parts):
                        name_parts.setdefault(parts[-1], "PERSON")
            elif span.label in ("ORG", "GPE", "LOC", "FAC", "EVENT"):
                defined = self._parenthetical_acronym.match(text, span.end)
                if defined and _abbreviates(defined.group("acronym"), text[span.start : span.end]):
                    acronyms[defined.group("acronym")] = span.label
                if span.label == "ORG":
                    head = _company_head(text[span.start : span.end])
                    if head and head not in self._builtin.labels:
                        acronyms.setdefault(head, "ORG")  # "Northgate Minerals Corp." ... "Northgate"
        return [
            *_PhraseMatcher(name_parts, "heuristic", _PROPAGATED_CONFIDENCE).find(text),
            *_PhraseMatcher(acronyms, "heuristic", _ACRONYM_DEFINED_CONFIDENCE).find(text),
        ]


class _PhraseMatcher:
    """Exact, case-sensitive, whole-word matches of many phrases with one regex, longest first."""

    def __init__(self, labels: dict[str, str], source: str, confidence: float) -> None:
        self.labels = labels
        self._source = source
        self._confidence = confidence
        # No look-behind at the front, so the regex engine can skip to possible first characters;
        # the left word boundary is checked in `find`.
        self._regex = re.compile(rf"{_alternation(labels)}(?![\w$])") if labels else None

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        if self._regex is None:
            return spans
        position = 0
        while (match := self._regex.search(text, position)) is not None:
            start, end = match.span()
            if start > 0 and _is_word_character(text[start - 1]):
                position = start + 1
                continue
            spans.append(Span(start, end, self.labels[match.group()], self._source, self._confidence))
            position = end
        return spans


class _Word(NamedTuple):
    """A capitalised word or a lower-case connector inside a run, and the claimed span over it."""

    start: int
    end: int
    text: str
    claim: Span | None


class _RunContext(NamedTuple):
    """What is known about a capitalised run's surroundings."""

    run_start: int
    run_end: int
    #: Where the first word left after dropping leading function words starts.
    first_start: int
    #: The first name cannot be taken without a cue: after "The", "the", "at" and the like.
    first_barred: bool
    #: Introduced by "said", "according to", a byline's "By" and the like.
    introduced: bool


class _Document:
    """One text under analysis: the spans already claimed, the spans found, and context look-ups."""

    def __init__(self, text: str, claimed: list[Span], long_word: re.Pattern[str]) -> None:
        self.text = text
        self.found: list[Span] = []
        self.absorbed: set[Span] = set()
        self._claimed = claimed
        self._claimed_starts = [span.start for span in claimed]
        self._line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self._long_word = long_word
        self._title_case_lines: dict[int, bool] = {}

    def claims_between(self, start: int, end: int) -> list[Span]:
        """The claimed spans overlapping `[start, end)`, in order (claimed spans never overlap)."""
        index = bisect.bisect_left(self._claimed_starts, end) - 1
        overlapping = []
        while index >= 0 and self._claimed[index].end > start:
            overlapping.append(self._claimed[index])
            index -= 1
        return overlapping[::-1]

    def is_sentence_start(self, position: int) -> bool:
        """Whether `position` opens a sentence, a line, or a part after a separator like "|" or "—"."""
        window = self.text[max(0, position - 12) : position]
        head = window.rstrip(" \t\r\n\u00a0\"'“‘«([")
        if "\n" in window[len(head) :] or (not head and position == len(window)):
            return True
        if not head:
            return False
        if head[-1] in ".!?":
            previous = head.split()[-1].lower()
            is_initial = len(previous) == 2 and previous[0].isalpha()
            return previous not in _ABBREVIATIONS and not is_initial
        return head[-1] in ":;|•—–]>*#" or head.endswith(" -")

    def is_in_title_case_line(self, position: int) -> bool:
        """Whether the line holding `position` looks like a headline or a navigation bar."""
        line = bisect.bisect_right(self._line_starts, position) - 1
        if line not in self._title_case_lines:
            end = self._line_starts[line + 1] if line + 1 < len(self._line_starts) else len(self.text)
            words = self._long_word.findall(self.text, self._line_starts[line], end)
            capitalised = sum(word[0].isupper() for word in words)
            self._title_case_lines[line] = 3 <= len(words) <= 20 and capitalised >= 0.7 * len(words)
        return self._title_case_lines[line]


_NAME_SUFFIX = re.compile(r",?[ \t]+(?:Jr\.|Sr\.|Jr|Sr|II|III|IV)(?![\w])")
_DESCRIBED_BY = re.compile(r"[\w.'’]+-(?:based|owned|led|backed|born|run|listed|headquartered|controlled)[ \t]+")


def _tidied(text: str, spans: list[Span]) -> list[Span]:
    """People with their "Jr." or "III"; names without a "Vancouver-based" in front."""
    tidied = []
    for span in spans:
        start, end = span.start, span.end
        described = _DESCRIBED_BY.match(text, start, end)
        if described:
            start = described.end()
        if span.label == "PERSON":
            suffix = _NAME_SUFFIX.match(text, end)
            if suffix:
                end = suffix.end()
        tidied.append(span if (start, end) == (span.start, span.end) else Span(start, end, span.label, span.source, span.confidence))
    return [span for span in tidied if span.end > span.start]


#: Words ending a company's name that news drops after the first mention.
_COMPANY_TAILS = frozenset((
    "Corp", "Corp.", "Corporation", "Inc", "Inc.", "Ltd", "Ltd.", "Co", "Co.", "Plc", "PLC", "plc",
    "Group", "Holdings", "Holding", "AG", "GmbH", "LLC", "SA", "NV", "Limited", "Minerals", "Mining",
    "Resources", "Motors", "Motor", "Pharmaceutical", "Pharmaceuticals", "Airlines", "Airways",
    "Capital", "Partners", "Securities", "Technologies", "Electronics", "Industries", "Energy", "Platforms",
))


def _company_head(name: str) -> str | None:
    """The short name of a company's full name ("Northgate Minerals Corp." -> "Northgate"), or
    None when it has no company ending or the rest is not a plain capitalised name."""
    words = name.split()
    cut = len(words)
    while cut > 0 and words[cut - 1] in _COMPANY_TAILS:
        cut -= 1
    head = words[:cut]
    if cut == len(words) or not 1 <= len(head) <= 2:
        return None
    if any(not word[:1].isupper() or not _could_be_name(word) for word in head):
        return None
    return " ".join(head)


def _outside(spans: list[Span], containers: list[Span]) -> list[Span]:
    """`spans` less those inside one of `containers` ("Danish" in "250,000 Danish kroner")."""
    if not containers:
        return spans
    ordered = sorted(containers, key=lambda span: span.start)
    starts = [span.start for span in ordered]
    kept = []
    for span in spans:
        index = bisect.bisect_right(starts, span.start) - 1
        if index >= 0 and ordered[index].end >= span.end:
            continue
        kept.append(span)
    return kept


def _overlapping(spans: list[Span], start: int, end: int) -> Span | None:
    return next((span for span in spans if span.start < end and start < span.end), None)


def _keyword_extent(words: list[_Word], keyword: int) -> tuple[int, int, str]:
    """First and last word of the name built around `words[keyword]`, and its label.

    The name runs on to later keywords ("Department of Health and Human Services") and through an
    "of"/"for" complement ("Bank of England", "Ministry of Foreign Affairs and Trade"), but stops
    before a title or an "and" that introduces a person ("Bank of England Governor Andrew Bailey",
    "University of Warsaw and Nguyễn Văn An"); it starts after any title and "of the" before it
    ("President of the European Commission").
    """

    def introduces_person(index: int) -> bool:
        return (
            words[index].text in _TITLE_WORDS
            and index + 1 < len(words)
            and words[index + 1].text not in _ORGANISATION_CONNECTORS
        )

    def ends_name(index: int) -> bool:
        """A title introducing a person, or an "and" starting another name (not "... and Development")."""
        if words[index].text != "and":
            return introduces_person(index)
        following = words[index + 1].text if index + 1 < len(words) else ""
        return following not in _TITLE_QUALIFIERS and following not in _NOT_NAME_WORDS

    last = keyword
    index = keyword + 1
    while index < len(words) and not ends_name(index):
        if words[index].claim is None and words[index].text in _KEYWORD_LABELS:
            last = index
        index += 1
    label = _KEYWORD_LABELS[words[last].text]
    if last + 1 < len(words) and words[last + 1].text in ("of", "for", "on"):
        index = last + 1
        while index < len(words) and not ends_name(index):
            if words[index].text not in _ORGANISATION_CONNECTORS:
                last = index
            index += 1
    first = 0
    for index in range(keyword):
        if words[index].text in _TITLE_WORDS or words[index].text in ("of", "for", "the", "on"):
            first = index + 1
    while first < keyword and words[first].text in _ORGANISATION_CONNECTORS:
        first += 1
    return first, last, label


def _name_segments(words: list[_Word]) -> list[list[_Word]]:
    """Split words at anything a personal name cannot contain: connectors, claimed or keyword words."""
    segments: list[list[_Word]] = [[]]
    for word in words:
        if (
            word.claim is not None
            or word.text in _ORGANISATION_CONNECTORS
            or (word.text in _FUNCTION_WORDS and word.text not in _ALSO_NAMES)
            or word.text in _KEYWORD_LABELS
        ):
            segments.append([])
        else:
            segments[-1].append(word)
    return [segment for segment in segments if segment]


def _strip_particles(words: list[_Word]) -> list[_Word]:
    start, end = 0, len(words)
    while start < end and words[start].text in _NAME_PARTICLES:
        start += 1
    while end > start and words[end - 1].text in _NAME_PARTICLES:
        end -= 1
    return words[start:end]


def _alternation(phrases: Iterable[str]) -> str:
    """A regex matching any of `phrases`, longest first, factored into a trie so it stays fast.

    {"Sudan", "South Sudan", "South Africa"} gives "(?:S(?:outh\\ (?:Africa|Sudan)|udan))".
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for character in phrase:
            node = node.setdefault(character, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = f"(?:{'|'.join(branches)})" if len(branches) > 1 else branches[0]
        return f"(?:{body})?" if "" in node else body

    return f"(?:{pattern(trie)})"


def _pattern_span(match: re.Match[str], label: str) -> Span:
    return Span(match.start(), match.end(), label, "pattern", _PATTERN_CONFIDENCE)


def _person(name: list[_Word], confidence: float) -> Span:
    return Span(name[0].start, name[-1].end, "PERSON", "heuristic", confidence)


def _abbreviates(acronym: str, name: str) -> bool:
    """Whether `acronym` plausibly stands for `name`: two capitals or more, the first an initial of it."""
    initials = {word[0] for word in name.split()}
    return sum(character.isupper() for character in acronym) >= 2 and acronym[0] in initials


def _could_be_name(word: str) -> bool:
    return not (
        (word in _FUNCTION_WORDS and word not in _ALSO_NAMES)
        or word in _NOT_NAME_WORDS
        or word in _TITLE_WORDS
        or word in _TITLE_QUALIFIERS
        or word in _KEYWORD_LABELS
    )


def _has_title_cue(before: list[str]) -> bool:
    return bool(before) and (
        before[-1].lower() in _TITLE_CUES_BEFORE or " ".join(before[-2:]).lower() in _TITLE_CUES_BEFORE
    )


def _words_before(text: str, position: int) -> list[str]:
    """Up to two words right before `position`, nearest last, without opening brackets or quotes.

    None if punctuation sits in between: "spokesperson, Mao" has no word right before "Mao".
    """
    window = text[max(0, position - 40) : position]
    if not window or not window[-1].isspace():
        return []
    return [word.lstrip("([“\"'‘«") for word in window.split()[-2:]]


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def _resolve(candidates: Iterable[Span], text_length: int) -> list[Span]:
    """Drop overlaps: a better source wins, then the longer span, then the surer, then the earlier."""
    taken = bytearray(text_length)
    kept: list[Span] = []
    ranked = sorted(
        candidates, key=lambda s: (_SOURCE_RANK[s.source], s.start - s.end, -s.confidence, s.start)
    )
    for span in ranked:
        if span.end <= span.start or taken.find(1, span.start, span.end) != -1:
            continue
        taken[span.start : span.end] = b"\x01" * (span.end - span.start)
        kept.append(span)
    return sorted(kept, key=lambda s: s.start)


_TEAM_NAME = re.compile(r"[A-Z][\w'’.\-]*(?:[ ](?:[A-Z][\w'’.\-]*|de|del|of|and))*")
_SCORE_LINE = re.compile(r"[ \t]*(?P<a>[^\d\n]+?)[ \t]+\d{1,3}[ \t]+(?P<b>[^\d\n(]+?)[ \t]*\d{1,3}(?:[ \t]*\([^\n]*\))?[ \t]*")
_STANDINGS_LINE = re.compile(r"[ \t]*(?P<a>[^\d\n]+?)(?P<figures>(?:[ \t]+(?:\d+|\d*\.\d+|-|\d+/\d+))+)[ \t]*")
_FIXTURE_LINE = re.compile(r"[ \t]*(?P<a>[^\n]+?)[ \t]+(?:v|vs\.?|AT|at)[ \t]+(?P<b>[^\n]+?)[ \t]*")
_TEAM_CONFIDENCE = 0.8
_PLACE_PREPOSITIONS = frozenset(("in", "to", "from", "at", "near", "outside", "into", "across", "via", "of"))
_LOWER_WORD = re.compile(r"(?<![\w'’\-])[a-z][a-z'’\-]+")


def _table_teams(text: str) -> list[Span]:
    """Teams in the rows of results tables: "Reading 2 Stoke 2", a league table's "Norwich 4 3 0 1 5
    3 9", a fixture list's "Hull v Barnet" or "BOSTON AT OAKLAND". A club named after its town is an
    organisation there, whatever a place list says. A row's shape decides, not the names: golf's
    "Ann Lee 72 76 74 69" (four rounds) is no league table."""
    spans: list[Span] = []
    position = 0
    for line in text.splitlines(keepends=True):
        start, end = position, position + len(line.rstrip("\r\n"))
        position += len(line)
        if end - start > 90 or not line[:1].isupper():
            continue
        teams: list[tuple[int, int]] = []
        for pattern in (_SCORE_LINE, _FIXTURE_LINE):
            match = pattern.fullmatch(text, start, end)
            if match:
                teams = [match.span("a"), match.span("b")]
                break
        else:
            match = _STANDINGS_LINE.fullmatch(text, start, end)
            if match:
                figures = match.group("figures").split()
                if len(figures) >= 5 or any(figure.startswith(".") for figure in figures):
                    teams = [match.span("a")]
        if teams and all(_TEAM_NAME.fullmatch(text, a, b) and b - a <= 40 and text[a:b].count(" ") <= 3 for a, b in teams):
            spans.extend(Span(a, b, "ORG", "pattern", _TEAM_CONFIDENCE) for a, b in teams)
    return spans


def _not_under(spans: list[Span], covers: list[Span]) -> list[Span]:
    """`spans` less those overlapping one of `covers`."""
    if not covers:
        return spans
    return [span for span in spans if _overlapping(covers, span.start, span.end) is None]


def _user_phrases(gazetteer: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Phrase -> label from the user's configuration; the first label listed for a phrase wins."""
    labels: dict[str, str] = {}
    for label, phrases in gazetteer.items():
        if label not in LABELS:
            raise ValueError(f"unknown entity label {label!r} in gazetteer; expected one of {', '.join(LABELS)}")
        for phrase in (phrases,) if isinstance(phrases, str) else phrases:  # a lone string is one phrase
            if phrase.strip():
                labels.setdefault(phrase.strip(), label)
    return labels


@functools.cache
def _solitary_places() -> frozenset[str]:
    """Built-in GPE names that are not countries: taken only when they stand alone."""
    countries = {*_COUNTRIES, *_COUNTRY_ALIASES, *lexicon.COUNTRY_ALIASES}
    return frozenset(name for name in (*place_names(), *_CITIES, *_US_STATES) if name not in countries)


@functools.cache
def _builtin_phrases() -> dict[str, str]:
    labels: dict[str, str] = {}
    demonyms = [form for pair in (*lexicon.DEMONYMS, *lexicon.RELIGIOUS_POLITICAL) for form in pair if form]
    groups: tuple[tuple[str, Iterable[str]], ...] = (
        ("GPE", (*_COUNTRIES, *_COUNTRY_ALIASES, *lexicon.COUNTRY_ALIASES, *_CITIES, *_US_STATES)),
        ("ORG", (*_ORGANISATIONS, *lexicon.ORGANISATIONS)),
        ("LOC", (*_REGIONS, *lexicon.LOCATIONS)),
        ("NORP", (*_NATIONALITIES, *_NATIONALITIES_WITH_PLURAL, *(n + "s" for n in _NATIONALITIES_WITH_PLURAL), *demonyms)),
        ("EVENT", (*_EVENTS, *lexicon.EVENTS)),
        ("FAC", lexicon.FACILITIES),
        ("GPE", sorted(place_names())),
    )
    for label, phrases in groups:
        for phrase in phrases:
            labels.setdefault(phrase, label)
    return labels


@functools.cache
def _letter_classes() -> tuple[str, str]:
    """Regex classes of upper- and lower-case letters (Latin, Greek, Cyrillic, Vietnamese...)."""
    characters = [chr(code) for code in range(0x2000)]
    upper = "".join(c for c in characters if c.isupper())
    lower = "".join(c for c in characters if c.islower())
    return f"[{re.escape(upper)}]", f"[{re.escape(lower)}]"
