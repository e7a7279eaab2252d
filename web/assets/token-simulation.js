// Entry for the one asset we bundle ourselves: bpmn-js-token-simulation ships only ES modules, while
// camunda-bpmn-js ships ready browser bundles. The modeller passes this module to the Camunda modeller as
// an additional module (window.TurnusTokenSimulation).
//
// The simulation writes its English texts straight into the page (it asks diagram-js's translate for none of
// them), so on a Danish page its own elements (.bts-*) are watched and their texts and tooltips replaced.
import TokenSimulationModule from 'bpmn-js-token-simulation/lib/modeler.js';

const DA = {
  'Token Simulation': 'Tokensimulering', 'Play/Pause Simulation': 'Afspil/pause simuleringen',
  'Play Simulation': 'Afspil simuleringen', 'Pause Simulation': 'Sæt simuleringen på pause',
  'Reset Simulation': 'Nulstil simuleringen', 'Set Sequence Flow': 'Vælg sekvensflow',
  'Toggle Simulation Log': 'Vis/skjul simuleringsloggen', 'Simulation Log': 'Simuleringslog',
  'Trigger Event': 'Udløs eventet', 'No Entries': 'Ingen poster', 'Close': 'Luk',
  'Add pause point': 'Tilføj pausepunkt', 'Remove pause point': 'Fjern pausepunkt',
  'Found unsupported elements': 'Elementer, som simuleringen ikke understøtter', 'Not supported': 'Ikke understøttet',
  'Process': 'Processen', 'SubProcess': 'Delprocessen', 'Task': 'Opgave', 'User Task': 'Brugeropgave',
  'Service Task': 'Serviceopgave', 'Script Task': 'Scriptopgave', 'Business Rule Task': 'Forretningsregelopgave',
  'Manual Task': 'Manuel opgave', 'Receive Task': 'Modtageopgave', 'Send Task': 'Sendeopgave',
  'Call Activity': 'Kaldt aktivitet', 'Exclusive Gateway': 'Eksklusiv gateway', 'Parallel Gateway': 'Parallel gateway',
  'Inclusive Gateway': 'Inklusiv gateway', 'Start Event': 'Startevent', 'Intermediate Event': 'Mellemliggende event',
  'Boundary Event': 'Grænseevent', 'End Event': 'Slutevent',
  // the speed buttons' tooltips
  'Set animation speed = Slow': 'Animationens hastighed: langsom',
  'Set animation speed = Normal': 'Animationens hastighed: normal',
  'Set animation speed = Fast': 'Animationens hastighed: hurtig',
};
// Log lines built from a scope's name: "Process started", "<subprocess name> finished".
const ENDINGS = [[' started', ' startede'], [' finished', ' sluttede'], [' canceled', ' blev annulleret']];

function danish(text) {
  const core = text.trim();
  if (!core) return text;
  if (DA[core]) return text.replace(core, DA[core]);
  for (const [en, da] of ENDINGS) {
    if (core.endsWith(en)) {
      const subject = core.slice(0, -en.length);
      return text.replace(core, (DA[subject] || subject) + da);
    }
  }
  return text;
}

const inSimulation = (node) => {
  const el = node.nodeType === 1 ? node : node.parentElement;
  return Boolean(el && el.closest('[class*="bts-"]'));
};

function fix(node) {
  if (!inSimulation(node) && !(node.querySelectorAll && node.querySelector('[class*="bts-"]'))) return;
  if (node.nodeType === 3) {
    const now = danish(node.nodeValue);
    if (now !== node.nodeValue) node.nodeValue = now;
    return;
  }
  if (node.nodeType !== 1) return;
  for (const attr of ['title', 'aria-label']) {
    const value = node.getAttribute(attr);
    if (value && inSimulation(node) && danish(value) !== value) node.setAttribute(attr, danish(value));
  }
  node.childNodes.forEach(fix);
}

function TokenSimulationDanish(canvas) {
  if ((document.documentElement.lang || '').slice(0, 2) !== 'da') return;
  const root = canvas.getContainer();
  new MutationObserver((changes) => changes.forEach((c) => {
    if (c.type === 'childList') c.addedNodes.forEach(fix);
    else fix(c.target);
  })).observe(root, { subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ['title', 'aria-label'] });
  fix(root);
}
TokenSimulationDanish.$inject = ['canvas'];

window.TurnusTokenSimulation = {
  __depends__: [TokenSimulationModule],
  __init__: ['tokenSimulationDanish'],
  tokenSimulationDanish: ['type', TokenSimulationDanish],
};
