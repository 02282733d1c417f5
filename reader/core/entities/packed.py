"""A document's entity spans packed into columns, for the cache and for the article view.

A 1 MB document has about 25,000 spans. As JSON they take 50 ms to decode into `Span`
objects; packed, `SpanTable.from_bytes` takes well under a millisecond and a `Span` is only
built for the few spans a screen shows. The table is a read-only sequence of `Span`, sorted by
start, with no two spans overlapping (what every recogniser returns).

Packed form (little-endian): the magic b"RSP1", the count n (uint32), the length of the
vocabulary (uint32) and the vocabulary itself (JSON: a list of labels and a list of sources),
then n starts and n ends (uint32 each), n label and n source indexes (uint8 each), and n
confidences in thousandths (uint16).
"""

from __future__ import annotations

import bisect
import json
import struct
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from reader.core.entities.spans import Span

MAGIC = b"RSP1"
_HEADER = struct.Struct("<4sII")


class PackedSpansError(ValueError):
    """The bytes are not a packed span table."""


class SpanTable(Sequence[Span]):
    """Spans sorted by start, stored as parallel arrays."""

    __slots__ = ("starts", "ends", "_labels", "_sources", "_label_of", "_source_of", "_confidence")

    def __init__(
        self,
        starts: array,
        ends: array,
        labels: array,
        sources: array,
        label_names: list[str],
        source_names: list[str],
        confidence: array,
    ) -> None:
        self.starts = starts  # array of uint32, ascending
        self.ends = ends  # ascending too, since spans do not overlap: `bisect` works on both
        self._labels = labels
        self._sources = sources
        self._label_of = label_names
        self._source_of = source_names
        self._confidence = confidence

    @classmethod
    def from_spans(cls, spans: Iterable[Span]) -> SpanTable:
        ordered = sorted(spans, key=lambda span: (span.start, span.end))
        label_names: list[str] = []
        source_names: list[str] = []
        label_index: dict[str, int] = {}
        source_index: dict[str, int] = {}
        starts, ends = array("I"), array("I")
        labels, sources, confidence = array("B"), array("B"), array("H")
        for span in ordered:
            if span.label not in label_index:
                label_index[span.label] = len(label_names)
                label_names.append(span.label)
            if span.source not in source_index:
                source_index[span.source] = len(source_names)
                source_names.append(span.source)
            starts.append(span.start)
            ends.append(span.end)
            labels.append(label_index[span.label])
            sources.append(source_index[span.source])
            confidence.append(round(min(max(span.confidence, 0.0), 1.0) * 1000))
        if len(label_names) > 255 or len(source_names) > 255:
            raise ValueError("more than 255 distinct labels or sources")
        return cls(starts, ends, labels, sources, label_names, source_names, confidence)

    @classmethod
    def empty(cls) -> SpanTable:
        return cls.from_spans(())

    # ---- packing ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        vocabulary = json.dumps([self._label_of, self._source_of], ensure_ascii=False).encode("utf-8")
        columns = [self.starts, self.ends, self._labels, self._sources, self._confidence]
        if sys.byteorder != "little":
            columns = [_swapped(column) for column in columns]
        return b"".join(
            [_HEADER.pack(MAGIC, len(self), len(vocabulary)), vocabulary, *(column.tobytes() for column in columns)]
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> SpanTable:
        if len(data) < _HEADER.size:
            raise PackedSpansError("too short for a packed span table")
        magic, count, vocabulary_length = _HEADER.unpack_from(data)
        if magic != MAGIC:
            raise PackedSpansError(f"not a packed span table (starts with {magic!r})")
        offset = _HEADER.size
        try:
            vocabulary = json.loads(data[offset : offset + vocabulary_length].decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise PackedSpansError(f"bad vocabulary: {error}") from None
        if not (isinstance(vocabulary, list) and len(vocabulary) == 2
                and all(isinstance(names, list) and all(isinstance(name, str) for name in names) for names in vocabulary)):
            raise PackedSpansError("bad vocabulary: expected a list of labels and a list of sources")
        label_names, source_names = vocabulary
        offset += vocabulary_length
        columns = []
        for typecode in ("I", "I", "B", "B", "H"):
            column = array(typecode)
            size = column.itemsize * count
            if offset + size > len(data):
                raise PackedSpansError("truncated")
            column.frombytes(data[offset : offset + size])
            if sys.byteorder != "little":
                column.byteswap()
            columns.append(column)
            offset += size
        if offset != len(data):
            raise PackedSpansError("trailing bytes")
        starts, ends, labels, sources, confidence = columns
        if (labels and max(labels) >= len(label_names)) or (sources and max(sources) >= len(source_names)):
            raise PackedSpansError("a label or source index is outside the vocabulary")
        return cls(starts, ends, labels, sources, label_names, source_names, confidence)

    # ---- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Span: ...
    @overload
    def __getitem__(self, index: slice) -> list[Span]: ...
    def __getitem__(self, index: int | slice) -> Span | list[Span]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return Span(
            self.starts[index],
            self.ends[index],
            self._label_of[self._labels[index]],
            self._source_of[self._sources[index]],
            self._confidence[index] / 1000,
        )

    def __iter__(self) -> Iterator[Span]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def label(self, index: int) -> str:
        return self._label_of[self._labels[index]]

    def labels_present(self) -> set[str]:
        return {self._label_of[index] for index in set(self._labels)}

    def first_ending_after(self, offset: int) -> int:
        """Index of the first span that ends after `offset` (len(self) if none)."""
        return bisect.bisect_right(self.ends, offset)


def _swapped(column: array) -> array:
    copy = array(column.typecode, column)
    copy.byteswap()
    return copy
