'use strict'
// Turns the user's init/createClient config into the JSON the native core reads, after the checks that only
// JS can make (is getAccessToken a function?) and the environment fallbacks wx-server-sdk users expect.

const { configError } = require('./errors.js')

const NATIVE_KEYS = ['appid', 'secret', 'apiBase', 'tokenMode', 'accessToken', 'timeout', 'maxAttempts', 'maxResponseBytes', 'connectTimeout', 'attemptTimeout', 'ca']
// wx-server-sdk options that mean nothing outside Tencent's cloud; accepted so migrated code runs unchanged.
const IGNORED_KEYS = ['env', 'traceUser', 'throwOnNotFound']
const KNOWN_KEYS = new Set([...NATIVE_KEYS, ...IGNORED_KEYS, 'getAccessToken'])

function suggestion(key) {
  const lower = key.toLowerCase()
  const match = [...KNOWN_KEYS].find((k) => k.toLowerCase() === lower)
  return match ? ` (did you mean ${JSON.stringify(match)}?)` : ''
}

/**
 * @returns {{ json: string, provider: ((forceRefresh: boolean) => Promise<string>) | undefined }}
 */
function normalize(where, config, env = process.env) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw configError(where, 'config must be an object')
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw configError(where, `unknown option ${JSON.stringify(key)}${suggestion(key)}`)
  }
  const out = {}
  for (const key of NATIVE_KEYS) if (config[key] !== undefined) out[key] = config[key]
  const hasIdentity = out.appid || out.secret || out.accessToken || config.getAccessToken
  if (!hasIdentity) {
    if (env.WECHAT_APPID) out.appid = env.WECHAT_APPID
    if (env.WECHAT_SECRET) out.secret = env.WECHAT_SECRET
  }
  if (out.apiBase === undefined && env.WECHAT_API_BASE) out.apiBase = env.WECHAT_API_BASE
  // A CA read with fs.readFileSync arrives as a Buffer; the core takes PEM text.
  if (Buffer.isBuffer(out.ca)) out.ca = out.ca.toString('utf8')
  let provider
  if (config.getAccessToken !== undefined) {
    if (typeof config.getAccessToken !== 'function') throw configError(where, 'getAccessToken must be a function')
    provider = wrapProvider(config.getAccessToken, out.appid)
    out.hasTokenProvider = true
  }
  return { json: JSON.stringify(out), provider }
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

/** Config errors may quote what was given (an apiBase with a password in it): credentials are masked. */
function redact(text, config) {
  let out = String(text)
  for (const key of ['secret', 'accessToken', 'apiBase']) {
    const values = [].concat(config && config[key]).filter((v) => typeof v === 'string' && v.length >= 6)
    for (const v of values) out = out.split(v).join(key === 'apiBase' ? v.replace(/\/\/[^/@]*@/, '//[redacted]@') : '[redacted]')
  }
  return out
}

module.exports = { normalize, redact }
