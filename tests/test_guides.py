"""The guides in docs/: an English summary on top, every linked image and page exists, and the
screenshot script, run on a small demo course, makes every image the guides show."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

DOCS = ROOT / "docs"
GUIDES = [DOCS / name for name in ("学生指南.md", "教师指南.md", "自学指南.md")]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s#]+)\)")


def images_in(text: str) -> list[str]:
    return IMAGE.findall(text)


def missing_links(guide: Path) -> list[str]:
    """Images and local pages a guide links to that do not exist."""
    text = guide.read_text(encoding="utf-8")
    targets = images_in(text) + [t for t in LINK.findall(text) if "://" not in t]
    return [t for t in targets if not (guide.parent / t).exists()]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
def test_guide_has_english_summary_and_shows_its_pages(guide):
    """Does each guide open with an English summary and show screenshots of the pages?"""
    text = guide.read_text(encoding="utf-8")
    assert text.splitlines()[2].startswith("> **English summary.**")
    assert len(images_in(text)) >= 2


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
def test_guide_links_only_existing_images_and_pages(guide):
    """Is every image and page a guide links to in the repository?"""
    assert missing_links(guide) == []


def test_a_missing_image_is_caught(tmp_path):
    """Would a guide that links a missing image fail the check above?"""
    guide = tmp_path / "指南.md"
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "there.png").write_bytes(b"")
    guide.write_text("![有](images/there.png)\n![没有](images/gone.png)\n[页](其他.md)",
                     encoding="utf-8")
    assert missing_links(guide) == ["images/gone.png", "其他.md"]


def test_teacher_guide_names_the_real_commands_and_the_late_policy():
    """Does the instructor guide give the cycle's real commands and the YAML late policy?"""
    import yaml

    text = (DOCS / "教师指南.md").read_text(encoding="utf-8")
    for command in ("crmlab release", "nbgrader release_assignment", "nbgrader collect",
                    "crmlab autograde hw01_crm_concepts --jobs", "nbgrader generate_feedback",
                    "nbgrader release_feedback", "nbgrader export",
                    "crmlab report class_results -p course_dir"):
        assert command in text, command
    policies = {str(yaml.safe_load(p.read_text(encoding="utf-8"))["late_policy"])
                for p in (ROOT / "assignments").glob("*.yml")}
    assert policies == {"{'per_day': 0.1, 'max': 0.5}"}
    assert "late_policy: {per_day: 0.1, max: 0.5}" in text and "10%" in text and "50%" in text


@pytest.fixture(scope="module")
def demo_course(tmp_path_factory):
    """A small demo course (6 students), made once for the screenshot test."""
    out = tmp_path_factory.mktemp("demo")
    subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "demo", "--class-size", "6", "--quiet",
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return out


@pytest.mark.slow
@pytest.mark.browser
def test_screenshot_script_makes_every_image_the_guides_show(demo_course, tmp_path):
    """Does docs/screenshots.py, on a demo course, make every image the guides link to?"""
    images = tmp_path / "images"
    subprocess.run([sys.executable, str(DOCS / "screenshots.py"), "--demo", str(demo_course),
                    "--images", str(images)], check=True, cwd=ROOT, timeout=900)
    wanted = {Path(i).name for g in GUIDES for i in images_in(g.read_text(encoding="utf-8"))}
    made = {p.name for p in images.glob("*.png") if p.stat().st_size > 10_000}
    assert wanted <= made, wanted - made
    assert made == {p.name for p in (DOCS / "images").glob("*.png")}  # committed set is complete
