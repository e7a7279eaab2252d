// Danish labels for the bpmn.io modeller (bpmn-js-i18n has no Danish). A diagram-js "translate"
// override: known texts are replaced, everything else falls back to English with {placeholders} filled.
(function () {
  'use strict';
  var da = {
    'Append {type}': 'Tilføj {type}', 'Append task': 'Tilføj opgave', 'Append end event': 'Tilføj slutevent',
    'Append gateway': 'Tilføj gateway', 'Append intermediate/boundary event': 'Tilføj mellemliggende event',
    'Change type': 'Skift type', 'Connect using sequence/message flow or association': 'Forbind med sekvensflow',
    'Connect using sequence flow': 'Forbind med sekvensflow', 'Delete': 'Slet', 'Remove': 'Fjern',
    'Create start event': 'Opret startevent', 'Create end event': 'Opret slutevent', 'Create task': 'Opret opgave',
    'Create gateway': 'Opret gateway', 'Create pool/participant': 'Opret pulje/deltager',
    'Create intermediate/boundary event': 'Opret mellemliggende event', 'Create group': 'Opret gruppe',
    'Create data object reference': 'Opret dataobjekt', 'Create data store reference': 'Opret datalager',
    'Create expanded sub-process': 'Opret udfoldet delproces',
    'Activate hand tool': 'Håndværktøj', 'Activate lasso tool': 'Lassoværktøj',
    'Activate create/remove space tool': 'Opret/fjern plads', 'Activate global connect tool': 'Forbindelsesværktøj',
    'Add lane above': 'Tilføj bane over', 'Add lane below': 'Tilføj bane under', 'Divide into two lanes': 'Del i to baner',
    'Divide into three lanes': 'Del i tre baner', 'User task': 'Brugeropgave', 'Service task': 'Serviceopgave',
    'Script task': 'Scriptopgave', 'Business rule task': 'Forretningsregelopgave', 'Manual task': 'Manuel opgave',
    'Task': 'Opgave', 'Start event': 'Startevent', 'End event': 'Slutevent', 'Exclusive gateway': 'Eksklusiv gateway',
    'Parallel gateway': 'Parallel gateway', 'Inclusive gateway': 'Inklusiv gateway', 'Sub-process': 'Delproces',
    'General': 'Generelt', 'Name': 'Navn', 'ID': 'ID', 'Documentation': 'Dokumentation',
    'Element documentation': 'Elementets dokumentation', 'Form': 'Formular', 'Form fields': 'Formularfelter',
    'Label': 'Etiket', 'Type': 'Type', 'Default value': 'Standardværdi', 'Validation': 'Validering',
    'Constraints': 'Begrænsninger', 'Config': 'Konfiguration', 'Values': 'Værdier', 'Properties': 'Egenskaber',
    'User assignment': 'Tildeling', 'Assignee': 'Ansvarlig', 'Candidate groups': 'Kandidatgrupper',
    'Candidate users': 'Kandidatbrugere', 'Due date': 'Frist', 'Follow up date': 'Opfølgningsdato',
    'Priority': 'Prioritet', 'Condition': 'Betingelse', 'Condition type': 'Betingelsestype', 'Expression': 'Udtryk',
    'Script': 'Script', 'Format': 'Format', 'Timer': 'Timer', 'Type ': 'Type', 'Value': 'Værdi',
    'Decision reference': 'Beslutningsreference', 'Implementation': 'Implementering', 'Inputs': 'Input',
    'Outputs': 'Output', 'Multi-instance': 'Multi-instans', 'Collection': 'Samling', 'Element variable': 'Elementvariabel',
    'Start initiator': 'Initiativtager', 'Initiator': 'Initiativtager', 'Executable': 'Eksekverbar',
    'Process': 'Proces', 'Process ID': 'Proces-ID', 'Process name': 'Procesnavn', 'Lane': 'Bane',
    'Participant': 'Deltager', 'Search in diagram': 'Søg i diagrammet', 'Toggle simulation': 'Slå simulering til/fra',
    'Open minimap': 'Åbn minikort', 'Close minimap': 'Luk minikort'
  };
  function translate(template, replacements) {
    var text = da[template] || template;
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, function (_, key) { return replacements[key] !== undefined ? replacements[key] : '{' + key + '}'; });
  }
  window.TurnusDanishTranslate = { translate: ['value', translate] };
})();
