/* The texts of the Assignment List and the Validate dialog, and the time arithmetic beside
 * them (due dates in Beijing time). */

const ZONE = 'Asia/Shanghai';
const DAY = 24 * 60 * 60 * 1000;

function pad(n) {
  return String(n).padStart(2, '0');
}

function parts(date) {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  });
  const out = {};
  for (const part of format.formatToParts(date)) {
    out[part.type] = part.value;
  }
  return out;
}

/** "截止：2026 年 12 月 6 日 23:59（北京时间）" for an ISO time; short=true drops 截止. */
export function dueText(iso, short = false) {
  const p = parts(new Date(iso));
  const text = `${Number(p.year)} 年 ${Number(p.month)} 月 ${Number(p.day)} 日 ${pad(p.hour)}:${pad(p.minute)}（北京时间）`;
  return short ? text : '截止：' + text;
}

/** 已迟交 / 还剩 x 天 / 今天截止, against now or a submission time. */
export function lateText(dueIso, submittedTimestamp, now = new Date()) {
  const due = new Date(dueIso);
  if (submittedTimestamp) {
    const submitted = new Date(String(submittedTimestamp).replace(' UTC', 'Z').replace(' ', 'T'));
    if (isNaN(submitted.getTime())) {
      return null;
    }
    if (submitted > due) {
      const days = Math.ceil((submitted - due) / DAY);
      return { late: true, text: `已迟交：最后一次提交晚了 ${days} 天` };
    }
    return { late: false, text: '按时提交' };
  }
  if (now > due) {
    const days = Math.ceil((now - due) / DAY);
    return { late: true, text: `已迟交：已过截止时间 ${days} 天` };
  }
  const left = Math.floor((due - now) / DAY);
  return { late: false, text: left >= 1 ? `还剩 ${left} 天` : '今天截止：不到 1 天' };
}

function number(value) {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

export function scoreText(score, max) {
  return `得分：${number(score)} / ${number(max)}`;
}

/** What nbgrader's /assignments/validate answered, as a title, a line and the cells. */
export function validationSummary(answer) {
  if (!answer || answer.success === false) {
    return { title: '检查没有完成', text: '检查时出了问题：请先保存并确认笔记本能从头运行到尾，再检查一次；仍不行请告诉老师。', cells: [] };
  }
  const value = answer.value || {};
  if (typeof value === 'string') {
    return { title: '检查没有完成', text: '检查时出了问题：请告诉老师。', cells: [] };
  }
  if (value.type_changed) {
    return {
      title: '单元格类型被改动了',
      text: `有 ${value.type_changed.length} 个单元格的类型（代码 / 文字）被改动了，评分时会出错：请改回原来的类型。`,
      cells: value.type_changed.map(cell => ({ source: cell.source }))
    };
  }
  if (value.changed) {
    return {
      title: '测试单元格被改动了',
      text: `有 ${value.changed.length} 个只读的测试单元格被改动了：请从作业列表重新领取，或把它们改回原样。`,
      cells: value.changed.map(cell => ({ source: cell.source }))
    };
  }
  if (value.failed && value.failed.length) {
    return {
      title: '还有没通过的测试',
      text: `有 ${value.failed.length} 个单元格没有通过检查。提交前请改正；提交后，老师收取的是最后一次提交。`,
      cells: value.failed.map(cell => ({ source: cell.source, error: cell.raw_error }))
    };
  }
  return { title: '检查通过', text: '全部可见的测试都通过了。隐藏测试和文字题由老师评分；可以提交了。', cells: [] };
}

export const zhText = {
  category: '课程作业',
  panelTitle: '作业列表',
  panelCaption: '领取、提交作业，领取老师的反馈',
  refresh: '刷新',
  loading: '正在读取作业……',
  released: '已发布、可以领取的作业',
  fetched: '已领取的作业',
  submitted: '已提交的作业',
  noReleased: '现在没有可以领取的作业。',
  noFetched: '你还没有领取作业。',
  noSubmitted: '你还没有提交过作业。',
  fetch: '领取',
  submit: '提交',
  fetchFeedback: '领取反馈',
  viewFeedback: '查看反馈',
  feedbackReady: '老师已发回反馈，点「领取反馈」',
  validate: '检查',
  validating: '正在检查……',
  validateTooltip: '运行整本作业，列出没有通过的测试（提交前点一次）',
  validateFailed: '检查没有完成',
  ok: '知道了',
  failed: '操作没有完成，请稍后再试；仍不行请告诉老师。',
  badAnswer: '服务器的回答无法读取，请刷新页面后再试。',
  exchangeProblem: '读取作业交换区时出了问题：请告诉老师（交换区可能没有设置好）。',
  serverError: status => `服务器出错了（${status}），请刷新页面后再试；仍不行请告诉老师。`,
  submittedAt: when => `提交于 ${when}`,
  working: (label, id) => `正在${label}「${id}」……`,
  done: (label, id) => `已${label}「${id}」。`,
  actionFailed: label => `${label}没有成功`,
  actionFailedBody: id => `「${id}」没有成功：请确认作业文件夹还在、笔记本已保存，再试一次；仍不行请告诉老师。`
};

/** nbgrader's Create Assignment toolbar: its cell types and field labels, in Chinese. */
export const CREATE_ASSIGNMENT_LABELS = {
  'Manually graded answer': '人工评分答案',
  'Manually graded task': '人工评分任务',
  'Autograded answer': '自动评分答案',
  'Autograded tests': '自动评分测试',
  'Read-only': '只读',
  'Type: ': '类型：',
  'ID: ': '编号：',
  'Points: ': '分值：',
  'Total points:': '总分：',
  'Student changes will be overwritten': '学生的改动会被覆盖',
  'Duplicate nbgrader cell ID': '单元格编号重复',
  'Invalid nbgrader cell ID': '单元格编号无效'
};
