'use strict'
// JSON across the native boundary. Answers arrive as JSON text (cheaper than N-API objects); integers of more
// than 15 digits arrive as marked strings and become BigInt, as wx-server-sdk's json-bigint parsing does.
// BigInt arguments travel the other way with the same mark. The mark is this process's, made by the core with a
// random nonce and read once here: no caller's string and no string WeChat sends can carry it, so none changes type.

const native = require('./binding.js')
const { describe } = require('./guard.js')

const MARK = native.bigIntMarker()
const DIGITS = /^-?\d+$/

function reviveBig(key, value) {
  if (typeof value !== 'string' || !value.startsWith(MARK)) return value
  const digits = value.slice(MARK.length)
  return DIGITS.test(digits) ? BigInt(digits) : value
}

function markBig(key, value) {
  return typeof value === 'bigint' ? MARK + value.toString() : value
}

/** How deep params may nest, the outermost object counted (`{}` is 1, `{ a: [] }` is 2). */
const MAX_DEPTH = 64

/** Params that cannot be sent as JSON; `message` says why, for an invalid-argument error. */
class Unserialisable extends Error {}

/**
 * Params → JSON text; undefined means `{}`. Returns undefined for values JSON cannot carry (functions).
 * Throws Unserialisable for a cycle, a getter or toJSON that throws, or nesting deeper than MAX_DEPTH.
 */
function encode(params) {
  if (params === undefined) return '{}'
  let text
  try {
    text = stringify(params)
  } catch (e) {
    throw new Unserialisable(problemOf(e))
  }
  // Deeper than MAX_DEPTH needs more than 2 * MAX_DEPTH brackets: short texts (most calls) skip the scan.
  if (typeof text === 'string' && text.length > 2 * MAX_DEPTH && deeperThan(text, MAX_DEPTH)) {
    throw new Unserialisable(`params nest deeper than ${MAX_DEPTH} levels`)
  }
  return text
}

function stringify(params) {
  try {
    return JSON.stringify(params)
  } catch (e) {
    // Only a BigInt (or a cycle, a throwing getter or toJSON) makes JSON.stringify throw: pay for the replacer only then.
    if (e instanceof TypeError && /BigInt/i.test(e.message)) return JSON.stringify(params, markBig)
    throw e
  }
}

/** What JSON.stringify's throw means for the caller. */
function problemOf(e) {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return `params nest deeper than ${MAX_DEPTH} levels`
  if (e instanceof TypeError && /circular structure/i.test(e.message)) {
    // V8 ends the message with the step that closes the circle: "--- property 'self' closes the circle".
    const closing = /---\s*(.+ closes the circle)/.exec(e.message)
    return `params contain a cycle${closing ? ` (${closing[1]})` : ''}`
  }
  return `params cannot be serialised: ${describe(e)}`
}

/** Whether JSON text nests objects and arrays deeper than `limit`; brackets inside strings do not count. */
function deeperThan(text, limit) {
  let depth = 0
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i)
    if (c === 0x22) i = stringEnd(text, i)
    else if (c === 0x7b || c === 0x5b) {
      depth += 1
      if (depth > limit) return true
    } else if (c === 0x7d || c === 0x5d) depth -= 1
  }
  return false
}

/** The index of the quote closing the string that opens at `start` (JSON.stringify's output is well formed). */
function stringEnd(text, start) {
  let at = start
  for (;;) {
    at = text.indexOf('"', at + 1)
    if (at === -1) return text.length
    let slashes = 0
    while (text.charCodeAt(at - 1 - slashes) === 0x5c) slashes += 1
    if (slashes % 2 === 0) return at
  }
}

function decode(text, bigInts) {
  return bigInts > 0 ? JSON.parse(text, reviveBig) : JSON.parse(text)
}

module.exports = { encode, decode, MARK, MAX_DEPTH, Unserialisable }
