'use strict'
// Turns the user's init/createClient config into the JSON the native core reads, after the checks that only
// JS can make (is getAccessToken a function?) and the environment fallbacks wx-server-sdk users expect.

const { makeError } = require('./errors.js')
const { wrapStore } = require('./store.js')

const NATIVE_KEYS = ['appid', 'secret', 'apiBase', 'tokenMode', 'accessToken', 'timeout', 'maxAttempts', 'maxResponseBytes', 'connectTimeout', 'attemptTimeout', 'ca', 'component', 'push']
const COMPONENT_KEYS = ['appid', 'secret', 'token', 'encodingAesKey', 'previousEncodingAesKey', 'pushMaxAgeSeconds']
const PUSH_KEYS = ['token', 'encodingAesKey', 'previousEncodingAesKey', 'maxAgeSeconds']
// wx-server-sdk options that mean nothing outside Tencent's cloud; accepted so migrated code runs unchanged.
const IGNORED_KEYS = ['env', 'traceUser', 'throwOnNotFound']
const KNOWN_KEYS = new Set([...NATIVE_KEYS, ...IGNORED_KEYS, 'getAccessToken', 'store', 'onRefreshTokenRotated'])
const REDIS_KEYS = ['url', 'cluster', 'sentinels', 'name', 'ca', 'cert', 'key', 'prefix', 'timeout', 'lockTtl']

/** Numeric options: NaN and ±Infinity do not survive JSON (they become null, i.e. "the default"), so they are
 * refused here, naming the option. */
const NUMBER_KEYS = ['timeout', 'maxAttempts', 'maxResponseBytes', 'connectTimeout', 'attemptTimeout']

function checkFinite(where, options, keys, prefix = '') {
  for (const key of keys) {
    const value = options[key]
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw invalid(where, `${prefix}${key} must be a finite number, got ${value}`)
    }
  }
}

/** A config the facade refuses before the core sees it; made by the core, like the core's own refusals. */
function invalid(where, text) {
  return makeError(where, 'invalid-argument', text)
}

/** " (did you mean …?)" for the nearest known option by edit distance (the core's rule), or ''. */
function suggestion(key, known = KNOWN_KEYS) {
  const match = require('./binding.js').suggest(key, [...known])
  return match ? ` (did you mean ${JSON.stringify(match)}?)` : ''
}

/** The component identity's shape; the values themselves are checked by the core (naming the field). */
function checkComponent(where, component) {
  if (component === null || typeof component !== 'object' || Array.isArray(component)) {
    throw invalid(where, 'component must be an object: { appid, secret, token, encodingAesKey, previousEncodingAesKey? }')
  }
  for (const key of Object.keys(component)) {
    if (!COMPONENT_KEYS.includes(key)) {
      throw invalid(where, `unknown option "component.${key}"${suggestion(key, COMPONENT_KEYS).replace('"', '"component.')}`)
    }
  }
}

/** The message push's shape; the values are checked by the core (naming the field). */
function checkPush(where, push) {
  if (push === null || typeof push !== 'object' || Array.isArray(push)) {
    throw invalid(where, 'push must be an object: { token, encodingAesKey?, previousEncodingAesKey?, maxAgeSeconds? }')
  }
  for (const key of Object.keys(push)) {
    if (!PUSH_KEYS.includes(key)) throw invalid(where, `unknown option "push.${key}"${suggestion(key, PUSH_KEYS).replace('"', '"push.')}`)
  }
}

/**
 * @returns {{ json: string, provider: ((forceRefresh: boolean) => Promise<string>) | undefined,
 *   store: ((op: object) => Promise<string | null>) | undefined, onRefreshTokenRotated: Function | undefined }}
 */
