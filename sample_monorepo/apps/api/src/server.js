'use strict';

const http = require('http');
const { greet, jsonResponse, uptime } = require('@acme/shared');

const SERVICE = 'api';
const port = Number(process.env.PORT) || 3000;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');

  if (req.method !== 'GET') {
    return jsonResponse(res, 405, { error: 'method not allowed' });
  }
  if (url.pathname === '/health') {
    return jsonResponse(res, 200, { status: 'ok', service: SERVICE });
  }
  if (url.pathname === '/hello') {
    return jsonResponse(res, 200, {
      message: greet(url.searchParams.get('name')),
      uptime: uptime(),
    });
  }
  return jsonResponse(res, 404, { error: 'not found' });
});

server.listen(port, () => {
  console.log(`${SERVICE} listening on :${port}`);
});

function shutdown() {
  server.close(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
