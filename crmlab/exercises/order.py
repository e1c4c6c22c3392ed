"""Option order per student (选项顺序): each student sees a choice question's options in an
order of their own, the same order every time they open the lesson.

A bank keeps one keyed order; left alone, the key would sit at the same letter for the whole
class and a student could learn positions instead of content. :func:`shuffled` permutes the
options of a single- or multiple-choice question with a seed made of the student's identity
and the question's id, and re-letters the answer to match, so :func:`crmlab.exercises.quiz.check`
judges the letters the student saw. True/false questions are left as they are, and so are the
questions whose options are themselves named by letters (「A 级」「C 类（中型客户）」): shuffled,
they would read 「A. C 级」; their bank keeps them in letter order, so position tells nothing.

:func:`student_key` is the identity: on JupyterHub the hub's user name (``JUPYTERHUB_USER``);
elsewhere a random id kept in ``~/.crmlab/student-id`` (created on first use, so two students
sharing the Unix name ``student`` on different computers still differ); if the home folder
cannot be written, the Unix user name. The same key always gives the same order, so a reload
does not move the options.

Explanations and hints must therefore never cite an option by its letter (the bank tests hold
this).
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import os
import random
import re
import secrets
from pathlib import Path

from crmlab.exercises.quiz import LETTERS, Question

HUB_USER_VARIABLE = "JUPYTERHUB_USER"
"""Set by JupyterHub in every single-user server: the student's hub name."""

ID_FILE = Path(".crmlab") / "student-id"
"""Where, under the home folder, the per-install id is kept."""

LETTER_NAMED = re.compile(r"[A-F]\s*[级类](?:（[^）]*）)?")
"""An option named by a letter: a customer level or class (「B 级」, 「C 类（中型客户）」)."""


def keeps_order(question: Question) -> bool:
    """True for a question shown in its bank's order: true/false, or options named by letters."""
    return question.kind == "truefalse" or any(LETTER_NAMED.fullmatch(o) for o in question.options)


def _install_id(home: Path) -> str | None:
    """The id kept in ``home/ID_FILE``, created if missing; None if it cannot be kept."""
    path = home / ID_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    except (OSError, UnicodeDecodeError):
        pass
    new = secrets.token_hex(8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new + "\n", encoding="utf-8")
    except OSError:
        return None
    return new


def student_key() -> str:
    """The identity that fixes this student's option order (see the module doc)."""
    hub_user = os.environ.get(HUB_USER_VARIABLE, "").strip()
    if hub_user:
        return f"hub:{hub_user}"
    try:
        home: Path | None = Path.home()
    except (RuntimeError, KeyError):
        home = None
    install = _install_id(home) if home is not None else None
    if install is not None:
        return f"install:{install}"
    try:
        return f"user:{getpass.getuser()}"
    except (OSError, KeyError):
        return "user:unknown"


def permutation(seed: str, question_id: str, size: int) -> tuple[int, ...]:
    """The order (indices into the keyed options) a student with ``seed`` sees."""
    digest = hashlib.sha256(f"{seed}\x1f{question_id}".encode()).digest()
    order = list(range(size))
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return tuple(order)


def shuffled(question: Question, seed: str) -> Question:
    """``question`` with its options in the order of ``seed`` and its answer re-lettered."""
    if keeps_order(question):
        return question
    order = permutation(seed, question.id, len(question.options))
    new_letter = {LETTERS[old]: LETTERS[new] for new, old in enumerate(order)}
    options = tuple(question.options[old] for old in order)
    if question.kind == "multiple":
        answer: str | tuple[str, ...] = tuple(sorted(new_letter[a] for a in question.answer))
    else:
        answer = new_letter[question.answer]
    return dataclasses.replace(question, options=options, answer=answer)
