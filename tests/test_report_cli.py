"""`ojt-sidecar report NAME` as an operator meets it: a table, CSV or JSON over the store of
tests/store/report_fixture.py (its figures are worked out there), and one sentence with exit
2 for anything it cannot answer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecar.cli import main
from tests.store.report_fixture import seeded_store, write_config


@pytest.fixture
def config(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    seeded_store(url).close()
    return str(write_config(tmp_path, url))


def report(config: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["report", *args, "-c", config])
    return result.exit_code, result.stdout, result.stderr


def test_a_table_to_read_with_its_notes(config: str) -> None:
    code, out, err = report(config, "time-to-completion")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["program", "completed", "median_days", "p90_days"]
    assert [line.split() for line in lines[2:4]] == [
        ["welding", "3", "10.0", "18.3"],
        ["wood", "2", "10.0", "14.0"],
    ]
    assert lines[4].startswith("per course: not available")


def test_the_table_shows_missing_values_yes_no_and_times(config: str) -> None:
    code, out, _ = report(config, "trainees", "--program", "wood")
    assert code == 0
    hugo = next(line for line in out.splitlines() if "Hugo" in line).split()
    # complete, enrolled, completed, certified (none), batch
    assert hugo[-7:] == ["yes", "2026-05-05", "09:00", "2026-05-20", "09:00", "—", "spring"]
    ines = next(line for line in out.splitlines() if "Ines" in line).split()
    assert ines[-6:] == ["no", "2026-05-06", "09:00", "—", "—", "—"]


def test_csv_has_a_header_and_one_line_per_row(config: str) -> None:
    code, out, _ = report(config, "completion", "--program", "welding", "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["program", "level", "course", "enrolled", "completed", "certified", "completion_pct"],
        ["welding", "program", "", "6", "3", "2", "50.0"],
        ["welding", "course", "Safety", "5", "4", "", "80.0"],
        ["welding", "course", "Arc basics", "4", "3", "", "75.0"],
    ]
    code, out, _ = report(config, "enrollment", "--per", "week", "--batch", "w1", "--format", "csv")
    assert out.splitlines() == [
        "program,period,starts,applicant,elearning,total",
        "wood,2026-W10,2026-03-02,0,1,1",
        "wood,2026-W11,2026-03-09,0,0,0",
        "wood,2026-W12,2026-03-16,1,0,1",
    ]
    _, out, _ = report(config, "trainees", "--batch", "summer", "--format", "csv")
    assert out.splitlines()[1] == (
        "welding,4,,Dana,dana@example.com,certified,100.0,,80.0,2,2,,100.0,true,"
        "2026-04-01T09:00:00+00:00,2026-04-05T09:00:00+00:00,2026-04-06T09:00:00+00:00,summer"
    )


def test_json_names_the_report_its_filters_rows_and_notes(config: str) -> None:
    code, out, _ = report(
        config, "funnel", "--program", "wood", "--batch", "w1", "--from", "2026-03-01",
        "--to", "2026-03-31", "--format", "json",
    )  # fmt: skip
    assert code == 0
    found = json.loads(out)
    assert found["report"] == "funnel"
    assert found["filters"] == {
        "program": "wood", "batch": "w1", "from": "2026-03-01", "to": "2026-03-31", "per": None
    }  # fmt: skip
    # w1 in March: Alice (complete, certified) and Gita (50 %).
    assert found["rows"] == [
        {"program": "wood", "stage": "applicants", "count": None, "pct_of_enrolled": None},
        {"program": "wood", "stage": "enrolled", "count": 2, "pct_of_enrolled": 100.0},
        {"program": "wood", "stage": "started", "count": 2, "pct_of_enrolled": 100.0},
        {"program": "wood", "stage": "half_way", "count": 2, "pct_of_enrolled": 100.0},
        {"program": "wood", "stage": "completed", "count": 1, "pct_of_enrolled": 50.0},
        {"program": "wood", "stage": "certified", "count": 1, "pct_of_enrolled": 50.0},
    ]
    assert found["notes"] == [
        "applicants: not counted with --batch (an application names no batch)"
    ]
    _, out, _ = report(config, "enrollment", "--format", "json")
    assert json.loads(out)["filters"]["per"] == "month"
    assert json.loads(out)["rows"][0] == {
        "program": "welding", "period": "2026-03", "starts": "2026-03-01",
        "applicant": 2, "elearning": 1, "total": 3,
    }  # fmt: skip


def test_an_empty_store_prints_an_empty_table_and_says_so(tmp_path: Path) -> None:
    config = str(write_config(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}"))
    code, out, err = report(config, "completion")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "program  level  course  enrolled  completed  certified  completion_pct",
        "-------  -----  ------  --------  ---------  ---------  --------------",
        "no trainees yet",
    ]
    code, out, _ = report(config, "attendance", "--format", "csv")
    assert out == "program,batch,name,start,status,registered,attended,cancelled,attendance_pct\n"
    code, out, _ = report(config, "trainees", "--format", "json")
    assert json.loads(out)["rows"] == [] and json.loads(out)["notes"] == ["no trainees yet"]


def test_nothing_matching_the_filters_says_so(config: str) -> None:
    code, out, _ = report(config, "enrollment", "--from", "2027-01-01")
    assert code == 0 and out.splitlines()[-1] == "no trainees yet for these filters"


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        ((), "name a report: enrollment, completion, time-to-completion, funnel, trainees, "
         "attendance"),
        (("progress",), "no report 'progress' (reports: enrollment, completion, "
         "time-to-completion, funnel, trainees, attendance)"),
        (("funnel", "--program", "nope"), "no program 'nope' (programs: welding, wood)"),
        (("funnel", "--batch", "nope"), "no batch 'nope' (see: ojt-sidecar batches --all)"),
        (("funnel", "--batch", "spring"),
         "batch 'spring' is in several programs (welding, wood): name one with --program"),
        (("funnel", "--from", "2026-02-30"),
         "--from '2026-02-30' is not a date: write it as YYYY-MM-DD, like 2026-03-01"),
        (("funnel", "--to", "tomorrow"),
         "--to 'tomorrow' is not a date: write it as YYYY-MM-DD, like 2026-03-01"),
        (("funnel", "--from", "2026-03-02", "--to", "2026-03-01"),
         "--from 2026-03-02 is after --to 2026-03-01"),
        (("funnel", "--format", "xlsx"), "--format is table, csv or json, not 'xlsx'"),
        (("enrollment", "--per", "day"), "--per is week or month, not 'day'"),
        (("funnel", "--per", "week"), "--per applies to the enrollment report only"),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_and_exit_2(
    config: str, args: tuple[str, ...], sentence: str
) -> None:
    code, out, err = report(config, *args)
    assert (code, out, err) == (2, "", f"error: {sentence}\n")


def test_csv_cells_that_start_like_a_formula_are_quoted_and_numbers_stay_numbers(
    tmp_path: Path,
) -> None:
    from sqlalchemy import create_engine, update

    from sidecar.cli.output import spreadsheet_safe
    from sidecar.store.models import Student

    url = f"sqlite:///{tmp_path / 'store.db'}"
    seeded_store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(Student)
            .where(Student.name == "Dana")
            .values(name='=HYPERLINK("http://evil.example","Dana")', email="@dana")
        )
    engine.dispose()
    code, out, _ = report(
        str(write_config(tmp_path, url)), "trainees", "--batch", "summer", "--format", "csv"
    )
    assert code == 0
    row = list(csv.reader(io.StringIO(out)))[1]
    assert row[3:5] == ['\'=HYPERLINK("http://evil.example","Dana")', "'@dana"]
    assert row[6] == "100.0"  # numbers untouched
    for formula in ("+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=1"):
        assert spreadsheet_safe(formula) == "'" + formula
    assert spreadsheet_safe(-3.5) == -3.5
    assert spreadsheet_safe("-3.5") == "-3.5"
    assert spreadsheet_safe("Dana") == "Dana"
