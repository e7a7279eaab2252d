// The process owner's modeller page: bpmn-js with the Camunda 7 properties panel, DMN decision tables in
// camunda-dmn-js (modeller-dmn.js), a local draft in localStorage, Validate/Deploy against the engine
// (findings marked on the diagram), download/upload, and the token simulation. Loaded only on
// web/templates/modeller/editor.html, after modeller-i18n.js, modeller-compat.js and modeller-dmn.js.
(function () {
  'use strict';
  var root = document.getElementById('modeller');
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var draftKey = root.dataset.draftKey;
  var sources = JSON.parse($('modeller-files').textContent);  // name -> URL
  var texts = JSON.parse($('modeller-texts').textContent);
  var files = {};       // name -> XML text of every file not open in an editor
  var diagramName = null;
  var status = $('status');
  var marked = [];
  var isDmn = function (name) { return /\.dmn$/i.test(name); };

  var modules = [window.TurnusModellerCompat.module];
  if (window.TurnusTokenSimulation) modules.push(window.TurnusTokenSimulation);
  var translate = root.dataset.lang === 'da' && window.TurnusDanishTranslate ? [window.TurnusDanishTranslate] : [];
  var Modeler = window.BpmnModeler || window.CamundaPlatformModeler;
  var modeler = new Modeler({
    container: '#canvas', propertiesPanel: { parent: '#properties' }, additionalModules: modules.concat(translate),
    // bpmn-js would move the whole diagram to the origin on every save: coordinates change behind the
    // owner's back, and on MIWG A.4.0's lanes the move throws, so the file could not be saved at all.
    alignToOrigin: { alignOnSave: false }
  });
  window.turnusModeler = modeler;  // for the browser tests and for the curious
  if (translate.length) { window.TurnusDanishTitles($('properties')); }
  var dmn = new window.TurnusDmnEditor($('dmn-canvas'), root.dataset.dmnScript, root.dataset.styleNonce, translate, function () { saveDraft(); });

  function say(text) { status.textContent = text; }

  function currentFiles() {
    return Promise.all([modeler.saveXML({ format: true }), dmn.xml()]).then(function (saved) {
      var all = Object.assign({}, files);
      all[diagramName] = saved[0].xml;
      if (dmn.name && saved[1] !== null) all[dmn.name] = saved[1];
      return all;
    });
  }

  function saveDraft() {
    currentFiles().then(function (all) {
      try { localStorage.setItem(draftKey, JSON.stringify({ diagram: diagramName, files: all })); } catch (e) { /* full */ }
    });
  }

  function showing(name) { return name === (dmn.name || diagramName); }

  function renderFileList() {
    var list = $('file-list');
    list.textContent = '';
    var names = Object.keys(files).concat([diagramName]).concat(dmn.name ? [dmn.name] : []);
    names.sort().forEach(function (name) {
      var li = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'button button--link';
      b.textContent = name;
      b.dataset.file = name;
      if (showing(name)) {
        b.setAttribute('aria-current', 'true');
        b.textContent = name + ' (' + texts.editing + ')';
      }
      b.addEventListener('click', function () { switchTo(name); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function showDmnPane(on) {
    $('dmn-canvas').hidden = !on;
    root.querySelector('.modeller__work').hidden = on;
    $('download-dmn').hidden = !on;
    ['download', 'simulate'].forEach(function (id) { $(id).hidden = on; });
  }

  // Put the open DMN file back among the others, then open `name` (a .dmn in the DMN editor, a .bpmn in
  // the diagram editor).
  function switchTo(name) {
    if (showing(name)) return Promise.resolve();
    return dmn.xml().then(function (xml) {
      if (dmn.name) { files[dmn.name] = xml; dmn.close(); }
      if (!isDmn(name)) {
        showDmnPane(false);
        if (name === diagramName) { renderFileList(); return null; }
        return currentFiles().then(function (all) { return open(all, name); });
      }
      var text = files[name];
      delete files[name];
      root.dataset.dmnReady = 'loading';
      showDmnPane(true);
      return dmn.open(name, text).then(function (hasTable) {
        say(hasTable ? '' : texts.dmn_no_table);
        root.dataset.dmnReady = 'true';
        renderFileList();
      }).catch(function (err) {
        files[name] = text;
        dmn.close();
        showDmnPane(false);
        renderFileList();
        openFailed(err);
        root.dataset.dmnReady = 'error';
      });
    });
  }

  // The file would not open: a sentence in the page's language, bpmn.io's own message kept in a details element.
  function openFailed(err) {
    say(texts.open_failed);
    var box = $('import-notes');
    var more = document.createElement('details');
    var summary = document.createElement('summary');
    summary.textContent = texts.technical;
    var code = document.createElement('pre');
    code.className = 'finding-detail';
    code.textContent = String(err && err.message || err);
    more.appendChild(summary);
    more.appendChild(code);
    box.textContent = '';
    box.appendChild(more);
    box.hidden = false;
  }

  function showNotes(warnings, renamed) {
    var box = $('import-notes');
    box.textContent = '';
    var unshown = modeler.get('keepUnshownDi').unshown();
    function block(title, items, cls) {
      if (!items.length) return;
      var p = document.createElement('p');
      p.textContent = title;
      var ul = document.createElement('ul');
      ul.className = cls;
      items.forEach(function (text) { var li = document.createElement('li'); li.textContent = text; ul.appendChild(li); });
      box.appendChild(p);
      box.appendChild(ul);
    }
    block(texts.unshown, unshown.map(function (u) {
      return (u.name ? u.name + ' ' : '') + '(' + u.id + (u.di !== u.id ? ', ' + u.di : '') + ')';
    }), 'notes notes--unshown');
    block(texts.renamed.replace('{prefix}', renamed.map(function (r) { return r.prefix; }).join(', ')),
      renamed.map(function (r) { return r.now + ': ' + r.uri; }), 'notes notes--renamed');
    block(texts.import_warnings, warnings.map(function (w) { return w.message; }), 'notes notes--warnings');
    box.hidden = !box.firstChild;
  }

  var listening = false;
  var zoomAttached = false;
  // The palette lies over the top left of the canvas, where a diagram starts: give it a column of its own.
  function movePalette() {
    var palette = $('canvas').querySelector('.djs-palette');
    if (palette) $('palette').appendChild(palette);
  }

  function open(all, diagram) {
    root.dataset.ready = 'loading';
    delete root.dataset.validated;
    diagramName = diagram;
    files = {};
    Object.keys(all).forEach(function (n) { if (n !== diagram) files[n] = all[n]; });
    renderFileList();
    var fixed = window.TurnusModellerCompat.renameClashingPrefixes(all[diagram], modeler.get('moddle'));
    return modeler.importXML(fixed.xml).then(function (result) {
      // readable at the start event, not the whole process squeezed into the page (diagram-zoom.js)
      var zoom = window.TurnusDiagramZoom;
      if (zoomAttached) zoom.show(modeler.get('canvas'), modeler.get('elementRegistry'), []);
      else zoom.attach(modeler.get('canvas'), modeler.get('elementRegistry'), $('canvas'), []);
      zoomAttached = true;
      movePalette();
      if (!listening) { modeler.on('commandStack.changed', saveDraft); listening = true; }
      showNotes(result.warnings || [], fixed.renamed);
      root.dataset.ready = 'true';
    }).catch(function (err) {
      openFailed(err);
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

  function findingButton(text, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'button button--link';
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
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
      var inDiagram = !f.file || f.file === diagramName;
      var text = (f.element_id ? f.element_id + ': ' : '') + f.message + (inDiagram ? '' : ' (' + f.file + ')');
      if (inDiagram && f.element_id && registry.get(f.element_id)) {
        var cls = error ? 'finding-error' : 'finding-warning';
        canvas.addMarker(f.element_id, cls);
        marked.push([f.element_id, cls]);
        li.appendChild(findingButton(text, function () {
          switchTo(diagramName).then(function () { select(f.element_id); });
        }));
      } else if (f.file && isDmn(f.file) && (f.file === dmn.name || files[f.file] !== undefined)) {
        li.appendChild(findingButton(text, function () {
          switchTo(f.file).then(function () { if (f.element_id) dmn.mark(f.element_id); });
        }));
      } else {
        li.textContent = text;
      }
      if (f.detail) {  // the library's own words (lxml, XSD, parser, compiler), kept for whoever needs them
        var more = document.createElement('details');
        var summary = document.createElement('summary');
        summary.textContent = texts.technical;
        var code = document.createElement('pre');
        code.className = 'finding-detail';
        code.textContent = f.detail;
        more.appendChild(summary);
        more.appendChild(code);
        li.appendChild(more);
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
    delete root.dataset.validated;
    post(root.dataset.validateUrl).then(function (res) {
      showFindings(res.findings || []);
      say(res.message || '');
      root.dataset.validated = res.ok ? 'ok' : 'errors';
    }).catch(function (e) { say(e.message); }).then(function () { busy(false); });
  });

  $('deploy').addEventListener('click', function () {
    busy(true);
    delete root.dataset.deployed;
    post(root.dataset.deployUrl).then(function (res) {
      showFindings(res.findings || []);
      say(res.message || '');
      root.dataset.deployed = res.ok ? 'ok' : 'refused';
      if (res.ok) {
        try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ }
        showDeployed(res.deployed || []);
      }
    }).catch(function (e) { say(e.message); }).then(function () { busy(false); });
  });

  // After a deploy the heading names the process and the version that is now the newest.
  function showDeployed(deployed) {
    var mine = deployed.filter(function (d) { return d.key === root.dataset.key; })[0] || deployed[0];
    if (!mine) return;
    var h = $('heading');
    h.textContent = mine.heading;
    document.title = h.dataset.title.replace('{heading}', mine.heading);
  }

  function offer(name, xml) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  $('download').addEventListener('click', function () {
    modeler.saveXML({ format: true }).then(function (result) { offer(diagramName, result.xml); });
  });
  $('download-dmn').addEventListener('click', function () {
    dmn.xml().then(function (xml) { if (xml !== null) offer(dmn.name, xml); });
  });

  // An uploaded .bpmn replaces the diagram being edited (a file made in Camunda Modeler comes back);
  // an uploaded .dmn is added, or replaces the file of the same name.
  $('upload').addEventListener('change', function (event) {
    var chosen = Array.prototype.slice.call(event.target.files || []);
    Promise.all(chosen.map(function (f) { return f.text().then(function (t) { return [f.name, t]; }); })).then(function (pairs) {
      return switchTo(diagramName).then(currentFiles).then(function (all) {
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
