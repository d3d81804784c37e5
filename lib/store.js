'use strict'
// The user's store — `{ get(key), set(key, value, ttlSeconds), del(key) }`, sync or async, and optionally
// `setIfAbsent(key, value, ttlSeconds) → boolean` — as the one function the native core calls:
// `(op) => Promise<string | null>`. Values are strings; a missing ttlSeconds means "keep until deleted" (refresh
// tokens are stored that way). A store with setIfAbsent (atomic for every process, like Redis's SET NX) lets the
// processes refresh each token one at a time; `.locks` on the returned function says so.

const { makeError } = require('./errors.js')

function wrapStore(where, store) {
  if (store === null || typeof store !== 'object') throw makeError(where, 'invalid-argument', 'store must be an object with get, set and del')
  for (const name of ['get', 'set', 'del']) {
    if (typeof store[name] !== 'function') throw makeError(where, 'invalid-argument', `store.${name} must be a function`)
  }
  if (store.setIfAbsent !== undefined && typeof store.setIfAbsent !== 'function') {
    throw makeError(where, 'invalid-argument', 'store.setIfAbsent must be a function when given')
  }
  const wrapped = async (op) => {
    switch (op.op) {
      case 'get': {
        const value = await store.get(op.key)
        if (value === null || value === undefined) return null
        if (typeof value !== 'string') throw new TypeError(`store.get must return a string, null or undefined, got ${typeof value}`)
        return value
      }
      case 'set':
        await store.set(op.key, op.value, op.ttlSeconds == null ? undefined : op.ttlSeconds)
        return null
      case 'del':
        await store.del(op.key)
        return null
      case 'setIfAbsent': {
        const set = await store.setIfAbsent(op.key, op.value, op.ttlSeconds)
        if (typeof set !== 'boolean') throw new TypeError(`store.setIfAbsent must return true or false, got ${typeof set}`)
        return set ? 'set' : null
      }
      default:
        throw new TypeError(`unknown store operation ${op.op}`)
    }
  }
  wrapped.locks = typeof store.setIfAbsent === 'function'
  return wrapped
}

module.exports = { wrapStore }
