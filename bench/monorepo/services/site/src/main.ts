// The status page: a single-page app whose routes are client-side (/, /incidents).
const routes: Record<string, string> = { "/": "All systems operational", "/incidents": "No incidents" };
const root = document.querySelector<HTMLElement>("#status");
if (root) root.textContent = routes[location.pathname] ?? "Not found";
