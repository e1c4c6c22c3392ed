"""售前、售中、售后: sort services by when they happen, from :mod:`crmlab.rules.service`."""

from __future__ import annotations

from crmlab.rules import service
from crmlab.widgets.labelling import LabelSorter


class ServiceStageSorter(LabelSorter):
    """Mark each service of :data:`crmlab.rules.service.EXAMPLES` 售前, 售中 or 售后, then check; the
    marking is :func:`crmlab.rules.service.mark_stages`."""

    unit = "项"

    def __init__(self, seed: int = 0):
        super().__init__(
            service.EXAMPLES, service.STAGES,
            lambda answers, ids: service.mark_stages(answers, example_ids=ids),
            title="服务归类练习",
            intro=("<p>判断下面每项服务发生在哪个阶段，点选「售前」「售中」或「售后」，"
                   "再点「检查答案」。</p>"),
            item_name="服务 {n}", seed=seed,
        )
        self.add_class("crm-service-sorter")
