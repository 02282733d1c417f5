"""Named-entity recognition behind one interface: `recognise(text) -> list[Span]`.

Recognisers never touch the database or the UI; they only read text and configuration.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable

from reader.core.entities.spans import LABELS, Recogniser, Span

__all__ = ["LABELS", "ComposedRecogniser", "LazyRecogniser", "Recogniser", "Span", "build_recogniser", "engine_key",
           "lazy_recogniser"]


def engine_key(recogniser: Recogniser, gazetteer: dict[str, tuple[str, ...]]) -> str:
    """What cached spans depend on: the engine, its version and the user's gazetteer."""
    listed = json.dumps(sorted((label, sorted(names)) for label, names in gazetteer.items()), ensure_ascii=False)
    return f"{recogniser.name}/{recogniser.version}/{hashlib.sha256(listed.encode('utf-8')).hexdigest()[:16]}"


def build_recogniser(
    gazetteer: dict[str, tuple[str, ...]] | None = None, backend: str = "builtin", pipeline: str = "en_core_web_sm"
) -> Recogniser:
    """The recogniser the configuration asks for: the built-in rules and gazetteers, then (with
    `backend="spacy"`) a spaCy pipeline for what the rules leave. Raises `EntityBackendError`
    (from `spacy_backend`) when spaCy or the pipeline is not installed."""
    from reader.core.entities.rules import RuleRecogniser

    rules = RuleRecogniser(gazetteer or {})
    if backend != "spacy":
        return rules
    from reader.core.entities.spacy_backend import SpacyRecogniser

    return ComposedRecogniser([rules, SpacyRecogniser(pipeline)])


def lazy_recogniser(
    gazetteer: dict[str, tuple[str, ...]] | None = None, backend: str = "builtin", pipeline: str = "en_core_web_sm"
) -> Recogniser:
    """The built-in recogniser, built the first time it is needed (building takes about 0.5 s:
    its gazetteers are compiled into one regular expression). The spaCy one is built at once,
    so a missing pipeline is reported before the app starts."""
    from reader.core.entities.rules import RuleRecogniser

    if backend == "spacy":
        return build_recogniser(gazetteer, backend, pipeline)
    return LazyRecogniser(RuleRecogniser.name, RuleRecogniser.engine_version(), lambda: build_recogniser(gazetteer))


class ComposedRecogniser:
    """Several recognisers, the earlier ones first: a later one's span is kept only where no
    earlier one found anything (built-in rules > statistical model)."""

    def __init__(self, backends: list[Recogniser]) -> None:
        self.backends = backends
        self.name = "+".join(backend.name for backend in backends)
        self.version = "+".join(backend.version for backend in backends)

    def recognise(self, text: str) -> list[Span]:
        taken = bytearray(len(text))
        kept: list[Span] = []
        for backend in self.backends:
            for span in backend.recognise(text):
                if span.end <= span.start or taken.find(1, span.start, span.end) != -1:
                    continue
                kept.append(span)
            for span in kept:
                taken[span.start : span.end] = b"\x01" * (span.end - span.start)
        return sorted(kept, key=lambda span: span.start)


class LazyRecogniser:
    """A recogniser whose name and version are known at once and which is built on first use,
    from any thread (once: other threads wait for it)."""

    def __init__(self, name: str, version: str, build: Callable[[], Recogniser]) -> None:
        self.name = name
        self.version = version
        self._build = build
        self._built: Recogniser | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._built is not None

    def get(self) -> Recogniser:
        if self._built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._build()
        return self._built

    def recognise(self, text: str) -> list[Span]:
        return self.get().recognise(text)
