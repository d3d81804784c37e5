'use strict'
// The baseline: what a Node developer would write instead of this addon — Node's built-in fetch, a cached
// token with single-flight, and wx-server-sdk's key conversion done in JS on the main thread.

function snakeKey(key) {
  return key.replace(/[A-Z]/g, (c, i) => (i === 0 ? c.toLowerCase() : '_' + c.toLowerCase()))
}

function camelKey(key) {
  return key.replace(/_([a-z])/g, (m, c) => c.toUpperCase())
}

function convert(value, keyFn) {
  if (Array.isArray(value)) return value.map((v) => convert(v, keyFn))
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value
  const out = {}
  for (const k of Object.keys(value)) out[keyFn(k)] = convert(value[k], keyFn)
  return out
}

/** A cached access token with single-flight renewal: `post(path, body)` resolves to the token answer's JSON. */
class SingleFlightToken {
  constructor({ appid, secret }, post) {
    this.body = JSON.stringify({ grant_type: 'client_credential', appid, secret, force_refresh: false })
    this.post = post
    this.token = null
    this.expires = 0
    this.inflight = null
  }

  /** The token, or a promise of it while one is being fetched. */
  get() {
    if (this.token !== null && Date.now() < this.expires) return this.token
    if (!this.inflight) {
      this.inflight = this.post('/cgi-bin/stable_token', this.body)
        .then((j) => {
          if (!j.access_token) throw new Error(`token: ${j.errcode} ${j.errmsg}`)
          this.token = j.access_token
          this.expires = Date.now() + (j.expires_in - 300) * 1000
          return this.token
        })
        .finally(() => {
          this.inflight = null
        })
    }
    return this.inflight
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' }

class BaselineClient {
  constructor({ appid, secret, apiBase }) {
    this.apiBase = apiBase
    this.tokens = new SingleFlightToken({ appid, secret }, (path, body) =>
      fetch(`${apiBase}${path}`, { method: 'POST', headers: JSON_HEADERS, body }).then((r) => r.json()),
    )
  }

  async call(api, method, path, params = {}) {
    const token = await this.tokens.get()
    const url = `${this.apiBase}${path}?access_token=${encodeURIComponent(token)}`
    const init = method === 'GET' ? { method } : { method, headers: JSON_HEADERS, body: JSON.stringify(convert(params, snakeKey)) }
    const res = await fetch(url, init)
    return answer(api, await res.json(), (json) => convert(json, camelKey))
  }
}

/** WeChat's JSON answer as wx-server-sdk returns it: camelCased by `toCamel`, errMsg/errCode set, or thrown. */
function answer(api, json, toCamel) {
  if (json.errcode) {
    const err = new Error(`errCode: ${json.errcode} | errMsg: openapi.${api}:fail ${json.errmsg}`)
    err.errCode = json.errcode
    throw err
  }
  delete json.errcode
  delete json.errmsg
  const out = toCamel(json)
  out.errMsg = `openapi.${api}:ok`
  out.errCode = 0
  return out
}

module.exports = { BaselineClient, SingleFlightToken, JSON_HEADERS, snakeKey, camelKey, answer }