function normalize(where, config, env = process.env) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw invalid(where, 'config must be an object')
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw invalid(where, `unknown option ${JSON.stringify(key)}${suggestion(key)}`)
  }
  const out = {}
  for (const key of NATIVE_KEYS) if (config[key] !== undefined) out[key] = config[key]
  checkFinite(where, out, NUMBER_KEYS)
  if (out.component !== undefined) checkComponent(where, out.component)
  if (out.push !== undefined) checkPush(where, out.push)
  const hasIdentity = out.appid || out.secret || out.accessToken || config.getAccessToken || out.component
  if (!hasIdentity) {
    if (env.WECHAT_APPID) out.appid = env.WECHAT_APPID
    if (env.WECHAT_SECRET) out.secret = env.WECHAT_SECRET
  }
  if (out.apiBase === undefined && env.WECHAT_API_BASE) out.apiBase = env.WECHAT_API_BASE
  // A CA read with fs.readFileSync arrives as a Buffer; the core takes PEM text.
  if (Buffer.isBuffer(out.ca)) out.ca = out.ca.toString('utf8')
  let provider
  if (config.getAccessToken !== undefined) {
    if (typeof config.getAccessToken !== 'function') throw invalid(where, 'getAccessToken must be a function')
    provider = wrapProvider(config.getAccessToken, out.appid)
    out.hasTokenProvider = true
  }
  // `store` is either the caller's own { get, set, del } (their database) or a Redis URL / options object.
  let store
  if (config.store !== undefined) {
    if (isRedisStore(config.store)) out.redis = redisOptions(where, config.store)
    else if (config.store !== null && typeof config.store === 'object') store = wrapStore(where, config.store)
    else throw invalid(where, `${REDIS_SHAPES}, or your own { get, set, del }`)
  }
  const onRefreshTokenRotated = config.onRefreshTokenRotated
  if (onRefreshTokenRotated !== undefined && typeof onRefreshTokenRotated !== 'function') {
    throw invalid(where, 'onRefreshTokenRotated must be a function')
  }
  return { json: JSON.stringify(out), provider, store, onRefreshTokenRotated }
}

function isRedisStore(store) {
  if (typeof store === 'string') return true
  if (store === null || typeof store !== 'object') return false
  return typeof store.url === 'string' || store.cluster !== undefined || store.sentinels !== undefined
}

const REDIS_SHAPES = "store must be a Redis URL ('redis://host:6379/0', 'rediss://…' for TLS), { url, ca, cert, key, prefix, timeout, lockTtl }, { cluster: ['redis://host:7000', …] } or { sentinels: ['redis://host:26379', …], name: 'mymaster' }"

/** `store: 'redis://host:6379/0'` or `store: { url | cluster | sentinels + name, ca, cert, key, prefix, timeout, lockTtl }`;
 * the core checks the values. */
function redisOptions(where, store) {
  if (typeof store === 'string') return { url: store }
  if (store && typeof store === 'object' && !Array.isArray(store) && isRedisStore(store)) {
    for (const key of Object.keys(store)) {
      if (!REDIS_KEYS.includes(key)) {
        const near = suggestion(key, REDIS_KEYS).replace('"', '"store.')
        throw invalid(where, `unknown option "store.${key}"${near || ` (Redis options are ${REDIS_KEYS.join(', ')})`}`)
      }
    }
    const out = {}
    for (const key of REDIS_KEYS) if (store[key] !== undefined) out[key] = store[key]
    // TLS material as PEM: a Buffer (fs.readFileSync) is sent as its text.
    for (const key of ['ca', 'cert', 'key']) {
      if (Buffer.isBuffer(out[key])) out[key] = out[key].toString('utf8')
      if (out[key] !== undefined && typeof out[key] !== 'string') throw invalid(where, `store.${key} must be PEM text (a string or a Buffer)`)
    }
    for (const key of ['cluster', 'sentinels']) {
      if (out[key] !== undefined && !(Array.isArray(out[key]) && out[key].every((u) => typeof u === 'string'))) {
        throw invalid(where, `store.${key} must be an array of redis:// URLs`)
      }
    }
    checkFinite(where, out, ['timeout', 'lockTtl'], 'store.')
    return out
  }
  throw invalid(where, REDIS_SHAPES)
}

/** The user's provider may be sync or async and return a string or { accessToken, expiresIn }. */
function wrapProvider(fn, appid) {
  return async (forceRefresh) => {
    const got = await fn({ appid, forceRefresh: Boolean(forceRefresh) })
    if (typeof got === 'string') return JSON.stringify({ accessToken: got })
    if (got && typeof got.accessToken === 'string') {
      return JSON.stringify({ accessToken: got.accessToken, expiresIn: got.expiresIn })
    }
    throw new TypeError('getAccessToken must return a string or { accessToken, expiresIn }')
  }
}

module.exports = { normalize, checkFinite, suggestion }
