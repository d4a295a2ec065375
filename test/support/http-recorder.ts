/** A recording HTTP requester standing in for the Google-authenticated one (pins the exact REST calls). */
import type { HttpRequester } from '../../constructs/gcp/rollout/clients';

export function recorder(answer: (url: string) => { status: number; data?: unknown }): { calls: Parameters<HttpRequester>[0][]; request: HttpRequester } {
  const calls: Parameters<HttpRequester>[0][] = [];
  return {
    calls,
    request: async (req) => {
      calls.push(req);
      const a = answer(req.url);
      return { status: a.status, data: a.data ?? {} };
    },
  };
}
