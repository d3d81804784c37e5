'use strict'
// Shared by the third-party platform tests: a platform identity, a JS store that records what it is told,
// and loopback servers mounting pushHandler() the way node:http, Express and Koa do.

const http = require('node:http')
const cloud = require('..')

const COMPONENT = {
  appid: 'wxcomponent0000001',
  secret: 'componentsecret00000000000000001',
  token: 'component-push-token',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA',
}

/** A store kept in a Map, async like a database, that logs every operation (values included: it is the user's). */
function recordingStore() {
  const data = new Map()
  const log = []
  return {
    data,
    log,
    async get(key) {
      log.push(['get', key])
      const entry = data.get(key)
      return entry ? entry.value : null
    },
    async set(key, value, ttlSeconds) {
      log.push(['set', key, value, ttlSeconds])
      data.set(key, { value, ttlSeconds })
    },
    async del(key) {
      log.push(['del', key])
      data.delete(key)
    },
  }
}

/** A loopback server around `listener`; resolves to { url, close }. */
async function serve(listener) {
  const server = http.createServer(listener)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/wechat/auth-events`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }),
  }
}

/** How Express hands over a request after express.raw(): the body already read into req.body, and _body set. */
function expressLike(handler) {
  return (req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      req.body = Buffer.concat(chunks)
      req._body = true
      req.originalUrl = req.url
      handler(req, res, () => res.end('next called'))
    })
  }
}

/** How Koa calls middleware: (ctx, next), then writes ctx.status / ctx.body itself. */
function koaLike(handler) {
  return async (req, res) => {
    const ctx = { req, res, request: {}, response: {}, status: 404, body: undefined, type: undefined }
    await handler(ctx, async () => {})
    res.statusCode = ctx.status
    if (ctx.type) res.setHeader('content-type', ctx.type)
    res.end(ctx.body === undefined ? '' : String(ctx.body))
  }
}

/** POSTs an XML body with a query; resolves to { status, text }. */
async function post(url, query, body, method = 'POST') {
  const qs = Object.entries(query || {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')
  const res = await fetch(qs ? `${url}?${qs}` : url, { method, body: method === 'POST' ? body : undefined, headers: { 'content-type': 'text/xml' } })
  return { status: res.status, text: await res.text() }
}

/** The decrypted XML of a push of `infoType` with `fields`, as WeChat writes it. */
function pushXml(appid, infoType, fields = {}) {
  const parts = [`<AppId><![CDATA[${appid}]]></AppId>`, `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>`, `<InfoType><![CDATA[${infoType}]]></InfoType>`]
  for (const [k, v] of Object.entries(fields)) parts.push(`<${k}><![CDATA[${v}]]></${k}>`)
  return `<xml>${parts.join('')}</xml>`
}

/** Polls `check` until it gives something truthy (a push arriving in the background), for at most 5 s. */
async function until(check, what) {
  for (let i = 0; i < 250; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}

module.exports = { cloud, until, COMPONENT, recordingStore, serve, expressLike, koaLike, post, pushXml }
