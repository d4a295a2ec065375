import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addExample } from './bin/app/examples';
const app = new App();
const stack = addExample(app, 'ServingStack-DeliveryPipeline', { env: { account: '123456789012', region: 'us-east-1' } });
const t = Template.fromStack(stack);
for (const [id, p] of Object.entries(t.findResources('AWS::IAM::Policy'))) for (const st of (p as any).Properties.PolicyDocument.Statement) {
  const r = JSON.stringify(st.Resource);
  if (r === '"*"' || r.includes('role/*')) console.log(id, JSON.stringify(st.Action), r, JSON.stringify(st.Condition ?? ''));
}
