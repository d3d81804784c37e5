'use strict'
// `openapi.<namespace>.<method>(params)` as wx-server-sdk shapes it: the property chain names the API, and
// `openapi(options)` returns the same surface with per-call options. Names are resolved by the native core
// against the endpoint table, so an unknown one rejects with -604100 naming the API.

const { OpenApiError, fromNative, makeError } = require('./errors.js')
const json = require('./json.js')
const { describe } = require('./guard.js')
const { checkFinite, suggestion } = require('./config.js')
const { describeFile, splitFile } = require('./upload.js')

const CALL_OPTION_KEYS = new Set(['convertCase', 'appid', 'timeout', 'attemptTimeout', 'maxAttempts', 'retryUnsafe', 'signal'])
let nextCallId = 1
// Properties that promise machinery and inspectors probe; answering them keeps `await openapi.logistics` sane.
const NOT_A_NAMESPACE = new Set(['then', 'catch', 'finally', 'constructor', 'toJSON', 'inspect', 'asymmetricMatch', 'nodeType', '$$typeof'])
// Never API names either: what String(x), `${x}`, x == 'y', [x].join() and friends look up, and every other
// Object.prototype / Function.prototype name. A lookup of one of these must never hand out a function that calls.
const RESERVED = new Set([
  ...NOT_A_NAMESPACE,
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Function.prototype),
  'prototype',
])
const AS_TEXT = new Set(['toString', 'toLocaleString'])

/** What a reserved name reads as on a proxy described by `text` whose target is `target`. */
function reserved(target, key, receiver, text) {
  if (AS_TEXT.has(key)) return () => text
  if (NOT_A_NAMESPACE.has(key) && typeof target !== 'function') return undefined
  return Reflect.get(typeof target === 'function' ? target : Object.prototype, key, receiver)
}

/** The core never rejects on purpose; anything that does (a panic caught by napi) still becomes an OpenApiError. */
async function native(api, invoke) {
  try {
    return await invoke()
  } catch (e) {
    throw nativeFailure(api, e)
  }
}

function nativeFailure(api, e) {
  return e instanceof OpenApiError ? e : makeError(api, 'internal', e && e.message)
}

/** A call's outcome: the answer's JSON text itself in the common case (see `to_js` in src/outcome.rs), else fields. */
function settle(api, outcome) {
  if (typeof outcome === 'string') return JSON.parse(outcome)
  if (outcome.error) throw fromNative(outcome.error)
  if (outcome.json !== undefined && outcome.json !== null) return json.decode(outcome.json, outcome.bigInts)
  return { contentType: outcome.contentType, buffer: outcome.buffer, errMsg: `openapi.${api}:ok`, errCode: 0 }
}

function encodeOptions(api, options) {
  try {
    for (const key of Object.keys(options)) {
      if (!CALL_OPTION_KEYS.has(key)) throw makeError(api, 'invalid-argument', `unknown option ${JSON.stringify(key)}${suggestion(key, CALL_OPTION_KEYS)}`)
    }
    const { signal, ...rest } = options
    checkFinite(api, rest, ['timeout', 'attemptTimeout', 'maxAttempts'])
    if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
      throw makeError(api, 'invalid-argument', 'signal must be an AbortSignal')
    }
    return JSON.stringify(rest)
  } catch (e) {
    if (e instanceof OpenApiError) throw e
    // A getter that throws, a cycle, a BigInt: the caller's options, not our fault.
    throw makeError(api, 'invalid-argument', `options cannot be read: ${firstLine(e)}`)
  }
}

function firstLine(thrown) {
  return describe(thrown).split('\n')[0]
}

/** The signal's reason text; a reason that cannot be read is no reason. */
function reasonOf(signal) {
  try {
    return signal.reason && signal.reason.message
  } catch {
    return undefined
  }
}

function abortedError(api, signal) {
  return makeError(api, 'aborted', reasonOf(signal))
}

/** A part of the caller's signal that throws is a bad argument, like a signal that is not one. */
function signalPart(api, what, read) {
  try {
    return read()
  } catch (e) {
    throw makeError(api, 'invalid-argument', `signal.${what} threw: ${firstLine(e)}`)
  }
}

/**
 * Runs `invoke(callId)` so that the signal, when it fires, stops the native call where it stands. Nothing
 * the signal does after the call was sent (a missing or throwing removeEventListener) can replace its result.
 */
async function withSignal(api, signal, handle, invoke) {
  if (!signal) return invoke(undefined)
  if (signalPart(api, 'aborted', () => signal.aborted === true)) throw abortedError(api, signal)
  const id = nextCallId++ >>> 0
  const onAbort = () => handle.abort(id)
  signalPart(api, 'addEventListener', () => signal.addEventListener('abort', onAbort, { once: true }))
  try {
    return await invoke(id)
  } finally {
    try {
      if (typeof signal.removeEventListener === 'function') signal.removeEventListener('abort', onAbort)
    } catch {
      // The listener stays on a signal that cannot let go of it: harmless, it only aborts a finished call id.
    }
  }
}

/** An upload row's file, taken out of the params (lib/upload.js); a getter that throws is the caller's fault. */
function readFile(api, params, convertCase) {
  try {
    return splitFile(api, params, convertCase)
  } catch (e) {
    throw makeError(api, 'invalid-argument', `params cannot be read: ${firstLine(e)}`)
  }
}

