// bpmnlint in the browser: the recommended rules (bpmnlint 11 — bpmnlint 12 needs Node 24),
// a few turned into warnings for the shapes our processes use on purpose, and Russian texts.
import { Linter } from 'bpmnlint';
import adHocSubProcess from 'bpmnlint/rules/ad-hoc-sub-process';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import eventBasedGateway from 'bpmnlint/rules/event-based-gateway';
import eventSubProcessTypedStartEvent from 'bpmnlint/rules/event-sub-process-typed-start-event';
import fakeJoin from 'bpmnlint/rules/fake-join';
import labelRequired from 'bpmnlint/rules/label-required';
import linkEvent from 'bpmnlint/rules/link-event';
import noComplexGateway from 'bpmnlint/rules/no-complex-gateway';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import noImplicitEnd from 'bpmnlint/rules/no-implicit-end';
import noImplicitStart from 'bpmnlint/rules/no-implicit-start';
import noOverlappingElements from 'bpmnlint/rules/no-overlapping-elements';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import singleEventDefinition from 'bpmnlint/rules/single-event-definition';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import subProcessBlankStartEvent from 'bpmnlint/rules/sub-process-blank-start-event';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway';
import superfluousTermination from 'bpmnlint/rules/superfluous-termination';

const RULES = {
  'ad-hoc-sub-process': [adHocSubProcess, 'error', 'Ad-hoc подпроцесс не поддерживается так, как нарисован'],
  'conditional-flows': [conditionalFlows, 'error', 'У перехода из развилки нет условия, и он не выбран по умолчанию'],
  'end-event-required': [endEventRequired, 'error', 'В процессе нет конечного события'],
  'event-based-gateway': [eventBasedGateway, 'error', 'Шлюз по событию должен вести только к событиям ожидания'],
  'event-sub-process-typed-start-event': [eventSubProcessTypedStartEvent, 'error',
    'У событийного подпроцесса стартовое событие должно иметь тип (сообщение, таймер, ошибка …)'],
  'fake-join': [fakeJoin, 'warn', 'Несколько входящих переходов без шлюза: лучше поставить шлюз-слияние'],
  'label-required': [labelRequired, 'warn', 'У элемента нет названия'],
  'link-event': [linkEvent, 'error', 'Событие-ссылка без пары'],
  'no-complex-gateway': [noComplexGateway, 'error', 'Сложный шлюз не поддерживается'],
  'no-disconnected': [noDisconnected, 'error', 'Элемент не соединён с процессом'],
  'no-duplicate-sequence-flows': [noDuplicateSequenceFlows, 'error', 'Два одинаковых перехода между элементами'],
  'no-gateway-join-fork': [noGatewayJoinFork, 'warn', 'Шлюз и сливает, и разветвляет потоки'],
  'no-implicit-split': [noImplicitSplit, 'error', 'Несколько исходящих переходов без шлюза'],
  'no-implicit-end': [noImplicitEnd, 'error', 'Ветка обрывается без конечного события'],
  'no-implicit-start': [noImplicitStart, 'error', 'Элемент без входящих переходов и не стартовое событие'],
  'no-overlapping-elements': [noOverlappingElements, 'warn', 'Элемент перекрывает другой'],
  'single-blank-start-event': [singleBlankStartEvent, 'error', 'Больше одного простого стартового события'],
  'single-event-definition': [singleEventDefinition, 'error', 'У события несколько определений'],
  'start-event-required': [startEventRequired, 'error', 'В процессе нет стартового события'],
  'sub-process-blank-start-event': [subProcessBlankStartEvent, 'error',
    'Подпроцесс должен начинаться с простого стартового события'],
  'superfluous-gateway': [superfluousGateway, 'warn', 'Лишний шлюз: один вход и один выход'],
  'superfluous-termination': [superfluousTermination, 'warn', 'Лишнее событие-прекращение']
};

const resolver = {
  resolveRule(pkg, name) {
    const rule = RULES[name];
    if (!rule) throw new Error(`нет правила ${pkg}/${name}`);
    return rule[0];
  },
  resolveConfig() {
    throw new Error('конфигурации не подключаются');
  }
};

const config = { rules: Object.fromEntries(Object.entries(RULES).map(([name, [, level]]) => [name, level])) };

// [{element, message, severity: 'error'|'warning', source: 'bpmnlint', rule}]
export async function lint(definitions) {
  const results = await new Linter({ config, resolver }).lint(definitions);
  const problems = [];
  for (const [name, reports] of Object.entries(results)) {
    const rule = RULES[name.replace(/^bpmnlint\//, '')];
    for (const report of reports) {
      problems.push({
        element: report.id,
        message: rule ? rule[2] : report.message,
        severity: report.category === 'error' ? 'error' : 'warning',
        source: 'bpmnlint',
        rule: name
      });
    }
  }
  return problems;
}
