"""The one normalisation of an article's text, one-line metadata values, title shortening, and
mojibake repair (ftfy) for what `reader import` reads.

It never changes a character a reader could rely on beyond what each function says; offsets of
annotations are code points into `normalise_text`'s output.
"""

from __future__ import annotations

import re

#: Longest title kept; longer ones are cut at a word boundary and end with "…".
TITLE_LIMIT = 200
#: Longest title made of a text's opening words (when it has no headline line).
OPENING_WORDS_LIMIT = 80

_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_OSC = re.compile(r"\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)")
# C0 except \t and \n (ESC included), DEL, C1 (U+0085 included), and lone surrogates, which
# cannot be encoded as UTF-8 and only ever come from JSON escapes such as "\ud800".
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]+")
_LEADING_BLANK_LINES = re.compile(r"\A[\s\ufeff]*\n")


def normalise_text(raw: str) -> str:
    """The stored form of an article's text; annotation offsets are code points into it.

    Line endings become LF; terminal escape sequences and control characters go; leading blank
    lines, a leading BOM and trailing whitespace go. Everything else is kept exactly.
    Idempotent: `normalise_text(normalise_text(x)) == normalise_text(x)`.
    """
    if raw.isprintable():  # (the common case, at C speed: none of what follows applies)
        return raw.rstrip()
    if raw.replace("\n", "").isprintable():
        return _LEADING_BLANK_LINES.sub("", raw).rstrip()
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text:
        text = _OSC.sub("", _CSI.sub("", text))
    text = _CONTROLS.sub("", text)
    text = _LEADING_BLANK_LINES.sub("", text).lstrip("\ufeff")
    return text.rstrip()


def single_line(raw: str) -> str:
    """`raw` normalised, with every run of whitespace (line breaks included) made one space."""
    return " ".join(normalise_text(raw).split())


def optional(raw: str | None) -> str | None:
    """A metadata value on one line, or None when absent or blank."""
    if raw is None:
        return None
    return single_line(raw) or None


