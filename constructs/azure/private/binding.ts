/**
 * The Azure target's single import of constructs/cdktf/binding.ts (the only module that imports
 * cdktf). Every Azure file that needs cdktf classes imports them from here.
 */
export * from '../../cdktf/binding';
