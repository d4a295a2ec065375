/**
 * `npm run build` step after tsc: what the npm package needs beyond compiled JavaScript.
 * - The AWS target's Lambda handlers, bundled into dist/ so constructs used from the installed
 *   package need neither esbuild nor Docker.
 * - A copy of package-lock.json as dist/runtime-image.lock.json: npm never packs package-lock.json,
 *   but the runtime Dockerfile runs `npm ci`; the AWS constructs stage it back as
 *   package-lock.json into the image's build context when they run from the installed package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAMBDA_HANDLERS, LambdaHandlerName, bundleHandlerInMemory, prebuiltHandlerDir } from '../constructs/aws/private/lambda-code';
import { RUNTIME_IMAGE_LOCKFILE } from '../constructs/aws/private/runtime-context';

const root = path.join(__dirname, '..');
for (const name of Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[]) {
  const dir = prebuiltHandlerDir(name, path.join(root, 'dist', 'constructs', 'aws'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.js');
  fs.writeFileSync(file, bundleHandlerInMemory(name, path.join(root, 'constructs', 'aws')));
  process.stdout.write(`bundled ${name} → ${path.relative(root, file)} (${fs.statSync(file).size} bytes)\n`);
}
fs.copyFileSync(path.join(root, 'package-lock.json'), path.join(root, RUNTIME_IMAGE_LOCKFILE));
process.stdout.write(`copied package-lock.json → ${RUNTIME_IMAGE_LOCKFILE}\n`);
