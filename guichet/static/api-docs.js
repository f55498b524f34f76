/* The « essayer » console of /api/: Swagger UI over our own OpenAPI document. */
window.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: true
  });
});
