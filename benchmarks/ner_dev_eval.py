"""Entity quality on the shared development data (../shared/data/ner-dev), with that folder's scorer.

    python benchmarks/ner_dev_eval.py [--dir ../shared/data/ner-dev] [--keep DIR]

Runs the built-in recogniser on every document, writes the predictions as `reader entities`
would, and runs the folder's own `score.py` on them (exact span + type; all documents, news
prose, sports). The data is real published news kept outside the project: this script skips
with a message when it is absent (a fresh clone has no ../shared).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.entities import build_recogniser  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT.parent / "shared" / "data" / "ner-dev")
    parser.add_argument("--keep", type=Path, help="keep the predictions and metrics in this folder")
    arguments = parser.parse_args()
    folder: Path = arguments.dir
    if not (folder / "score.py").exists():
        print(f"ner_dev_eval: {folder} has no score.py; the development data is not on this machine, nothing measured")
        return 0
    recogniser = build_recogniser({})
    recogniser.recognise("Warm-up.")
    out = arguments.keep or Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    documents = sorted((folder / "docs").glob("*.txt"))
    size = 0
    started = time.perf_counter()
    with open(out / "pred.jsonl", "w", encoding="utf-8") as predictions:
        for path in documents:
            text = path.read_text(encoding="utf-8")
            size += len(text.encode("utf-8"))
            spans = recogniser.recognise(text)
            line = {"file": f"docs/{path.name}",
                    "spans": [{"start": s.start, "end": s.end, "label": s.label, "text": text[s.start:s.end]} for s in spans]}
            predictions.write(json.dumps(line, ensure_ascii=False) + "\n")
    elapsed = time.perf_counter() - started
    subprocess.run([sys.executable, "score.py", "--pred", str(out / "pred.jsonl"), "--name", "reader",
                    "--json", str(out / "metrics.json")], cwd=folder, check=True)
    print(f"{len(documents)} documents, {size / 1e6:.2f} MB in {elapsed:.2f} s: {size / 1e6 / elapsed:.2f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
