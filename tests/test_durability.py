"""SIGKILL at random moments loses nothing reported as done and leaves no half-written
annotation (benchmarks/kill_test.py runs the same with 200 kills and prints the numbers)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from kill_test import run  # noqa: E402


def test_changes_reported_done_survive_sigkill(tmp_path):
    result = run(kills=12, seed=7, folder=tmp_path)
    assert result["problems"] == []
    assert result["mid_stream"] == 12  # every kill landed while its worker was making changes


def test_the_checker_sees_a_lost_change(tmp_path):
    """The check can fail: a change journaled as done but missing from the database is found."""
    import json

    from kill_test import check, prepare

    db = prepare(tmp_path)
    journal = tmp_path / "journal.jsonl"
    journal.write_text(json.dumps({"done": "add", "id": "never-written"}) + "\n", encoding="utf-8")
    assert check(db, journal) == ["annotation never-written reported done is missing"]
