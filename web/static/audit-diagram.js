// The auditor's diagram of one case: markers for completed and active steps, run counts as badges and the
// flows the case took.
(function () {
  "use strict";
  window.TurnusAuditViewer.show("audit-runs", function (runs, canvas, registry, badge) {
    var ran = runs.runs || {};
    var active = runs.active || [];
    var targets = runs.gateway_targets || {};
    registry.forEach(function (el) {
      var id = el.id;
      if (ran[id]) {
        canvas.addMarker(id, "run-done");
        badge(id, String(ran[id]));
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
  });
})();
