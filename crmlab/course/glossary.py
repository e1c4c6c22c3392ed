"""The course glossary: one Chinese term per CRM concept, with its English, a one-line
definition and the lesson that teaches it (``crmlab/course/glossary.yml``).

``docs/术语表.md`` is generated from it (``python -m crmlab.course.glossary``; ``--check`` only
compares). The checks the tests run on the lessons live here too, so that a lesson author can
run them alone: :func:`first_use_problems` (each term appears in its lesson, with its English
at its first use in the teaching text) and :func:`variant_uses` (spellings to avoid).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from crmlab.course.manifest import Manifest, load_course
from crmlab.course.tables import GENERATED
from crmlab.data.resources import REPOSITORY
from crmlab.rules.checks import CourseInputError

GLOSSARY_FILE = Path(__file__).resolve().with_name("glossary.yml")
ROOT = REPOSITORY
DOC_FILE = ROOT / "docs" / "术语表.md"
ENGLISH_WINDOW = 60  # characters after the Chinese term in which its English must appear
TEACHING_START = re.compile(r"^##\s*[一二三四五六七八九十]+、", re.M)
HEADING = re.compile(r"^#+\s.*$", re.M)
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    definition: str
    lesson: str
    avoid: tuple[str, ...] = field(default=())

    @property
    def english_forms(self) -> list[str]:
        """Ways the English may be given: the name, and each item in its brackets
        ("Customer Relationship Management", "CRM")."""
        name, _, rest = self.en.partition(" (")
        forms = [name.strip()]
        if rest:
            forms += [part.strip() for part in rest.rstrip(")").split(",")]
        return [form for form in forms if form]


def load_glossary(path: Path = GLOSSARY_FILE) -> list[Term]:
    """Read and check the glossary: every field filled, no term twice, no variant that is
    itself a term."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CourseInputError(f"术语表 {path} 无法读取：{error}") from error
    terms = []
    for index, entry in enumerate(data.get("terms", []), start=1):
        missing = [key for key in ("zh", "en", "definition", "lesson") if not entry.get(key)]
        if missing:
            raise CourseInputError(f"术语表第 {index} 条缺少 {'、'.join(missing)}")
        terms.append(Term(zh=entry["zh"], en=entry["en"], definition=entry["definition"],
                          lesson=str(entry["lesson"]).zfill(2), avoid=tuple(entry.get("avoid") or ())))
    names = [t.zh for t in terms]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CourseInputError(f"术语表中有重复的术语：{'、'.join(twice)}")
    clash = sorted({v for t in terms for v in t.avoid if v in names})
    if clash:
        raise CourseInputError(f"这些写法既是术语又被列为应避免的写法：{'、'.join(clash)}")
    return terms


# --- checks on lesson text ----------------------------------------------------------------------


def teaching_text(markdown: str) -> tuple[str, list[tuple[int, int]]]:
    """A lesson's prose from its first numbered section (「## 一、…」) on, without headings and
    without the tables generated from the rules: where terms are taught (the title, goals and
    lead-in only name them, a generated table lists them). Also the spans of its formulas,
    which may name a term but are not where it is explained."""
    start = TEACHING_START.search(markdown)
    text = HEADING.sub("", GENERATED.sub("", markdown[start.start():] if start else markdown))
    return text, [m.span() for m in MATH.finditer(text)]


def first_use_problems(term: Term, markdown: str) -> list[str]:
    """Problems with ``term`` in the markdown of the lesson that teaches it: it must appear,
    and its English must follow it (within a few characters) at its first use in the prose, or
    in a formula before that."""
    if term.zh not in markdown:
        return [f"{term.zh}：没有出现在第 {term.lesson} 课中"]
    text, formulas = teaching_text(markdown)
    uses = [m.start() for m in re.finditer(re.escape(term.zh), text)]
    prose = [at for at in uses if not any(s <= at < e for s, e in formulas)]
    if not prose:
        return [f"{term.zh}：第 {term.lesson} 课的正文中没有讲到它"]
    for at in (at for at in uses if at <= prose[0]):
        after = text[at + len(term.zh): at + len(term.zh) + ENGLISH_WINDOW].lower()
        if any(form.lower() in after for form in term.english_forms):
            return []
    return [f"{term.zh}：第 {term.lesson} 课正文中第一次出现时没有给出英文"
            f"（{term.en}）：「{text[prose[0]: prose[0] + len(term.zh) + 30]}」"]


def variant_uses(terms: list[Term], text: str) -> list[str]:
    """Spellings to avoid found in ``text`` (an occurrence inside a proper term is fine:
    「合作伙伴型」 is flagged, 「伙伴型」 is not)."""
    proper = [(m.start(), m.end()) for t in terms for m in re.finditer(re.escape(t.zh), text)]
    found = []
    for term in terms:
        for variant in term.avoid:
            for match in re.finditer(re.escape(variant), text):
                if not any(s <= match.start() and match.end() <= e for s, e in proper):
                    context = text[max(0, match.start() - 15): match.end() + 15].replace("\n", " ")
                    found.append(f"「{variant}」应写作「{term.zh}」：…{context}…")
    return found


# --- the generated page ---------------------------------------------------------------------


def render_markdown(terms: list[Term], course: Manifest) -> str:
    """docs/术语表.md: the terms grouped by lesson, in the order the course teaches them."""
    lines = [
        "# 术语表",
        "",
        "> **English summary.** The course glossary: every CRM term the lessons use, with its",
        "> Chinese form (the one used everywhere in the course), the English term, a one-line",
        "> definition and the lesson that teaches it. Generated from `crmlab/course/glossary.yml`",
        "> by `.venv/bin/python -m crmlab.course.glossary`; do not edit this page by hand.",
        "",
        "本页由 `crmlab/course/glossary.yml` 生成（`.venv/bin/python -m crmlab.course.glossary`），请不要直接修改。"
        "课件和测验一律使用下表中的中文术语；每个术语第一次讲到时，在括号中给出英文。"
        "「不要写作」一栏列出课程中应避免的其他译法或写法。",
        "",
        f"共 {len(terms)} 个术语。",
    ]
    for lesson in sorted({t.lesson for t in terms}):
        entry = course.lesson(int(lesson))
        lines += ["", f"## {entry.heading}", "", f"课件：[lessons/{entry.file}](../lessons/{entry.file})", "",
                  "| 中文 | English | 释义 | 不要写作 |", "|---|---|---|---|"]
        for term in (t for t in terms if t.lesson == lesson):
            avoid = "、".join(term.avoid) or "—"
            lines.append(f"| **{term.zh}** | {term.en} | {term.definition} | {avoid} |")
    return "\n".join(lines) + "\n"


def write_markdown(path: Path = DOC_FILE) -> Path:
    path.write_text(render_markdown(load_glossary(), load_course()), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    expected = render_markdown(load_glossary(), load_course())
    if "--check" in argv:
        if not DOC_FILE.exists() or DOC_FILE.read_text(encoding="utf-8") != expected:
            print(f"{DOC_FILE} 与 glossary.yml 不一致：请运行 python -m crmlab.course.glossary 重新生成",
                  file=sys.stderr)
            return 1
        print(f"{DOC_FILE} 是最新的。")
        return 0
    DOC_FILE.write_text(expected, encoding="utf-8")
    print(f"已生成 {DOC_FILE}（{len(load_glossary())} 个术语）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
