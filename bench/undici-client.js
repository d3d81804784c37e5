'use strict'
// The strong baseline: what a performance-minded Node developer writes — undici.request over a keep-alive Pool
// (no fetch/WHATWG streams layer), a cached single-flight token, and the same case conversion as the fetch
// baseline with each converted key remembered (answers repeat the same few keys on every call).

const { Pool } = require('undici')
const { SingleFlightToken, JSON_HEADERS, snakeKey, camelKey, answer } = require('./baseline-client.js')

function memo(fn) {
  const seen = new Map()
  return (key) => {
    let out = seen.get(key)
    if (out === undefined) {
      out = fn(key)
      if (seen.size < 10000) seen.set(key, out)
    }
    return out
  }
}

const toSnake = memo(snakeKey)
const toCamel = memo(camelKey)

function convert(value, keyFn) {
  if (Array.isArray(value)) {
    const out = new Array(value.length)
    for (let i = 0; i < value.length; i++) out[i] = convert(value[i], keyFn)
    return out
  }
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const k in value) out[keyFn(k)] = convert(value[k], keyFn)
  return out
}

class UndiciClient {
  constructor({ appid, secret, apiBase }) {
    const base = new URL(apiBase)
    this.prefix = base.pathname.replace(/\/$/, '')
    // keep-alive by default; no connection cap, like ours (a pooled connection per concurrent call).
    this.pool = new Pool(base.origin, { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 })
    this.tokens = new SingleFlightToken({ appid, secret }, (path, body) => this.json({ path: this.prefix + path, method: 'POST', headers: JSON_HEADERS, body }))
  }

  async json(options) {
    const { body } = await this.pool.request(options)
    return body.json()
  }

  async call(api, method, path, params = {}) {
    let token = this.tokens.get()
    if (typeof token !== 'string') token = await token
    const url = `${this.prefix}${path}?access_token=${encodeURIComponent(token)}`
    const options = method === 'GET' ? { path: url, method } : { path: url, method, headers: JSON_HEADERS, body: JSON.stringify(convert(params, toSnake)) }
    return answer(api, await this.json(options), (json) => convert(json, toCamel))
  }
}

module.exports = { UndiciClient }
