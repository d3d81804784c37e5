'use strict'
// `openapi.<namespace>.<method>(params)` as wx-server-sdk shapes it: the property chain names the API, at any
// depth (`openapi.wxa.sec.order.uploadShippingInfo`), and `openapi(options)` returns the same surface with
// per-call options. Names are resolved by the native core against the endpoint table, so an unknown one rejects
// with -604100 naming the API; `in`, `Object.keys` and `Object.hasOwn` answer from the table at every level.

const { makeError } = require('./errors.js')
const json = require('./json.js')
const { CALL_OPTION_KEYS, encodeOptions, firstLine, nativeFailure, settle, withSignal } = require('./crossing.js')
const { describeFile, splitFile } = require('./upload.js')

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
// What would call a node: kept on an API's own node (`fn.call(this, params)` is a call the caller meant), absent on
// a namespace's, which is a function only so that a name can be both (`a.b` and `a.b.c`).
const CALLERS = new Set(['call', 'apply'])

/** What a reserved name reads as on a proxy described by `text` whose target is `target`. */
function reserved(target, key, receiver, text) {
  if (AS_TEXT.has(key)) return () => text
  if (NOT_A_NAMESPACE.has(key) && typeof target !== 'function') return undefined
  return Reflect.get(typeof target === 'function' ? target : Object.prototype, key, receiver)
}

/** The table's names as a tree: each dotted prefix ('' for the root) → its next segments, in table order. */
function nameTree(names) {
  const children = new Map([['', new Set()]])
  for (const name of names) {
    const parts = name.split('.')
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('.')
      if (!children.has(prefix)) children.set(prefix, new Set())
      children.get(prefix).add(parts[i])
    }
  }
  return children
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

  // The hot path: one async frame per call (what `cross` does in lib/crossing.js, inlined for calls without a signal).
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
    let method, path, data, idempotent, file, token
    try {
      ;({ method = 'POST', path, data, idempotent, file, token } = req)
      // A file's bytes cross apart from the JSON, as an upload row's do (lib/upload.js).
      if (file !== undefined && file !== null) file = describeFile(file)
    } catch (e) {
      throw makeError('request', 'invalid-argument', `request cannot be read: ${firstLine(e)}`)
    }
    if (typeof method !== 'string') throw makeError('request', 'invalid-argument', 'method must be a string')
    if (typeof path !== 'string') throw makeError('request', 'invalid-argument', 'path must be a string')
    const extra = idempotent === undefined ? {} : { idempotent: Boolean(idempotent) }
    // false: no token (/sns/jscode2session); 'component': the platform's. Checked by the core.
    if (token !== undefined) extra.token = token
    const optsJson = JSON.stringify({ ...JSON.parse(encodeOptions('request', options)), ...extra })
    let outcome
    try {
      const handle = getNative()
      const body = encodeParams('request', data)
      if (!file) outcome = await withSignal('request', options.signal, handle, (id) => handle.request(method, path, body, optsJson, id))
      else {
        const described = encodeFile(file.described)
        outcome = await withSignal('request', options.signal, handle, (id) => handle.requestWithFile(method, path, body, described, optsJson, file.bytes, id))
      }
    } catch (e) {
      throw nativeFailure('request', e)
    }
    return settle('request', outcome)
  }

  let tree
  let apis
  const children = (prefix) => {
    if (!tree) tree = nameTree(names())
    return tree.get(prefix)
  }
  const isApi = (path) => {
    if (!apis) apis = new Set(names())
    return apis.has(path)
  }
  /** A name of the table, or a prefix of some (`wxa.sec`), one segment below `prefix`. */
  const known = (prefix, key) => {
    const next = children(prefix)
    return next !== undefined && next.has(key)
  }

  // `openapi.a.b…`: a callable proxy per dotted path, made once. Calling one calls the API of that name; reading
  // a property goes one level down. Any name gives a function (an unknown one rejects with -604100 when called).
  const nodes = new Map()
  function node(path, segment) {
    let found = nodes.get(path)
    if (found) return found
    const text = `openapi.${path}`
    // An arrow function (no `prototype` of its own) named after its segment, as a method would be.
    const target = { [segment]: () => undefined }[segment]
    // This node's children by segment: the hot path (`openapi.ns.method(...)`) is one Map lookup per level.
    const kids = new Map()
    found = new Proxy(target, {
      apply(_, thisArg, args) {
        return call(path, args[0])
      },
      get(t, key, receiver) {
        const kid = kids.get(key)
        if (kid !== undefined) return kid
        if (typeof key !== 'string') return undefined
        if (CALLERS.has(key) && !isApi(path)) return undefined
        if (RESERVED.has(key)) return reserved(t, key, receiver, text)
        const made = node(`${path}.${key}`, key)
        kids.set(key, made)
        return made
      },
      has(t, key) {
        return typeof key === 'string' && !RESERVED.has(key) ? known(path, key) : Reflect.has(t, key)
      },
      ownKeys() {
        return [...(children(path) || [])]
      },
      getOwnPropertyDescriptor(t, key) {
        if (typeof key !== 'string' || RESERVED.has(key) || !known(path, key)) return undefined
        return { value: this.get(t, key), enumerable: true, configurable: true, writable: false }
      },
    })
    nodes.set(path, found)
    return found
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
      const made = nodes.get(key)
      if (made !== undefined) return made
      if (key === 'request') return request
      if (typeof key !== 'string') return target[key]
      if (RESERVED.has(key)) return reserved(target, key, receiver, 'openapi')
      return node(key, key)
    },
    has(target, key) {
      return key === 'request' || (typeof key === 'string' && !RESERVED.has(key) && known('', key)) || Reflect.has(target, key)
    },
    ownKeys() {
      return [...children(''), 'request', 'prototype']
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key !== 'string' || RESERVED.has(key)) return Reflect.getOwnPropertyDescriptor(target, key)
      if (key !== 'request' && !known('', key)) return undefined
      return { value: this.get(target, key), enumerable: true, configurable: true }
    },
  })
  return proxy
}

module.exports = { buildOpenapi }
