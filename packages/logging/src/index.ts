export * from './logger.ts';
export * from './scrub.ts';
