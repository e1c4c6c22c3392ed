"""SPIN questioning (SPIN 提问): the four question types and three checkers.

SPIN comes from Neil Rackham, *SPIN Selling* (1988), built on Huthwaite's study of about
35,000 sales calls (the textbook's lesson 16 sets it as homework). The course's homework: you sell
Goodyear tyres (固特异轮胎) to a key account, Volkswagen (大众汽车), and ask SPIN questions to
uncover its needs.

* ``TYPES`` — S 背景问题, P 难点问题, I 暗示问题, N 需求-效益问题 (the Chinese names used by the
  Chinese edition of the book), each with its purpose and a typical opening.
* ``SpinQuestion`` — a question with its type and why; the course's question bank is data of
  the exercises (:mod:`crmlab.exercises.spin_bank`), and the rules below take the questions
  as arguments (this layer reads no file).
* ``score_labelling`` — mark a student's S/P/I/N labels for questions;
  ``pick_questions`` — a short labelling exercise that meets all four types.
* ``parse_script`` reads a script typed one question a line (``S：……``);
  ``review_script`` — feedback on a student's own script of typed questions: counts, order,
  warnings. The **order rule**: give each type a rank S=1, P=2, I=3, N=4; within one problem
  the ranks never go down (S S P I N and S P N follow it; S P S I N does not). A problem
  question after an implication or need-payoff question takes up a NEW problem, which again
  goes P→I→N (S P I N P I N follows the rule); going back within the same problem (to S at
  any time, or to I after N) breaks it. Types may be skipped as far as order goes; missing P,
  I or N questions get their own warnings.
* ``classify_hint`` — a keyword heuristic suggesting a type for free text. It is a hint for
  the student, never a grader.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crmlab.rules import labelling
from crmlab.rules.checking import Marking, Outcome, Result, is_blank
from crmlab.rules.checks import CourseInputError


@dataclass(frozen=True)
class SpinType:
    """One SPIN question type."""

    key: str  # S / P / I / N
    name: str  # Chinese name
    english: str
    purpose: str
    opening: str  # a typical opening phrase pattern

    @property
    def label(self) -> str:
        """The name as shown to students, e.g. ``背景问题（Situation）``."""
        return f"{self.name}（{self.english}）"


# In the order a call uses them: the index is the type's rank in the S→P→I→N rule.
TYPES: tuple[SpinType, ...] = (
    SpinType(
        "S",
        "背景问题",
        "Situation",
        "了解客户目前的事实和背景：规模、用量、现有供应商、做事流程等。",
        "目前……是怎么安排的？现在每月大概有多少……？",
    ),
    SpinType(
        "P",
        "难点问题",
        "Problem",
        "发现客户在现状中遇到的困难、不满和顾虑。",
        "您对……满意吗？在……方面有没有遇到什么困难？",
    ),
    SpinType(
        "I",
        "暗示问题",
        "Implication",
        "追问难点会带来的后果和影响，让客户觉得问题更大、更紧迫。",
        "这个问题会对……造成什么影响？如果一直这样，会导致什么后果？",
    ),
    SpinType(
        "N",
        "需求-效益问题",
        "Need-payoff",
        "请客户自己说出解决问题的价值和好处。",
        "如果能……，对您有什么帮助？这样做的价值在哪里？",
    ),
)

TYPE_BY_KEY: dict[str, SpinType] = {t.key: t for t in TYPES}
TYPE_RANK: dict[str, int] = {t.key: rank for rank, t in enumerate(TYPES)}
TYPE_KEYS_TEXT = "、".join(TYPE_BY_KEY)  # "S、P、I、N", for messages

# --- review_script thresholds (Rackham: too many situation questions bore the buyer) -------
MAX_SITUATION_COUNT = 4
"""More situation questions than this draws a warning."""
MAX_SITUATION_SHARE = 0.4
"""A share of situation questions above this (40 %) draws a warning."""

# --- classify_hint keywords: checked in this order, the first type with a match wins --------
# Need-payoff and implication come first because their markers are the most specific
# ("如果能…帮助" is N even though it also reads like a condition; "这个问题会导致…" is I even though
# it names a problem); problem markers beat the neutral situation markers.
HINT_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "N",
        (
            "帮助",
            "价值",
            "好处",
            "意义",
            "值得",
            "有用",
            r"(如果|要是|假如)[^，。？]{0,12}(?<![没不])能",  # 如果能… but not 如果…没能/不能
        ),
    ),
    (
        "I",
        (
            "影响",
            "导致",
            "后果",
            "造成",
            "意味着",
            "损失",
            "浪费",
            r"(如果|要是|假如|万一|一旦).{0,30}会",
        ),
    ),
    (
        "P",
        (
            "困难",
            "问题",
            "不满",
            "满意",
            "担心",
            "不放心",
            "麻烦",
            "头疼",
            "费劲",
            "顾虑",
            "难",
            "抱怨",
        ),
    ),
    ("S", ("目前", "现在", "多少", "几", "哪些", "哪家", "多久", "一般", "通常")),
)
_HINT_REGEXES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile("|".join(words))) for key, words in HINT_PATTERNS
)

SCRIPT_WARNINGS: dict[str, str] = {
    "empty": "脚本里还没有问题：请先写几个问题。",
    "too_many_situation": (
        "背景问题太多（{count} 个，占 {share:.0f}%）：超过 {max_count} 个或超过 {max_share:.0f}% "
        "会让客户厌烦，先做好功课，只问必须由客户回答的背景问题。"
    ),
    "missing_problem": "没有难点问题：不先找到客户的困难和不满，后面的提问就没有落脚点。",
    "missing_implication": "没有暗示问题：要追问难点会带来什么后果，问题才会显得重要而紧迫。",
    "missing_need_payoff": "没有需求-效益问题：要请客户自己说出解决问题的价值和好处。",
    "need_payoff_before_problem": (
        "第 {position} 个问题是需求-效益问题，但在它之前还没有问过难点问题："
        "客户还没意识到问题，就很难体会解决它的价值。"
    ),
    "order_break": (
        "第 {position} 个问题是{this}，但围绕同一个难点已经问到{later}了：同一个难点之内应按 "
        "S→P→I→N 的顺序推进（换一个新的难点时，可以从难点问题重新开始）。"
    ),
}
"""Warning code → Chinese message template for ``review_script``."""


# ------------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class SpinQuestion:
    """A SPIN question: its text, its type and why it is of that type."""

    id: str
    text: str
    type: str  # S / P / I / N
    scenario: str
    explanation: str  # one sentence: why the question is of that type

    @property
    def type_name(self) -> str:
        """The Chinese name of the question's type."""
        return TYPE_BY_KEY[self.type].name


