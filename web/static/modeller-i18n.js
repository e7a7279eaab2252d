// Danish labels for the bpmn.io modeller and DMN editor (bpmn-js-i18n has no Danish). A diagram-js
// "translate" override: known texts are replaced, everything else falls back to English with
// {placeholders} filled. The texts are those camunda-bpmn-js 5.30 / camunda-dmn-js 3.8 ask for on the
// palette, context pad, change-type menu, Camunda 7 panel and decision table (tests/e2e/test_modeller.py
// lists what is still asked for in English). Data types (string, boolean, ...) stay as written in the file.
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
    'Open minimap': 'Åbn minikort', 'Close minimap': 'Luk minikort',
    // The properties panel's own controls (@bpmn-io/properties-panel).
    'Section contains edits': 'Afsnittet er ændret', 'Toggle section': 'Fold afsnittet ud eller ind',
    'Open pop-up editor': 'Redigér i et større vindue', 'Create new list item': 'Tilføj et punkt til listen',
    'Delete item': 'Slet punktet', 'Section contains an error': 'Afsnittet indeholder en fejl',
    // Context pad, palette and the change-type menu (camunda-bpmn-js 5.30).
    'Add text annotation': 'Tilføj tekstkommentar', 'Append element': 'Tilføj element',
    'Change element': 'Skift element', 'Set color': 'Vælg farve', 'Connect to other element': 'Forbind til et andet element',
    'Create element': 'Opret element', 'Default flow': 'Standardflow', 'Sequence Flow': 'Sekvensflow',
    'User Task': 'Brugeropgave', 'Receive task': 'Modtageopgave', 'Send task': 'Afsendelsesopgave',
    'Call activity': 'Kaldaktivitet', 'External task': 'Ekstern opgave', 'Collaboration': 'Samarbejde',
    'Sub-process (collapsed)': 'Delproces (sammenfoldet)', 'Sub-process (expanded)': 'Delproces (udfoldet)',
    'Ad-hoc sub-process (collapsed)': 'Ad hoc-delproces (sammenfoldet)', 'Ad-hoc sub-process (expanded)': 'Ad hoc-delproces (udfoldet)',
    'Empty pool/participant (removes content)': 'Tom pulje/deltager (fjerner indholdet)',
    'Intermediate throw event': 'Mellemliggende event (afsender)', 'Timer start event': 'Timer-startevent',
    'Timer Intermediate Catch Event': 'Mellemliggende timer-event',
    'Message intermediate catch event': 'Mellemliggende beskedevent (modtager)',
    'Message intermediate throw event': 'Mellemliggende beskedevent (afsender)',
    'Signal intermediate catch event': 'Mellemliggende signalevent (modtager)',
    'Signal intermediate throw event': 'Mellemliggende signalevent (afsender)',
    'Link intermediate catch event': 'Mellemliggende link-event (modtager)',
    'Link intermediate throw event': 'Mellemliggende link-event (afsender)',
    'Conditional intermediate catch event': 'Mellemliggende betingelsesevent',
    'Escalation intermediate throw event': 'Mellemliggende eskaleringsevent (afsender)',
    'Compensation intermediate throw event': 'Mellemliggende kompensationsevent (afsender)',
    'Parallel multi-instance': 'Parallel multi-instans', 'Sequential multi-instance': 'Sekventiel multi-instans',
    'Loop': 'Løkke', 'Compensation': 'Kompensation', 'Message': 'Besked', 'Signal': 'Signal', 'Link': 'Link',
    'Error': 'Fejl', 'Errors': 'Fejl', 'Escalation': 'Eskalering', 'Cycle': 'Gentagelse', 'Date': 'Dato',
    'Duration': 'Varighed', 'Before': 'Før', 'After': 'Efter', '<none>': '<ingen>', '<custom type>': '<egen type>',
    'A participant shown as a black box': 'En deltager vist som en sort boks',
    'A task done by a person without any tooling or UI': 'En opgave, en person udfører uden værktøj eller skærmbillede',
    'An unspecified step, often used as a placeholder': 'Et uspecificeret trin, ofte brugt som pladsholder',
    'Activities run in any order, any number of times': 'Aktiviteter i vilkårlig rækkefølge, vilkårligt mange gange',
    'Activities run in any order; shown collapsed': 'Aktiviteter i vilkårlig rækkefølge; vist sammenfoldet',
    'Automated work carried out by a job worker or connector': 'Automatisk arbejde, udført af et program',
    'Broadcasts a signal': 'Udsender et signal', 'Runs a script': 'Kører et script', 'Sends a message': 'Sender en besked',
    'Calls another process as a reusable subprocess': 'Kalder en anden proces som genbrugelig delproces',
    'Continues from a matching link event': 'Fortsætter fra et tilsvarende link-event',
    'Jumps to a matching link event': 'Springer til et tilsvarende link-event',
    'Ends the current path': 'Afslutter den aktuelle vej', 'Marks a point in the flow': 'Markerer et punkt i forløbet',
    'Evaluates a business rule, typically a DMN decision': 'Evaluerer en forretningsregel, typisk en DMN-beslutning',
    'Groups elements into a subprocess, shown collapsed': 'Samler elementer i en delproces, vist sammenfoldet',
    'Groups elements into a subprocess, shown inline': 'Samler elementer i en delproces, vist i diagrammet',
    'Publishes a message to a receiver': 'Sender en besked til en modtager',
    'Raises an escalation to a higher scope': 'Eskalerer til et højere niveau',
    'Starts the process on a defined timer': 'Starter processen efter en timer',
    'The default path, taken when no other path condition is met': 'Standardvejen, når ingen anden betingelse er opfyldt',
    'Triggers compensation of completed activities': 'Udløser kompensation af afsluttede aktiviteter',
    'Waits for a matching signal to be broadcast': 'Venter på et tilsvarende signal',
    'Waits for a message to be received': 'Venter på at modtage en besked',
    'Waits until a condition is met': 'Venter, til en betingelse er opfyldt',
    'Waits until a message is received': 'Venter, til en besked modtages', 'Where the process begins': 'Hvor processen begynder',
    'Start Event': 'Startevent', 'End Event': 'Slutevent', 'Terminate End Event': 'Terminerende slutevent',
    'Terminate end event': 'Terminerende slutevent', 'Script Task': 'Scriptopgave',
    'Business Rule Task': 'Forretningsregelopgave', 'Exclusive Gateway': 'Eksklusiv gateway',
    'Parallel Gateway': 'Parallel gateway', 'Complex gateway': 'Kompleks gateway', 'Event-based gateway': 'Eventbaseret gateway',
    'Expanded Sub Process': 'Udfoldet delproces', 'Event sub-process': 'Event-delproces', 'Ad-hoc sub-process': 'Ad hoc-delproces',
    'Transaction': 'Transaktion', 'Timer Boundary Event': 'Timer-grænseevent',
    'Timer boundary event (non-interrupting)': 'Timer-grænseevent (ikke-afbrydende)',
    'Message boundary event': 'Besked-grænseevent', 'Message boundary event (non-interrupting)': 'Besked-grænseevent (ikke-afbrydende)',
    'Signal boundary event': 'Signal-grænseevent', 'Signal boundary event (non-interrupting)': 'Signal-grænseevent (ikke-afbrydende)',
    'Conditional boundary event': 'Betingelses-grænseevent',
    'Conditional boundary event (non-interrupting)': 'Betingelses-grænseevent (ikke-afbrydende)',
    'Escalation boundary event': 'Eskalerings-grænseevent',
    'Escalation boundary event (non-interrupting)': 'Eskalerings-grænseevent (ikke-afbrydende)',
    'Error boundary event': 'Fejl-grænseevent', 'Compensation boundary event': 'Kompensations-grænseevent',
    'Message start event': 'Besked-startevent', 'Signal start event': 'Signal-startevent',
    'Conditional start event': 'Betingelses-startevent', 'Message end event': 'Besked-slutevent',
    'Signal end event': 'Signal-slutevent', 'Error end event': 'Fejl-slutevent', 'Escalation end event': 'Eskalerings-slutevent',
    'Compensation end event': 'Kompensations-slutevent', 'Toggle non-interrupting': 'Skift mellem afbrydende og ikke-afbrydende',
    'Work that needs to be done by a person': 'Arbejde, en person skal udføre',
    'Routes the token down one path, based on data': 'Sender forløbet ad én vej ud fra data',
    'Splits the flow into parallel paths, or joins them': 'Deler forløbet i parallelle veje eller samler dem',
    'Takes every outgoing path whose condition is met': 'Tager alle udgående veje, hvis betingelse er opfyldt',
    'Follows the path of whichever event occurs first': 'Følger vejen for det event, der indtræffer først',
    'Models complex branching or merging behavior': 'Beskriver kompleks forgrening eller samling',
    'Immediately ends all active paths in the scope': 'Afslutter straks alle aktive veje i området',
    'Ends the path and broadcasts a signal': 'Afslutter vejen og udsender et signal',
    'Ends the path and raises an escalation': 'Afslutter vejen og eskalerer',
    'Ends the path and sends a message': 'Afslutter vejen og sender en besked',
    'Ends the path and triggers compensation': 'Afslutter vejen og udløser kompensation',
    'Ends the path by throwing an error': 'Afslutter vejen med en fejl',
    'Fires on a timer while the activity continues': 'Udløses af en timer, mens aktiviteten fortsætter',
    'Interrupts the activity on a matching signal': 'Afbryder aktiviteten ved et tilsvarende signal',
    'Interrupts the activity on an escalation': 'Afbryder aktiviteten ved en eskalering',
    'Interrupts the activity when a condition is met': 'Afbryder aktiviteten, når en betingelse er opfyldt',
    'Interrupts the activity when a message is received': 'Afbryder aktiviteten, når en besked modtages',
    'Interrupts the activity when it throws an error': 'Afbryder aktiviteten, når den giver en fejl',
    'Reacts to a message while the activity continues': 'Reagerer på en besked, mens aktiviteten fortsætter',
    'Reacts to a signal while the activity continues': 'Reagerer på et signal, mens aktiviteten fortsætter',
    'Reacts to an escalation while the activity continues': 'Reagerer på en eskalering, mens aktiviteten fortsætter',
    'Reacts when a condition is met; activity continues': 'Reagerer, når en betingelse er opfyldt; aktiviteten fortsætter',
    'Starts the process when a condition is met': 'Starter processen, når en betingelse er opfyldt',
    'Starts the process when a matching signal is broadcast': 'Starter processen ved et tilsvarende signal',
    'Starts the process when a message is received': 'Starter processen, når en besked modtages',
    'A subprocess that completes as a whole, or is compensated': 'En delproces, der gennemføres samlet eller kompenseres',
    'A subprocess triggered by an event in its scope': 'En delproces, der udløses af et event i sit område',
    'Attaches a compensation handler to the activity': 'Knytter en kompensation til aktiviteten',
    // The Camunda 7 properties panel: group headings, fields and their help texts.
    'Asynchronous continuations': 'Asynkron fortsættelse', 'Execution listeners': 'Udførelseslyttere',
    'Task listeners': 'Opgavelyttere', 'Extension properties': 'Udvidelsesegenskaber', 'Field injections': 'Feltinjektioner',
    'Forms': 'Formularer', 'Camunda Forms': 'Camunda-formularer', 'Generated Task Forms': 'Genererede opgaveformularer',
    'Embedded or External Task Forms': 'Indlejrede eller eksterne opgaveformularer', 'Tasklist': 'Opgaveliste',
    'In mappings': 'Tilknytninger ind', 'Out mappings': 'Tilknytninger ud', 'In mapping propagation': 'Videregivelse ind',
    'Out mapping propagation': 'Videregivelse ud', 'Job execution': 'Jobudførelse', 'Retry time cycle': 'Genforsøgsinterval',
    'History cleanup': 'Oprydning i historik', 'Time to live': 'Levetid', 'Version tag': 'Versionsmærke',
    'Startable': 'Kan startes', 'Candidate starter': 'Må startes af', 'Candidate starter groups': 'Grupper, der må starte',
    'Candidate starter users': 'Brugere, der må starte', 'Business key': 'Forretningsnøgle', 'Called element': 'Kaldt element',
    'Condition Expression': 'Betingelsesudtryk', 'Completion': 'Afslutning', 'Process documentation': 'Procesdokumentation',
    'Process variables': 'Procesvariabler', 'Created in': 'Oprettet i', 'Participant ID': 'Deltager-ID',
    'Participant Name': 'Deltagernavn', 'Participant multiplicity': 'Antal deltagere', 'Connector inputs': 'Connector-input',
    'Connector outputs': 'Connector-output', 'Learn more.': 'Læs mere.', 'Documentation: Timer events': 'Dokumentation: timer-events',
    'Binding': 'Binding', 'Tenant ID': 'Lejer-ID', 'Result variable': 'Resultatvariabel', 'Key': 'Nøgle',
    'Inline script': 'Script i diagrammet', 'External resource': 'Ekstern ressource', 'External': 'Ekstern',
    'Java class': 'Java-klasse', 'Delegate expression': 'Delegate-udtryk', 'Connector': 'Connector', 'DMN': 'DMN',
    'latest': 'seneste', 'deployment': 'udrulning', 'version': 'version', 'versionTag': 'versionsmærke',
    '14 days': '14 dage', '1 hour and 30 minutes': '1 time og 30 minutter', '15 seconds': '15 sekunder',
    'A time duration defined as ISO 8601 durations format.': 'En varighed i ISO 8601-format (fx "P14D").',
    'UTC time': 'UTC-tid', 'UTC plus 2 hours zone offset': 'UTC plus 2 timer',
    'Refers to the process variable name': 'Henviser til procesvariablens navn',
    'This maps to the process definition key.': 'Det er procesdefinitionens nøgle.',
    'Specify more than one group as a comma separated list.': 'Flere grupper skrives adskilt med komma.',
    'Specify more than one user as a comma separated list.': 'Flere brugere skrives adskilt med komma.',
    'A specific point in time defined as ISO 8601 combined date and time representation.':
      'Et bestemt tidspunkt som ISO 8601-dato og -klokkeslæt.',
    'Number of days before this resource is being cleaned up. If specified, takes precedence over the engine configuration.':
      'Antal dage, før denne ressource ryddes op. Går forud for motorens indstilling, når den er angivet.',
    // DMN decision tables (camunda-dmn-js 3.8). Hit policy names stay as in the DMN standard.
    'When': 'Når', 'And': 'Og', 'Then': 'Så', 'Annotation': 'Bemærkning', 'Annotations': 'Bemærkninger',
    'Hit policy': 'Hit policy', 'Hit policy:': 'Hit policy:', 'View DRD': 'Vis DRD', 'Open decision table': 'Åbn beslutningstabel',
    'Rules may overlap. The first matching rule will be chosen': 'Reglerne kan overlappe. Den første regel, der passer, vælges',
    'Decision name': 'Beslutningens navn', 'Decision name: ': 'Beslutningens navn: ', 'Definition ID': 'Definitions-ID',
    'Definition name': 'Definitionens navn', 'Description': 'Beskrivelse', 'Edit': 'Redigér', 'Resize': 'Tilpas bredde',
    'Input': 'Input', 'Output': 'Output', 'Input label: ': 'Inputs etiket: ', 'Output label: ': 'Outputs etiket: ',
    'Input type': 'Inputtype', 'Output type': 'Outputtype', 'Edit input': 'Redigér input', 'Edit output': 'Redigér output',
    'Add input': 'Tilføj input', 'Add output': 'Tilføj output', 'Add rule': 'Tilføj regel', 'Move rule': 'Flyt regel',
    'Add rule above': 'Tilføj regel over', 'Add rule below': 'Tilføj regel under', 'Copy rule': 'Kopiér regel',
    'Cut rule': 'Klip regel', 'Paste rule above': 'Indsæt regel over', 'Paste rule below': 'Indsæt regel under',
    'Remove rule': 'Fjern regel', 'Add cell description': 'Tilføj beskrivelse af cellen',
    'Change cell expression language': 'Skift cellens udtrykssprog', 'Rule order': 'Regelrækkefølge',
    'Output order': 'Outputrækkefølge', 'Create decision': 'Opret beslutning', 'Create input data': 'Opret inputdata',
    'Create knowledge model': 'Opret vidensmodel', 'Create knowledge source': 'Opret videnskilde',
    // Turnus reads these dates as a literal or a ${name} reference into the case's data (DESIGN.md).
    'The due date as an EL expression (e.g. ${someDate}) or an ISO date (e.g. 2015-06-26T09:54:00).':
      'Fristen som en henvisning til sagens data (fx ${frist}) eller en ISO-dato (fx 2027-06-26T09:54:00).',
    'The follow up date as an EL expression (e.g. ${someDate}) or an ISO date (e.g. 2015-06-26T09:54:00).':
      'Opfølgningsdatoen som en henvisning til sagens data (fx ${opfoelgning}) eller en ISO-dato (fx 2027-06-26T09:54:00).'
  };
  var missing = new Set();  // texts asked for that have no Danish here (read by the browser tests)
  function translate(template, replacements) {
    if (!da[template]) missing.add(template);
    var text = da[template] || template;
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, function (_, key) { return replacements[key] !== undefined ? replacements[key] : '{' + key + '}'; });
  }
  // A few tooltips of the properties panel's own controls never pass through translate (the panel uses its
  // built-in English fallback for them), so on a Danish page the panel's title attributes are rewritten.
  var TITLES = ['Section contains edits', 'Toggle section', 'Open pop-up editor', 'Create new list item',
    'Delete item', 'Section contains an error'];
  function danishTitles(root) {
    function fix(el) {
      var t = el.getAttribute && el.getAttribute('title');
      if (t && TITLES.indexOf(t) >= 0) { el.setAttribute('title', da[t]); }
    }
    function walk(node) {
      if (node.nodeType !== 1) { return; }
      fix(node);
      node.querySelectorAll('[title]').forEach(fix);
    }
    new MutationObserver(function (changes) {
      changes.forEach(function (c) { if (c.type === 'attributes') { fix(c.target); } else { c.addedNodes.forEach(walk); } });
    }).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['title'] });
    walk(root);
  }
  window.TurnusDanishTranslate = { translate: ['value', translate], missing: missing };
  window.TurnusDanishTitles = danishTitles;
})();
