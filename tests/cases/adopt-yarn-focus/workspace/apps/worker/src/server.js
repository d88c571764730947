'use strict';
const http = require('http');
const { label } = require('@rb/lib');
const escapeHtml = require('escape-html');
const port = Number(process.env.PORT) || 3913;
http.createServer((req, res) => {
  const ok = req.url === '/health';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? { status: 'ok', service: escapeHtml(label('worker')) } : { error: 'not found' }));
}).listen(port, () => console.log('worker listening on :' + port));