# ------------------------------------------------------------------------------- labelling


def normalise_type(value: object) -> str | None:
    """``"S"``, ``"s"``, ``" Ｓ "`` (full width) … → ``"S"``; anything else → ``None``."""
    if not isinstance(value, str):
        return None
    key = unicodedata.normalize("NFKC", value).strip().upper()
    return key if key in TYPE_BY_KEY else None


def _mark_one(question: SpinQuestion, given: object) -> Result:
    right = TYPE_BY_KEY[question.type]
    answer = f"正确答案：{right.key} {right.name}。{question.explanation}"
    key = normalise_type(given)
    if is_blank(given):
        outcome, message = Outcome.UNANSWERED, f"还没有作答。{answer}"
    elif key is None:
        outcome = Outcome.INVALID
        message = f"「{given}」不是有效的类型，请填写 {TYPE_KEYS_TEXT} 中的一个字母。{answer}"
    elif key == question.type:
        outcome, message = Outcome.CORRECT, f"正确：这是{right.name}。{question.explanation}"
    else:
        outcome = Outcome.INCORRECT
        message = f"不对：你选的是{TYPE_BY_KEY[key].name}。{answer}"
    return Result(outcome=outcome, message=message, explanation=question.explanation,
                  id=question.id, given=given, answer=question.type)


