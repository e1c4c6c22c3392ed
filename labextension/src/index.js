/*
 * CRM Lab: the students' Assignment List and Validate button, in Chinese.
 *
 * Replaces nbgrader's Assignment List and Validate plugins (which the course's page_config
 * turns off) and talks to nbgrader's own server endpoints: GET /courses, GET /assignments,
 * POST /assignments/fetch, /assignments/submit, /assignments/fetch_feedback,
 * /assignments/validate. Same actions, in the same order as nbgrader's panel (released:
 * fetch; downloaded: open, submit; submitted: fetch feedback, view feedback), plus the due date
 * in Beijing time, 已迟交 / 还剩 x 天, and the score once feedback is back (from the course's
 * GET /crmlab/assignment-info).
 *
 * Everything from the server is put on the page with textContent, never as HTML.
 */
import { ICommandPalette, Dialog, showDialog, ToolbarButton } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ILauncher } from '@jupyterlab/launcher';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import {
  CREATE_ASSIGNMENT_LABELS, zhText, dueText, lateText, scoreText, validationSummary
} from './texts';

const PANEL_ID = 'crmlab-assignment-list';
const OPEN_COMMAND = 'crmlab:open-assignment-list';

async function request(path, init = {}) {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, path);
  const response = await ServerConnection.makeRequest(url, init, settings);
  const text = await response.text();
  if (!response.ok) {
    throw new Error(zhText.serverError(response.status));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(zhText.badAnswer);
  }
}