function encodeParams(api, params) {
  let text
  try {
    text = json.encode(params)
  } catch (e) {
    throw makeError(api, 'invalid-argument', e instanceof json.Unserialisable ? e.message : `params cannot be serialised: ${firstLine(e)}`)
  }
  if (text === undefined) throw makeError(api, 'invalid-argument', `params must be an object, got ${typeof params}`)
  return text
}

/** A raw request's file description as JSON; one that cannot be serialised is named as `file`. */
function encodeFile(described) {
  try {
    return json.encode(described) ?? 'null'
  } catch (e) {
    throw makeError('request', 'invalid-argument', `file cannot be serialised: ${e instanceof json.Unserialisable ? e.message : firstLine(e)}`)
  }
}

/**
 * @param {() => object} getNative returns the native client (may throw an OpenApiError for a bad config)
 * @param {object} options per-call options ({ convertCase, appid, timeout, maxAttempts })
 * @param {string[]} names the endpoint table's names, for enumeration
 */
function buildOpenapi(getNative, options, names) {
  let optionsJson
  const namespaces = new Map()

  // The hot path: one async frame per call (what `native` and `withSignal` do, inlined for calls without a signal).
  async function call(api, params) {
    if (optionsJson === undefined) optionsJson = encodeOptions(api, options)
    let outcome
    try {
      const handle = getNative()
      const signal = options.signal
      const upload = readFile(api, params, options.convertCase !== false)
      if (upload) {
        const body = encodeParams(api, upload.params)
        outcome = await withSignal(api, signal, handle, (id) => handle.upload(api, body, upload.file, optionsJson, id))
      } else {
        const body = encodeParams(api, params)
        outcome = await (signal ? withSignal(api, signal, handle, (id) => handle.call(api, body, optionsJson, id)) : handle.call(api, body, optionsJson, undefined))
      }
    } catch (e) {
      throw nativeFailure(api, e)
    }
    try {
      return settle(api, outcome)
    } catch (e) {
      // Which account the call was for: `lookupRid(err)` must ask as that account.
      if (options.appid !== undefined) e.appid = options.appid
      throw e
    }
  }

  async function request(req) {
    if (req === null || typeof req !== 'object') {
      throw makeError('request', 'invalid-argument', 'request needs { method, path, data }')
    }
    let method, path, data, idempotent, file
    try {
      ;({ method = 'POST', path, data, idempotent, file } = req)
      // A file's bytes cross apart from the JSON, as an upload row's do (lib/upload.js).
      if (file !== undefined && file !== null) file = describeFile(file)
    } catch (e) {
      throw makeError('request', 'invalid-argument', `request cannot be read: ${firstLine(e)}`)
    }
    if (typeof method !== 'string') throw makeError('request', 'invalid-argument', 'method must be a string')
    if (typeof path !== 'string') throw makeError('request', 'invalid-argument', 'path must be a string')
    const extra = idempotent === undefined ? {} : { idempotent: Boolean(idempotent) }
    const optsJson = JSON.stringify({ ...JSON.parse(encodeOptions('request', options)), ...extra })
    const outcome = await native('request', () => {
      const handle = getNative()
      const body = encodeParams('request', data)
      if (!file) return withSignal('request', options.signal, handle, (id) => handle.request(method, path, body, optsJson, id))
      const described = encodeFile(file.described)
      return withSignal('request', options.signal, handle, (id) => handle.requestWithFile(method, path, body, described, optsJson, file.bytes, id))
    })
    return settle('request', outcome)
  }

  function namespace(ns) {
    let methods = namespaces.get(ns)
    if (methods) return methods
    const cache = new Map()
    const text = `openapi.${ns}`
    methods = new Proxy(Object.create(null), {
      get(target, method, receiver) {
        if (typeof method !== 'string') return undefined
        if (RESERVED.has(method)) return reserved(target, method, receiver, text)
        let fn = cache.get(method)
        if (!fn) {
          const api = `${ns}.${method}`
          fn = (params) => call(api, params)
          Object.defineProperty(fn, 'name', { value: method })
          cache.set(method, fn)
        }
        return fn
      },
      ownKeys() {
        return names().filter((n) => n.startsWith(ns + '.')).map((n) => n.slice(ns.length + 1))
      },
      getOwnPropertyDescriptor(target, method) {
        if (typeof method !== 'string' || RESERVED.has(method)) return undefined
        return { value: this.get(target, method), enumerable: true, configurable: true, writable: false }
      },
    })
    namespaces.set(ns, methods)
    return methods
  }

  // A function, so that `openapi({ convertCase: false })` works as in wx-server-sdk.
  const root = function openapi(more) {
    if (more === undefined) return proxy
    if (more === null || typeof more !== 'object') {
      throw makeError('openapi', 'invalid-argument', 'openapi(options) takes an object')
    }
    let merged
    try {
      merged = { ...options, ...more }
    } catch (e) {
      throw makeError('openapi', 'invalid-argument', `options cannot be read: ${firstLine(e)}`)
    }
    encodeOptions('openapi', merged)
    return buildOpenapi(getNative, merged, names)
  }
  const proxy = new Proxy(root, {
    get(target, key, receiver) {
      if (key === 'request') return request
      if (typeof key !== 'string') return target[key]
      if (RESERVED.has(key)) return reserved(target, key, receiver, 'openapi')
      return namespace(key)
    },
    ownKeys() {
      return [...new Set(names().map((n) => n.split('.')[0])), 'request', 'prototype']
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key !== 'string' || RESERVED.has(key)) return Reflect.getOwnPropertyDescriptor(target, key)
      return { value: this.get(target, key), enumerable: true, configurable: true }
    },
  })
  return proxy
}

module.exports = { buildOpenapi, native, settle }