def shorten(title: str, limit: int = TITLE_LIMIT) -> str:
    """`title` cut to at most `limit` characters at a word boundary, ending with "…" if cut."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    boundary = cut.rfind(" ")
    if boundary > 0:
        cut = cut[:boundary]
    return cut.rstrip(" ,;:-–—") + "…"


def opening_words(text: str, limit: int = OPENING_WORDS_LIMIT) -> str:
    """The opening words of `text` on one line, as a title: its first sentence when that is
    short enough, else cut at a word before `limit` characters and ended with "…"."""
    line = single_line(text[: limit * 4])
    # a sentence ends at . ! ? before a capital or the end: not at "U.S. agency" or "No. 5"
    sentence = re.match(r".{12,}?[.!?](?=\s+[A-Z\"“‘(]|$)", line[: limit + 1])
    if sentence:
        return sentence.group(0)
    return shorten(line, limit)


def _mojibake_fixer(entities: bool):  # imported on first use: ftfy costs a tenth of a second
    import ftfy

    # Only what repairs text decoded with the wrong encoding ("Â£" -> "£", "â€™" -> "’") and, in
    # text that is not HTML, entities left by a scraper ("&#163;" -> "£"; ftfy's "auto": only
    # in a text without "<"): quotes, ligatures, widths and line breaks stay as written.
    config = ftfy.TextFixerConfig(
        unescape_html="auto" if entities else False, remove_terminal_escapes=False, fix_latin_ligatures=False,
        fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
        remove_control_chars=False, normalization=None, explain=False,
    )
    return lambda text: ftfy.fix_text(text, config=config)


_FIXERS: dict[bool, object] = {}
#: Characters that mojibake of UTF-8 read as cp1252/latin-1 always contains; text without any
#: of them (or, for `entities`, an "&") is left alone without asking ftfy.
_MOJIBAKE_MARKS = re.compile("[\u00c2\u00c3\u00c5\u00e2\u00ef\u00f0\u00ce\u00cf\u00d0\u00d1\u00d8\u00d9\u00e0-\u00ef]")
_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def repair_mojibake(text: str, entities: bool = False) -> str:
    """`text` with mojibake repaired by ftfy ("Â£5m" -> "£5m", "itâ€™s" -> "it’s", "CafÃ©" ->
    "Café") and, when `entities`, HTML entities a scraper left in plain text ("&#163;" -> "£");
    text that needs neither is returned unchanged (the same object)."""
    if not text or not (_MOJIBAKE_MARKS.search(text) or (entities and _ENTITY.search(text))):
        return text
    if not (entities and "&" in text) and _left_alone(text):
        return text
    fixer = _FIXERS.get(entities)
    if fixer is None:
        fixer = _FIXERS[entities] = _mojibake_fixer(entities)
    fixed = fixer(text)  # type: ignore[operator]
    return text if fixed == text else fixed


#: The longest match of ftfy's mojibake detector (`ftfy.badness.BADNESS_RE`): "ГўВЂВ.x".
_BADNESS_REACH = 8
_BADNESS: list[object] = []
_C1_OR_SURROGATE = re.compile("[\x80-\x9f\ud800-\udfff]")


def _badness_marks() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], int]:
    """ftfy's detector (matching where each line starts, as ftfy runs it line by line), two sets
    of characters each of which every match of it holds at least one of (see `_left_alone`), and
    the longest line ftfy does not cut."""
    if not _BADNESS:
        import ftfy
        import ftfy.badness

        category = ftfy.badness.MOJIBAKE_CATEGORIES
        # Each alternative of the detector needs a character of these (its c1, bad, currency,
        # numeric, law, box or upper_accented position, or a literal of its own)...
        shared = "".join(category[name] for name in ("c1", "bad", "upper_accented", "currency", "numeric", "law", "box"))
        shared += "\u0152\u0153\u0392\u0393\u039e\u039f\u0412\u0413\u0420\u0421\u0402\u00b0"  # ŒœΒΓΞΟВГРСЂ°
        # ...and, for the few of two positions that are not, either of these: quotation marks
        # and the like ("”é", "é“x"), or lower-case accented letters.
        punctuation = category["start_punctuation"] + category["end_punctuation"]
        pattern = ftfy.badness.BADNESS_RE
        _BADNESS.extend([
            re.compile(pattern.pattern, pattern.flags | re.MULTILINE),
            re.compile(f"[{shared}{punctuation}]"),
            re.compile(f"[{shared}{category['lower_accented']}]"),
            ftfy.TextFixerConfig().max_decode_length,
        ])
    return tuple(_BADNESS)  # type: ignore[return-value]


def _left_alone(text: str) -> bool:
    """True when ftfy (as configured above, without entities) would return `text` unchanged,
    told without running it: its mojibake detector finds nothing in any line, and there are no
    C1 controls or lone surrogates (its other fixes). Accented letters send most news texts to
    the detector, which ftfy runs at every position of every line; here it runs only around the
    characters that any of its matches must hold (of two sets of them, the one the text has
    fewer of). False when unsure; never True when ftfy would change the text."""
    detector, with_punctuation, with_accents, longest_line = _badness_marks()
    if len(text) > longest_line or _C1_OR_SURROGATE.search(text):  # (ftfy cuts longer lines)
        return False
    marks = min((list(pattern.finditer(text)) for pattern in (with_punctuation, with_accents)), key=len)
    start = end = -1  # the stretch around the marks met so far, not yet searched
    for mark in marks:
        position = mark.start()
        if position - _BADNESS_REACH > end:
            if end >= 0 and detector.search(text, start, end):
                return False
            start = max(0, position - _BADNESS_REACH)
        end = position + _BADNESS_REACH + 1
    return end < 0 or not detector.search(text, start, end)
