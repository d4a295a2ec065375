/**
 * `npm run build` step: bundle the AWS target's Lambda handlers into dist/ (shipped in the npm
 * package), so constructs used from the installed package need neither esbuild nor Docker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAMBDA_HANDLERS, LambdaHandlerName, bundleHandlerInMemory, prebuiltHandlerDir } from '../constructs/aws/private/lambda-code';

const root = path.join(__dirname, '..');
for (const name of Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[]) {
  const dir = prebuiltHandlerDir(name, path.join(root, 'dist', 'constructs', 'aws'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.js');
  fs.writeFileSync(file, bundleHandlerInMemory(name, path.join(root, 'constructs', 'aws')));
  process.stdout.write(`bundled ${name} → ${path.relative(root, file)} (${fs.statSync(file).size} bytes)\n`);
}
