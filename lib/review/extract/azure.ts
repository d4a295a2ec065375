import { Extractor } from './context';

export const AZURE_EXTRACTORS: Readonly<Record<string, Extractor>> = {};
