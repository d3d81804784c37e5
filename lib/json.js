'use strict'
// JSON across the native boundary. Answers arrive as JSON text (cheaper than N-API objects); integers of more
// than 15 digits arrive as marked strings and become BigInt, as wx-server-sdk's json-bigint parsing does.
// BigInt arguments travel the other way with the same mark.

const MARK = '\u0000wxbig:'

function reviveBig(key, value) {
  return typeof value === 'string' && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value
}

function markBig(key, value) {
  return typeof value === 'bigint' ? MARK + value.toString() : value
}

/** Params → JSON text; undefined means `{}`. Returns undefined for values JSON cannot carry (functions). */
function encode(params) {
  if (params === undefined) return '{}'
  try {
    return JSON.stringify(params)
  } catch (e) {
    // Only a BigInt makes JSON.stringify throw here (cycles aside): pay for the replacer only then.
    if (e instanceof TypeError && /BigInt/i.test(e.message)) return JSON.stringify(params, markBig)
    throw e
  }
}

function decode(text, bigInts) {
  return bigInts > 0 ? JSON.parse(text, reviveBig) : JSON.parse(text)
}

module.exports = { encode, decode, MARK }
