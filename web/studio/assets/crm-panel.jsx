// The properties panel group «Задача CRM»: our spiffworkflow extensions, edited as fields.
//
// What a task needs to run in the CRM (form, who gets it, due, priority, instructions, the
// operation a service task calls with its typed parameters, scripts, the DMN table, timers,
// messages, conditions) is written into the diagram's `spiffworkflow:` extension elements,
// described by our moddle descriptor (spiffworkflow.json), so nothing is lost on save.
// The choices (operations with their parameters, forms, roles, departments, decisions) come
// from the server's catalog, handed in as `config.crm`.
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';
import {
  TextFieldEntry, TextAreaEntry, SelectEntry,
  isTextFieldEntryEdited, isTextAreaEntryEdited, isSelectEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { useState } from '@bpmn-io/properties-panel/preact/hooks';
import { ext, bodyOf, setBody, propertyOf, setProperty, operatorOf, setOperator, setParameter,
  timerOf, setTimer, messageOf, setMessageName, setEventBody, correlationOf, setCorrelation } from './moddle-edit.js';

const PRIORITIES = [['', '— обычный —'], ['high', 'Высокий'], ['normal', 'Обычный'], ['low', 'Низкий']];
const TIMER_KINDS = [['timeDuration', 'Через (длительность)'], ['timeDate', 'В момент (дата)'],
  ['timeCycle', 'Повторять (цикл)']];

function text(id, label, get, set, description, area) {
  const Component = (props) => {
    const { element } = props;
    const debounce = useService('debounceInput');
    const injector = useService('injector');
    const Entry = area ? TextAreaEntry : TextFieldEntry;
    return <Entry element={element} id={id} label={label} description={description}
      getValue={() => get(element) || ''} setValue={(v) => set(element, v, injector)}
      debounce={debounce} rows={area ? 5 : undefined} monospace={area === 'code'} />;
  };
  return { id, component: Component, isEdited: area ? isTextAreaEntryEdited : isTextFieldEntryEdited };
}

function select(id, label, get, set, options, description) {
  const Component = (props) => {
    const { element } = props;
    const injector = useService('injector');
    return <SelectEntry element={element} id={id} label={label} description={description}
      getValue={() => get(element) || ''} setValue={(v) => set(element, v, injector)}
      getOptions={() => options(element).map(([value, label]) => ({ value, label }))} />;
  };
  return { id, component: Component, isEdited: isSelectEntryEdited };
}

function withCurrent(list, current, unknown) {
  const known = list.some(([value]) => value === current);
  return current && !known ? [...list, [current, `${current} (${unknown})`]] : list;
}

function property(name) {
  return [(element) => propertyOf(element, name), (element, v, injector) => setProperty(element, name, v, injector)];
}

function link(id, label, href, extraClass) {
  const Component = (props) => {
    const target = href(props.element);
    if (!target) return null;
    return <div class="bio-properties-panel-entry" data-entry-id={id}>
      <a class={`crm-panel-link ${extraClass || ''}`} href={target} target="_blank" rel="noopener">{label}</a>
    </div>;
  };
  return { id, component: Component };
}

function InstructionsPreview(props) {
  const { element } = props;
  const crm = useService('config.crm') || {};
  const [html, setHtml] = useState(null);
  const [sample, setSample] = useState('{}');
  const preview = async () => {
    const answer = await crm.previewInstructions(bodyOf(element, 'spiffworkflow:InstructionsForEndUser') || '', sample);
    setHtml(answer);
  };
  return <div class="bio-properties-panel-entry crm-instructions-preview" data-entry-id="crm-instructions-preview">
    <label class="bio-properties-panel-label" for="crm-sample-data">Пример данных для просмотра (JSON)</label>
    <textarea id="crm-sample-data" class="bio-properties-panel-input" rows="2" value={sample}
      onInput={(e) => setSample(e.target.value)} />
    <button type="button" class="btn btn-sm btn-outline-secondary mt-1" id="crm-preview-instructions"
      onClick={preview}>Показать инструкцию</button>
    {html !== null && <div class="crm-preview border rounded p-2 mt-1" id="crm-instructions-html"
      dangerouslySetInnerHTML={{ __html: html }} />}
  </div>;
}

function userTaskEntries(crm) {
  const forms = (crm.forms || []).filter((f) => f.endsWith('.schema.json'));
  const uis = (crm.forms || []).filter((f) => f.endsWith('.ui.json'));
  const [getForm] = property('formJsonSchemaFilename');
  const setForm = (element, value, injector) => {
    setProperty(element, 'formJsonSchemaFilename', value, injector);
    const ui = value ? value.replace('.schema.json', '.ui.json') : '';
    setProperty(element, 'formUiSchemaFilename', uis.includes(ui) ? ui : '', injector);
  };
  const roles = [['', '— не задана —'], ...crm.roles];
  const departments = [['', '— не задан —'], ...crm.departments];
  return [
    select('crm-form', 'Форма', getForm, setForm,
      (el) => withCurrent([['', '— без формы —'], ...forms.map((f) => [f, f])], getForm(el), 'нет в каталоге форм'),
      'JSON Schema из каталога форм; форма развёртывается вместе с версией процесса'),
    link('crm-form-link', 'Просмотреть и изменить форму', (el) => getForm(el) && crm.formEditorUrl(getForm(el))),
    select('crm-candidateRole', 'Роль исполнителей (очередь)', ...property('candidateRole'),
      (el) => withCurrent(roles, propertyOf(el, 'candidateRole'), 'неизвестная роль')),
    select('crm-candidateDepartment', 'Отдел (очередь)', ...property('candidateDepartment'),
      (el) => withCurrent(departments, propertyOf(el, 'candidateDepartment'), 'неизвестный отдел')),
    text('crm-assignee', 'Исполнитель (выражение)', ...property('assignee'),
      'id или логин сотрудника, например routing["manager_id"]; без исполнителя задача в очереди роли, отдела или дорожки'),
    text('crm-dueIn', 'Срок (длительность ISO 8601)', ...property('dueIn'),
      'Например PT4H — 4 часа, P1D — сутки, от появления задачи'),
    text('crm-dueAt', 'Срок (выражение)', ...property('dueAt'), 'Дата и время из данных процесса, например deadlines["due_at"]'),
    select('crm-priority', 'Приоритет', ...property('priority'), () => PRIORITIES),
    text('crm-instructions', 'Инструкция для сотрудника (Markdown и Jinja)',
      (el) => bodyOf(el, 'spiffworkflow:InstructionsForEndUser'),
      (el, v, inj) => setBody(el, 'spiffworkflow:InstructionsForEndUser', v, inj),
      'Подстановки из данных процесса: {{ routing.reason }}', true),
    { id: 'crm-instructions-preview', component: InstructionsPreview }
  ];
}

function serviceTaskEntries(crm) {
  const operations = crm.operations || [];
  const byName = Object.fromEntries(operations.map((op) => [op.name, op]));
  const opName = (el) => (operatorOf(el) || {}).id || '';
  const entries = [
    text('crm-operation', 'Операция', opName, (el, v, inj) => setOperator(el, { id: v.trim() }, inj),
      'Имя операции из реестра, например leads.assign'),
    select('crm-operation-pick', 'Выбрать операцию из реестра', opName,
      (el, v, inj) => setOperator(el, { id: v, params: (byName[v] || {}).params }, inj),
      (el) => withCurrent([['', '— выберите —'], ...operations.map((op) => [op.name, op.name])],
        opName(el), 'не зарегистрирована')),
    text('crm-result', 'Результат в переменную', (el) => (operatorOf(el) || {}).resultVariable || '',
      (el, v, inj) => setOperator(el, { resultVariable: v }, inj))
  ];
  const ParameterList = (props) => {
    const { element } = props;
    const debounce = useService('debounceInput');
    const injector = useService('injector');
    const op = byName[opName(element)];
    const operator = operatorOf(element);
    const existing = operator && operator.parameterList ? operator.parameterList.get('parameters') : [];
    const names = [...(op ? op.params.map((p) => p.name) : []),
      ...existing.map((p) => p.id).filter((n) => !op || !op.params.some((p) => p.name === n))];
    return <div class="crm-parameters" data-entry-id="crm-parameters">
      {names.map((name) => {
        const spec = op ? op.params.find((p) => p.name === name) : null;
        const label = spec ? `Параметр ${name} (${spec.type}${spec.required ? ', обязательный' : ''})`
          : `Параметр ${name} (операция его не принимает)`;
        return <TextFieldEntry element={element} id={`crm-param-${name}`} label={label} debounce={debounce}
          getValue={() => ((existing.find((p) => p.id === name) || {}).value || '')}
          setValue={(v) => setParameter(element, name, v, spec ? spec.declared : 'str', injector)} />;
      })}
    </div>;
  };
  entries.push({ id: 'crm-parameters', component: ParameterList });
  return entries;
}

function scriptEntries() {
  return [
    text('crm-prescript', 'Скрипт до задачи', (el) => bodyOf(el, 'spiffworkflow:PreScript'),
      (el, v, inj) => setBody(el, 'spiffworkflow:PreScript', v, inj), undefined, 'code'),
    text('crm-postscript', 'Скрипт после задачи', (el) => bodyOf(el, 'spiffworkflow:PostScript'),
      (el, v, inj) => setBody(el, 'spiffworkflow:PostScript', v, inj), undefined, 'code')
  ];
}

function timerEntries() {
  const kind = (el) => (timerOf(el) || {}).kind || 'timeDuration';
  return [
    select('crm-timer-kind', 'Таймер', kind, (el, v, inj) => setTimer(el, v, (timerOf(el) || {}).value || '', inj),
      () => TIMER_KINDS),
    text('crm-timer', 'Выражение таймера', (el) => (timerOf(el) || {}).value || '',
      (el, v, inj) => setTimer(el, kind(el), v, inj),
      'Python-выражение, дающее строку ISO 8601: "PT3H" (в кавычках) или deadlines["remind_after"]')
  ];
}

function messageEntries(element) {
  const entries = [
    text('crm-message', 'Сообщение (имя)', (el) => (messageOf(el) || {}).name || '',
      (el, v, inj) => setMessageName(el, v, inj)),
    text('crm-correlation-key', 'Ключ корреляции', (el) => correlationOf(el).key,
      (el, v, inj) => setCorrelation(el, v, correlationOf(el).expression, inj),
      'Без ключа сообщение находит экземпляр по бизнес-объекту (deal_id, lead_id …)'),
    text('crm-correlation-expression', 'Значение ключа (выражение)', (el) => correlationOf(el).expression,
      (el, v, inj) => setCorrelation(el, correlationOf(el).key, v, inj))
  ];
  const bo = getBusinessObject(element);
  const throwing = is(bo, 'bpmn:ThrowEvent') || is(bo, 'bpmn:SendTask');
  entries.push(throwing
    ? text('crm-message-payload', 'Содержимое (выражение)', (el) => bodyOf(el, 'spiffworkflow:MessagePayload', true),
      (el, v, inj) => setEventBody(el, 'spiffworkflow:MessagePayload', v, inj))
    : text('crm-message-variable', 'Сохранить содержимое в переменную',
      (el) => bodyOf(el, 'spiffworkflow:MessageVariable', true),
      (el, v, inj) => setEventBody(el, 'spiffworkflow:MessageVariable', v, inj)));
  return entries;
}

function entriesFor(element, crm) {
  const bo = getBusinessObject(element);
  if (is(bo, 'bpmn:UserTask') || is(bo, 'bpmn:ManualTask')) return [...userTaskEntries(crm), ...scriptEntries()];
  if (is(bo, 'bpmn:ServiceTask')) return [...serviceTaskEntries(crm), ...scriptEntries()];
  if (is(bo, 'bpmn:ScriptTask')) {
    return [text('crm-script', 'Скрипт (Python в песочнице)', (el) => getBusinessObject(el).get('script'),
      (el, v, inj) => inj.get('modeling').updateProperties(el, { scriptFormat: 'python', script: v }),
      'Без import и имён с «_»; помощники: Decimal, date, datetime, timedelta, money(), add_business_days(), now(), today()',
      'code')];
  }
  if (is(bo, 'bpmn:BusinessRuleTask')) {
    const decisions = (crm.decisions || []).map((d) => [d.id, `${d.name} (${d.file})`]);
    const get = (el) => bodyOf(el, 'spiffworkflow:CalledDecisionId');
    return [
      select('crm-decision', 'Таблица решений (DMN)', get, (el, v, inj) => setBody(el, 'spiffworkflow:CalledDecisionId', v, inj),
        (el) => withCurrent([['', '— выберите —'], ...decisions], get(el), 'нет среди таблиц')),
      link('crm-decision-link', 'Открыть таблицу решений', (el) => get(el) && crm.decisionUrl(get(el))),
      ...scriptEntries()
    ];
  }
  if (is(bo, 'bpmn:SequenceFlow')) {
    const get = (el) => { const c = getBusinessObject(el).get('conditionExpression'); return c ? c.get('body') : ''; };
    return [text('crm-condition', 'Условие перехода (выражение)', get, (el, v, inj) => {
      const condition = v ? inj.get('bpmnFactory').create('bpmn:FormalExpression', { body: v }) : undefined;
      inj.get('modeling').updateProperties(el, { conditionExpression: condition });
    }, 'Например outcome == "qualified"; пусто — переход по умолчанию или без условия')];
  }
  const entries = [];
  if (timerOf(element, true)) entries.push(...timerEntries());
  if (messageOf(element, true) !== null || is(bo, 'bpmn:ReceiveTask') || is(bo, 'bpmn:SendTask')) {
    entries.push(...messageEntries(element));
  }
  return entries;
}

export function CrmPropertiesProvider(propertiesPanel, config) {
  const crm = config || {};
  this.getGroups = (element) => (groups) => {
    const entries = entriesFor(element, crm).map((entry) => ({ ...entry, element }));
    if (entries.length) {
      groups.splice(1, 0, { id: 'crm', label: 'Задача CRM', entries, shouldOpen: true });
    }
    return groups;
  };
  propertiesPanel.registerProvider(400, this);
}
CrmPropertiesProvider.$inject = ['propertiesPanel', 'config.crm'];

export default {
  __init__: ['crmPropertiesProvider'],
  crmPropertiesProvider: ['type', CrmPropertiesProvider]
};

export { ext };
