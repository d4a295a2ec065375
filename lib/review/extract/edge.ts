import { Extractor } from './context';

export const EDGE_EXTRACTORS: Readonly<Record<string, Extractor>> = {};
