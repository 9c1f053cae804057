export { runCheck } from './check-command.ts';
export type { CheckIo } from './check-command.ts';
