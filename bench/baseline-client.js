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

class BaselineClient {
  constructor({ appid, secret, apiBase }) {
    this.appid = appid
    this.secret = secret
    this.apiBase = apiBase
    this.token = null
    this.tokenExpires = 0
    this.inflight = null
    this.tokenRequests = 0
  }

  async accessToken() {
    if (this.token && Date.now() < this.tokenExpires) return this.token
    if (!this.inflight) {
      this.tokenRequests++
      this.inflight = fetch(`${this.apiBase}/cgi-bin/stable_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credential', appid: this.appid, secret: this.secret, force_refresh: false }),
      })
        .then((r) => r.json())
        .then((j) => {
          if (!j.access_token) throw new Error(`token: ${j.errcode} ${j.errmsg}`)
          this.token = j.access_token
          this.tokenExpires = Date.now() + (j.expires_in - 300) * 1000
          return this.token
        })
        .finally(() => {
          this.inflight = null
        })
    }
    return this.inflight
  }

  async call(api, method, path, params = {}) {
    const token = await this.accessToken()
    const url = `${this.apiBase}${path}?access_token=${encodeURIComponent(token)}`
    const init = method === 'GET' ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(convert(params, snakeKey)) }
    const res = await fetch(url, init)
    const json = await res.json()
    if (json.errcode) {
      const err = new Error(`errCode: ${json.errcode} | errMsg: openapi.${api}:fail ${json.errmsg}`)
      err.errCode = json.errcode
      throw err
    }
    delete json.errcode
    delete json.errmsg
    const out = convert(json, camelKey)
    out.errMsg = `openapi.${api}:ok`
    out.errCode = 0
    return out
  }
}

module.exports = { BaselineClient, snakeKey, camelKey }
