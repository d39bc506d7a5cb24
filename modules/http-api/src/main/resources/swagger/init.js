// Points Swagger UI at this server's contract; "Authorize" takes a bearer token from
// POST /identity/connect/token (or POST /api/Account/Authenticate).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true
});
