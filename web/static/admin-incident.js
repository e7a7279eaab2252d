// The incident page's diagram: the auditor's read-only viewer, with the step that failed marked and scrolled to.
(function () {
  "use strict";
  window.TurnusAuditViewer.show("incident-facts", function (facts, canvas, registry) {
    if (facts.element && registry.get(facts.element)) {
      canvas.addMarker(facts.element, "incident-at");
      document.getElementById("audit-diagram").setAttribute("data-marked", facts.element);
    }
  });
})();
