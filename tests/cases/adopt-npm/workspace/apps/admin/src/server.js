'use strict';
const http = require('http');
const escape = require('escape-html');
const { answer } = require('@ad/lib');
const port = Number(process.env.PORT) || 3964;
http.createServer((req, res) => {
  const ok = req.url === '/health';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? { ...answer('admin'), greeting: escape(process.env.GREETING || '') } : { error: 'not found' }));
}).listen(port, () => console.log('admin listening on :' + port));
