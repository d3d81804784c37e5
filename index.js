'use strict'
// wechat-openapi: WeChat's server OpenAPI for any Node backend, shaped like wx-server-sdk's cloud.openapi.
//
//   const cloud = require('wechat-openapi')
//   cloud.init({ appid, secret })
//   const res = await cloud.openapi.logistics.getAllAccount({})

const native = require('./binding.js')
const { OpenApiError, SDK_CODES, configError } = require('./lib/errors.js')
const config = require('./lib/config.js')
const { buildOpenapi } = require('./lib/openapi.js')

let endpointNames
function names() {
  if (!endpointNames) endpointNames = native.endpointNames()
  return endpointNames
}

function createNative(where, userConfig, env) {
  const { json, provider } = config.normalize(where, userConfig, env)
  try {
    return new native.NativeClient(json, provider)
  } catch (e) {
    throw configError(where, config.redact(e.message, userConfig))
  }
}

/** An independent client: its own credentials, token cache and connection pool. */
class Client {
  constructor(userConfig, where = 'createClient') {
    const handle = createNative(where, userConfig)
    this.openapi = buildOpenapi(() => handle, {}, names)
    Object.defineProperty(this, 'native', { value: handle, enumerable: false })
  }
}

function createClient(userConfig = {}) {
  return new Client(userConfig, 'createClient')
}

// The default client: set by init(); before that, built on first use from WECHAT_APPID / WECHAT_SECRET, so a
// missing config surfaces as a rejected call (as in wx-server-sdk), not as a throw at property access.
let defaultNative
function defaultHandle() {
  if (!defaultNative) {
    try {
      defaultNative = createNative('init', {})
    } catch (e) {
      throw configError('init', `${e.errMsg.replace(/^openapi\.init:fail /, '')}; call cloud.init({ appid, secret }) first`)
    }
  }
  return defaultNative
}
const defaultOpenapi = buildOpenapi(defaultHandle, {}, names)

function init(userConfig = {}) {
  defaultNative = createNative('init', userConfig)
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
  startEmulator,
  OpenApiError,
  SDK_CODES,
  /** wx-server-sdk's constant; accepted (and ignored) by init so cloud functions move over unchanged. */
  DYNAMIC_CURRENT_ENV: Symbol.for('DYNAMIC_CURRENT_ENV'),
}
