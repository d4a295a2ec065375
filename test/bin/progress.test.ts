/** Progress output: plain lines off a terminal, a spinner (ora) on one, stderr with --json. */
import { Writable } from 'node:stream';
import { printResult, Progress } from '../../bin/progress';

function sink(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  s.text = '';
  Object.assign(s, { isTTY, columns: 120, clearLine: () => true, cursorTo: () => true, moveCursor: () => true });
  return s;
}

describe('Progress', () => {
  test('GIVEN no terminal THEN every step and detail is a plain line, in order', () => {
    const out = sink(false);
    const p = Progress.start({ stream: out });
    p.step('uploading');
    p.detail('  … still running (15 s)');
    p.step('deploying');
    p.succeed();
    expect(out.text).toBe('uploading\n  … still running (15 s)\ndeploying\n');
  });

  test('GIVEN a terminal THEN a spinner marks each finished step done, details only change its text', () => {
    const out = sink(true);
    const p = Progress.start({ stream: out, interactive: true });
    p.step('uploading');
    p.detail('health @30s/600s: healthy');
    p.step('promoting');
    p.succeed();
    expect(out.text).toMatch(/(✔|√) uploading/);
    expect(out.text).toMatch(/(✔|√) promoting/);
    expect(out.text).toContain('uploading — health @30s/600s: healthy');
    expect(out.text).not.toMatch(/(^|\n)health @30s\/600s: healthy\n/);
  });

  test('GIVEN a failure THEN run() marks the step failed and rethrows', async () => {
    const out = sink(false);
    await expect(Progress.start({ stream: out }).run(async (p) => {
      p.step('baking');
      throw new Error('unhealthy');
    })).rejects.toThrow('unhealthy');
    expect(out.text).toBe('baking\n');
  });

  test('GIVEN --json THEN progress goes to stderr and the result is JSON on stdout', () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (writes.push(String(c)), true));
    try {
      printResult(true, { outcome: 'deployed' }, () => 'text');
      printResult(false, { outcome: 'deployed' }, () => 'deployed: version 1');
    } finally {
      spy.mockRestore();
    }
    expect(writes).toEqual(['{\n  "outcome": "deployed"\n}\n', 'deployed: version 1\n']);
    expect((Progress.start({ json: true }) as unknown as { stream: NodeJS.WriteStream }).stream).toBe(process.stderr);
  });
});
