"""Entity quality and speed: typed-span P/R/F1 per label on the hand-annotated sets, throughput.

    python benchmarks/entities_eval.py [--set gold|dev|both] [--errors] [--spacy PIPELINE]

The gold set (tests/data/gold) is the one BENCHMARKS.md reports; the dev set (tests/data/dev)
is the one rules were tuned on. With --spacy and the pipeline installed, the same numbers for
spaCy and the throughput ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.entities import LABELS, build_recogniser  # noqa: E402
from reader.core.entities.evaluation import core_f1, evaluate, load_gold  # noqa: E402


def table(name: str, scores) -> str:
    lines = [f"| {name} | P | R | F1 | gold |", "|---|---:|---:|---:|---:|"]
    for label in (*LABELS, "ALL"):
        s = scores.get(label)
        if s is None or (s.true_positives + s.false_negatives + s.false_positives) == 0:
            continue
        lines.append(
            f"| {label} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.true_positives + s.false_negatives} |"
        )
    lines.append(f"| PERSON+GPE+ORG | | | {core_f1(scores):.3f} | |")
    return "\n".join(lines)


def errors(recogniser, documents) -> None:
    for name, text, gold in documents:
        predicted = {(s.start, s.end, s.label) for s in recogniser.recognise(text)}
        gold_set = set(gold)
        for start, end, label in sorted(gold_set - predicted):
            print(f"{name}  MISS {label:7} {text[start:end]!r}  ctx={text[max(0, start - 25):end + 10]!r}")
        for start, end, label in sorted(predicted - gold_set):
            print(f"{name}  FALSE {label:7} {text[start:end]!r}  ctx={text[max(0, start - 25):end + 10]!r}")


def throughput(recogniser, text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        recogniser.recognise(text)
        best = min(best, time.perf_counter() - started)
    return len(text.encode("utf-8")) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("gold", "dev", "both"), default="both")
    parser.add_argument("--errors", action="store_true", help="list every missed and false span")
    parser.add_argument("--spacy", metavar="PIPELINE", help="also score this spaCy pipeline (e.g. en_core_web_sm)")
    args = parser.parse_args()
    sets = ["gold", "dev"] if args.set == "both" else [args.set]
    recogniser = build_recogniser()
    print(f"engine: {recogniser.name} {recogniser.version}\n")
    corpus = ""
    for which in sets:
        documents = load_gold(ROOT / "tests" / "data" / which)
        corpus += "\n\n".join(text for _n, text, _g in documents)
        print(table(f"{which} ({len(documents)} articles)", evaluate(recogniser, documents)))
        print()
        if args.errors:
            errors(recogniser, documents)
            print()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_corpus import long_document

    sample = long_document(1_000_000)
    rate = throughput(recogniser, sample)
    print(f"throughput, 1 MB synthetic document, best of 3: {rate / 1e6:.2f} MB/s (goal >= 1 MB/s)")
    gold_rate = throughput(recogniser, corpus * max(1, 300_000 // max(1, len(corpus))))
    print(f"throughput, the annotated articles repeated to 300 KB: {gold_rate / 1e6:.2f} MB/s")
    if args.spacy:
        from reader.core.entities.spacy_backend import SpacyRecogniser

        nlp = SpacyRecogniser(args.spacy)
        for which in sets:
            documents = load_gold(ROOT / "tests" / "data" / which)
            print(table(f"spaCy {args.spacy}, {which}", evaluate(nlp, documents)))
        spacy_rate = throughput(nlp, sample[:200_000], repeat=1)
        print(f"spaCy throughput {spacy_rate / 1e6:.3f} MB/s; reader's built-in engine is {rate / spacy_rate:.0f}x faster")


if __name__ == "__main__":
    main()
