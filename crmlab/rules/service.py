"""Customer service by when it happens: before, during and after the sale (lesson 09).

``STAGES`` are the three stages (售前 / 售中 / 售后); ``EXAMPLES`` are services, each with the
stage it belongs to and why. :func:`mark_stages` marks a student's sorting (a
:mod:`crmlab.rules.labelling` exercise). The examples are chosen so that each belongs to one stage
only: a service that may fall in two stages (e.g. answering questions) is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from crmlab.rules import labelling
from crmlab.rules.checking import Marking
from crmlab.rules.labelling import Item, Option

STAGES: tuple[Option, ...] = (
    Option("before", "售前"),
    Option("during", "售中"),
    Option("after", "售后"),
)

EXAMPLES: tuple[Item, ...] = (
    Item("S1", "before", "为一家企业客户量身设计采购方案。",
         "售前：客户还在考虑买什么、买多少，方案帮助他做出选择。"),
    Item("S2", "before", "让有意购买的顾客把净水器带回家免费试用一周。",
         "售前：试用让顾客在掏钱之前了解产品是否合用。"),
    Item("S3", "before", "在商场举办新品展示会，请顾客现场体验样机。",
         "售前：展示和体验帮助顾客认识产品，激发购买的意愿。"),
    Item("S4", "during", "收银台同时支持现金、银行卡和手机支付。",
         "售中：便捷的付款方式让成交顺利完成。"),
    Item("S5", "during", "顾客下单后，按约定的时间把家具送货上门。",
         "售中：交付是成交的一部分，按时、准确地把产品交到顾客手里。"),
    Item("S6", "during", "顾客决定购买后，店员当场帮他办理分期付款手续。",
         "售中：在成交过程中为顾客解决付款上的难处。"),
    Item("S7", "after", "空调安装三个月后，打电话询问顾客使用得怎么样。",
         "售后：回访发生在顾客用上产品之后，了解效果、收集意见。"),
    Item("S8", "after", "保修期内，洗衣机出了故障免费上门维修。",
         "售后：维修帮助顾客继续用好已经买下的产品。"),
    Item("S9", "after", "网店承诺收到商品七天内可以无理由退货。",
         "售后：退换货处理的是顾客收到商品以后的问题。"),
)
RETRY = "不是{chosen}服务。再想一想：这项服务发生在顾客付款之前、付款的过程中，还是用上产品以后？"


def mark_stages(
    answers: Mapping[str, object], example_ids: Iterable[str] | None = None
) -> Marking:
    """Mark a student's sorting of ``EXAMPLES`` into 售前 / 售中 / 售后 (by key or label);
    see :func:`crmlab.rules.labelling.mark` for the outcomes and the errors."""
    return labelling.mark(answers, EXAMPLES, STAGES, example_ids,
                          retry=RETRY, unit="项", what="服务编号")
