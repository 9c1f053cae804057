export { Diagnoser } from './diagnoser.ts';
export type { DiagnoserOptions, DiagnosisCost } from './diagnoser.ts';
export { collectDiagnosed } from './collect-diagnosed.ts';