function post(path, body) {
  return request(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function button(label, className, onClick) {
  const node = element('button', 'jp-Button crmlab-button ' + className, label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

class AssignmentList extends Widget {
  constructor(app) {
    super();
    this.app = app;
    this.id = PANEL_ID;
    this.addClass('crmlab-AssignmentList');
    this.title.label = zhText.panelTitle;
    this.title.caption = zhText.panelCaption;
    this.title.closable = true;
    this.info = { due: {}, scores: {} };
    const header = element('div', 'crmlab-AssignmentList-header');
    header.appendChild(element('h2', '', zhText.panelTitle));
    header.appendChild(button(zhText.refresh, 'crmlab-refresh', () => this.refresh()));
    this.node.appendChild(header);
    this.message = element('div', 'crmlab-message');
    this.node.appendChild(this.message);
    this.sections = {};
    for (const [status, heading, empty] of [
      ['released', zhText.released, zhText.noReleased],
      ['fetched', zhText.fetched, zhText.noFetched],
      ['submitted', zhText.submitted, zhText.noSubmitted]
    ]) {
      const section = element('section', 'crmlab-section crmlab-' + status);
      section.appendChild(element('h3', '', heading));
      const list = element('ul', 'crmlab-list');
      list.dataset.empty = empty;
      section.appendChild(list);
      this.node.appendChild(section);
      this.sections[status] = list;
    }
  }

  onAfterAttach() {
    this.refresh();
  }

  say(text, kind = 'info') {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
  }

  async refresh() {
    this.say(zhText.loading);
    try {
      const courses = await request('courses');
      if (!courses.success) {
        throw new Error(zhText.exchangeProblem);
      }
      const assignments = [];
      const info = { due: {}, scores: {} };
      for (const course of courses.value) {
        const listing = await request('assignments?course_id=' + encodeURIComponent(course));
        if (!listing.success) {
          throw new Error(zhText.exchangeProblem);
        }
        assignments.push(...listing.value);
        try {
          const extra = await request('crmlab/assignment-info?course_id=' + encodeURIComponent(course));
          Object.assign(info.due, extra.due);
          Object.assign(info.scores, extra.scores);
        } catch (error) {
          // the due dates and scores are extras: the list works without them
        }
      }
      this.info = info;
      this.render(assignments);
      this.say('');
    } catch (error) {
      this.say(error.message || zhText.failed, 'error');
    }
  }

  render(assignments) {
    for (const list of Object.values(this.sections)) {
      list.textContent = '';
    }
    for (const assignment of assignments) {
      const list = this.sections[assignment.status];
      if (list) {
        list.appendChild(this.item(assignment));
      }
    }
    for (const list of Object.values(this.sections)) {
      if (!list.children.length) {
        list.appendChild(element('li', 'crmlab-empty', list.dataset.empty));
      }
    }
  }

  item(assignment) {
    const row = element('li', 'crmlab-assignment');
    row.dataset.assignmentId = assignment.assignment_id;
    const name = element('div', 'crmlab-name', assignment.assignment_id);
    row.appendChild(name);
    const due = this.info.due[assignment.assignment_id];
    if (due) {
      row.appendChild(element('div', 'crmlab-due', dueText(due)));
      const late = lateText(due, assignment.status === 'submitted' ? lastTimestamp(assignment) : null);
      if (late) {
        row.appendChild(element('div', 'crmlab-late' + (late.late ? ' crmlab-is-late' : ''), late.text));
      }
    }
    const actions = element('div', 'crmlab-actions');
    row.appendChild(actions);
    const act = (label, className, action) =>
      actions.appendChild(button(label, className, () => this.run(action, assignment, label)));
    if (assignment.status === 'released') {
      act(zhText.fetch, 'crmlab-fetch', 'fetch');
    } else if (assignment.status === 'fetched') {
      for (const notebook of assignment.notebooks || []) {
        const open = element('a', 'crmlab-notebook', notebook.notebook_id + '.ipynb');
        open.href = '#';
        open.addEventListener('click', event => {
          event.preventDefault();
          this.app.commands.execute('docmanager:open', { path: notebook.path });
        });
        row.insertBefore(open, actions);
      }
      act(zhText.submit, 'crmlab-submit', 'submit');
    } else if (assignment.status === 'submitted') {
      const submissions = assignment.submissions || [];
      const history = element('ul', 'crmlab-submissions');
      for (const submission of submissions) {
        const line = element('li', 'crmlab-submission', zhText.submittedAt(beijing(submission.timestamp)));
        const folder = submission.local_feedback_path;
        if (submission.has_local_feedback && folder) {
          const score = this.info.scores[folder];
          if (score) {
            line.appendChild(element('span', 'crmlab-score', scoreText(score[0], score[1])));
          }
          for (const notebook of submission.notebooks || []) {
            const link = element('a', 'crmlab-feedback-link', zhText.viewFeedback);
            link.href = URLExt.join(PageConfig.getBaseUrl(), 'files',
              URLExt.encodeParts(folder + '/' + notebook.notebook_id + '.html'));
            link.target = '_blank';
            link.rel = 'noopener';
            line.appendChild(link);
          }
        } else if (submission.has_exchange_feedback) {
          line.appendChild(element('span', 'crmlab-feedback-ready', zhText.feedbackReady));
        }
        history.appendChild(line);
      }
      row.insertBefore(history, actions);
      const latest = submissions[submissions.length - 1];
      if (latest && latest.has_exchange_feedback) {
        act(zhText.fetchFeedback, 'crmlab-fetch-feedback', 'fetch_feedback');
      }
    }
    return row;
  }

  async run(action, assignment, label) {
    this.say(zhText.working(label, assignment.assignment_id));
    for (const node of this.node.querySelectorAll('button')) {
      node.disabled = true;
    }
    try {
      const answer = await post('assignments/' + action, {
        course_id: assignment.course_id,
        assignment_id: assignment.assignment_id
      });
      if (answer.success === false) {
        await showDialog({
          title: zhText.actionFailed(label),
          body: zhText.actionFailedBody(assignment.assignment_id),
          buttons: [Dialog.okButton({ label: zhText.ok })]
        });
      }
      await this.refresh();
      if (answer.success !== false) {
        this.say(zhText.done(label, assignment.assignment_id), 'success');
      }
    } catch (error) {
      this.say(error.message || zhText.failed, 'error');
    } finally {
      for (const node of this.node.querySelectorAll('button')) {
        node.disabled = false;
      }
    }
  }
}

function lastTimestamp(assignment) {
  const submissions = assignment.submissions || [];
  return submissions.length ? submissions[submissions.length - 1].timestamp : null;
}

function beijing(timestamp) {
  // nbgrader's timestamps: "2026-12-05 10:20:30.123456 UTC" (the server's zone name last)
  const date = parseTimestamp(timestamp);
  return date ? dueText(date.toISOString(), true) : String(timestamp);
}

export function parseTimestamp(timestamp) {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(UTC|Z|[+-]\d{2}:?\d{2})?/.exec(String(timestamp));
  if (!match) {
    return null;
  }
  let zone = match[4] || 'Z';
  if (zone === 'UTC') {
    zone = 'Z';
  } else if (/^[+-]\d{4}$/.test(zone)) {
    zone = zone.slice(0, 3) + ':' + zone.slice(3);
  }
  const date = new Date(match[1] + 'T' + match[2] + zone);
  return isNaN(date.getTime()) ? null : date;
}

const assignmentList = {
  id: '@crmlab/assignment-list:plugin',
  description: 'The Chinese Assignment List of CRM Lab (nbgrader endpoints).',
  autoStart: true,
  optional: [ICommandPalette, ILauncher],
  activate: (app, palette, launcher) => {
    let panel = null;
    app.commands.addCommand(OPEN_COMMAND, {
      label: zhText.panelTitle,
      caption: zhText.panelCaption,
      execute: () => {
        if (!panel || panel.isDisposed) {
          panel = new AssignmentList(app);
        }
        if (!panel.isAttached) {
          app.shell.add(panel, 'main');
        }
        app.shell.activateById(panel.id);
        return panel;
      }
    });
    if (palette) {
      palette.addItem({ command: OPEN_COMMAND, category: zhText.category });
    }
    if (launcher) {
      launcher.add({ command: OPEN_COMMAND, category: zhText.category, rank: 0 });
    }
  }
};

class ValidateButton {
  constructor(app) {
    this.app = app;
  }

  createNew(panel) {
    const widget = new ToolbarButton({
      className: 'crmlab-validate-button',
      label: zhText.validate,
      tooltip: zhText.validateTooltip,
      onClick: () => validate(panel, widget)
    });
    panel.toolbar.insertItem(10, 'crmlab-validate', widget);
    return widget;
  }
}

async function validate(panel, widget) {
  widget.enabled = false;
  const label = widget.node.querySelector('.jp-ToolbarButtonComponent-label');
  if (label) {
    label.textContent = zhText.validating;
  }
  try {
    await panel.context.save();
    const answer = await post('assignments/validate', { path: panel.context.path });
    const summary = validationSummary(answer);
    const body = element('div', 'crmlab-validation');
    body.appendChild(element('p', 'crmlab-validation-summary', summary.text));
    for (const cell of summary.cells) {
      const block = element('div', 'crmlab-validation-cell');
      block.appendChild(element('pre', 'crmlab-validation-source', cell.source));
      if (cell.error) {
        block.appendChild(element('pre', 'crmlab-validation-error', cell.error));
      }
      body.appendChild(block);
    }
    await showDialog({
      title: summary.title,
      body: new Widget({ node: body }),
      buttons: [Dialog.okButton({ label: zhText.ok })]
    });
  } catch (error) {
    await showDialog({
      title: zhText.validateFailed,
      body: error.message || zhText.failed,
      buttons: [Dialog.okButton({ label: zhText.ok })]
    });
  } finally {
    widget.enabled = true;
    if (label) {
      label.textContent = zhText.validate;
    }
  }
}

const validateButton = {
  id: '@crmlab/assignment-list:validate',
  description: 'The Chinese Validate button of CRM Lab on the notebook toolbar.',
  autoStart: true,
  activate: app => {
    app.docRegistry.addWidgetExtension('Notebook', new ValidateButton(app));
  }
};

/*
 * nbgrader's Create Assignment toolbar (for teachers) writes its cell types and field labels in
 * English and offers no way to set them; this relabels those texts in place (the options'
 * values, which nbgrader stores, stay as they are).
 */
const WIDGETS = '.nbgrader-CellWidget, .nbgrader-NotebookWidget';

function relabel(root) {
  for (const widget of root.querySelectorAll(WIDGETS)) {
    const walker = document.createTreeWalker(widget, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const text = CREATE_ASSIGNMENT_LABELS[walker.currentNode.nodeValue];
      if (text) {
        walker.currentNode.nodeValue = text;
      }
    }
    for (const node of widget.querySelectorAll('[title]')) {
      const title = CREATE_ASSIGNMENT_LABELS[node.getAttribute('title')];
      if (title) {
        node.setAttribute('title', title);
      }
    }
  }
}

const createAssignmentLabels = {
  id: '@crmlab/assignment-list:create-assignment-labels',
  description: "Chinese labels on nbgrader's Create Assignment toolbar.",
  autoStart: true,
  activate: () => {
    relabel(document.body);
    new MutationObserver(records => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          const element = node.nodeType === 1 ? node : node.parentElement;
          const widget = element && element.closest(WIDGETS);
          if (widget && widget.parentElement) {
            relabel(widget.parentElement);
          } else if (element) {
            relabel(element);
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }
};

export default [assignmentList, validateButton, createAssignmentLabels];
