/**
 * A pickle reader that never executes anything. Globals become `PyGlobal` names; calling one
 * (REDUCE, NEWOBJ, OBJ, INST) asks `hooks.reduce`, which maps the few known constructors
 * (OrderedDict, torch tensor rebuilds) to values and returns undefined for everything else,
 * which then stays an opaque `PyObject`. Supports the opcodes of protocols 0-5.
 *
 * Python values map to: dict → Map, list/tuple → Array, set/frozenset → Set, str → string,
 * bytes/bytearray → Uint8Array, int → number (bigint beyond 2^53), float → number,
 * None → null, bool → boolean.
 */
import { CorruptFileError } from './errors.js';

export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  toString(): string {
    return `${this.module}.${this.name}`;
  }
}

/** The result of calling something we do not model (argparse.Namespace, numpy scalars...). */
export class PyObject {
  state: unknown = undefined;
  constructor(
    /** Usually a global; another opaque object when the pickle calls a looked-up attribute. */
    readonly cls: PyGlobal | PyObject,
    readonly args: unknown[],
  ) {}
  toString(): string {
    return `${this.cls}(...)`;
  }
}

export interface PickleHooks {
  /** Value for `cls(*args)`, or undefined to keep it an opaque PyObject. */
  reduce(cls: PyGlobal, args: unknown[]): unknown;
  persistentLoad(pid: unknown): unknown;
}

