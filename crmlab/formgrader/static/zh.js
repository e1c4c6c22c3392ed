/* CRM Lab: the Chinese texts of nbgrader's Formgrader scripts.
 *
 * nbgrader's scripts write their texts in English (buttons, table cells, dialogs, tooltips).
 * This message table translates each text node and each title/placeholder the scripts put on
 * the page, as they appear (a MutationObserver), so nbgrader's scripts, element classes and
 * requests stay exactly as they are. A rendered notebook (#notebook-container: what the
 * student wrote) is never touched.
 */
(function () {
    "use strict";
    var EXACT = {
        "Please wait...": "请稍候……",
        "Loading, please wait...": "正在加载，请稍候……",
        "Save": "保存",
        "Saving...": "正在保存……",
        "Cancel": "取消",
        "Close": "关闭",
        "OK": "确定",
        "Success": "成功",
        "Error": "出错了",
        "Name": "作业编号",
        "Student ID": "学号",
        "First name (optional)": "名（可不填）",
        "Last name (optional)": "姓（可不填）",
        "Email (optional)": "电子邮箱（可不填）",
        "Due date (optional)": "截止时间（可不填）",
        "Timezone as UTC offset (optional)": "时区，相对 UTC 的偏移（可不填，如 +0800）",
        "Add New Assignment": "新建作业",
        "Add New Student": "添加学生",
        "Assignment names may not include the '+' character.": "作业编号中不能有「+」号。",
        "Log Output": "nbgrader 运行日志",
        "Traceback": "错误详情",
        "Keyboard shortcuts": "快捷键",
        "draft": "未发布",
        "released": "已发布",
        "graded": "已评完",
        "needs manual grading": "待人工评阅",
        "needs autograding": "待自动评分",
        "None": "无",
        "(file missing)": "（文件缺失）",
        "(no submission)": "（未提交）",
        "(not autograded)": "（未自动评分）",
        "Show All Names": "显示全部姓名",
        "Hide All Names": "隐藏全部姓名",
        "Show student name": "显示学生姓名",
        "Hide student name": "隐藏学生姓名",
        "Submission flagged": "已标记这份提交",
        "Submission unflagged": "已取消标记",
        "Type any comments here (supports Markdown and MathJax)": "在这里写评语（支持 Markdown）",
        "Move to the next score or comment input": "到下一个分数或评语框",
        "Move to the previous score or comment input": "到上一个分数或评语框",
        "Defocus and save the current score or comment input": "离开并保存当前的分数或评语",
        "Refocus the most recent score or comment input": "回到刚才的分数或评语框",
        "Move to the same score or comment input of the next submission": "到下一份提交的同一个输入框",
        "Move to the same score or comment input of the previous submission": "到上一份提交的同一个输入框",
        "Move to the same score or comment input of the next submission with failed tests": "到下一份有未通过测试的提交的同一个输入框",
        "Move to the same score or comment input of the previous submission with failed tests": "到上一份有未通过测试的提交的同一个输入框",
        "Flag the submission": "标记这份提交",
        "Search:": "搜索：",
        "No data available in table": "表中没有数据",
        "No matching records found": "没有找到匹配的记录",
        "Close dialog": "关闭"
    };
    var PATTERNS = [
        [/^Editing (.+)$/, "编辑 $1"],
        [/^None, None$/, "（没有登记姓名）"],
        [/^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?(?:\.\d+)?) CST$/, "$1（北京时间）"],
        [/^Submission #(\d+)$/, "第 $1 份提交"],
        [/^(\d+) remaining$/, "还有 $1 份"],
        [/^Successfully created the student version of '(.*)':$/, "已生成「$1」的学生版："],
        [/^There was an error creating the student version of '(.*)'[.:]$/, "生成「$1」的学生版时出错："],
        [/^Successfully released '(.*)'\.$/, "已发布「$1」。"],
        [/^There was an error releasing '(.*)'[.:]$/, "发布「$1」时出错："],
        [/^Successfully unreleased '(.*)'\.$/, "已撤回「$1」。"],
        [/^There was an error unreleasing '(.*)'[.:]$/, "撤回「$1」时出错："],
        [/^Successfully collected submissions of '(.*)'\.$/, "已收取「$1」的提交。"],
        [/^There was an error collecting (?:submissions of )?'(.*)'[.:]$/, "收取「$1」时出错："],
        [/^Successfully generated feedback (?:of|for) '(.*)'\.$/, "已生成「$1」的反馈。"],
        [/^There was an error generating feedback (?:of|for) '(.*)'[.:]$/, "生成「$1」的反馈时出错："],
        [/^Successfully released feedback (?:of|for) '(.*)'\.$/, "已发回「$1」的反馈。"],
        [/^There was an error releasing feedback (?:of|for) '(.*)'[.:]$/, "发回「$1」的反馈时出错："],
        [/^Successfully autograded '(.*)' for student '(.*)'\.$/, "已为学生「$2」自动评分「$1」。"],
        [/^There was an error autograding '(.*)' for student '(.*)'[.:]$/, "为学生「$2」自动评分「$1」时出错："],
        [/^Successfully generated feedback for '(.*)' for student '(.*)'\.$/, "已为学生「$2」生成「$1」的反馈。"],
        [/^There was an error generating feedback for '(.*)' for student '(.*)'[.:]$/, "为学生「$2」生成「$1」的反馈时出错："],
        [/^Successfully released feedback for '(.*)' for student '(.*)'\.$/, "已向学生「$2」发回「$1」的反馈。"],
        [/^There was an error releasing feedback for '(.*)' for student '(.*)'[.:]$/, "向学生「$2」发回「$1」的反馈时出错："]
    ];
    var ATTRIBUTES = ["title", "placeholder", "data-original-title", "aria-label"];

    function translate(text) {
        var key = text.trim();
        if (!key) { return null; }
        for (var i = 0; i < PATTERNS.length; i++) {
            if (PATTERNS[i][0].test(key)) {
                return text.replace(key, key.replace(PATTERNS[i][0], PATTERNS[i][1]));
            }
        }
        if (Object.prototype.hasOwnProperty.call(EXACT, key)) {
            return text.replace(key, EXACT[key]);
        }
        return null;
    }

    function isStudentContent(node) {
        var element = node.nodeType === 1 ? node : node.parentElement;
        return Boolean(element && element.closest && element.closest(
            "#notebook-container .text_cell_render, #notebook-container .input_area, "
            + "#notebook-container .output_wrapper, pre, textarea:not(.comment)"));
    }

    function translateNode(node) {
        if (node.nodeType === 3) {
            if (isStudentContent(node)) { return; }
            var text = translate(node.nodeValue);
            if (text !== null && text !== node.nodeValue) { node.nodeValue = text; }
            return;
        }
        if (node.nodeType !== 1 || isStudentContent(node)) { return; }
        ATTRIBUTES.forEach(function (name) {
            var value = node.getAttribute(name);
            if (value) {
                var text = translate(value);
                if (text !== null && text !== value) { node.setAttribute(name, text); }
            }
        });
        var child = node.firstChild;
        while (child) {
            translateNode(child);
            child = child.nextSibling;
        }
    }

    function start() {
        translateNode(document.body);
        new MutationObserver(function (records) {
            records.forEach(function (record) {
                if (record.type === "characterData") {
                    translateNode(record.target);
                } else if (record.type === "attributes") {
                    translateNode(record.target);
                } else {
                    record.addedNodes.forEach(translateNode);
                }
            });
        }).observe(document.body, {
            childList: true, subtree: true, characterData: true,
            attributes: true, attributeFilter: ATTRIBUTES
        });
    }

    window.crmlabTranslate = translate;
    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
}());
