// The DMN side of the modeller page: camunda-dmn-js's Camunda 7 editor, opened on a file's decision table.
// Its 1.3 MB bundle is loaded only when a process owner opens a .dmn file. A file that was not edited is
// handed back exactly as it came (comments and all); an edited one is written by dmn-js.
(function () {
  'use strict';
  var loading = null;

  // CodeMirror (dmn-js's cell editor) adds its theme as a <style> element, which the page's CSP applies
  // only with the nonce the server sent for this page (web/modeller/pages.py). dmn-js has no option to
  // pass it on, so <style> elements created by scripts on this page get it.
  function allowScriptStyles(nonce) {
    if (!nonce || document.createElement.turnusNonce) return;
    var create = document.createElement;
    var patched = function (name, options) {
      var el = create.call(document, name, options);
      if (String(name).toLowerCase() === 'style') el.nonce = nonce;
      return el;
    };
    patched.turnusNonce = true;
    document.createElement = patched;
  }

  function loadScript(url, nonce) {
    if (window.DmnModeler) return Promise.resolve();
    allowScriptStyles(nonce);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = url;
        s.onload = function () { resolve(); };
        s.onerror = function () { loading = null; reject(new Error(url)); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  // DmnEditor(container, scriptUrl, styleNonce, modules, onChange): open(name, xml), xml(), name, close().
  function DmnEditor(container, scriptUrl, nonce, modules, onChange) {
    var self = this;
    var modeler = null;
    var original = null;
    var edited = false;
    var watched = typeof WeakSet === 'function' ? new WeakSet() : null;
    this.name = null;

    function watchActiveViewer() {
      var viewer = modeler.getActiveViewer();
      if (!viewer || (watched && watched.has(viewer))) return;
      if (watched) watched.add(viewer);
      viewer.get('eventBus').on('commandStack.changed', function (e) {
        if (e && e.trigger === 'clear') return;  // a new import, not an edit
        edited = true;
        onChange();
      });
    }

    this.open = function (name, xml) {
      self.name = name;  // from now on xml() answers for this file, even while the bundle loads
      original = xml;
      edited = false;
      return loadScript(scriptUrl, nonce).then(function () {
        if (!modeler) {
          // Per view: a view's own additionalModules would replace common ones.
          var extra = { additionalModules: modules };
          modeler = new window.DmnModeler({ container: container, decisionTable: extra, drd: extra,
                                            literalExpression: extra, boxedExpression: extra });
          modeler.on('views.changed', watchActiveViewer);
          window.turnusDmnModeler = modeler;  // for the browser tests
        }
        return modeler.importXML(xml);
      }).then(function () {
        var table = modeler.getViews().filter(function (v) { return v.type === 'decisionTable'; })[0];
        if (table) return modeler.open(table).then(function () { watchActiveViewer(); return true; });
        watchActiveViewer();
        return false;
      });
    };

    this.xml = function () {
      if (!self.name) return Promise.resolve(null);
      if (!edited || !modeler) return Promise.resolve(original);
      return modeler.saveXML({ format: true }).then(function (r) { return r.xml; });
    };

    this.close = function () { self.name = null; };

    // Outline the row or cell a finding names (the engine names a rule, an input or an output) and put the
    // cursor in its first cell. The table redraws on the next edit, which clears the outline.
    this.mark = function (id) {
      var found = container.querySelectorAll('[data-row-id="' + CSS.escape(id) + '"], [data-element-id="' +
        CSS.escape(id) + '"], [data-col-id="' + CSS.escape(id) + '"]');
      Array.prototype.forEach.call(found, function (el) { el.classList.add('finding-error'); });
      var editable = found.length && found[0].querySelector('[contenteditable]');
      if (editable) { editable.focus(); editable.scrollIntoView({ block: 'nearest' }); }
      return found.length;
    };
  }

  window.TurnusDmnEditor = DmnEditor;
})();
