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

const DMN_TEXTS = {
  'View DRD': 'Схема решений', 'Hit policy:': 'Политика:', 'Hit Policy': 'Политика', When: 'Если', And: 'и',
  Then: 'То', Annotations: 'Примечания', Unique: 'Единственное совпадение', First: 'Первое совпадение',
  Priority: 'По приоритету', Any: 'Любое', Collect: 'Собрать все', 'Rule Order': 'В порядке правил',
  'Output Order': 'В порядке результатов', 'Add Rule': 'Добавить правило', 'Add Input': 'Добавить условие',
  'Add Output': 'Добавить результат', 'Input Expression': 'Выражение условия', 'Input Label': 'Подпись условия',
  'Output Label': 'Подпись результата', 'Output Name': 'Имя результата', 'Type': 'Тип',
  'Expression language': 'Язык выражения', 'Decision Table': 'Таблица решений', 'Literal Expression': 'Выражение',
  Annotation: 'Примечание', Input: 'Условие', Output: 'Результат', 'Input expression': 'Выражение условия',
  'Input label': 'Подпись условия', 'Input type': 'Тип условия', 'Output label': 'Подпись результата',
  'Output name': 'Имя результата', 'Output type': 'Тип результата', 'Add rule': 'Добавить правило',
  'Add input': 'Добавить условие', 'Add output': 'Добавить результат', 'Add rule above': 'Правило выше',
  'Add rule below': 'Правило ниже', 'Copy rule': 'Копировать правило', 'Cut rule': 'Вырезать правило',
  'Remove rule': 'Удалить правило', Expression: 'Выражение', Edit: 'Изменить', 'Enter expression': 'Выражение',
  'Decision name': 'Название решения', 'Decision name: ': 'Название решения: ', 'Input values': 'Допустимые значения',
  'Add predefined values': 'Задать значения', 'Custom values': 'Свои значения', 'Add values': 'Добавить значения'
};
const dmnTranslate = { translate: ['value', (template, replacements) => (DMN_TEXTS[template] || template)
  .replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? replacements[key] : `{${key}}`))] };

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
  const modeler = new DmnModeler({
    container: '#dmn-canvas',
    common: { keyboard: { bindTo: window } },
    drd: { additionalModules: [dmnTranslate] },
    decisionTable: { additionalModules: [dmnTranslate] },
    literalExpression: { additionalModules: [dmnTranslate] }
  });
  await modeler.importXML(source.xml);
  const table = modeler.getViews().find((v) => v.type === 'decisionTable' && v.element.id === root.dataset.decision);
  if (table) await modeler.open(table);
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
