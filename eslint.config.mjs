// Import boundaries are the point of this config: lib/ stays target-neutral, the runtime
// never pulls IaC code into the image, targets never import each other, and only the
// binding module imports cdktf.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const iacPackages = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdktf', 'cdktf/*', '@cdktf/*', 'cdk-nag'];
const restrict = (patterns, message) => ['error', { patterns: [{ group: patterns, message }] }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'cdk.out/**', '**/cdktf.out/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [...iacPackages, '**/constructs/**', '**/bin/**'],
        'lib/ is target-neutral: it never imports aws-cdk-lib, cdktf, constructs or a target folder.',
      ),
    },
  },
  {
    files: ['lib/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [...iacPackages, '**/constructs/**', '**/bin/**', '@aws-sdk/*', '@google-cloud/*'],
        'The runtime image carries no IaC or cloud SDK code.',
      ),
    },
  },
  {
    files: ['constructs/aws/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['cdktf', 'cdktf/*', '@cdktf/*', '**/constructs/gcp/**', '**/constructs/onprem/**', '**/constructs/cdktf/**', '../gcp/**', '../onprem/**', '../cdktf/**'],
        'Targets never import each other; the AWS target uses aws-cdk-lib only.',
      ),
    },
  },
  ...[
    ['gcp', 'onprem'],
    ['onprem', 'gcp'],
  ].map(([target, other]) => ({
    files: [`constructs/${target}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict(
        ['aws-cdk-lib', 'aws-cdk-lib/*', 'cdk-nag', 'cdktf', 'cdktf/*', '@cdktf/*', '**/constructs/aws/**', '../aws/**', `**/constructs/${other}/**`, `../${other}/**`],
        'Targets never import each other; cdktf and its providers are imported only through constructs/cdktf/binding.ts.',
      ),
    },
  })),
  {
    files: ['constructs/cdktf/**/*.ts'],
    ignores: ['constructs/cdktf/binding.ts'],
    rules: {
      'no-restricted-imports': restrict(['cdktf', 'cdktf/*', '@cdktf/*'], 'Only constructs/cdktf/binding.ts imports cdktf and its providers.'),
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
