"""The sandbox's report on a kernel, as data: what executed cells say the sandbox refused, by
kind, and the reports of one submission's kernels added up. (tests/grading/test_sandbox.py
grades real hostile submissions and checks the reasons ``crmlab autograde`` gives from them.)"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from crmlab.grading import autograde
from crmlab.grading.sandbox_report import ERRNO_KINDS, KINDS, LIMITS, SandboxReport, refusals


def _error(ename: str, evalue: str, traceback: list[str] | None = None) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback or []}


@pytest.mark.parametrize("code", sorted(ERRNO_KINDS))
def test_an_oserror_is_read_by_its_errno_raised_or_printed(code):
    kind = ERRNO_KINDS[code]
    raised = _error("OSError", f"[Errno {code}] {os.strerror(code)}: '/x'")
    printed = {"output_type": "stream", "name": "stdout", "text": f"失败了：{os.strerror(code)}\n"}
    shown = {"output_type": "execute_result", "data": {"text/plain": f"OSError({code}, '{os.strerror(code)}')"}}
    assert refusals([raised]) == refusals([printed]) == refusals([shown]) == [kind]


@pytest.mark.parametrize(("output", "kind"), [
    (_error("MemoryError", ""), "memory"),
    (_error("_ArrayMemoryError", "Unable to allocate 7.45 GiB for an array"), "memory"),
    (_error("RuntimeError", "can't start new thread"), "processes"),
    (_error("gaierror", "[Errno -3] Temporary failure in name resolution"), "network"),
    (_error("URLError", "<urlopen error [Errno -2] Name or service not known>"), "network"),
    (_error("ValueError", "wrapped", ["PermissionError: [Errno 13] Permission denied: '/srv'",
                                       "During handling of the above exception"]), "permission"),
])
def test_refusals_without_an_errno_of_their_own(output, kind):
    assert refusals([output]) == [kind]


def test_ordinary_outputs_and_errors_refuse_nothing():
    outputs = [{"output_type": "stream", "name": "stdout", "text": "客户等级：A\n"},
               _error("AssertionError", "double(1) 应为 2"),
               _error("OSError", f"[Errno {errno.ENOENT}] No such file or directory: 'x.csv'"),
               {"output_type": "display_data", "data": {"image/png": "iVBOR"}}]
    assert refusals(outputs) == []


def test_kinds_come_in_one_order_however_met():
    outputs = [_error("PermissionError", "[Errno 13] Permission denied"), _error("MemoryError", "")]
    assert refusals(outputs) == ["memory", "permission"] == [k for k in KINDS if k in refusals(outputs)]


def test_a_submissions_reports_add_up_and_a_broken_one_counts_as_none(tmp_path):
    SandboxReport(leftover_processes=2, refused=["network"]).write(tmp_path)
    SandboxReport(out_of_memory_kills=1, refused=["memory", "network"]).write(tmp_path)
    (tmp_path / "kernel-broken.json").write_text("{不是 JSON", encoding="utf-8")
    (tmp_path / "kernel-odd.json").write_text(json.dumps({"leftover_processes": "many",
                                                          "refused": ["rm -rf"]}))
    total = SandboxReport.read_all(tmp_path)
    assert total == SandboxReport(leftover_processes=2, out_of_memory_kills=1,
                                  refused=["memory", "network"])
    assert SandboxReport.read_all(tmp_path / "none") == SandboxReport()


def test_every_kind_has_the_graders_chinese_reason():
    assert set(autograde.REFUSED) == set(KINDS)
    assert set(autograde.LIMITED) == set(LIMITS)


def test_autograde_reads_the_report_not_the_log_or_the_outputs():
    """No marker of the sandbox's log lines and no refusal's words in crmlab/ outside the report
    module: autograde cannot go back to searching text for them."""
    package = Path(autograde.__file__).resolve().parents[1]
    words = ["SANDBOX-", *(os.strerror(code) for code in ERRNO_KINDS), "MemoryError"]
    found = {(p.name, w) for p in package.rglob("*.py") if p.name != "sandbox_report.py"
             for w in words if w in p.read_text(encoding="utf-8")}
    assert found == set()


def test_limits_are_added_up_in_order_and_unknown_ones_ignored(tmp_path):
    """Are the submission limits of several kernels' reports added up once each, in order, and
    is a kind the grader does not know ignored (it never trusts the report's shape)?"""
    SandboxReport(limits=["output"]).write(tmp_path)
    (tmp_path / "kernel-odd.json").write_text('{"limits": ["wall_time", "rm -rf"]}')
    assert SandboxReport.read_all(tmp_path).limits == ["wall_time", "output"]
