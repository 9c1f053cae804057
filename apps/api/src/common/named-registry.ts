// What the server's registries of named plug-ins (alert rule kinds, notification providers) share.

/**
 * The items by name. Two items with one name would make what is stored under that name ambiguous,
 * so a second one throws `duplicate(name)` instead of replacing the first.
 */
export function byUniqueName<T extends { name: string }>(items: Iterable<T>, duplicate: (name: string) => Error): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    if (byName.has(item.name)) throw duplicate(item.name);
    byName.set(item.name, item);
  }
  return byName;
}

/**
 * A plug-in's form as the API lists it: each field spec with its key. The fields are keyed by the
 * plug-in's settings; a registry holds them untyped.
 */
export function formFields<S extends object>(fields: object): ({ key: string } & S)[] {
  return Object.entries(fields as Record<string, S>).map(([key, spec]) => ({ key, ...spec }));
}