export function unpickle(data: Uint8Array, hooks: PickleHooks, what: string): unknown {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const text = new TextDecoder();
  const latin1 = new TextDecoder('latin1');
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let p = 0;

  const fail = (msg: string): never => {
    throw new CorruptFileError(`${what}: ${msg} at byte ${p}`);
  };
  const need = (n: number): number => {
    if (n < 0) fail(`negative length ${n}`);
    if (p + n > data.length) fail('pickle ends early');
    const at = p;
    p += n;
    return at;
  };
  const u8 = () => data[need(1)];
  const u16 = () => dv.getUint16(need(2), true);
  const u32 = () => dv.getUint32(need(4), true);
  const u64 = (): number => {
    const v = dv.getBigUint64(need(8), true);
    return v > BigInt(data.length) ? fail(`length ${v} exceeds the pickle`) : Number(v);
  };
  const bytes = (n: number) => {
    const at = need(n);
    return data.slice(at, at + n);
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, p);
    if (end < 0) fail('unterminated text line');
    const s = latin1.decode(data.subarray(p, end));
    p = end + 1;
    return s;
  };
  /** A protocol-0 decimal integer line (INT, LONG with its trailing L). */
  const decimal = (text: string): bigint => {
    if (!/^[+-]?\d+$/.test(text)) fail(`bad integer ${JSON.stringify(text.slice(0, 40))}`);
    return BigInt(text);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) fail('MARK missing');
    stack = prev!;
    return items;
  };
  const call = (cls: unknown, args: unknown): unknown => {
    if (!Array.isArray(args)) return fail(`call of ${describe(cls)} with non-tuple arguments`);
    if (cls instanceof PyObject) return new PyObject(cls, args);
    if (!(cls instanceof PyGlobal)) return fail(`call of ${describe(cls)}`);
    const value = hooks.reduce(cls, args);
    return value === undefined ? new PyObject(cls, args) : value;
  };
  const asMap = (v: unknown): Map<unknown, unknown> => {
    if (v instanceof Map) return v;
    if (v instanceof PyObject) {
      // e.g. a dict subclass we do not model: keep its items as its state.
      if (!(v.state instanceof Map)) v.state = new Map();
      return v.state as Map<unknown, unknown>;
    }
    return fail(`SETITEM on ${describe(v)}`);
  };
  const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : fail(`APPEND on ${describe(v)}`));

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x70: // PUT
        memo.set(parseInt(line(), 10), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
        stack.push(recall(memo, parseInt(line(), 10), fail));
        break;
      case 0x68: // BINGET
        stack.push(recall(memo, u8(), fail));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(recall(memo, u32(), fail));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: {
        // INT (protocol 0 also spells booleans as 00/01)
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : toNumber(decimal(s)));
        break;
      }
      case 0x4c: // LONG
        stack.push(toNumber(decimal(line().replace(/L$/, ''))));
        break;
      case 0x46: // FLOAT
        stack.push(parseFloat(line()));
        break;
      case 0x4a: // BININT
        stack.push(dv.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(toNumber(signedLE(bytes(u8()))));
        break;
      case 0x8b: // LONG4
        stack.push(toNumber(signedLE(bytes(u32()))));
        break;
      case 0x47: // BINFLOAT (big-endian)
        stack.push(dv.getFloat64(need(8), false));
        break;
      case 0x53: {
        // STRING: a quoted Python 2 str literal
        const s = line();
        if (s.length < 2 || s[0] !== s[s.length - 1] || (s[0] !== "'" && s[0] !== '"')) fail('bad STRING');
        stack.push(s.slice(1, -1));
        break;
      }
      case 0x56: // UNICODE (raw-unicode-escape; torch never writes it)
        stack.push(line());
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(bytes(dv.getInt32(need(4), true))));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(bytes(u8())));
        break;
      case 0x58: // BINUNICODE
        stack.push(text.decode(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(bytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text.decode(bytes(u64())));
        break;
      case 0x42: // BINBYTES
        stack.push(bytes(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes(u8()));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(bytes(u64()));
        break;
      case 0x29: // EMPTY_TUPLE
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x74: // TUPLE
      case 0x6c: {
        // LIST
        const items = popMark(); // before touching `stack`: popMark replaces it
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        asList(top()).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        // One push per item: spreading a long list into push() overflows the call stack.
        const items = popMark();
        const list = asList(top());
        for (const item of items) list.push(item);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        stack.push(pairs(new Map(), items));
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        asMap(top()).set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        pairs(asMap(top()), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x91: {
        // FROZENSET
        const items = popMark();
        stack.push(new Set(items));
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) fail(`ADDITEMS on ${describe(set)}`);
        for (const v of items) (set as Set<unknown>).add(v);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(new PyGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(new PyGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX (keyword arguments are dropped: only opaque classes use them)
        pop();
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        stack.push(call(items[0], items.slice(1)));
        break;
      }
      case 0x69: {
        // INST
        const module = line();
        const cls = new PyGlobal(module, line());
        const args = popMark();
        stack.push(call(cls, args));
        break;
      }
      case 0x62: {
        // BUILD: only opaque objects keep their state; dict subclasses' attributes
        // (OrderedDict._metadata of a state_dict) are not needed.
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject && obj.state === undefined) obj.state = state;
        break;
      }
      case 0x50: // PERSID
        stack.push(hooks.persistentLoad(line()));
        break;
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x98: // READONLY_BUFFER
        break;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
      case 0x97: // NEXT_BUFFER
        return fail(`unsupported pickle opcode 0x${op.toString(16)} (extension registry / out-of-band buffer)`);
      default:
        return fail(`unknown pickle opcode 0x${op.toString(16)}`);
    }
  }
}

function pairs(map: Map<unknown, unknown>, items: unknown[]): Map<unknown, unknown> {
  for (let i = 0; i + 1 < items.length; i += 2) map.set(items[i], items[i + 1]);
  return map;
}

function recall(memo: Map<number, unknown>, key: number, fail: (m: string) => never): unknown {
  if (!memo.has(key)) fail(`memo key ${key} missing`);
  return memo.get(key);
}

/**
 * Two's-complement little-endian integer of any length (LONG1/LONG4), through one hex string:
 * shifting a bigint in byte by byte takes quadratic time on a long LONG4.
 */
function signedLE(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  const v = BigInt(`0x${Buffer.from(b).reverse().toString('hex')}`);
  return b[b.length - 1] & 0x80 ? v - (1n << BigInt(8 * b.length)) : v;
}

function toNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyObject) return `${v.cls} object`;
  if (v instanceof PyGlobal) return `global ${v}`;
  if (v instanceof Map) return 'dict';
  if (Array.isArray(v)) return 'tuple/list';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}
