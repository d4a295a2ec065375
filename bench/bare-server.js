// The ceiling: a bare node:http server answering a constant JSON body, nothing else.
'use strict';
const http = require('node:http');
const body = JSON.stringify({ model_name: 'tiny', model_version: '1.0.0', outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 4], data: [1, 3, 5, 7] }] });
const server = http.createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 75_000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => process.send && process.send({ port: server.address().port }));
