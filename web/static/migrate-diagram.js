// The migration page's diagram: the version the cases move to, read-only, with the steps added or changed
// since the version before it outlined (the list under the diagram says the same in words).
(function () {
  "use strict";
  window.TurnusAuditViewer.show("migrate-marks", function (marks, canvas, registry) {
    Object.keys(marks || {}).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, "diff-" + marks[id]); }
    });
  });
})();
