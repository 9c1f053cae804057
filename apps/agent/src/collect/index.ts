export { CollectError } from './collect-error.ts';
export type { CollectErrorCode } from './collect-error.ts';
export { collectReport } from './collect-report.ts';
export type { CollectOptions, CollectResult, SourceChoice } from './collect-report.ts';
