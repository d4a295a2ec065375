/**
 * The on-prem target's single import of constructs/cdktf/binding.ts (the only module that
 * imports cdktf and its providers). Every on-prem file imports cdktf classes from here.
 */
export * from '../../cdktf/binding';
