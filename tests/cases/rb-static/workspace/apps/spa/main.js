// A client-side route table: the server answers index.html for /anything, this picks the page.
const pages = { '/': 'home', '/health': 'ok' };
document.getElementById('app').textContent = pages[location.pathname] ?? `route ${location.pathname}`;
