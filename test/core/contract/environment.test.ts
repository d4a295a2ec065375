import { checkRuntimeEnvironment, ENVIRONMENT, renderRuntimeEnvironment } from '../../../lib/core/contract/environment';
import { ENVIRONMENT as RUNTIME_ENVIRONMENT } from '../../../lib/runtime/config';

describe('the environment catalogue', () => {
  test('GIVEN the runtime THEN it reads the one catalogue of lib/core', () => {
    expect(RUNTIME_ENVIRONMENT).toBe(ENVIRONMENT);
  });

  test('GIVEN typed values and extras THEN the target wins, values are strings, sorted, unset dropped', () => {
    expect(renderRuntimeEnvironment({ SERVINGSTACK_WORKERS: 2, SERVINGSTACK_EMF: true, SERVINGSTACK_LOG_LEVEL: undefined }, { SERVINGSTACK_WORKERS: '8', A_USER_VAR: 'x' })).toEqual({
      A_USER_VAR: 'x', SERVINGSTACK_EMF: 'true', SERVINGSTACK_WORKERS: '2',
    });
    expect(Object.keys(renderRuntimeEnvironment({ SERVINGSTACK_PORT: 1, SERVINGSTACK_EMF: false }))).toEqual(['SERVINGSTACK_EMF', 'SERVINGSTACK_PORT']);
  });

  test('GIVEN a misspelt SERVINGSTACK_ variable THEN it is named with the closest known one; other names pass', () => {
    expect(checkRuntimeEnvironment('runtimeEnvironment', { SERVINGSTACK_WORKRES: '2', SERVINGSTACK_WORKERS: '2', MY_VAR: 'x' })).toEqual([
      { field: 'runtimeEnvironment.SERVINGSTACK_WORKRES', message: 'is not a variable the runtime reads', received: 'SERVINGSTACK_WORKRES', allowed: "a variable of the runtime's catalogue (docs/runtime.md), e.g. SERVINGSTACK_WORKERS" },
    ]);
  });
});
