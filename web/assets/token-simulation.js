// Entry for the one asset we bundle ourselves: bpmn-js-token-simulation ships only ES modules, while
// camunda-bpmn-js ships ready browser bundles. The modeller passes this module to the Camunda modeller as
// an additional module (window.TurnusTokenSimulation).
import TokenSimulationModule from 'bpmn-js-token-simulation/lib/modeler.js';

window.TurnusTokenSimulation = TokenSimulationModule;
