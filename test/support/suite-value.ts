import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/**
 * Something a test suite starts once before its tests and stops after them (a server, a harness),
 * usable as a plain value from the suite's body: call it inside `describe`, use what it returns
 * inside tests and hooks. Reading it before the suite started throws.
 */
export function suiteValue<T extends object>(start: () => Promise<T>, stop: (value: T) => Promise<unknown>): T {
  return hookedValue(beforeAll, afterAll, 'beforeAll', start, stop);
}

/** Like suiteValue, but started afresh before each test of the suite and stopped after it. */
export function testValue<T extends object>(start: () => Promise<T>, stop: (value: T) => Promise<unknown>): T {
  return hookedValue(beforeEach, afterEach, 'beforeEach', start, stop);
}

function hookedValue<T extends object>(
  before: (hook: () => Promise<void>) => void,
  after: (hook: () => Promise<void>) => void,
  beforeName: string,
  start: () => Promise<T>,
  stop: (value: T) => Promise<unknown>,
): T {
  let current: T | undefined;
  before(async () => {
    current = await start();
  });
  after(async () => {
    if (current !== undefined) await stop(current);
  });
  const get = (): T => {
    if (current === undefined) throw new Error(`started in ${beforeName}: use it inside a test or hook`);
    return current;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const target = get();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
