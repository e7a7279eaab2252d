// Opening a diagram at a readable scale, and zoom and pan from the keyboard, for every diagram page (the
// auditor's case page, the heat view, the modeller). A whole process fitted into the page is a strip in which
// no label can be read, so a diagram opens at 100 % (bpmn-js's labels are 12 px there) centred on the element
// that matters: the active step, the last one reached, or the start event. The buttons and keys (+, −, 0 for
// the whole diagram, arrows to pan) are announced in the live region the template puts beside the diagram.
(function () {
  "use strict";
  var STEP = 1.25, PAN = 80, MIN = 0.1, MAX = 4;

  // The element the diagram should open at: the first of `ids` that is drawn, else the first start event.
  function focusElement(registry, ids) {
    for (var i = 0; i < (ids || []).length; i++) {
      var el = registry.get(ids[i]);
      if (el && !el.waypoints) { return el; }
    }
    var starts = registry.filter(function (e) { return e.type === "bpmn:StartEvent" && !e.labelTarget; });
    // the top-level process's start event: the one with the smallest x (subprocesses lie to its right)
    starts.sort(function (a, b) { return a.x - b.x; });
    return starts[0] || null;
  }

  function centreOn(canvas, el, scale) {
    var box = canvas.viewbox();
    var w = box.outer.width / scale, h = box.outer.height / scale;
    // the element a third from the left: what follows it is what the reader came to see
    var cx = el.x + el.width / 2, cy = el.y + el.height / 2;
    canvas.viewbox({ x: cx - w / 3, y: cy - h / 2, width: w, height: h });
  }

  // At 100 %, centred on the element that matters; returns that element (or null).
  function show(canvas, registry, ids) {
    var el = focusElement(registry, ids);
    if (el) { centreOn(canvas, el, 1); } else { canvas.zoom(1); }
    return el;
  }

  function attach(canvas, registry, holder, focusIds) {
    var tools = document.querySelector('[data-zoom-for="' + holder.id + '"]');
    var live = tools && tools.querySelector(".diagram-zoom__status");
    var texts = tools ? JSON.parse(tools.getAttribute("data-texts")) : {};
    function announce(extra) {
      if (!live) { return; }
      var pct = Math.round(canvas.zoom() * 100);
      live.textContent = (texts.zoom || "Zoom") + " " + pct + " %" + (extra ? " " + extra : "");
      holder.setAttribute("data-zoom", String(canvas.zoom()));
    }
    function zoomBy(factor) {
      var box = canvas.viewbox();
      var next = Math.min(MAX, Math.max(MIN, canvas.zoom() * factor));
      canvas.zoom(next, { x: box.outer.width / 2, y: box.outer.height / 2 });
      announce();
    }
    function fit() { canvas.zoom("fit-viewport", "auto"); announce(texts.whole || ""); }
    function pan(dx, dy) { canvas.scroll({ dx: dx, dy: dy }); announce(texts.moved || ""); }

    var start = show(canvas, registry, focusIds);
    announce();
    if (!holder.hasAttribute("tabindex")) { holder.setAttribute("tabindex", "0"); }
    holder.addEventListener("keydown", function (e) {
      if (e.target !== holder || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var keys = { "+": function () { zoomBy(STEP); }, "=": function () { zoomBy(STEP); },
        "-": function () { zoomBy(1 / STEP); }, "0": fit,
        ArrowLeft: function () { pan(PAN, 0); }, ArrowRight: function () { pan(-PAN, 0); },
        ArrowUp: function () { pan(0, PAN); }, ArrowDown: function () { pan(0, -PAN); } };
      if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
    });
    if (tools) {
      var actions = { "in": function () { zoomBy(STEP); }, "out": function () { zoomBy(1 / STEP); }, "fit": fit,
        "left": function () { pan(PAN * 2, 0); }, "right": function () { pan(-PAN * 2, 0); },
        "up": function () { pan(0, PAN * 2); }, "down": function () { pan(0, -PAN * 2); } };
      tools.querySelectorAll("button[data-zoom]").forEach(function (b) {
        b.addEventListener("click", function () { actions[b.getAttribute("data-zoom")](); });
      });
      tools.hidden = false;
    }
    return { focus: start };
  }

  window.TurnusDiagramZoom = { attach: attach, show: show };
})();
