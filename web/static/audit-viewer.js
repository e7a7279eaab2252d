// The auditor's read-only diagram, shared by the case page and the statistics page: bpmn-js's navigated viewer
// in #audit-diagram, the diagram fetched from its data-xml, opened readable (diagram-zoom.js), then handed to the page's own `decorate`
// with the facts the server put in a JSON script element. The tables under the diagrams say the same.
(function () {
  "use strict";
  function badge(overlays, id, text) {
    var node = document.createElement("span");
    node.className = "run-count";
    node.textContent = text;
    overlays.add(id, { position: { top: -10, right: 10 }, html: node });
  }
  function show(dataId, decorate) {
    var holder = document.getElementById("audit-diagram");
    var dataNode = document.getElementById(dataId);
    if (!holder || !dataNode || typeof window.BpmnNavigatedViewer !== "function") { return; }
    var facts = JSON.parse(dataNode.textContent);
    var viewer = new window.BpmnNavigatedViewer({ container: holder });
    window.turnusViewer = viewer;  // for the browser tests
    fetch(holder.getAttribute("data-xml"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("diagram " + r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        decorate(facts, canvas, registry, function (id, text) {
          badge(viewer.get("overlays"), id, text);
        });
        // open readable, at the step the page names (the active one, or the last one reached)
        var focus = holder.getAttribute("data-focus");
        window.TurnusDiagramZoom.attach(canvas, registry, holder, focus ? [focus] : []);
        holder.setAttribute("data-loaded", "true");
      })
      .catch(function (err) { holder.setAttribute("data-error", String(err)); });
  }
  window.TurnusAuditViewer = {
    show: function (dataId, decorate) {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { show(dataId, decorate); });
      } else { show(dataId, decorate); }
    }
  };
})();
