"""Handling customers' personal information: lawful or not (lesson 12).

``PRACTICES`` are everyday ways a firm collects, keeps, uses or shares customers' personal
information, each judged against the Personal Information Protection Law of the PRC
(《个人信息保护法》, in force since 1 November 2021) or the Consumer Rights Protection Law,
with the rule it meets or breaks. :func:`mark_practices` marks a student's judgements (a
:mod:`crmlab.rules.labelling` exercise). The judgements state only what those laws say plainly
(consent, minimum necessary, purpose, separate consent for sensitive information and for
giving information to others, a guardian's consent under 14, the right to delete, no
unreasonable price discrimination, no commercial messages after a refusal, security duties).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from crmlab.rules import labelling
from crmlab.rules.checking import Marking
from crmlab.rules.labelling import Item, Option

VERDICTS: tuple[Option, ...] = (Option("lawful", "合规"), Option("unlawful", "违规"))

PRACTICES: tuple[Item, ...] = (
    Item("P1", "unlawful",
         "网店注册时要求必须填写身份证号、工作单位和月收入，不填就不能注册。",
         "违规：网上购物用不到这些信息，属于过度收集，违反最小必要原则；"
         "也不得因为顾客不提供非必需的信息就拒绝为他服务。"),
    Item("P2", "lawful",
         "外卖平台要求顾客填写收货地址和手机号码，用于送餐和联系。",
         "合规：这些信息是履行送餐合同所必需的，处理目的明确；平台仍要告知顾客用途。"),
    Item("P3", "lawful",
         "药店向会员说明用途后，单独征得同意，保存其购药记录，用于提醒续药。",
         "合规：购药记录属于医疗健康信息，是敏感个人信息，需要特定目的、充分必要和单独同意，"
         "药店都做到了，还要严格保护这些记录。"),
    Item("P4", "unlawful",
         "超市把会员的手机号码提供给合作的保险公司，换取推广费，事先没有告诉会员。",
         "违规：向他人提供个人信息，要告知会员接收方等情况并取得会员的单独同意；"
         "非法出售个人信息，情节严重的还可能构成犯罪。"),
    Item("P5", "unlawful",
         "会员申请注销账户并删除自己的信息，企业以「系统删不掉」为由拒绝，继续保存和使用。",
         "违规：个人撤回同意或企业停止提供服务后，企业应当删除；即使删除在技术上确实难以实现，"
         "也只能存储并采取安全保护措施，必须停止其他一切处理，更不能继续使用。"),
    Item("P6", "lawful",
         "促销短信末尾写明退订方法，顾客回复退订后，企业不再给他发送促销短信。",
         "合规：消费者明确拒绝后不再发送商业性信息，并提供便捷的拒绝方式，正是法律的要求。"),
    Item("P7", "unlawful",
         "电商平台根据购买记录，对同一件商品向老顾客显示比新顾客更高的价格。",
         "违规：利用个人信息进行自动化决策，不得在交易价格上对个人实行不合理的差别待遇，"
         "这就是俗称的「大数据杀熟」。"),
    Item("P8", "lawful",
         "客户档案按岗位设定查看权限，员工离职当天注销他的账号，数据定期加密备份。",
         "合规：合理确定操作权限、采取加密等安全措施，是企业保护个人信息的责任。"),
    Item("P9", "unlawful",
         "儿童乐园为一名 10 岁的孩子办会员卡，登记孩子的姓名和照片，只让孩子自己勾选同意。",
         "违规：不满十四周岁未成年人的个人信息属于敏感个人信息，要取得其父母或者其他监护人的同意，"
         "孩子自己勾选不算数。"),
    Item("P10", "unlawful",
         "一位顾客在网上发了差评，店员为了澄清事实，把这位顾客的订单截图和手机号码发到了评论区。",
         "违规：未经同意公开顾客的个人信息，侵犯了顾客的权益；澄清事实应当说明处理经过，"
         "而不是暴露顾客。"),
)
RETRY = "判断为{chosen}不对。再想一想：这样做是否必要、是否征得了同意、是否保障了个人的权利？"


def mark_practices(
    answers: Mapping[str, object], practice_ids: Iterable[str] | None = None
) -> Marking:
    """Mark a student's judgements (合规 / 违规, or ``lawful`` / ``unlawful``) of the
    practices ``practice_ids`` (by default all of ``PRACTICES``); see
    :func:`crmlab.rules.labelling.mark` for the outcomes and the errors."""
    return labelling.mark(answers, PRACTICES, VERDICTS, practice_ids,
                          retry=RETRY, unit="条", what="做法编号")
