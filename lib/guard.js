'use strict'
// User callbacks the SDK calls on its own initiative (event listeners, pushHandler's onError, refresh-token
// listeners and onRefreshTokenRotated) have nobody to throw to: a throw, or a rejection of what they return,
// becomes a process warning naming the callback. It is never rethrown, so it can neither crash the host nor
// change a call's result.

/** The text of whatever was thrown, without ever throwing itself (a hostile getter, a null, a Symbol). */
function describe(thrown) {
  try {
    if (thrown !== null && typeof thrown === 'object' && typeof thrown.message === 'string') return thrown.message
    return String(thrown)
  } catch {
    return 'a value that cannot be printed'
  }
}

/** `wechat-openapi: <callback> threw: <text>[ (<context>)]` as a process warning; never throws. */
function warn(callback, thrown, context) {
  try {
    const where = context ? ` (${context})` : ''
    process.emitWarning(`wechat-openapi: ${callback} threw: ${describe(thrown)}${where}`, { code: 'WECHAT_OPENAPI_CALLBACK' })
  } catch {
    // A warning listener that throws is the host's own business; nothing more can be done here.
  }
}

const settledQuietly = () => undefined

/**
 * Calls `fn` with `thisArg` and `args` as the user callback `callback`. Returns undefined for a plain value,
 * else a promise that resolves once what it returned settles and never rejects.
 */
function callSafely(callback, fn, thisArg, args, context) {
  let result
  try {
    result = Reflect.apply(fn, thisArg, args)
  } catch (e) {
    warn(callback, e, context)
    return undefined
  }
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return undefined
  // Promise.resolve reads `then` itself: a throwing `then` getter becomes a rejection handled here.
  return Promise.resolve(result).then(settledQuietly, (e) => warn(callback, e, context))
}

module.exports = { callSafely, describe, warn }
