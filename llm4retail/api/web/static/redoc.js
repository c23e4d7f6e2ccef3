// Starts ReDoc on /redoc over the server's own OpenAPI document.
window.addEventListener("DOMContentLoaded", () => {
  Redoc.init("/openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
});
