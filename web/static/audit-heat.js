// The heat view of a version's statistics: each step coloured by its class (heat-0 … heat-4, computed by the
// server) and a badge with the number.
(function () {
  "use strict";
  window.TurnusAuditViewer.show("audit-heat", function (heat, canvas, registry, badge) {
    Object.keys(heat.classes || {}).forEach(function (id) {
      if (!registry.get(id)) { return; }
      canvas.addMarker(id, "heat-" + heat.classes[id]);
      badge(id, (heat.labels || {})[id] || "");
    });
  });
})();
