// Reading and writing our `spiffworkflow:` extension elements through bpmn-js commands
// (`modeling.updateModdleProperties`), so every change is undoable and marks the diagram dirty.
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

function eventDefinition(element, type) {
  const bo = getBusinessObject(element);
  const defs = bo.get ? (bo.get('eventDefinitions') || []) : [];
  return defs.find((d) => !type || is(d, type)) || null;
}

export function ext(target, type) {
  const extensions = target && target.get ? target.get('extensionElements') : null;
  const values = extensions ? extensions.get('values') : [];
  return type ? values.filter((v) => is(v, type)) : values;
}

function ensureExtensions(element, target, injector) {
  let extensions = target.get('extensionElements');
  if (!extensions) {
    extensions = injector.get('bpmnFactory').create('bpmn:ExtensionElements', { values: [] });
    injector.get('modeling').updateModdleProperties(element, target, { extensionElements: extensions });
  }
  return extensions;
}

function ensureChild(element, target, type, injector, attrs) {
  const found = ext(target, type)[0];
  if (found) return found;
  const extensions = ensureExtensions(element, target, injector);
  const child = injector.get('bpmnFactory').create(type, attrs || {});
  injector.get('modeling').updateModdleProperties(element, extensions, {
    values: [...extensions.get('values'), child]
  });
  return child;
}

function removeChild(element, target, child, injector) {
  const extensions = target.get('extensionElements');
  if (!extensions) return;
  injector.get('modeling').updateModdleProperties(element, extensions, {
    values: extensions.get('values').filter((v) => v !== child)
  });
}

function bodyTarget(element, onEvent) {
  return onEvent ? eventDefinition(element, 'bpmn:MessageEventDefinition') || getBusinessObject(element)
    : getBusinessObject(element);
}

export function bodyOf(element, type, onEvent) {
  const found = ext(bodyTarget(element, onEvent), type)[0];
  return found ? found.get('value') || '' : '';
}

function writeBody(element, target, type, value, injector) {
  const found = ext(target, type)[0];
  if (!value) {
    if (found) removeChild(element, target, found, injector);
    return;
  }
  const child = ensureChild(element, target, type, injector);
  injector.get('modeling').updateModdleProperties(element, child, { value });
}

export function setBody(element, type, value, injector) {
  writeBody(element, getBusinessObject(element), type, value, injector);
}

export function setEventBody(element, type, value, injector) {
  writeBody(element, bodyTarget(element, true), type, value, injector);
}

export function propertyOf(element, name) {
  const props = ext(getBusinessObject(element), 'spiffworkflow:Properties')[0];
  const prop = props ? props.get('properties').find((p) => p.get('name') === name) : null;
  return prop ? prop.get('value') || '' : '';
}

export function setProperty(element, name, value, injector) {
  const bo = getBusinessObject(element);
  const modeling = injector.get('modeling');
  const existing = ext(bo, 'spiffworkflow:Properties')[0];
  const current = existing ? existing.get('properties').find((p) => p.get('name') === name) : null;
  if (!value) {
    if (current) {
      modeling.updateModdleProperties(element, existing, {
        properties: existing.get('properties').filter((p) => p !== current)
      });
    }
    return;
  }
  if (current) {
    modeling.updateModdleProperties(element, current, { value });
    return;
  }
  const props = ensureChild(element, bo, 'spiffworkflow:Properties', injector, { properties: [] });
  const prop = injector.get('bpmnFactory').create('spiffworkflow:Property', { name, value });
  modeling.updateModdleProperties(element, props, { properties: [...props.get('properties'), prop] });
}

export function operatorOf(element) {
  return ext(getBusinessObject(element), 'spiffworkflow:ServiceTaskOperator')[0] || null;
}

export function setOperator(element, changes, injector) {
  const operator = ensureChild(element, getBusinessObject(element), 'spiffworkflow:ServiceTaskOperator', injector);
  const update = {};
  if ('id' in changes) update.id = changes.id;
  if ('resultVariable' in changes) update.resultVariable = changes.resultVariable || undefined;
  injector.get('modeling').updateModdleProperties(element, operator, update);
}

