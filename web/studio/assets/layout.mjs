// Lays out BPMN files that have no diagram (BPMNDI) so bpmn-js can show them; run once per file:
//   node web/studio/assets/layout.mjs processes/new_process.bpmn
// Extension elements are kept; the file is rewritten in place only when it had no layout.
import { layoutProcess } from 'bpmn-auto-layout';
import { readFileSync, writeFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) {
  const xml = readFileSync(file, 'utf8');
  if (xml.includes('BPMNDiagram')) {
    console.log(`${file}: уже размечен`);
    continue;
  }
  writeFileSync(file, await layoutProcess(xml));
  console.log(`${file}: разметка добавлена`);
}
