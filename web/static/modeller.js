// The process owner's modeller page: bpmn-js with the Camunda 7 properties panel, a local draft in
// localStorage, Validate/Deploy against the engine (findings marked on the diagram), download/upload,
// and the token simulation. Loaded only on web/templates/modeller/editor.html.
(function () {
  'use strict';
  var root = document.getElementById('modeller');
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var draftKey = root.dataset.draftKey;
  var sources = JSON.parse($('modeller-files').textContent);  // name -> URL
  var files = {};       // name -> XML text of every file but the diagram being edited
  var diagramName = null;
  var status = $('status');
  var marked = [];

  var modules = [];
  if (window.TurnusTokenSimulation) modules.push(window.TurnusTokenSimulation);
  if (root.dataset.lang === 'da' && window.TurnusDanishTranslate) modules.push(window.TurnusDanishTranslate);
  var Modeler = window.BpmnModeler || window.CamundaPlatformModeler;
  var modeler = new Modeler({
    container: '#canvas', propertiesPanel: { parent: '#properties' }, additionalModules: modules
  });
  window.turnusModeler = modeler;  // for the browser tests and for the curious

  function say(text) { status.textContent = text; }

  function currentFiles() {
    return modeler.saveXML({ format: true }).then(function (result) {
      var all = Object.assign({}, files);
      all[diagramName] = result.xml;
      return all;
    });
  }

  function saveDraft() {
    currentFiles().then(function (all) {
      try { localStorage.setItem(draftKey, JSON.stringify({ diagram: diagramName, files: all })); } catch (e) { /* full */ }
    });
  }

  function renderFileList() {
    var list = $('file-list');
    list.textContent = '';
    Object.keys(files).concat([diagramName]).sort().forEach(function (name) {
      var li = document.createElement('li');
      li.textContent = name + (name === diagramName ? ' ✎' : '');
      list.appendChild(li);
    });
  }

  var listening = false;
  function open(all, diagram) {
    root.dataset.ready = 'loading';
    delete root.dataset.validated;
    diagramName = diagram;
    files = {};
    Object.keys(all).forEach(function (n) { if (n !== diagram) files[n] = all[n]; });
    renderFileList();
    return modeler.importXML(all[diagram]).then(function () {
      modeler.get('canvas').zoom('fit-viewport');
      if (!listening) { modeler.on('commandStack.changed', saveDraft); listening = true; }
      root.dataset.ready = 'true';
    }).catch(function (err) {
      say(root.dataset.lang === 'da' ? 'Diagrammet kunne ikke åbnes: ' + err.message : 'The diagram could not be opened: ' + err.message);
      root.dataset.ready = 'error';
    });
  }

  function load() {
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || 'null'); } catch (e) { draft = null; }
    if (draft && draft.files && draft.files[draft.diagram]) {
      $('draft-note').hidden = false;
      return open(draft.files, draft.diagram);
    }
    var names = Object.keys(sources);
    return Promise.all(names.map(function (n) {
      return fetch(sources[n], { credentials: 'same-origin' }).then(function (r) { return r.text(); });
    })).then(function (texts) {
      var all = {};
      names.forEach(function (n, i) { all[n] = texts[i]; });
      var diagram = names.filter(function (n) { return /\.bpmn$/i.test(n); })[0] || names[0];
      return open(all, diagram);
    });
  }

  function clearMarks() {
    var canvas = modeler.get('canvas');
    marked.forEach(function (m) { try { canvas.removeMarker(m[0], m[1]); } catch (e) { /* gone */ } });
    marked = [];
    ['errors', 'warnings'].forEach(function (id) { $(id).textContent = ''; $(id + '-title').hidden = true; });
  }

  function select(id) {
    var el = modeler.get('elementRegistry').get(id);
    if (!el) return;
    modeler.get('selection').select(el);
    try { modeler.get('canvas').scrollToElement(el); } catch (e) { /* older diagram-js */ }
  }

  function showFindings(findings) {
    clearMarks();
    var canvas = modeler.get('canvas');
    var registry = modeler.get('elementRegistry');
    $('findings-empty').hidden = findings.length > 0;
    findings.forEach(function (f) {
      var error = f.severity === 'error';
      var list = $(error ? 'errors' : 'warnings');
      $(list.id + '-title').hidden = false;
      var li = document.createElement('li');
      li.dataset.elementId = f.element_id || '';
      var text = (f.element_id ? f.element_id + ': ' : '') + f.message + (f.file && f.file !== diagramName ? ' (' + f.file + ')' : '');
      if (f.element_id && registry.get(f.element_id)) {
        var cls = error ? 'finding-error' : 'finding-warning';
        canvas.addMarker(f.element_id, cls);
        marked.push([f.element_id, cls]);
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'button button--link';
        b.textContent = text;
        b.addEventListener('click', function () { select(f.element_id); });
        li.appendChild(b);
      } else {
        li.textContent = text;
      }
      list.appendChild(li);
    });
  }

  function post(url) {
    return currentFiles().then(function (all) {
      return fetch(url, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, 'Accept': 'application/json' },
        body: JSON.stringify({ files: all })
      });
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, findings: [], message: 'HTTP ' + r.status }; });
    });
  }

  function busy(on) { ['validate', 'deploy'].forEach(function (id) { $(id).disabled = on; }); root.dataset.busy = on ? 'true' : 'false'; }

  $('validate').addEventListener('click', function () {
    busy(true);
    post(root.dataset.validateUrl).then(function (res) {
      showFindings(res.findings || []);
      say(res.message || '');
      root.dataset.validated = res.ok ? 'ok' : 'errors';
    }).catch(function (e) { say(e.message); }).then(function () { busy(false); });
  });

  $('deploy').addEventListener('click', function () {
    busy(true);
    post(root.dataset.deployUrl).then(function (res) {
      showFindings(res.findings || []);
      say(res.message || '');
      root.dataset.deployed = res.ok ? 'ok' : 'refused';
      if (res.ok) { try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ } }
    }).catch(function (e) { say(e.message); }).then(function () { busy(false); });
  });

  $('download').addEventListener('click', function () {
    modeler.saveXML({ format: true }).then(function (result) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([result.xml], { type: 'application/xml' }));
      a.download = diagramName;
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  });

  $('upload').addEventListener('change', function (event) {
    var chosen = Array.prototype.slice.call(event.target.files || []);
    Promise.all(chosen.map(function (f) { return f.text().then(function (t) { return [f.name, t]; }); })).then(function (pairs) {
      return currentFiles().then(function (all) {
        var diagram = diagramName;
        pairs.forEach(function (p) {
          all[p[0]] = p[1];
          if (/\.bpmn$/i.test(p[0])) { delete all[diagram === p[0] ? '' : diagram]; diagram = p[0]; }
        });
        return open(all, diagram).then(saveDraft);
      });
    });
  });

  $('simulate').addEventListener('click', function () {
    var toggle = modeler.get('toggleMode', false);
    if (!toggle) return;
    toggle.toggleMode();
  });
  modeler.on('tokenSimulation.toggleMode', function (e) { $('simulate').setAttribute('aria-pressed', e.active ? 'true' : 'false'); });

  $('discard').addEventListener('click', function () {
    try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ }
    window.location.reload();
  });

  load();
})();
