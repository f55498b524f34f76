/* The « essayer » console of /api/: Swagger UI over our own OpenAPI document. */
window.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: true,
    onComplete: labelServers
  });
  // Swagger UI draws its server list without a label: name it for screen readers.
  function labelServers() {
    var select = document.getElementById("servers");
    if (select) { select.setAttribute("aria-label", "Serveur de l’API"); }
  }
  new MutationObserver(labelServers).observe(node, {childList: true, subtree: true});
});
