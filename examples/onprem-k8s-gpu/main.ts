/** `cdktf synth` entry point (cdktf.json `app`), also runnable directly: `npx tsx examples/onprem-k8s-gpu/main.ts`. */
import { App } from '../../constructs/cdktf/binding';
import { OnPremGpuStack } from './stack';

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
new OnPremGpuStack(app, 'servingstack-onprem-gpu');
app.synth();
