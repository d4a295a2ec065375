// Import boundaries are the point of this config: lib/ stays target-neutral, the runtime
// never pulls IaC code into the image, targets never import each other, and only the
// binding module imports cdktf.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Package names are matched by anchored regexes (a gitignore-style `cdktf/*` would also match the
// relative path `../cdktf/binding`); relative paths by gitignore-style groups.
const pkg = (...names) => names.map((n) => `^${n.replace(/[/.]/g, '\\$&')}(/|$)`);
const iacPackages = pkg('aws-cdk-lib', 'constructs', 'cdktf', '@cdktf', 'cdk-nag');
const restrict = (patterns, message) => {
  const regexes = patterns.filter((p) => p.startsWith('^'));
  const groups = patterns.filter((p) => !p.startsWith('^'));
  return ['error', { patterns: [...regexes.map((regex) => ({ regex, message })), ...(groups.length ? [{ group: groups, message }] : [])] }];
};

const TERRAFORM_TARGETS = ['gcp', 'onprem', 'azure'];
const awsCdkTarget = (name) => ({
  forbidden: [...pkg('cdktf', '@cdktf'), '**/constructs/cdktf/**', '../cdktf/**'],
  message: `Targets never import each other; the ${name} target uses aws-cdk-lib only.`,
});
const terraformTarget = {
  forbidden: pkg('aws-cdk-lib', 'cdk-nag', 'cdktf', '@cdktf'),
  message: 'Targets never import each other; cdktf and its providers are imported only through constructs/cdktf/.',
};
// constructs/cdktf/ files and the indexes of the CDKTF_PACKAGES each may import.
const CDKTF_PACKAGES = ['cdktf', '@cdktf/provider-google', '@cdktf/provider-kubernetes', '@cdktf/provider-helm'];
const CDKTF_MODULES = { 'binding.ts': [0], 'google.ts': [1], 'kubernetes.ts': [2, 3], '*': [] };
const TARGETS = {
  aws: awsCdkTarget('AWS'),
  edge: awsCdkTarget('edge'),
  ...Object.fromEntries(TERRAFORM_TARGETS.map((t) => [t, terraformTarget])),
};

export default tseslint.config(
  { ignores: ['.tmp/**', 'node_modules/**', 'dist/**', 'cdk.out/**', '**/cdktf.out/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
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
        [...iacPackages, ...pkg('@aws-sdk', '@google-cloud', '@azure'), '**/constructs/**', '**/bin/**'],
        'The runtime image carries no IaC or cloud SDK code.',
      ),
    },
  },
  // Every target forbids every other target. The AWS CDK targets use aws-cdk-lib and never cdktf;
  // the Terraform targets reach cdktf and its providers only through constructs/cdktf/.
  ...Object.entries(TARGETS).map(([target, { forbidden, message }]) => ({
    files: [`constructs/${target}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict(
        [
          ...forbidden,
          ...Object.keys(TARGETS)
            .filter((other) => other !== target)
            .flatMap((other) => [`**/constructs/${other}`, `**/constructs/${other}/**`, `../${other}`, `../${other}/**`]),
        ],
        message,
      ),
    },
  })),
  // Inside constructs/cdktf/: cdktf itself only in binding.ts; each prebuilt provider only in its
  // own module, so a target loads no other target's provider.
  ...Object.entries(CDKTF_MODULES).map(([file, allowed]) => ({
    files: [file === '*' ? 'constructs/cdktf/**/*.ts' : `constructs/cdktf/${file}`],
    ignores: file === '*' ? Object.keys(CDKTF_MODULES).filter((f) => f !== '*').map((f) => `constructs/cdktf/${f}`) : [],
    rules: {
      'no-restricted-imports': restrict(
        [
          ...pkg(...CDKTF_PACKAGES).filter((_, i) => !allowed.includes(i)),
          // any other @cdktf package: none is used
          '^@cdktf/(?!provider-(google|kubernetes|helm)(/|$))',
        ],
        'cdktf is imported only by constructs/cdktf/binding.ts, each provider package only by its module in constructs/cdktf/.',
      ),
    },
  })),
  {
    // bin/ is wiring: it parses flags, calls a target's or lib's public modules and presents the
    // result. A construct's private/ helpers are not its API.
    files: ['bin/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(['**/private', '**/private/**'], 'bin/ only calls public modules: nothing under a private/ folder.'),
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
