// The auditor's diagram: bpmn-js's navigated viewer with markers for completed and active steps, run
// counts as overlays and the flows the case took. The same facts are in the table under it.
(function () {
  "use strict";
  function start() {
    var holder = document.getElementById("audit-diagram");
    var dataNode = document.getElementById("audit-runs");
    if (!holder || !dataNode || typeof window.BpmnNavigatedViewer !== "function") { return; }
    var runs = JSON.parse(dataNode.textContent);
    var viewer = new window.BpmnNavigatedViewer({ container: holder });
    fetch(holder.getAttribute("data-xml"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("diagram " + r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var overlays = viewer.get("overlays");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        var ran = runs.runs || {};
        var active = runs.active || [];
        var targets = runs.gateway_targets || {};
        registry.forEach(function (el) {
          var id = el.id;
          if (ran[id]) {
            canvas.addMarker(id, "run-done");
            var badge = document.createElement("span");
            badge.className = "run-count";
            badge.textContent = String(ran[id]);
            overlays.add(id, { position: { top: -10, right: 10 }, html: badge });
          }
          if (active.indexOf(id) >= 0) { canvas.addMarker(id, "run-active"); }
          if (el.type === "bpmn:SequenceFlow" && el.source && el.target) {
            var src = el.source.id, tgt = el.target.id;
            var reached = ran[tgt] || active.indexOf(tgt) >= 0;
            var fromGateway = targets[src];
            var sourceRan = ran[src] || el.source.type === "bpmn:StartEvent";
            if (sourceRan && reached && (!fromGateway || fromGateway.indexOf(tgt) >= 0)) {
              canvas.addMarker(id, "flow-taken");
            }
          }
        });
        holder.setAttribute("data-loaded", "true");
      })
      .catch(function (err) {
        holder.setAttribute("data-error", String(err));
      });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
