"""合规判断练习: judge ways of handling customers' personal information, from
:mod:`crmlab.rules.privacy`."""

from __future__ import annotations

from crmlab.rules import privacy
from crmlab.widgets.labelling import LabelSorter


class PrivacySorter(LabelSorter):
    """Mark each practice of :data:`crmlab.rules.privacy.PRACTICES` 合规 or 违规, then check; the
    marking is :func:`crmlab.rules.privacy.mark_practices`."""

    unit = "条"

    def __init__(self, seed: int = 0):
        super().__init__(
            privacy.PRACTICES, privacy.VERDICTS,
            lambda answers, ids: privacy.mark_practices(answers, practice_ids=ids),
            title="合规判断练习",
            intro=("<p>下面是企业处理客户个人信息的十种做法。按本课讲的《个人信息保护法》"
                   "和《消费者权益保护法》，判断每种做法是「合规」还是「违规」，再点「检查答案」。"
                   "答对的题目会说明依据。</p>"),
            item_name="做法 {n}", seed=seed,
        )
        self.add_class("crm-privacy-sorter")
