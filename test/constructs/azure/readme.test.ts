/** The README's first snippet is real code: it is run (transpiled, then executed) and must synthesize. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureErrorCodes } from '../../../constructs/azure';

const ROOT = path.join(__dirname, '..', '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'constructs', 'azure', 'README.md'), 'utf8');

test('constructs/azure/README.md simplest case synthesizes the resources the README lists', () => {
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-readme-'));
  try {
    const code = snippet
      .replace(`from 'cdktf'`, `from ${JSON.stringify(path.join(ROOT, 'constructs', 'cdktf', 'binding'))}`)
      .replace(`from 'servingstack/azure'`, `from ${JSON.stringify(path.join(ROOT, 'constructs', 'azure'))}`)
      .replace("'examples/models/breast-cancer'", JSON.stringify(path.join(ROOT, 'examples/models/breast-cancer')))
      .replace('new App()', `new App({ outdir: ${JSON.stringify(path.join(dir, 'out'))} })`);
    const file = path.join(dir, 'snippet.ts');
    fs.writeFileSync(file, code);
    jest.isolateModules(() => require(file)); // eslint-disable-line @typescript-eslint/no-require-imports
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'stacks', 'serving', 'cdk.tf.json'), 'utf8'));
    const types = Object.values(json.resource.azapi_resource as Record<string, { type: string }>).map((r) => r.type.split('@')[0]).sort();
    const listed = readme.slice(readme.indexOf('<!-- resources -->'), readme.indexOf('<!-- /resources -->'));
    const rows = [...listed.matchAll(/^\| `([A-Za-z./]+)` \| (\d+) \|/gm)].flatMap((m) => Array<string>(Number(m[2])).fill(m[1]!)).sort();
    expect(types).toEqual(rows);
    expect(Object.keys(json.resource.azapi_update_resource)).toHaveLength(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every other TypeScript snippet of the README runs against a stack and synthesizes', () => {
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].slice(1).map((m) => m[1]!);
  expect(snippets.length).toBeGreaterThanOrEqual(2);
  snippets.forEach((snippet, i) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `azure-readme-${i}-`));
    try {
      const header = [
        `import { App } from ${JSON.stringify(path.join(ROOT, 'constructs', 'cdktf', 'binding'))};`,
        `import * as azure from ${JSON.stringify(path.join(ROOT, 'constructs', 'azure'))};`,
        'const { AzureMlServing, AzureServingStack, DayOfWeek, InstanceType, RetrainingTrigger, ServingMonitoring } = azure;',
        `const app = new App({ outdir: ${JSON.stringify(path.join(dir, 'out'))} });`,
        "const stack = new AzureServingStack(app, 'serving', { location: 'westeurope', resourceGroupName: 'rg-ml' });",
      ].join('\n');
      const body = snippet.replace("'examples/models/breast-cancer'", JSON.stringify(path.join(ROOT, 'examples/models/breast-cancer')));
      const file = path.join(dir, 'snippet.ts');
      fs.writeFileSync(file, `${header}\n${body}\napp.synth();\n`);
      jest.isolateModules(() => require(file)); // eslint-disable-line @typescript-eslint/no-require-imports
      expect([i, fs.existsSync(path.join(dir, 'out', 'stacks', 'serving', 'cdk.tf.json'))]).toEqual([i, true]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('the README error table lists every Azure error code, and no other', () => {
  const documented = [...readme.matchAll(/^\| `(SS_ERR_AZURE_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  expect(documented).toEqual(Object.values(AzureErrorCodes).sort());
});
