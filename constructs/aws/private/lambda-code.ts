import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DockerImage, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The TypeScript Lambda handlers of the AWS target, by name: the entry file below
 * `constructs/aws/` (sources) and the directory `npm run build` writes the bundle to
 * (`dist/constructs/aws/lambda/<name>/index.js`, shipped in the npm package).
 */
export const LAMBDA_HANDLERS = {
  rollout: 'rollout/handler',
} as const;

export type LambdaHandlerName = keyof typeof LAMBDA_HANDLERS;

/** esbuild options of every handler bundle (the SDK v3 comes from the Lambda runtime). */
export const ESBUILD_OPTIONS = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, external: ['@aws-sdk/*'] } as const;

const AWS_DIR = path.join(__dirname, '..');
const bundles = new Map<LambdaHandlerName, Uint8Array>();

/** Where `npm run build` puts the bundle of a handler (inside dist/, next to the compiled constructs). */
export function prebuiltHandlerDir(name: LambdaHandlerName, awsDir: string = AWS_DIR): string {
  return path.join(awsDir, 'lambda', name);
}

/**
 * The code of a handler. From the installed package (or any build output) it is the bundle
 * `npm run build` made, so users need neither esbuild nor Docker. From sources it is bundled at
 * synth with esbuild's JS API (a devDependency here) in a local bundler, no Docker; the asset hash
 * is the bundle's, so a repeated synth into the same cdk.out copies nothing. (NodejsFunction does
 * the same job but spawns a shell and an `esbuild --version` probe per synth, ~0.3 s of every synth.)
 */
export function handlerCode(name: LambdaHandlerName): lambda.Code {
  // A new Code per call (an asset belongs to one stack); the bundle is made once per process.
  const prebuilt = prebuiltHandlerDir(name);
  let code: lambda.Code;
  if (fs.existsSync(path.join(prebuilt, 'index.js'))) {
    code = lambda.Code.fromAsset(prebuilt);
  } else {
    // Bundled in memory first: the asset hash is the hash of the bundle itself, so it covers
    // every file the handler imports; the local bundler then only writes those bytes.
    let bundle = bundles.get(name);
    if (!bundle) {
      bundle = bundleHandlerInMemory(name);
      bundles.set(name, bundle);
    }
    const bytes = bundle;
    code = lambda.Code.fromAsset(path.join(AWS_DIR, path.dirname(LAMBDA_HANDLERS[name])), {
      assetHash: createHash('sha256').update(bytes).digest('hex'),
      bundling: {
        image: DockerImage.fromRegistry('servingstack/no-docker-needed'),
        local: {
          tryBundle(outputDir: string): boolean {
            fs.writeFileSync(path.join(outputDir, 'index.js'), bytes);
            return true;
          },
        },
      },
    });
  }
  return code;
}

/** Bundle one handler from its TypeScript source (at synth from sources, and by `npm run build`). */
export function bundleHandlerInMemory(name: LambdaHandlerName, awsDir: string = AWS_DIR): Uint8Array {
  const entry = path.join(awsDir, `${LAMBDA_HANDLERS[name]}.ts`);
  if (!fs.existsSync(entry)) throw new Error(`the ${name} Lambda handler is neither bundled (${prebuiltHandlerDir(name, awsDir)}/index.js) nor available as source (${entry})`);
  const esbuild = loadEsbuild();
  if (!esbuild) throw new Error(`bundling the ${name} Lambda from sources needs the esbuild package (npm i -D esbuild); the npm package ships it prebuilt`);
  const result = esbuild.buildSync({ ...ESBUILD_OPTIONS, external: [...ESBUILD_OPTIONS.external], entryPoints: [entry], write: false, outfile: 'index.js' }) as { outputFiles: Array<{ contents: Uint8Array }> };
  return result.outputFiles[0].contents;
}

interface EsbuildApi {
  readonly version: string;
  buildSync(options: Record<string, unknown>): unknown;
}

function loadEsbuild(): EsbuildApi | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as EsbuildApi;
  } catch {
    return undefined;
  }
}

/** What every ServingStack handler function shares: Node 24 on ARM, the bundle, 256 MB, 1 min, its own role and log group. */
export function handlerFunctionProps(name: LambdaHandlerName, role: iam.IRole, logGroup: logs.ILogGroup, description: string): lambda.FunctionProps {
  return {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: handlerCode(name),
    memorySize: 256,
    timeout: Duration.minutes(1),
    role,
    logGroup,
    description,
  };
}
