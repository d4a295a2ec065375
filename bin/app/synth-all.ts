/**
 * `servingstack up` (and `npm start`) synthesizes every example blueprint offline, no cloud
 * credentials: the AWS CDK examples into cdk.out/ (with the cdk-nag packs), the CDK for Terraform
 * examples into cdktf.out/. Loaded only from a source checkout (it imports examples/), and run by
 * `up` as a child process (`synth-all --run <root>`, reporting each step over IPC) so the IaC
 * libraries never enter the serving process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { App as TerraformApp } from '../../constructs/cdktf/binding';
import { buildAzureExampleApp } from '../../examples/azure-ml/stack';
import { buildVertexExampleApp } from '../../examples/gcp-vertex/stack';
import { OnPremGpuStack } from '../../examples/onprem-k8s-gpu/stack';
import { EXAMPLES, ExampleName, addExample, defaultEnv } from './examples';
import { addNagPacks } from './nag';

export interface SynthStep {
  readonly name: string;
  run(): Promise<string>;
}

function countTerraformResources(dir: string): number {
  let n = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'cdk.tf.json') {
        const doc = JSON.parse(fs.readFileSync(p, 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
        for (const byType of Object.values(doc.resource ?? {})) n += Object.keys(byType).length;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return n;
}

export function synthSteps(root: string): SynthStep[] {
  return [
    {
      name: 'AWS SageMaker examples (AWS CDK)',
      run: async () => {
        const outdir = path.join(root, 'cdk.out');
        const app = new App({ outdir });
        for (const name of Object.keys(EXAMPLES) as ExampleName[]) addExample(app, name, { env: defaultEnv() });
        addNagPacks(app);
        const asm = app.synth();
        const resources = asm.stacks.reduce((n, s) => n + Object.keys((s.template as { Resources?: object }).Resources ?? {}).length, 0);
        return `${asm.stacks.length} stacks, ${resources} resources, cdk-nag AwsSolutions, NIST 800-53 R5 and HIPAA Security: no unacknowledged finding (synth fails on one) → ${path.relative(process.cwd(), outdir) || '.'}`;
      },
    },
    {
      name: 'Google Vertex AI example (CDK for Terraform)',
      run: async () => {
        const outdir = path.join(root, 'cdktf.out', 'gcp-vertex');
        fs.mkdirSync(outdir, { recursive: true }); // cdktf creates only the last directory
        buildVertexExampleApp(outdir).synth();
        return `${countTerraformResources(outdir)} Terraform resources → ${path.relative(process.cwd(), outdir)}`;
      },
    },
    {
      name: 'Azure Machine Learning example (CDK for Terraform)',
      run: async () => {
        const outdir = path.join(root, 'cdktf.out', 'azure-ml');
        fs.mkdirSync(outdir, { recursive: true });
        buildAzureExampleApp(outdir).synth();
        return `${countTerraformResources(outdir)} Terraform resources → ${path.relative(process.cwd(), outdir)}`;
      },
    },
    {
      name: 'On-premise GPU Kubernetes example (CDK for Terraform)',
      run: async () => {
        const outdir = path.join(root, 'cdktf.out', 'onprem-k8s-gpu');
        fs.mkdirSync(outdir, { recursive: true });
        const app = new TerraformApp({ outdir });
        new OnPremGpuStack(app, 'servingstack-onprem-gpu');
        app.synth();
        return `${countTerraformResources(outdir)} Terraform resources → ${path.relative(process.cwd(), outdir)}`;
      },
    },
  ];
}

/** Child-process entry: run every step, report each to the parent, exit 1 when one failed. */
async function runAsChild(root: string): Promise<void> {
  let failed = false;
  for (const step of synthSteps(root)) {
    const t0 = Date.now();
    let message: string;
    let ok = true;
    try {
      message = await step.run();
    } catch (e) {
      message = (e as Error).message;
      ok = false;
      failed = true;
    }
    const report = { name: step.name, ok, message, seconds: (Date.now() - t0) / 1000 };
    if (process.send) await new Promise<void>((resolve) => process.send!(report, () => resolve()));
    else process.stdout.write(`${JSON.stringify(report)}\n`);
  }
  process.exit(failed ? 1 : 0);
}

if (require.main === module && process.argv[2] === '--run' && process.argv[3]) void runAsChild(process.argv[3]);
