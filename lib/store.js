'use strict'
// The user's store — `{ get(key), set(key, value, ttlSeconds), del(key) }`, sync or async — as the one
// function the native core calls: `(op) => Promise<string | null>`. Values are strings; a missing
// ttlSeconds means "keep until deleted" (refresh tokens are stored that way).

const { makeError } = require('./errors.js')

function wrapStore(where, store) {
  if (store === null || typeof store !== 'object') throw makeError(where, 'invalid-argument', 'store must be an object with get, set and del')
  for (const name of ['get', 'set', 'del']) {
    if (typeof store[name] !== 'function') throw makeError(where, 'invalid-argument', `store.${name} must be a function`)
  }
  return async (op) => {
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
      default:
        throw new TypeError(`unknown store operation ${op.op}`)
    }
  }
}

module.exports = { wrapStore }
