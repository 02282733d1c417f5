"""tools/check_exports.py: the parts that need nothing from ../shared/standards (brat's rules,
doccano's import shape, spaCy alignment) pass on reader's exports, and each check finds the
problems it is there to find."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "check_exports.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("check_exports", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_exports"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["check_exports"]


def test_every_export_passes_the_checks_that_need_no_standards(checker, tmp_path):
    rows = checker.run_checks(tmp_path, standards=None)
    assert [row for row in rows if row.blocking] == []
    by_format = {row.format for row in rows if row.level not in ("skipped", "info")}
    assert {"brat", "doccano", "prodigy", "qdpx"} <= by_format
    [w3c] = [row for row in rows if row.format == "w3c"]
    assert w3c.level == "skipped" and "not found" in w3c.detail
    table = checker.table(rows)
    assert "brat" in table and "0/" in table


def test_without_the_standards_the_script_says_so_and_passes(checker, tmp_path, capsys):
    assert checker.main(["--standards", str(tmp_path / "absent"), "--keep", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "W3C schema checks are skipped" in captured.err
    assert "0 blocking failures" in captured.out


def brat_folder(folder: Path, conf: str, ann: str, text: str) -> Path:
    folder.mkdir()
    (folder / "annotation.conf").write_text(conf, encoding="utf-8")
    (folder / "a.ann").write_text(ann, encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    return folder


TEXT = "Dockers walked out at dawn."
# identical spans, a crossing one; one type brat renames, one of hyphens only (a separator)
ANN = "T1\tstrike 0 14\tDockers walked\nT2\tlabour 0 14\tDockers walked\nT3\tlabour 8 20\twalked out a\n"


def test_the_brat_check_reports_what_brats_verifier_reports(checker, tmp_path):
    plain = "[entities]\nstrike\nlabour\n[relations]\n[events]\n[attributes]\n"
    count, errors, problems = checker.brat_issues(brat_folder(tmp_path / "plain", plain, ANN, TEXT))
    assert problems == []
    assert sum("identical span" in error for error in errors) == 2  # each pair both ways, as brat does
    assert sum("crossing span" in error for error in errors) == 4
    allowed = plain.replace("[relations]\n", "[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n")
    assert checker.brat_issues(brat_folder(tmp_path / "allowed", allowed, ANN, TEXT))[1] == []
    only_equal = allowed.replace("<OVL-TYPE>:<ANY>", "<OVL-TYPE>:equal")
    errors = checker.brat_issues(brat_folder(tmp_path / "equal", only_equal, ANN, TEXT))[1]
    assert errors and all("crossing span" in error for error in errors)


def test_the_brat_check_refuses_names_brat_renames_or_reads_as_separators(checker, tmp_path):
    conf = "[entities]\nhuman%20rights\n--\nframing/économie\n[relations]\n[events]\n[attributes]\n"
    ann = "T1\t-- 0 7\tDockers\nT2\thuman%20rights 8 14\twalked\nT3\tstrike 15 18\tXut\n"
    _count, errors, problems = checker.brat_issues(brat_folder(tmp_path / "bad", conf, ann, TEXT))
    assert len(problems) == 2 and all("brat renames it" in problem for problem in problems)
    assert any("-- is not a known textbound type" in error for error in errors)  # a separator line
    assert any("strike is not a known" in error for error in errors)
    assert any("text does not match" in error for error in errors)


def test_the_doccano_check_finds_missing_keys_and_spans_outside_label(checker, tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [{"text": TEXT, "entities": [], "url": "https://x.example"}, {"text": TEXT, "entities": []}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    context = checker.Context(tmp_path, None, {"doccano": path})
    failed = {row.check: row.failed for row in checker.check_doccano(context)}
    assert failed == {"every line has the same keys (no NaN in meta)": 2, "no null or NaN value": 0,
                      'spans in `label` as [start, end, "label"]': 2}


def test_a_blocking_failure_makes_the_exit_status_1(checker, tmp_path, monkeypatch, capsys):
    def failing(context):
        return [checker.Row("qdpx", "a check another module adds", "error", 1, 1, "broken")]

    monkeypatch.setattr(checker, "CHECKS", [*checker.CHECKS, checker.Check("brat", failing)])
    assert checker.main(["--standards", str(tmp_path / "absent")]) == 1
    assert "1 blocking failure " in capsys.readouterr().out


def test_the_w3c_export_meets_every_must_and_applicable_should_of_the_w3c_suite(checker, tmp_path):
    # runs where ../shared/standards is beside the project (a checkout here, and CI)
    standards = checker.DEFAULT_STANDARDS
    if not (standards / "w3c-web-annotation-tests").is_dir():
        pytest.skip(f"{standards} not found")
    pytest.importorskip("jsonschema")
    rows = checker.run_checks(tmp_path, standards, [check for check in checker.CHECKS if check.format == "w3c"])
    musts = [row for row in rows if row.level == "MUST"]
    shoulds = [row for row in rows if row.level == "SHOULD"]
    assert len(musts) == 3 and all(row.checked for row in musts)  # annotations, collection, page
    assert [(row.check, row.detail) for row in musts + shoulds if row.failed] == []


def test_the_brat_check_reads_visual_conf_labels_as_brat_does(checker):
    visual = "[labels]\nhuman_20_rights | human rights\n!odd | x\nmissing | Missing\nq | <WHO>\n[drawing]\n"
    problems = checker.brat_label_problems(visual, ["human_20_rights", "q"])
    assert len(problems) == 3 and "unknown type 'missing'" in problems[1] and "macro" in problems[2]
