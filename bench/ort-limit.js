// The limit: ONNX Runtime throughput in-process on a worker pool (one session per worker,
// intra-op threads 1), at a fixed batch size, with no HTTP at all.
'use strict';
const { Worker } = require('node:worker_threads');
const [modelPath, batchArg, workersArg, secondsArg, widthArg] = process.argv.slice(2);
const batch = Number(batchArg);
const workers = Number(workersArg);
const seconds = Number(secondsArg);
const width = Number(widthArg);
const code = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(${JSON.stringify(require.resolve('onnxruntime-node'))});
(async () => {
  const s = await ort.InferenceSession.create(workerData.modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const input = s.inputNames[0];
  const data = new Float32Array(workerData.batch * workerData.width).map((_, i) => (i % 17) / 17);
  for (let i = 0; i < 5; i++) await s.run({ [input]: new ort.Tensor('float32', data, [workerData.batch, workerData.width]) });
  parentPort.postMessage({ ready: true });
  await new Promise((r) => parentPort.once('message', r));
  const end = Date.now() + workerData.seconds * 1000;
  let rows = 0;
  while (Date.now() < end) {
    await s.run({ [input]: new ort.Tensor('float32', data, [workerData.batch, workerData.width]) });
    rows += workerData.batch;
  }
  parentPort.postMessage({ rows });
})();`;
(async () => {
  const ws = Array.from({ length: workers }, () => new Worker(code, { eval: true, workerData: { modelPath, batch, seconds, width } }));
  await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  ws.forEach((w) => w.postMessage('go'));
  const counts = await Promise.all(ws.map((w) => new Promise((r) => w.once('message', (m) => r(m.rows)))));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const rows = counts.reduce((a, b) => a + b, 0);
  process.stdout.write(JSON.stringify({ rows, wallSeconds: wall, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
  await Promise.all(ws.map((w) => w.terminate()));
})();
