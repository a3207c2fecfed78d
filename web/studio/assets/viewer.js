// Read-only diagrams with what the server says about them: the diff of two versions, an
// instance's path, analytics and simulation results. Each `.studio-viewer[data-url]` fetches
// (or `[data-overlay]` carries)
// {xml, markers: {id: [css]}, badges: [{element, text, kind, position}], details: {id: [{title, rows}]}}
// and shows the details of the element clicked in the block named by `data-detail`.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { layoutProcess } from 'bpmn-auto-layout';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import './studio.css';
import spiffworkflow from './spiffworkflow.json';
import translateModule from './translate.js';
import { call, escapeHtml } from './api.js';

function renderDetails(target, name, sections) {
  if (!target) return;
  if (!sections || !sections.length) {
    target.innerHTML = `<p class="text-muted small mb-0">«${escapeHtml(name)}»: данных нет.</p>`;
    return;
  }
  target.innerHTML = `<h3 class="h6">${escapeHtml(name)}</h3>` + sections.map((section) => `
    <div class="mb-2 element-detail-section">${section.title ? `<div class="fw-bold small">${escapeHtml(section.title)}</div>` : ''}
    <table class="table table-sm small mb-1"><tbody>${section.rows.map(([k, v]) =>
      `<tr><th class="fw-normal text-muted">${escapeHtml(k)}</th><td class="text-break">${escapeHtml(v)}</td></tr>`).join('')}
    </tbody></table></div>`).join('');
}

async function show(container) {
  const data = container.dataset.overlay ? JSON.parse(container.dataset.overlay) : await call(container.dataset.url);
  const viewer = new NavigatedViewer({
    container, additionalModules: [translateModule], moddleExtensions: { spiffworkflow }
  });
  await viewer.importXML(data.xml.includes('BPMNDiagram') ? data.xml : await layoutProcess(data.xml));
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  canvas.zoom('fit-viewport', 'auto');
  for (const [id, classes] of Object.entries(data.markers || {})) {
    if (!registry.get(id)) continue;
    for (const cls of classes) canvas.addMarker(id, cls);
  }
  for (const badge of data.badges || []) {
    if (!registry.get(badge.element)) continue;
    const position = badge.position === 'top' ? { top: -22, left: 0 }
      : badge.position === 'right' ? { top: -10, right: 12 } : { bottom: 2, left: 0 };
    overlays.add(badge.element, 'studio', {
      position,
      html: `<span class="studio-badge studio-badge-${badge.kind || 'info'}" data-element="${escapeHtml(badge.element)}"
        title="${escapeHtml(badge.title || badge.text)}">${escapeHtml(badge.text)}</span>`
    });
  }
  const detail = container.dataset.detail ? document.getElementById(container.dataset.detail) : null;
  viewer.on('element.click', (event) => {
    const element = event.element;
    if (!element || element.type === 'bpmn:Process' || element.type === 'label') return;
    renderDetails(detail, element.businessObject.name || element.id, (data.details || {})[element.id]);
  });
  container.dataset.ready = '1';
  container.viewer = viewer;
}

for (const container of document.querySelectorAll('.studio-viewer[data-url], .studio-viewer[data-overlay]')) {
  show(container).catch((exc) => {
    container.innerHTML = `<div class="alert alert-danger m-2">Схема не открылась: ${escapeHtml(exc.message)}</div>`;
  });
}
