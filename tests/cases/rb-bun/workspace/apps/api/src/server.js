'use strict';
const http = require('http');
const { label } = require('@rb/lib');
const port = Number(process.env.PORT) || 3951;
http.createServer((req, res) => {
  const ok = req.url === '/health';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? { status: 'ok', service: label('api') } : { error: 'not found' }));
}).listen(port, () => console.log('api listening on :' + port));
