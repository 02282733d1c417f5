"""HTML main-text extraction: reader's stdlib parser against trafilatura (and what `reader
import` uses: trafilatura, with the stdlib parser as fallback), scored by word 4-gram shingles.

    python benchmarks/extraction_bench.py [--pages DIR] [--repeat N]

DIR holds pages `NAME.html` with hand-checked bodies `NAME.txt` (and optionally the expected
title in `NAME.title`); by default benchmarks/data/extraction/, ten original news-like pages with
menus, cookie banners, tickers, breadcrumbs, related links, ads, captions, comments and footers
(made for this benchmark; their text is invented). Scoring as the public article-extraction
benchmarks do: lower-cased word 4-gram shingles of the extracted text against the gold body,
precision and recall per page, averaged over pages, F1 of the two averages. Speed: pages per
second and MB/s of HTML over `--repeat` passes on one core. Numbers only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.core.ingest.html import Page, PageError, _stdlib_page, _trafilatura, read_page  # noqa: E402

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def precision_recall(extracted: str, gold: str) -> tuple[float, float]:
    got, want = shingles(extracted), shingles(gold)
    if not got or not want:
        return (1.0 if not got and not want else 0.0), (1.0 if not want else 0.0)
    common = len(got & want)
    return common / len(got), common / len(want)


def extractors() -> dict[str, Callable[[str], Page | None]]:
    def stdlib(raw: str) -> Page | None:
        try:
            return _stdlib_page(raw, True)
        except PageError:
            return None

    return {"stdlib parser": stdlib, "trafilatura": _trafilatura, "reader import (read_page)": read_page}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=HERE / "data" / "extraction")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the pages for the speed figure")
    parser.add_argument("-v", "--verbose", action="store_true", help="scores of each page")
    args = parser.parse_args()
    pages = sorted(args.pages.glob("*.html"))
    if not pages:
        sys.exit(f"no .html pages in {args.pages}")
    raws = {page: page.read_text(encoding="utf-8") for page in pages}
    golds = {page: page.with_suffix(".txt").read_text(encoding="utf-8") for page in pages}
    titles = {page: page.with_suffix(".title").read_text(encoding="utf-8").strip()
              for page in pages if page.with_suffix(".title").exists()}
    megabytes = sum(len(raw.encode("utf-8")) for raw in raws.values()) / 1e6
    print(f"{len(pages)} pages, {megabytes * 1000:.0f} KB of HTML, from {args.pages}")
    print(f"{'extractor':30} {'P':>6} {'R':>6} {'F1':>6} {'titles':>7} {'pages/s':>8} {'MB/s':>6}")
    for name, extract in extractors().items():
        extract(raws[pages[0]])  # imports and warm-up outside the clock
        precisions, recalls, right_titles, per_page = [], [], 0, []
        for page in pages:
            found = extract(raws[page])
            precision, recall = precision_recall(found.text if found else "", golds[page])
            precisions.append(precision)
            recalls.append(recall)
            per_page.append((page.stem, precision, recall, found.extractor if found else "-"))
            right_titles += bool(found) and titles.get(page) == found.title
        start = time.perf_counter()
        for _ in range(args.repeat):
            for page in pages:
                extract(raws[page])
        seconds = time.perf_counter() - start
        p, r = statistics.mean(precisions), statistics.mean(recalls)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:30} {p:6.3f} {r:6.3f} {f1:6.3f} {right_titles:>3}/{len(titles):<3} "
              f"{len(pages) * args.repeat / seconds:8.0f} {megabytes * args.repeat / seconds:6.2f}")
        if args.verbose:
            for stem, precision, recall, used in per_page:
                print(f"    {stem:24} P {precision:.3f} R {recall:.3f} ({used})")


if __name__ == "__main__":
    main()