export function setParameter(element, name, value, declared, injector) {
  const modeling = injector.get('modeling');
  const factory = injector.get('bpmnFactory');
  const operator = ensureChild(element, getBusinessObject(element), 'spiffworkflow:ServiceTaskOperator', injector);
  let list = operator.get('parameterList');
  const params = list ? list.get('parameters') : [];
  const current = params.find((p) => p.get('id') === name);
  if (!value) {
    if (current) modeling.updateModdleProperties(element, list, { parameters: params.filter((p) => p !== current) });
    return;
  }
  if (current) {
    modeling.updateModdleProperties(element, current, { value });
    return;
  }
  if (!list) {
    list = factory.create('spiffworkflow:Parameters', { parameters: [] });
    modeling.updateModdleProperties(element, operator, { parameterList: list });
  }
  const param = factory.create('spiffworkflow:Parameter', { id: name, type: declared || 'str', value });
  modeling.updateModdleProperties(element, list, { parameters: [...list.get('parameters'), param] });
}

const TIMER_KINDS = ['timeDuration', 'timeDate', 'timeCycle'];

export function timerOf(element, probe) {
  const definition = eventDefinition(element, 'bpmn:TimerEventDefinition');
  if (!definition) return null;
  if (probe) return { definition };
  const kind = TIMER_KINDS.find((k) => definition.get(k)) || 'timeDuration';
  const expression = definition.get(kind);
  return { definition, kind, value: expression ? expression.get('body') || '' : '' };
}

export function setTimer(element, kind, value, injector) {
  const found = timerOf(element, true);
  if (!found) return;
  const update = {};
  for (const k of TIMER_KINDS) update[k] = undefined;
  if (value) update[kind] = injector.get('bpmnFactory').create('bpmn:FormalExpression', { body: value });
  injector.get('modeling').updateModdleProperties(element, found.definition, update);
}

function messageHolder(element) {
  const bo = getBusinessObject(element);
  if (is(bo, 'bpmn:ReceiveTask') || is(bo, 'bpmn:SendTask')) return bo;
  return eventDefinition(element, 'bpmn:MessageEventDefinition');
}

export function messageOf(element, probe) {
  const holder = messageHolder(element);
  if (!holder) return null;
  const ref = holder.get('messageRef');
  return ref ? { name: ref.get('name') } : (probe ? {} : null);
}

export function setMessageName(element, name, injector) {
  const holder = messageHolder(element);
  if (!holder) return;
  const modeling = injector.get('modeling');
  if (!name) {
    modeling.updateModdleProperties(element, holder, { messageRef: undefined });
    return;
  }
  const definitions = injector.get('canvas').getRootElement().businessObject.$parent;
  let message = definitions.get('rootElements').find((r) => is(r, 'bpmn:Message') && r.get('name') === name);
  if (!message) {
    const id = `Message_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    message = injector.get('bpmnFactory').create('bpmn:Message', { id, name });
    modeling.updateModdleProperties(element, definitions, {
      rootElements: [...definitions.get('rootElements'), message]
    });
  }
  modeling.updateModdleProperties(element, holder, { messageRef: message });
}

export function correlationOf(element) {
  const holder = eventDefinition(element, 'bpmn:MessageEventDefinition');
  const found = holder ? ext(holder, 'spiffworkflow:ProcessVariableCorrelation')[0] : null;
  if (!found) return { key: '', expression: '' };
  const key = found.get('propertyId');
  const expression = found.get('expression');
  return { key: key ? key.get('value') || '' : '', expression: expression ? expression.get('value') || '' : '' };
}

export function setCorrelation(element, key, expression, injector) {
  const holder = eventDefinition(element, 'bpmn:MessageEventDefinition');
  if (!holder) return;
  const modeling = injector.get('modeling');
  const factory = injector.get('bpmnFactory');
  const found = ext(holder, 'spiffworkflow:ProcessVariableCorrelation')[0];
  if (!key && !expression) {
    if (found) removeChild(element, holder, found, injector);
    return;
  }
  const correlation = ensureChild(element, holder, 'spiffworkflow:ProcessVariableCorrelation', injector);
  modeling.updateModdleProperties(element, correlation, {
    propertyId: factory.create('spiffworkflow:PropertyId', { value: key }),
    expression: factory.create('spiffworkflow:Expression', { value: expression })
  });
}
