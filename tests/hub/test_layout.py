"""The hub's folders: lessons copied into a home, the project checkout made private. No hub needed."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

from crmlab.commands.hub import layout
from crmlab.commands.hub.singleuser import copy_lessons


def test_lessons_are_added_but_never_overwritten(tmp_path):
    """Does a home get every lesson and data file, and at a later start only the new ones,
    with the student's edits kept?"""
    project = tmp_path / "app"
    (project / "lessons").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "lessons" / "01_a.ipynb").write_text("original")
    (project / "data" / "customers.csv").write_text("id\n1\n")
    home = tmp_path / "home"
    assert len(copy_lessons(home, project)) == 2
    (home / "lessons" / "01_a.ipynb").write_text("my notes")
    (project / "lessons" / "02_b.ipynb").write_text("new lesson")
    assert copy_lessons(home, project) == [home / "lessons" / "02_b.ipynb"]
    assert (home / "lessons" / "01_a.ipynb").read_text() == "my notes"


def test_an_open_checkout_is_made_private(tmp_path):
    """Is a project folder other accounts could read closed to them (owner and group keep
    their access), and an already private one left alone?"""
    checkout = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        (checkout / "source").mkdir()
        checkout.chmod(0o755)
        (checkout / "source").chmod(0o755)
        assert layout.others_can_reach(checkout / "source")
        assert layout.make_checkout_private(checkout)
        assert stat.S_IMODE(checkout.stat().st_mode) == 0o750
        assert not layout.others_can_reach(checkout / "source")
        assert not layout.make_checkout_private(checkout)
    finally:
        checkout.chmod(0o700)
        checkout.joinpath("source").rmdir()
        checkout.rmdir()
