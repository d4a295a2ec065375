/** The README's main command, end to end in a child process: synthesize, serve, answer the curl. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('servingstack up synthesizes the blueprints, serves the example model and answers its own curl', async () => {
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bin/servingstack.ts'), 'up', '--port', '0', '--exit-after-check'],
      { cwd: ROOT, env: { ...process.env, SERVINGSTACK_WORKERS: '1' }, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) process.stdout.write(`servingstack up failed (${String((err as { code?: unknown }).code)}):\n${stdout}\n${stderr}\n`);
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
  // On failure, show what the command printed.
  expect({ code: out.code, stderrHasError: /Error/.test(out.stderr) }).toEqual({ code: 0, stderrHasError: false });
  expect(out.stdout).toMatch(/Synthesized AWS SageMaker examples \(AWS CDK\): 5 stacks, \d+ resources/);
  expect(out.stdout).toMatch(/Synthesized Google Vertex AI example \(CDK for Terraform\): \d+ Terraform resources/);
  expect(out.stdout).toMatch(/Synthesized Azure Machine Learning example \(CDK for Terraform\): \d+ Terraform resources/);
  expect(out.stdout).toMatch(/Synthesized On-premise GPU Kubernetes example \(CDK for Terraform\): \d+ Terraform resources/);
  expect(out.stdout).toMatch(/curl -s -H 'Content-Type: application\/json' -d '\{"inputs":\[\{"name":"input","shape":\[1,30\]/);
  expect(out.stdout).toMatch(/Self-check \(200\): \{"model_name":"breast-cancer"/);
  expect(fs.existsSync(path.join(ROOT, 'cdk.out', 'ServingStack-RealtimeCanary.template.json'))).toBe(true);
}, 150_000);
