// Builds the process studio's browser bundle from npm packages (run by `npm ci` as postinstall).
// Output: web/static/studio/ (not in git). Entry points: the editor (bpmn-js modeler, properties
// panel with the «Задача CRM» group, minimap, bpmnlint), the viewer (instance, analytics,
// simulation and diff pages), the DMN editor (dmn-js) and the form editor.
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '../../static/studio');
const started = Date.now();
rmSync(out, { recursive: true, force: true });

await esbuild.build({
  absWorkingDir: here,
  entryPoints: {
    'studio-editor': './editor.js',
    'studio-viewer': './viewer.js',
    'studio-dmn': './dmn.js',
    'studio-forms': './forms.js'
  },
  outdir: out,
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: '@bpmn-io/properties-panel/preact',
  loader: { '.woff': 'file', '.woff2': 'file', '.eot': 'file', '.ttf': 'file', '.svg': 'file' },
  legalComments: 'linked',
  logLevel: 'warning'
});
console.log(`studio bundle built in ${Date.now() - started} ms → ${out}`);
