// Copies the bpmn.io browser bundles from node_modules into web/static/vendor and bundles the token
// simulation module with esbuild. Run by `make` at set-up (never committed: web/static/vendor is ignored).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modules = join(root, 'node_modules');
const vendor = join(root, 'web', 'static', 'vendor');

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });

const copies = [
  // BPMN: the Camunda 7 ("platform") modeller with its properties panel, and the navigated viewer.
  ['camunda-bpmn-js/dist/camunda-platform-modeler.production.min.js', 'bpmn/modeler.js'],
  ['camunda-bpmn-js/dist/camunda-platform-navigated-viewer.production.min.js', 'bpmn/viewer.js'],
  ['camunda-bpmn-js/dist/assets', 'bpmn/assets'],
  // DMN: the Camunda 7 decision table editor.
  ['camunda-dmn-js/dist/camunda-platform-modeler.production.min.js', 'dmn/modeler.js'],
  ['camunda-dmn-js/dist/assets', 'dmn/assets'],
  ['bpmn-js-token-simulation/assets/css', 'token-simulation/css'],
  // The API reference at /api/v1/docs.
  ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui/swagger-ui-bundle.js'],
  ['swagger-ui-dist/swagger-ui.css', 'swagger-ui/swagger-ui.css'],
];
for (const [from, to] of copies) {
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  cpSync(join(modules, from), join(vendor, to), { recursive: true });
}

await build({
  entryPoints: [join(root, 'web', 'assets', 'token-simulation.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outfile: join(vendor, 'token-simulation', 'token-simulation.js'),
  logLevel: 'warning',
});

writeFileSync(join(vendor, 'BUILT'), 'built by web/assets/build.mjs from package-lock.json\n');
console.log(`bpmn.io assets built into ${vendor}`);
