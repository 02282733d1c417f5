"""Text-quote selectors: the quote and its context that let an annotation be found again.

It only reads text; it never changes stored text or offsets.
"""

from __future__ import annotations

#: Characters of context stored on each side of an annotation's quote.
CONTEXT_CHARS = 32


def selector_for(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """`(quote, prefix, suffix)` for the span `[start, end)` of `text`."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span [{start}, {end}) is outside a text of length {len(text)}")
    return text[start:end], text[max(0, start - context) : start], text[end : end + context]


def quote_matches(text: str, start: int, end: int, quote: str) -> bool:
    """Whether `quote` is exactly what the text holds at `[start, end)`."""
    return 0 <= start <= end <= len(text) and text[start:end] == quote
