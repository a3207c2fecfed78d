// The decision-table editor (dmn-js): opens a DMN file of the process, saves it into the
// analyst's draft of that process; it is deployed together with the process.
import DmnModeler from 'dmn-js/lib/Modeler';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import './studio.css';
import { call } from './api.js';

const root = document.getElementById('studio-dmn');
const urls = JSON.parse(root.dataset.urls);
const status = document.getElementById('studio-status');
let dirty = false;

function say(text, kind = 'muted') {
  status.className = `small text-${kind}`;
  status.textContent = text;
}

async function start() {
  const source = await call(urls.source);
  const modeler = new DmnModeler({ container: '#dmn-canvas', common: { keyboard: { bindTo: window } } });
  await modeler.importXML(source.xml);
  const table = modeler.getViews().find((v) => v.type === 'decisionTable' && v.element.id === root.dataset.decision);
  if (table) await modeler.open(table);
  modeler.on('views.changed', () => {});
  const active = modeler.getActiveViewer();
  if (active) active.on('commandStack.changed', () => { dirty = true; say('Есть несохранённые изменения', 'warning'); });
  document.getElementById('save-dmn').addEventListener('click', async () => {
    try {
      const { xml } = await modeler.saveXML({ format: true });
      await call(urls.save, 'PUT', { xml });
      dirty = false;
      say('Таблица сохранена в черновик процесса', 'success');
    } catch (exc) {
      say(exc.message, 'danger');
    }
  });
  root.dataset.ready = '1';
}

window.addEventListener('beforeunload', (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = '';
  }
});
start().catch((exc) => say(`Таблица не открылась: ${exc.message}`, 'danger'));
