// What BPMN from other tools needs so that bpmn-js opens it and saves it again without losing anything
// (measured on the MIWG reference files, tests/e2e/test_modeller_miwg.py). Loaded before modeller.js.
(function () {
  'use strict';
  var XMLNS = 'http://www.w3.org/2000/xmlns/';

  // Prefixes bpmn-js's moddle reserves: its packages' (bpmn, bpmndi, dc, di, camunda, ...) plus xsi and xml.
  function reservedPrefixes(moddle) {
    var map = { xsi: 'http://www.w3.org/2001/XMLSchema-instance', xml: 'http://www.w3.org/XML/1998/namespace' };
    moddle.getPackages().forEach(function (p) { map[p.prefix] = p.uri; });
    return map;
  }

  function freshPrefix(uri, taken) {
    var host = '';
    try { host = new URL(uri).hostname; } catch (e) { host = ''; }
    var word = (host.split('.').filter(function (w) { return w && w !== 'www'; })[0] || 'ext').toLowerCase();
    var base = /^[a-z][a-z0-9]*$/.test(word) ? word : 'ext';
    var name = base;
    for (var n = 2; taken[name]; n++) name = base + n;
    taken[name] = true;
    return name;
  }

  // A file that binds a reserved prefix to another namespace (Signavio writes
  // xmlns:camunda="http://activiti.org/bpmn") opens, but moddle-xml then keeps those attributes under a
  // made-up prefix ns0 it never declares, and saving fails ("no namespace uri given for prefix <ns0>").
  // Give such a namespace a prefix of its own before importing: same namespaces, same ids, nothing lost.
  // Returns the XML unchanged (the very same text) when there is no clash.
  function renameClashingPrefixes(xml, moddle) {
    var none = { xml: xml, renamed: [] };
    if (xml.indexOf('xmlns:') < 0) return none;
    var doc = new DOMParser().parseFromString(xml, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) return none;
    var reserved = reservedPrefixes(moddle);
    var elements = [doc.documentElement].concat(Array.prototype.slice.call(doc.documentElement.getElementsByTagName('*')));
    var known = {};
    Object.keys(reserved).forEach(function (p) { known[reserved[p]] = true; });
    var taken = {};
    Object.keys(reserved).forEach(function (p) { taken[p] = true; });
    elements.forEach(function (el) {
      Array.prototype.forEach.call(el.attributes, function (a) { if (a.namespaceURI === XMLNS) taken[a.localName] = true; });
    });
    var renamed = {};  // "oldPrefix uri" -> new prefix
    var found = [];
    elements.forEach(function (el) {
      Array.prototype.forEach.call(el.attributes, function (a) {
        if (a.namespaceURI !== XMLNS || a.prefix !== 'xmlns') return;
        var key = a.localName + ' ' + a.value;
        // A known namespace under another prefix (Bonita's di: for BPMN DI) is fine: moddle maps it by URI.
        if (reserved[a.localName] && reserved[a.localName] !== a.value && !known[a.value] && !renamed[key]) {
          renamed[key] = freshPrefix(a.value, taken);
          found.push({ prefix: a.localName, uri: a.value, now: renamed[key] });
        }
      });
    });
    if (!found.length) return none;
    function newName(prefix, uri) { return prefix ? renamed[prefix + ' ' + uri] : undefined; }
    elements.forEach(function (el) {
      Array.prototype.slice.call(el.attributes).forEach(function (a) {
        var now = a.namespaceURI === XMLNS ? (a.prefix === 'xmlns' && newName(a.localName, a.value))
          : newName(a.prefix, a.namespaceURI);
        if (!now) return;
        el.removeAttributeNode(a);
        if (a.namespaceURI === XMLNS) el.setAttributeNS(XMLNS, 'xmlns:' + now, a.value);
        else el.setAttributeNS(a.namespaceURI, now + ':' + a.localName, a.value);
      });
      var now = newName(el.prefix, el.namespaceURI);
      if (!now) return;
      var copy = doc.createElementNS(el.namespaceURI, now + ':' + el.localName);
      Array.prototype.slice.call(el.attributes).forEach(function (a) { copy.setAttributeNodeNS(a.cloneNode(true)); });
      while (el.firstChild) copy.appendChild(el.firstChild);
      el.parentNode.replaceChild(copy, el);
    });
    return { xml: new XMLSerializer().serializeToString(doc), renamed: found };
  }

  // bpmn-js draws one plane: shapes of a process that no pool shows (MIWG B.1.0, B.2.0) and edges that
  // name no flow (C.7.0) are never drawn, and before each save bpmn-js's BpmnDiOrdering rebuilds every
  // plane's list from what is on the canvas, so their ids would vanish. Remember them at import and put
  // them back after that rebuild: they are saved as they came, and the page lists them (unshown()).
  function KeepUnshownDi(eventBus, canvas, elementRegistry) {
    var unshown = [];  // [plane, di] pairs
    eventBus.on('import.done', function () {
      unshown = [];
      var shown = new Set(elementRegistry.getAll().map(function (e) { return e.di; }));
      canvas.getRootElements().forEach(function (root) {
        var plane = root.di;
        if (!plane || !plane.planeElement) return;
        plane.planeElement.forEach(function (di) { if (!shown.has(di)) unshown.push([plane, di]); });
      });
    });
    eventBus.on('saveXML.start', 1500, function () {  // after BpmnDiOrdering (priority 2000)
      unshown.forEach(function (pair) {
        var list = pair[0].get('planeElement');
        if (list.indexOf(pair[1]) < 0) list.push(pair[1]);
      });
    });
    this.unshown = function () {
      return unshown.map(function (pair) {
        var el = pair[1].bpmnElement;
        return { id: el ? el.id : pair[1].id, name: el ? el.name || '' : '', di: pair[1].id };
      });
    };
  }
  KeepUnshownDi.$inject = ['eventBus', 'canvas', 'elementRegistry'];

  window.TurnusModellerCompat = {
    renameClashingPrefixes: renameClashingPrefixes,
    module: { __init__: ['keepUnshownDi'], keepUnshownDi: ['type', KeepUnshownDi] }
  };
})();
