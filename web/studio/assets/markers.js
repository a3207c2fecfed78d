// Problems of a diagram shown where they are: a marker and a badge on the element, and a list
// below the canvas whose entries select the element.
import { escapeHtml } from './api.js';

export class ProblemMarkers {
  constructor(modeler, list) {
    this.canvas = modeler.get('canvas');
    this.overlays = modeler.get('overlays');
    this.registry = modeler.get('elementRegistry');
    this.selection = modeler.get('selection');
    this.list = list;
    this.marked = [];
  }

  clear() {
    for (const [id, cls] of this.marked) this.canvas.removeMarker(id, cls);
    this.overlays.remove({ type: 'crm-problem' });
    this.marked = [];
    this.list.innerHTML = '';
  }

  show(problems) {
    this.clear();
    const byElement = {};
    for (const problem of problems) {
      const element = problem.element && this.registry.get(problem.element);
      if (element) (byElement[problem.element] = byElement[problem.element] || []).push(problem);
      const item = document.createElement('li');
      item.className = `studio-problem studio-problem-${problem.severity}`;
      item.dataset.element = problem.element || '';
      const name = element ? (element.businessObject.name || problem.element) : (problem.element || 'Схема');
      const source = problem.source === 'server' ? 'проверка развёртывания' : 'правила BPMN';
      item.innerHTML = `<b>${escapeHtml(name)}</b>: ${escapeHtml(problem.message)} <span class="text-muted">(${source})</span>`;
      if (element) {
        item.addEventListener('click', () => {
          this.selection.select(element);
          this.canvas.scrollToElement(element);
        });
      }
      this.list.appendChild(item);
    }
    for (const [id, list] of Object.entries(byElement)) {
      const severity = list.some((p) => p.severity === 'error') ? 'error' : 'warning';
      const cls = `crm-${severity}`;
      this.canvas.addMarker(id, cls);
      this.marked.push([id, cls]);
      const title = list.map((p) => p.message).join('\n');
      this.overlays.add(id, 'crm-problem', {
        position: { top: -10, right: 10 },
        html: `<span class="crm-problem-badge crm-problem-${severity}" data-element="${escapeHtml(id)}"
          title="${escapeHtml(title)}">${list.length}</span>`
      });
    }
  }
}
