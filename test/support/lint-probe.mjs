// Lints virtual files with the project's ESLint config, outside Jest's VM (which cannot load an
// ESM config). Reads [[file, code], ...] as JSON on stdin; prints the restricted-import messages.
import { ESLint } from 'eslint';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const eslint = new ESLint({ cwd: root });
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const [file, code] of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
