// Renders the API reference from /api/v1/openapi.json with Swagger UI (a file, not inline: the CSP allows no
// inline script). "Try it out" sends the bearer token given under Authorize.
(function () {
  var el = document.getElementById('api-docs');
  window.SwaggerUIBundle({ url: el.getAttribute('data-spec-url'), domNode: el, deepLinking: false });
})();
