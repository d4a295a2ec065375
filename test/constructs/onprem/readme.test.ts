/** The README's first snippet is real code: it is run (transpiled, then executed) and must synthesize. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

test('constructs/onprem/README.md simplest case synthesizes', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'constructs', 'onprem', 'README.md'), 'utf8');
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onprem-readme-'));
  try {
    const code = snippet
      .replace(`from 'cdktf'`, `from ${JSON.stringify(path.join(ROOT, 'constructs', 'cdktf', 'binding'))}`)
      .replace(`from 'servingstack/onprem'`, `from ${JSON.stringify(path.join(ROOT, 'constructs', 'onprem'))}`)
      .replace('new App()', `new App({ outdir: ${JSON.stringify(path.join(dir, 'out'))} })`);
    const file = path.join(dir, 'snippet.ts');
    fs.writeFileSync(file, code);
    jest.isolateModules(() => require(file)); // eslint-disable-line @typescript-eslint/no-require-imports
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'stacks', 'serving', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource).sort()).toEqual([
      'kubernetes_deployment_v1', 'kubernetes_namespace_v1', 'kubernetes_network_policy_v1', 'kubernetes_pod_disruption_budget_v1', 'kubernetes_secret_v1', 'kubernetes_service_v1',
    ]);
    const container = Object.values(json.resource.kubernetes_deployment_v1 as Record<string, { spec: { template: { spec: { container: { resources: unknown }[] } } } }>)[0]!.spec.template.spec.container[0]!;
    expect(container.resources).toEqual({ requests: { cpu: '1000m', memory: '2048Mi' }, limits: { cpu: '2000m', memory: '4096Mi', 'nvidia.com/gpu': '1' } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the README error table lists every on-prem error code', () => {
  const { OnPremErrorCodes } = require('../../../constructs/onprem') as typeof import('../../../constructs/onprem'); // eslint-disable-line @typescript-eslint/no-require-imports
  const readme = fs.readFileSync(path.join(ROOT, 'constructs', 'onprem', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Errors'));
  const listed = (code: string): boolean => table.includes(code) || table.includes(`…${code.replace(/^SS_ERR_ONPREM/, '')}`);
  expect(OnPremErrorCodes.all().filter((c) => !listed(c))).toEqual([]);
});
