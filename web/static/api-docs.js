// Renders the API reference from /api/v1/openapi.json with Redoc (a file, not inline: the CSP allows no inline script).
(function () {
  var el = document.getElementById('redoc');
  window.Redoc.init(el.getAttribute('data-spec-url'), {}, el);
})();
