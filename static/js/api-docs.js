// The browsable API docs: Swagger UI from the files django-ninja ships, configured from
// the page's data attribute instead of an inline script, so the site's strict
// Content-Security-Policy applies to this page unchanged.
const root = document.getElementById("swagger-ui");
const settings = JSON.parse(root.dataset.settings);

window.SwaggerUIBundle({
  ...settings,
  dom_id: "#swagger-ui",
  presets: [
    window.SwaggerUIBundle.presets.apis,
    window.SwaggerUIBundle.SwaggerUIStandalonePreset,
  ],
});
