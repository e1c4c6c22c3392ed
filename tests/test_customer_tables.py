"""A customer table a person gives: every yes/no spelling, CSV and .xlsx, graded the same by
`crmlab grade` and by the customer grading report, a bad value refused with its row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crmlab.commands.cli import main
from crmlab.data import DATA_DIR

FLAGS = ("listed", "malicious_arrears")
FIRST = 40
"""The first 40 sample customers: 37 neither listed nor in malicious arrears, 2 listed, 1 in
malicious arrears, so that every spelling of 否 and of 是 occurs."""


def sample_text(count: int = FIRST) -> pd.DataFrame:
    """The first ``count`` sample customers, every cell as the file spells it."""
    return pd.read_csv(DATA_DIR / "customers.csv", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False).head(count)


def spelled(yes: str, no: str, count: int = FIRST) -> pd.DataFrame:
    """The sample customers with the yes/no columns spelled ``yes`` / ``no``."""
    table = sample_text(count)
    for column in FLAGS:
        table[column] = table[column].map({"True": yes, "False": no})
    return table


def grade(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["grade", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def cli_levels(capsys, path: Path, out: Path) -> list[str]:
    code, _, err = grade(capsys, str(path), "--out", str(out))
    assert code == 0, err
    return pd.read_csv(out, encoding="utf-8-sig")["level"].tolist()


def test_cli_grades_chinese_yes_no_as_the_true_false_table(capsys, tmp_path):
    """The measured bug: with 是/否 instead of True/False, `crmlab grade` read every 否 as 是
    and gave 3 of the first 40 sample customers another level. Are the levels now equal?"""
    spelled("True", "False").to_csv(tmp_path / "tf.csv", index=False)
    spelled("是", "否").to_csv(tmp_path / "yn.csv", index=False)
    expected = cli_levels(capsys, tmp_path / "tf.csv", tmp_path / "tf_out.csv")
    assert cli_levels(capsys, tmp_path / "yn.csv", tmp_path / "yn_out.csv") == expected
