"""An optional recogniser backed by a spaCy pipeline (`pip install "newsreader-tui[spacy]"`).

spaCy is imported only when a `SpacyRecogniser` is built, so this module can be imported (and its
errors reported) without spaCy installed. Like every recogniser it only reads the text it is given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING

from reader.core.entities.spans import LABELS, Span

if TYPE_CHECKING:
    from spacy.language import Language

#: Texts longer than this are cut into chunks (at paragraph breaks, else at sentence ends) and the
#: chunks run through the pipeline one by one; spaCy's parser and NER need about 1 GB of temporary
#: memory per 100,000 characters. A chunk is never longer than the pipeline's `max_length` either.
CHUNK_SIZE = 100_000

#: How many texts or chunks `nlp.pipe` holds in memory at once.
BATCH_SIZE = 16

#: Confidence given to every span the pipeline finds (spaCy's NER gives no per-entity score).
CONFIDENCE = 0.6

#: Components that set `doc.ents` (by their usual names in packaged pipelines) ...
_ENTITY_COMPONENTS = frozenset({"ner", "beam_ner", "entity_ruler"})
#: ... and the shared embedding layers an NER component may listen to.
_EMBEDDING_COMPONENTS = frozenset({"tok2vec", "transformer", "curated_transformer"})

_LABELS = frozenset(LABELS)
_LEADING = ("the ", "The ")
_TRAILING = ("'s", "\u2019s")
#: Where a sentence may end: terminal punctuation, closing quotes or brackets, then white space.
_SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*\s+")
_WHITESPACE = re.compile(r"\s+")


class EntityBackendError(RuntimeError):
    """The configured entity backend cannot be used; the message says what to do about it."""


class SpacyRecogniser:
    """Entities from a spaCy pipeline, restricted to `LABELS` and trimmed to reader's span convention."""

    name = "spacy"

    def __init__(self, pipeline: str | Language) -> None:
        """Use `pipeline`: a `Language` object, or the name of an installed pipeline package.

        A pipeline given by name is loaded without the components NER does not need (tagger,
        parser, lemmatizer, ...). Raises `EntityBackendError` when spaCy or the package is missing.
        """
        try:
            import spacy
        except ModuleNotFoundError as exc:
            if exc.name != "spacy":  # spaCy is there but broken: show the real problem
                raise
            raise EntityBackendError(
                'the spaCy backend needs spaCy: pip install "newsreader-tui[spacy]" (in a clone of reader: pip install ".[spacy]")'
            ) from None
        if isinstance(pipeline, str):
            self.nlp = _load(spacy, pipeline)
            fingerprint = ""
        else:
            self.nlp = pipeline
            # A pipeline built in code keeps its meta (spacy.blank's is always "pipeline-0.0.0") while
            # its components and patterns change, so its serialised form stands in for a version.
            fingerprint = "+" + hashlib.sha256(pipeline.to_bytes(exclude=["vocab"])).hexdigest()[:12]
        meta = self.nlp.meta
        self.version = f"{spacy.__version__}/{meta['lang']}_{meta['name']}-{meta['version']}{fingerprint}"

    def recognise(self, text: str) -> list[Span]:
        """The entities in `text`, in order; offsets are code points of `text`."""
        return self.recognise_many([text])[0]

    def recognise_many(self, texts: Iterable[str]) -> list[list[Span]]:
        """`recognise` for each of `texts`, run through the pipeline in batches."""
        texts = list(texts)
        results: list[list[Span]] = [[] for _ in texts]
        limit = max(1, min(CHUNK_SIZE, self.nlp.max_length))
        pieces = ((chunk, (index, offset)) for index, text in enumerate(texts) for offset, chunk in chunks(text, limit))
        for doc, (index, offset) in self.nlp.pipe(pieces, as_tuples=True, batch_size=BATCH_SIZE):
            text = texts[index]
            for ent in doc.ents:
                if ent.label_ not in _LABELS:
                    continue
                trimmed = _trim(text, offset + ent.start_char, offset + ent.end_char)
                if trimmed is not None:
                    results[index].append(Span(trimmed[0], trimmed[1], ent.label_, "model", CONFIDENCE))
        return results


def chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Cut `text` into `(offset, chunk)` pieces of at most `limit` characters.

    Each cut is made at the last paragraph break (a blank line) that fits, else at the last sentence
    end, else at the last white space, else at `limit` itself. Joined, the chunks give `text` back.
    """
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = window.rfind("\n\n") + 2
        if cut <= 2:  # no paragraph break, or only one at the very start
            cut = _last_end(_SENTENCE_END, window) or _last_end(_WHITESPACE, window) or limit
        yield start, window[:cut]
        start += cut
    yield start, text[start:]


def _last_end(pattern: re.Pattern[str], window: str) -> int:
    """Where the last match of `pattern` in `window` ends (0 if there is none)."""
    end = 0
    for match in pattern.finditer(window):
        end = match.end()
    return end


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Apply reader's span convention: no leading "the", no trailing possessive "'s"."""
    if text.startswith(_LEADING, start, end):
        start += len(_LEADING[0])
    if text.endswith(_TRAILING, start, end):
        end -= len(_TRAILING[0])
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _load(spacy: ModuleType, name: str) -> Language:
    """Load the installed pipeline package `name` with only what named-entity recognition needs."""
    missing = (
        f"spaCy pipeline {name!r} is not installed: python -m spacy download {name}, "
        "or set entities.backend: builtin in config.yaml"
    )
    # spacy.load raises OSError E050 for a name that is neither an installed package nor a
    # directory, and would load a directory or "blank:xx"; only an installed package is accepted.
    if not spacy.util.is_package(name):
        raise EntityBackendError(missing)
    components = spacy.util.get_model_meta(spacy.util.get_package_path(name)).get("components", [])
    keep = _ENTITY_COMPONENTS | _EMBEDDING_COMPONENTS
    # Components are known here by name only; if none has a usual NER name, load them all.
    exclude = [c for c in components if c not in keep] if _ENTITY_COMPONENTS.intersection(components) else []
    nlp = spacy.load(name, exclude=exclude)
    # A shared embedding layer (tok2vec, transformer) only matters if a kept component listens to
    # it; an NER with its own embedding does not, and the tagger and parser that did are gone.
    for component, pipe in list(nlp.pipeline):
        if isinstance(pipe, spacy.ty.ListenedToComponent) and not pipe.listening_components:
            nlp.remove_pipe(component)
    return nlp
