// The heat view of a version's statistics: bpmn-js's navigated viewer with each step coloured by its class
// (heat-0 … heat-4, computed by the server) and a badge with the number. The table under it says the same.
(function () {
  "use strict";
  function start() {
    var holder = document.getElementById("audit-diagram");
    var dataNode = document.getElementById("audit-heat");
    if (!holder || !dataNode || typeof window.BpmnNavigatedViewer !== "function") { return; }
    var heat = JSON.parse(dataNode.textContent);
    var viewer = new window.BpmnNavigatedViewer({ container: holder });
    fetch(holder.getAttribute("data-xml"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("diagram " + r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var overlays = viewer.get("overlays");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        Object.keys(heat.classes || {}).forEach(function (id) {
          if (!registry.get(id)) { return; }
          canvas.addMarker(id, "heat-" + heat.classes[id]);
          var badge = document.createElement("span");
          badge.className = "run-count";
          badge.textContent = (heat.labels || {})[id] || "";
          overlays.add(id, { position: { top: -10, right: 10 }, html: badge });
        });
        holder.setAttribute("data-loaded", "true");
      })
      .catch(function (err) { holder.setAttribute("data-error", String(err)); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