def score_labelling(
    answers: Mapping[str, object],
    questions: Mapping[str, SpinQuestion],
    question_ids: Iterable[str] | None = None,
) -> Marking:
    """Mark a student's type labels for ``questions`` (id → :class:`SpinQuestion`, e.g.
    :func:`crmlab.exercises.spin_bank.questions`): a :class:`crmlab.rules.checking.Marking`
    (its summary with the percentage), each item's ``answer`` the right type and its message
    naming it.

    ``answers`` maps question id → the student's label. S/P/I/N are accepted in either case
    (full-width letters too, and surrounding spaces are ignored); ``None`` or a blank string
    is *unanswered*; any other value is *invalid* and gets a Chinese message, never an
    exception. ``question_ids`` is the exercise's full list of questions (ids missing from
    ``answers`` count as unanswered); by default the exercise is the ids in ``answers``.
    ``questions`` that is not a mapping, an id that is not in it, an answer for an id outside
    ``question_ids``, or an exercise with no questions raises :class:`CourseInputError`
    (:func:`crmlab.rules.labelling.mark_items`).
    """
    if not isinstance(questions, Mapping):
        raise CourseInputError("「题目」应当是以题号为键、以题目为值的字典。", "题目")
    ids = list(answers) if question_ids is None and isinstance(answers, Mapping) else question_ids
    return labelling.mark_items(answers, questions, ids,
                                lambda qid, given: _mark_one(questions[qid], given),
                                what="题号", show_percentage=True)


def pick_questions(questions: list[SpinQuestion], count: int, seed: int) -> list[SpinQuestion]:
    """``count`` questions chosen and shuffled by ``seed``, spread over the types in turn
    (one of each type before a second of any), so that a short exercise meets all four."""
    rng = random.Random(seed)
    pools = {t.key: [q for q in questions if q.type == t.key] for t in TYPES}
    for pool in pools.values():
        rng.shuffle(pool)
    picked: list[SpinQuestion] = []
    while len(picked) < count:
        for pool in pools.values():
            if pool and len(picked) < count:
                picked.append(pool.pop())
    rng.shuffle(picked)
    return picked


# --------------------------------------------------------------------------- script review


@dataclass(frozen=True)
class ScriptWarning:
    """A piece of advice about a script: a stable ``code`` and its Chinese ``message``."""

    code: str  # a key of SCRIPT_WARNINGS
    message: str


@dataclass(frozen=True)
class ScriptItem:
    """A question of a student's script."""

    position: int  # 1-based
    type: str  # S / P / I / N, as labelled by the student
    text: str
    hint: str | None  # classify_hint(text): what the wording suggests, for reference only


@dataclass(frozen=True)
class ScriptFeedback:
    """Feedback on a student's SPIN script."""

    items: tuple[ScriptItem, ...]
    counts: dict[str, int]  # every type key, zeros included
    follows_order: bool  # non-empty and no problem goes back to an earlier type
    order_breaks: tuple[int, ...]  # 1-based positions that go back within one problem
    warnings: tuple[ScriptWarning, ...]

    @property
    def total(self) -> int:
        """Number of questions in the script."""
        return len(self.items)

    @property
    def messages(self) -> tuple[str, ...]:
        """The warnings' Chinese sentences."""
        return tuple(w.message for w in self.warnings)

    def has(self, code: str) -> bool:
        """Is there a warning with this code?"""
        return any(w.code == code for w in self.warnings)


def _warn(code: str, **values: object) -> ScriptWarning:
    return ScriptWarning(code, SCRIPT_WARNINGS[code].format(**values))


def _script_items(questions: object) -> tuple[ScriptItem, ...]:
    if not isinstance(questions, (list, tuple)):
        raise CourseInputError("「提问脚本」应当是由（类型, 问题）组成的列表。", "提问脚本")
    items = []
    for position, entry in enumerate(questions, start=1):
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise CourseInputError(
                f"提问脚本第 {position} 项应当是（类型, 问题）两项。", "提问脚本"
            )
        raw_type, text = entry
        key = normalise_type(raw_type)
        if key is None:
            raise CourseInputError(
                f"提问脚本第 {position} 个问题的类型「{raw_type}」无效，"
                f"请用 {TYPE_KEYS_TEXT} 之一。",
                "类型",
            )
        if not isinstance(text, str) or not text.strip():
            raise CourseInputError(f"提问脚本第 {position} 个问题还没有内容。", "问题")
        items.append(ScriptItem(position, key, text.strip(), classify_hint(text)))
    return tuple(items)


_LINE = re.compile(r"\s*(?P<type>[A-Za-z])(?:\s*[:：、.．)）]|\s+|$)\s*(?P<text>.*)")
"""A script line: a type letter, then a colon (half or full width), 、 . ) or a space, then
the question. The letter itself is checked by :func:`normalise_type`."""


