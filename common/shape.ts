/**
 * Checks of values that come from outside this process: a load box's messages, a controller's
 * plan, a saved report. A `Shape` says null when a value has it, or one phrase naming where and
 * why it does not ("snapshot.counts.success is 1e+308, not a count"). Hand-written and small on
 * purpose: no coercion (the string "007" is not a number), own properties only (a key such as
 * `toString` is never found on the prototype), and every list and record of a bounded size. Pure.
 */
import { stripControls } from './strip-controls.js';

export type Shape = (value: unknown, path: string) => string | null;

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `record[key]` when it is the record's own, else undefined: never an inherited property. */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A value as a reason shows it: short, as JSON where it can be, printable. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value;
  }
  return stripControls(text, 40);
}

/** `path.key`, or `key` at the top. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** The reason a value is not what was expected. */
export function notA(path: string, value: unknown, expected: string): string {
  return value === undefined ? `${path} is missing` : `${path} is ${shown(value)}, not ${expected}`;
}

/** A finite number from `min` to `max`. */
export function number(min = -Number.MAX_VALUE, max = Number.MAX_VALUE): Shape {
  const bounded = min !== -Number.MAX_VALUE || max !== Number.MAX_VALUE;
  const expected = bounded ? `a number from ${min} to ${max}` : 'a number';
  return (value, path) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? null : notA(path, value, expected);
}

/** A safe integer from `min` to `max`. */
export function integer(min: number, max: number): Shape {
  return (value, path) =>
    Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
      ? null
      : notA(path, value, `a whole number from ${min} to ${max}`);
}

/** A count: a whole number from 0 to 2^53 - 1. */
export const count: Shape = (value, path) => (Number.isSafeInteger(value) && (value as number) >= 0 ? null : notA(path, value, 'a count'));

/** A string of at most `maxLength` characters. */
export function text(maxLength: number): Shape {
  return (value, path) =>
    typeof value === 'string' && value.length <= maxLength ? null : notA(path, value, `a string of at most ${maxLength} characters`);
}

export const boolean: Shape = (value, path) => (typeof value === 'boolean' ? null : notA(path, value, 'true or false'));

/** One of the given values. */
export function oneOf(values: readonly unknown[]): Shape {
  const expected = `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
  return (value, path) => (values.includes(value) ? null : notA(path, value, expected));
}

/** The shape, or null. */
export function nullable(shape: Shape): Shape {
  return (value, path) => (value === null ? null : shape(value, path));
}

/** The shape, or absent. */
export function optional(shape: Shape): Shape {
  return (value, path) => (value === undefined ? null : shape(value, path));
}

/** Every one of the shapes. */
export function allOf(...shapes: Shape[]): Shape {
  return (value, path) => {
    for (const shape of shapes) {
      const problem = shape(value, path);
      if (problem !== null) return problem;
    }
    return null;
  };
}

/** A list of at most `maxItems` items of the shape. */
export function list(item: Shape, maxItems: number): Shape {
  return (value, path) => {
    if (!Array.isArray(value)) return notA(path, value, 'a list');
    if (value.length > maxItems) return `${path} has ${value.length} items, more than ${maxItems}`;
    for (let index = 0; index < value.length; index++) {
      const problem = item(value[index], at(path, index));
      if (problem !== null) return problem;
    }
    return null;
  };
}

/**
 * A record of at most `maxKeys` own keys, each accepted by `key` (null, or why not) and holding a
 * value of the shape. `__proto__` is never a key: assigned, it would set a prototype.
 */
export function record(value: Shape, maxKeys: number, key: (name: string) => string | null = () => null): Shape {
  return (candidate, path) => {
    if (!isRecord(candidate)) return notA(path, candidate, 'an object');
    const names = Object.keys(candidate);
    if (names.length > maxKeys) return `${path} has ${names.length} keys, more than ${maxKeys}`;
    for (const name of names) {
      const keyProblem = name === '__proto__' ? 'is not a key' : key(name);
      if (keyProblem !== null) return `${at(path, shown(name).replace(/^"|"$/g, ''))} ${keyProblem}`;
      const problem = value(candidate[name], at(path, name));
      if (problem !== null) return problem;
    }
    return null;
  };
}

/** An object whose named own properties have their shapes; properties not named are not looked at. */
export function object(fields: Readonly<Record<string, Shape>>): Shape {
  return (value, path) => {
    if (!isRecord(value)) return notA(path, value, 'an object');
    for (const [name, shape] of Object.entries(fields)) {
      const problem = shape(own(value, name), at(path, name));
      if (problem !== null) return problem;
    }
    return null;
  };
}
