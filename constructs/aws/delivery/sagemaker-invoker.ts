/** The integration test's invoker for a SageMaker endpoint (InvokeEndpoint). */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Invoker } from './integration-test';

export function sageMakerInvoker(client: SageMakerRuntimeClient, endpointName: string): Invoker {
  return {
    async invoke(body, contentType) {
      const t0 = performance.now();
      try {
        const res = await client.send(new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: contentType, Accept: 'application/json', Body: new TextEncoder().encode(body) }));
        return { status: 200, body: new TextDecoder().decode(res.Body), latencyMs: performance.now() - t0 };
      } catch (err) {
        const e = err as { $metadata?: { httpStatusCode?: number }; message?: string };
        return { status: e.$metadata?.httpStatusCode ?? 500, body: e.message ?? String(err), latencyMs: performance.now() - t0 };
      }
    },
  };
}
