"""The offline scores file: every bad-row kind named with its line, no bad row stopping the
others, and the whole-file refusals in one sentence each."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sidecar.cli import main
from sidecar.scores import RowProblem, ScoreRow, ScoresFileError, read_scores

HEADER = "trainee,batch,assignment,score,max_score,feedback\n"


def read(body: str, header: str = HEADER) -> tuple[list[ScoreRow], list[str]]:
    found = read_scores((header + body).encode())
    return found.rows, [str(p) for p in found.problems]


def test_good_rows_in_any_column_order_and_separator() -> None:
    rows, problems = read(
        "ana@Example.com,Welding December,T-joint,8.5,10,Clean seam\n"
        '42,Welding December,Report,"7,5",,"Late, but good"\n'
    )
    assert problems == []
    assert rows == [
        ScoreRow(2, "ana@example.com", "Welding December", "T-joint", 8.5, 10.0, "Clean seam"),
        ScoreRow(3, 42, "Welding December", "Report", 7.5, None, "Late, but good"),
    ]
    semi = read_scores(
        "\ufeffScore;Assignment;TRAINEE;Batch\n9;T-joint;ana@example.com;W\n".encode()
    )
    assert semi.problems == [] and semi.rows[0].score == 9.0 and semi.rows[0].feedback == ""
    tabs = read_scores(b"trainee\tbatch\tassignment\tscore\n7\tW\tA\t0\n")
    assert tabs.rows == [ScoreRow(2, 7, "W", "A", 0.0, None, "")]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("ana,W,A,5,10,", "trainee must be an e-mail address or an Odoo contact id"),
        (",W,A,5,10,", "trainee must be an e-mail address or an Odoo contact id"),
        ("0,W,A,5,10,", "trainee must be an e-mail address or an Odoo contact id"),
        ("99999999999,W,A,5,10,", "trainee must be an e-mail address or an Odoo contact id"),
        ("a@b.co,,A,5,10,", "batch is empty"),
        ("a@b.co,W,  ,5,10,", "assignment is empty"),
        ("a@b.co,W,A,,10,", "score must be a number, 0 or more (got '')"),
        ("a@b.co,W,A,five,10,", "score must be a number, 0 or more (got 'five')"),
        ("a@b.co,W,A,-1,10,", "score must be a number, 0 or more (got '-1')"),
        ("a@b.co,W,A,nan,10,", "score must be a number, 0 or more (got 'nan')"),
        ("a@b.co,W,A,1e309,10,", "score must be a number, 0 or more (got '1e309')"),
        ("a@b.co,W,A,1_0,10,", "score must be a number, 0 or more (got '1_0')"),
        ("a@b.co,W,A,5,0,", "max_score must be a number above 0 (got '0')"),
        ("a@b.co,W,A,5,ten,", "max_score must be a number above 0 (got 'ten')"),
        ("a@b.co,W,A,11,10,", "score 11 is above max_score 10"),
        ("a@b.co,W,A,5,10," + "x" * 2001, "feedback is longer than 2,000 characters"),
        ("a@b.co,W,A,5,10,ok,extra", "7 cells, but the header names 6 columns"),
    ],
)
def test_each_bad_row_is_named_and_the_rest_imported(row: str, reason: str) -> None:
    rows, problems = read(f"good@example.com,W,A,1,2,\n{row}\nother@example.com,W,A,2,2,\n")
    assert problems == [f"line 3: {reason}"]
    assert [r.line for r in rows] == [2, 4]


def test_a_repeated_score_is_refused_the_first_stands() -> None:
    rows, problems = read("a@b.co,W,A,5,10,\nA@B.CO,w,a,6,10,\n\na@b.co,W,B,6,10,\n")
    assert problems == ["line 3: the same trainee, batch and assignment as line 2"]
    assert [(r.line, r.score) for r in rows] == [(2, 5.0), (5, 6.0)]


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"", "the file is empty; it needs a header row and one row per score"),
        (b"\n  \n", "the file is empty; it needs a header row and one row per score"),
        (
            b"trainee,batch,score\n",
            "line 1: the header has no 'assignment' column; it needs "
            "trainee, batch, assignment, score (and may have max_score, feedback)",
        ),
        (
            b"trainee,batch,assignment,score,scroe\n",
            "line 1: unknown column 'scroe'; the "
            "columns are trainee, batch, assignment, score, max_score, feedback",
        ),
        (b"trainee,batch,assignment,score,Score\n", "line 1: the column 'score' appears twice"),
        (b"trainee,batch\n\xff\xfe", "the file is not UTF-8 text (byte 15); save it as CSV UTF-8"),
        (b'trainee,batch,assignment,score\n"a@b.co,W,A,1\n', None),
    ],
)
def test_a_file_that_cannot_be_read_is_one_sentence(data: bytes, sentence: str | None) -> None:
    with pytest.raises(ScoresFileError) as raised:
        read_scores(data)
    if sentence is not None:
        assert str(raised.value) == sentence
    assert "\n" not in str(raised.value)


@given(st.binary(max_size=300))
def test_any_bytes_give_rows_problems_or_one_sentence(data: bytes) -> None:
    try:
        found = read_scores(b"trainee,batch,assignment,score\n" + data)
    except ScoresFileError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert all(isinstance(p, RowProblem) and p.line >= 2 for p in found.problems)
    assert all(r.score >= 0 for r in found.rows)


def test_scores_check_names_each_bad_row_and_exits_1(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "a@b.co,W,A,5,10,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scores", "check", str(good)])
    assert (result.exit_code, result.stdout) == (0, "1 row can be imported\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "a@b.co,W,A,5,10,\nbob,W,A,5,10,\nc@d.co,W,A,11,10,\n")
    result = CliRunner().invoke(main, ["scores", "check", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == "1 row can be imported, 2 cannot (fix them)\n"
    assert result.stderr.splitlines() == [
        f"{bad}: line 3: trainee must be an e-mail address or an Odoo contact id",
        f"{bad}: line 4: score 11 is above max_score 10",
    ]
    unreadable = tmp_path / "unreadable.csv"
    unreadable.write_bytes(b"\xff\xfe\x00t")
    result = CliRunner().invoke(main, ["scores", "check", str(unreadable)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        result.stderr
        == f"error: {unreadable}: the file is not UTF-8 text (byte 1); save it as CSV UTF-8\n"
    )
