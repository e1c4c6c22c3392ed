"""Helpers for tests that execute notebooks headless with a fresh kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 180) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a new python3 kernel, in its own folder; return it."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Errors and anything written to stderr, cell by cell (a student must see neither)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"cell {index} stderr: {output.text[:300]}")
    return found


def is_clean(notebook: nbformat.NotebookNode) -> bool:
    """Committed without outputs and execution counts?"""
    return all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in notebook.cells if cell.cell_type == "code"
    )