def parse_script(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Read a script typed one question a line (``S：……``): (type, question) pairs for the
    good lines, and one Chinese message per bad line (naming its line number). Blank lines are
    skipped."""
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        head, tail = unicodedata.normalize("NFKC", raw[:3]), raw[3:]
        match = _LINE.match(head + tail)
        if match is None:
            problems.append(
                f"第 {number} 行没有写类型：请在行首写 {TYPE_KEYS_TEXT} 中的一个字母，"
                f"再加冒号，例如「P：……」。"
            )
            continue
        key = normalise_type(match.group("type"))
        if key is None:
            problems.append(
                f"第 {number} 行的类型「{match.group('type')}」无效：只能是 "
                f"{TYPE_KEYS_TEXT} 中的一个。"
            )
            continue
        question = match.group("text").strip()
        if not question:
            problems.append(f"第 {number} 行只写了类型 {key}，还没有写问题。")
            continue
        pairs.append((key, question))
    return pairs, problems


def review_script(questions: list[tuple[str, str]]) -> ScriptFeedback:
    """Review a student's script: ``questions`` is a list of (type, text) in the order asked.

    Types are S/P/I/N in either case. Returns the counts per type, whether the script follows
    the S→P→I→N order (see the module docstring; an empty script does not), the positions
    that break it, and warnings: empty script; too many situation questions (more than
    ``MAX_SITUATION_COUNT`` or a share above ``MAX_SITUATION_SHARE``); no problem, no
    implication or no need-payoff question; a need-payoff question before any problem
    question (reported once, for the first); one warning per order break. A bad type or an
    empty question raises :class:`CourseInputError` naming its position.
    """
    items = _script_items(questions)
    counts = {t.key: 0 for t in TYPES}
    for item in items:
        counts[item.type] += 1
    if not items:
        return ScriptFeedback(items, counts, False, (), (_warn("empty"),))

    warnings: list[ScriptWarning] = []
    situation_share = counts["S"] / len(items)
    if counts["S"] > MAX_SITUATION_COUNT or situation_share > MAX_SITUATION_SHARE:
        warnings.append(
            _warn(
                "too_many_situation",
                count=counts["S"],
                share=100 * situation_share,
                max_count=MAX_SITUATION_COUNT,
                max_share=100 * MAX_SITUATION_SHARE,
            )
        )
    for key, code in (("P", "missing_problem"), ("I", "missing_implication")):
        if counts[key] == 0:
            warnings.append(_warn(code))
    if counts["N"] == 0:
        warnings.append(_warn("missing_need_payoff"))

    first_problem = next((i.position for i in items if i.type == "P"), None)
    first_payoff = next((i.position for i in items if i.type == "N"), None)
    if first_payoff is not None and (first_problem is None or first_payoff < first_problem):
        warnings.append(_warn("need_payoff_before_problem", position=first_payoff))

    breaks = []
    highest = items[0]  # the furthest type reached within the current problem
    for item in items[1:]:
        new_problem = item.type == "P" and TYPE_RANK[highest.type] > TYPE_RANK["P"]
        if new_problem:
            highest = item
        elif TYPE_RANK[item.type] < TYPE_RANK[highest.type]:
            breaks.append(item.position)
            warnings.append(
                _warn(
                    "order_break",
                    position=item.position,
                    this=TYPE_BY_KEY[item.type].name,
                    later=TYPE_BY_KEY[highest.type].name,
                )
            )
        else:
            highest = item
    return ScriptFeedback(items, counts, not breaks, tuple(breaks), tuple(warnings))


def classify_hint(text: str) -> str | None:
    """Suggest a likely type (S/P/I/N) for a free question from keywords, or ``None``.

    Only a hint for the student ("this wording reads like an implication question"), never a
    grade: it looks for the markers in ``HINT_PATTERNS`` (e.g. 目前/现在/多少 → S; 困难/问题/
    不满意/担心 → P; 影响/导致/后果/如果…会 → I; 帮助/价值/好处/如果能… → N), trying N, I, P, S in
    that order, and returns ``None`` when nothing matches or the text is blank.
    """
    if not isinstance(text, str):
        raise CourseInputError(f"「问题」应当是文字，现在是：{type(text).__name__}", "问题")
    normalised = unicodedata.normalize("NFKC", text).strip()
    if not normalised:
        return None
    return next((key for key, regex in _HINT_REGEXES if regex.search(normalised)), None)
