// The process editor page: bpmn-js modeler, properties panel with «Задача CRM», minimap,
// validation (bpmnlint + the server's deploy checks as markers), drafts saved on the server,
// deploy with a comment (after the diff and the migration preview), a warning on leaving
// with unsaved changes.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import minimapModule from 'diagram-js-minimap';
import { layoutProcess } from 'bpmn-auto-layout';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'diagram-js-minimap/assets/diagram-js-minimap.css';
import './studio.css';
import spiffworkflow from './spiffworkflow.json';
import crmPanelModule from './crm-panel.jsx';
import translateModule from './translate.js';
import { lint } from './lint.js';
import { call, escapeHtml } from './api.js';
import { ProblemMarkers } from './markers.js';

const root = document.getElementById('studio-editor');
const urls = JSON.parse(root.dataset.urls);
const status = document.getElementById('studio-status');
let modeler;
let markers;
let dirty = false;

function say(text, kind = 'muted') {
  status.className = `small text-${kind}`;
  status.textContent = text;
}

function timeNow() {
  return new Date().toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' });
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

async function saveDraft() {
  const xml = await currentXml();
  await call(urls.draft, 'PUT', { xml });
  dirty = false;
  root.dataset.dirty = '0';
  say(`Черновик сохранён в ${timeNow()}`, 'success');
}

async function validate() {
  say('Проверка…');
  const xml = await currentXml();
  const [local, server] = await Promise.all([
    lint(modeler.getDefinitions()),
    call(urls.validate, 'POST', { xml })
  ]);
  const problems = [...server.problems, ...local];
  markers.show(problems);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (errors) say(`Ошибок: ${errors}, предупреждений: ${warnings}`, 'danger');
  else if (warnings) say(`Ошибок нет, предупреждений: ${warnings}`, 'warning');
  else say('Проверка пройдена: ошибок нет', 'success');
  return errors;
}

function renderDiff(diff) {
  const parts = [];
  const list = (title, items, cls) => {
    if (!items.length) return;
    parts.push(`<div class="${cls}"><b>${title}:</b> ${items.map((i) => escapeHtml(i.name || i.id)).join(', ')}</div>`);
  };
  list('Добавлено', diff.added, 'text-success');
  list('Изменено', diff.changed, 'text-primary');
  list('Удалено', diff.removed, 'text-danger');
  return parts.length ? parts.join('') : '<div class="text-muted">Изменений в схеме нет (могли измениться формы).</div>';
}

function renderMigration(preview) {
  if (!preview.instances.length) return '<div class="text-muted">Работающих экземпляров нет.</div>';
  const rows = preview.instances.map((i) => `<tr class="${i.can_migrate ? '' : 'table-warning'}">
    <td>№${i.id}</td><td>v${i.version}</td><td>${escapeHtml(i.title)}</td>
    <td>${i.can_migrate ? 'можно перенести' : `останется на v${i.version}: ${escapeHtml(i.reason)}`}</td></tr>`);
  return `<div class="small mb-1">Можно перенести: ${preview.can_migrate}, останутся на своей версии: ${preview.stay}.
    Перенос — отдельным действием «crm process migrate»; без него экземпляры доработают на своей версии.</div>
    <table class="table table-sm small mb-0" id="migration-preview"><tbody>${rows.join('')}</tbody></table>`;
}

async function openDeploy() {
  const modal = window.bootstrap.Modal.getOrCreateInstance(document.getElementById('deploy-modal'));
  const body = document.getElementById('deploy-preview');
  const confirm = document.getElementById('deploy-confirm');
  document.getElementById('deploy-error').textContent = '';
  body.innerHTML = '<div class="text-muted">Проверка и сравнение…</div>';
  confirm.disabled = true;
  modal.show();
  await saveDraft();
  const errors = await validate();
  const preview = await call(urls.preview, 'POST', {});
  body.innerHTML = `<h3 class="h6">Что изменится по сравнению с версией ${preview.base_version || '—'}</h3>
    <div id="deploy-diff">${renderDiff(preview.diff)}</div>
    <h3 class="h6 mt-3">Работающие экземпляры</h3>${renderMigration(preview.migration)}`;
  if (errors) {
    body.insertAdjacentHTML('afterbegin',
      '<div class="alert alert-danger py-1">Исправьте ошибки, отмеченные на схеме, — с ними развернуть нельзя.</div>');
  }
  confirm.disabled = errors > 0;
}

async function deploy() {
  const comment = document.getElementById('deploy-comment').value.trim();
  const error = document.getElementById('deploy-error');
  if (!comment) {
    error.textContent = 'Напишите, что и зачем изменено: комментарий попадёт в историю версий.';
    return;
  }
  try {
    const result = await call(urls.deploy, 'POST', { comment });
    dirty = false;
    window.location.href = result.diff_url;
  } catch (exc) {
    error.textContent = exc.message;
    if (exc.data && exc.data.error && exc.data.error.problems) markers.show(exc.data.error.problems);
  }
}

async function discardDraft() {
  if (!window.confirm('Удалить черновик и вернуться к развёрнутой версии?')) return;
  await call(urls.draft, 'DELETE');
  dirty = false;
  window.location.reload();
}

function guard(action) {
  return async (event) => {
    event.preventDefault();
    try {
      await action();
    } catch (exc) {
      say(exc.message, 'danger');
    }
  };
}

async function start() {
  const [catalog, source] = await Promise.all([call(urls.catalog), call(urls.source)]);
  modeler = new BpmnModeler({
    container: '#canvas',
    propertiesPanel: { parent: '#properties' },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, crmPanelModule, minimapModule,
      translateModule],
    moddleExtensions: { spiffworkflow },
    crm: {
      ...catalog,
      formEditorUrl: (name) => `${urls.forms}${encodeURIComponent(name)}`,
      decisionUrl: (id) => `${urls.decision}${encodeURIComponent(id)}`,
      previewInstructions: async (template, sample) => {
        try {
          return (await call(urls.instructions, 'POST', { template, sample })).html;
        } catch (exc) {
          return `<span class="text-danger">${escapeHtml(exc.message)}</span>`;
        }
      }
    }
  });
  // Diagrams deployed without a layout (BPMNDI) are laid out on the fly; saving keeps the layout.
  const xml = source.xml.includes('BPMNDiagram') ? source.xml : await layoutProcess(source.xml);
  await modeler.importXML(xml);
  modeler.get('canvas').zoom('fit-viewport', 'auto');
  markers = new ProblemMarkers(modeler, document.getElementById('problems'));
  modeler.on('commandStack.changed', () => {
    dirty = true;
    root.dataset.dirty = '1';
    say('Есть несохранённые изменения', 'warning');
  });
  say(source.draft ? `Открыт ваш черновик от ${source.draft}` : `Открыта версия ${source.version || '—'}`);
  root.dataset.ready = '1';
}

window.addEventListener('beforeunload', (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = '';
  }
});
document.getElementById('save-draft').addEventListener('click', guard(saveDraft));
document.getElementById('validate').addEventListener('click', guard(validate));
const deployButton = document.getElementById('deploy-open');
if (deployButton) {
  deployButton.addEventListener('click', guard(openDeploy));
  document.getElementById('deploy-confirm').addEventListener('click', guard(deploy));
}
const discard = document.getElementById('discard-draft');
if (discard) discard.addEventListener('click', guard(discardDraft));
start().catch((exc) => say(`Схема не открылась: ${exc.message}`, 'danger'));
