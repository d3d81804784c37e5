'use strict'
// wechat-openapi: WeChat's server OpenAPI for any Node backend, shaped like wx-server-sdk's cloud.openapi.
//
//   const cloud = require('wechat-openapi')
//   cloud.init({ appid, secret })
//   const res = await cloud.openapi.logistics.getAllAccount({})

const native = require('./lib/binding.js')
const { OpenApiError, SDK_CODES, callNative, makeError } = require('./lib/errors.js')
const { catalogue } = require('./lib/catalogue.js')
const { cross } = require('./lib/crossing.js')
const config = require('./lib/config.js')
const { buildOpenapi } = require('./lib/openapi.js')
const { ComponentApi, refreshTokenHook } = require('./lib/component.js')
const { PushApi } = require('./lib/push.js')
const { replies } = require('./lib/push_replies.js')
const crypto = require('./lib/crypto.js')
const { CallEvents, tokens } = require('./lib/events.js')

const names = catalogue.names

/**
 * `component` receives the client's refresh-token events (its listeners outlive a re-init); `hint` is added to
 * the error of a config the core refuses (which names `where` and never quotes a credential).
 */
function createNative(where, userConfig, component, hint) {
  const { json, provider, store, onRefreshTokenRotated } = config.normalize(where, userConfig)
  const hook = refreshTokenHook(component, onRefreshTokenRotated)
  return callNative(where, () => new native.NativeClient(where, hint, json, provider, store, store ? store.locks : false, hook))
}

/** An independent client: its own credentials, token cache, store and connection pool. */
class Client {
  constructor(userConfig, where = 'createClient') {
    let handle
    this.component = new ComponentApi(() => handle)
    /** The account's own message push (needs `push: { token, encodingAesKey }`). */
    this.push = new PushApi(() => handle, false)
    handle = createNative(where, userConfig, this.component)
    this.openapi = buildOpenapi(() => handle, {}, names)
    Object.defineProperty(this, 'native', { value: handle, enumerable: false })
    Object.defineProperty(this, 'events', { value: new CallEvents(), enumerable: false })
    this.events.attach(handle)
  }

  /** Listen to 'request' | 'response' | 'retry' | 'token' events (metrics); no credential is ever in them. */
  on(event, listener) {
    this.events.on(event, listener)
    return this
  }

  off(event, listener) {
    this.events.off(event, listener)
    return this
  }

  /** Which tokens are cached and when they expire: `[{ kind: 'app', appid, cached, expiresAt }]`, never values. */
  tokens() {
    return tokens(this.native)
  }

  /** What WeChat recorded for a failed request: `auth.getRidInfo` with `err.rid`, as the account that made it. */
  lookupRid(error, options) {
    return lookupRid(this.openapi, error, options)
  }

  /** Fetches the app's access token now unless cached (a health check); rejects with the typed error. */
  warmToken(options) {
    return warmToken(() => this.native, options)
  }
}

/** `Client#warmToken`: the token fetch crosses like any call (`{ signal, timeout }`), and resolves to undefined. */
async function warmToken(getNative, options = {}) {
  await cross('auth.getAccessToken', getNative, options, (h, o, id) => h.warmToken(o, id))
}

/** `auth.getRidInfo` for `error.rid` (or a rid string), on behalf of `options.appid` or `error.appid` when set. */
async function lookupRid(openapi, error, options = {}) {
  const api = 'auth.getRidInfo'
  const rid = typeof error === 'string' ? error : error && error.rid
  if (typeof rid !== 'string' || rid === '') {
    throw makeError(api, 'invalid-argument', 'lookupRid takes an OpenApiError that carries a rid (err.rid) or a rid string')
  }
  if (options === null || typeof options !== 'object') throw makeError(api, 'invalid-argument', 'options must be { appid? }')
  const appid = options.appid !== undefined ? options.appid : error && error.appid
  return (appid === undefined ? openapi : openapi({ appid })).auth.getRidInfo({ rid })
}

function createClient(userConfig = {}) {
  return new Client(userConfig, 'createClient')
}

// The default client: set by init(); before that, built on first use from WECHAT_APPID / WECHAT_SECRET, so a
// missing config surfaces as a rejected call (as in wx-server-sdk), not as a throw at property access.
let defaultNative
const defaultComponent = new ComponentApi(() => defaultHandle())
const defaultPush = new PushApi(() => defaultHandle(), false)
// Listeners of the default client live here, so they survive init() replacing its native handle.
const defaultEvents = new CallEvents()
function defaultHandle() {
  if (!defaultNative) {
    defaultNative = createNative('init', {}, defaultComponent, 'call cloud.init({ appid, secret }) first')
    defaultEvents.attach(defaultNative)
  }
  return defaultNative
}
const defaultOpenapi = buildOpenapi(defaultHandle, {}, names)

// The appid decryptData checks watermarks against when none is given: init's, else WECHAT_APPID.
let defaultAppid
function init(userConfig = {}) {
  defaultNative = createNative('init', userConfig, defaultComponent)
  defaultAppid = userConfig && typeof userConfig.appid === 'string' ? userConfig.appid : undefined
  defaultEvents.attach(defaultNative)
}

function startEmulator(options) {
  return require('./emulator.js').startEmulator(options)
}

module.exports = {
  init,
  createClient,
  Client,
  get openapi() {
    return defaultOpenapi
  },
  /** The default client's third-party platform side (needs `component` in init). */
  component: defaultComponent,
  /** The default client's message push (needs `push: { token, encodingAesKey }` in init). */
  push: defaultPush,
  /** Reply builders for a courier's events (add_waybill, cancel_waybill, check_biz, get_quota). */
  replies,
  /** WeChat message encryption: `new cloud.crypto.MsgCrypt({ token, encodingAesKey, appid })`, `sign`, `parseXml`. */
  crypto: { ...crypto, decryptData: (args) => crypto.decryptData(args, defaultAppid ?? process.env.WECHAT_APPID) },
  startEmulator,
  /** `cloud.on('response', fn)`: the default client's events (see Client#on). */
  on(event, listener) {
    defaultEvents.on(event, listener)
    return module.exports
  },
  off(event, listener) {
    defaultEvents.off(event, listener)
    return module.exports
  },
  /** `Client#warmToken` of the default client. */
  warmToken(options) {
    return warmToken(defaultHandle, options)
  },
  /** The endpoint table: `names()`, `get(name)`, `all()`, `suggest(name)`, `contentTypeOf(filename)`. */
  catalogue,
  /** The default client's cached tokens, never their values. */
  tokens() {
    return tokens(defaultHandle())
  },
  /** `Client#lookupRid` of the default client. */
  lookupRid(error, options) {
    return lookupRid(defaultOpenapi, error, options)
  },
  OpenApiError,
  SDK_CODES,
  // The table's documented enums as named constants (LogisticsType.EXPRESS, DeliveryMode.UNIFIED_DELIVERY, …).
  ...require('./lib/enums.js'),
  /** wx-server-sdk's constant; accepted (and ignored) by init so cloud functions move over unchanged. */
  DYNAMIC_CURRENT_ENV: Symbol.for('DYNAMIC_CURRENT_ENV'),
}
