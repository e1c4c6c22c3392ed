"""Helpers the tests share (imported, never collected): ``ROOT`` (the repository), a scratch
course (``course``), a real JupyterLab and Chromium (``browser``), lesson notebooks run headless
(``notebooks``), a small real gradebook (``gradebook``) and a tiny assignment (``tiny``). A real
hub for a class is ``benchmarks.harness``, which the hub benchmark uses too (benchmarks import
nothing of tests/)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository: the course folder, with ``lessons/``, ``reports/``, ``data/`` beside it."""
