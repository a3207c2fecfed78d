// The form editor: JSON Schema and UI hints side by side with a live preview drawn by the
// same renderer the inbox uses (the server renders it); saved into the process's draft, so the
// form is deployed — and versioned — with the process.
import './studio.css';
import { call, escapeHtml } from './api.js';

const root = document.getElementById('studio-forms');
const urls = JSON.parse(root.dataset.urls);
const schemaBox = document.getElementById('form-schema');
const uiBox = document.getElementById('form-ui');
const preview = document.getElementById('form-preview');
const problems = document.getElementById('form-problems');
const status = document.getElementById('studio-status');
let dirty = false;
let timer = null;

function say(text, kind = 'muted') {
  status.className = `small text-${kind}`;
  status.textContent = text;
}

function showProblems(list) {
  problems.innerHTML = list.map((p) => `<li class="studio-problem studio-problem-error">${escapeHtml(p)}</li>`).join('');
  root.dataset.problems = String(list.length);
}

async function refresh() {
  try {
    const answer = await call(urls.preview, 'POST', { schema: schemaBox.value, ui: uiBox.value });
    preview.innerHTML = answer.html;
    showProblems(answer.problems);
  } catch (exc) {
    showProblems([exc.message]);
  }
  root.dataset.previewed = String(Number(root.dataset.previewed || 0) + 1);
}

function changed() {
  dirty = true;
  say('Есть несохранённые изменения', 'warning');
  clearTimeout(timer);
  timer = setTimeout(refresh, 300);
}

async function save() {
  try {
    const answer = await call(urls.save, 'PUT', { schema: schemaBox.value, ui: uiBox.value });
    dirty = false;
    showProblems([]);
    say(answer.message, 'success');
  } catch (exc) {
    const fields = exc.data && exc.data.error && exc.data.error.problems;
    showProblems(fields || [exc.message]);
    say('Форма не сохранена', 'danger');
  }
}

schemaBox.addEventListener('input', changed);
uiBox.addEventListener('input', changed);
document.getElementById('save-form').addEventListener('click', (e) => { e.preventDefault(); save(); });
preview.addEventListener('submit', (e) => e.preventDefault());
window.addEventListener('beforeunload', (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = '';
  }
});
refresh();
