'use strict'
// Child processes of the hostile tests: `node child.js <scenario> [args…]`. A crash (an unhandled rejection, an
// uncaught exception) shows as a non-zero exit code; a scenario prints one `RESULT <json>` line when it survives.

const path = require('node:path')
const http = require('node:http')

const [scenario, ...args] = process.argv.slice(2)
const warnings = []
process.on('warning', (w) => warnings.push(w.message))

function done(result) {
  // Give stray rejections and warnings (both asynchronous) the time to surface before reporting survival.
  setTimeout(() => {
    process.stdout.write(`RESULT ${JSON.stringify({ result, warnings })}\n`)
    process.exit(0)
  }, 400)
}

const scenarios = {
  /** args: the coercion's name. Runs it on the root proxy, a namespace, an openapi(options) surface, a client's. */
  async coerce(name) {
    const cloud = require(path.join(__dirname, '..', '..'))
    const { COERCIONS } = require('./coercions.js')
    cloud.init({ appid: 'wxhostile000000001', secret: 'hostile-secret-000000000001', apiBase: 'http://127.0.0.1:9', maxAttempts: 1 })
    const client = cloud.createClient({ accessToken: 'hostile-token-00000000000001', apiBase: 'http://127.0.0.1:9', maxAttempts: 1 })
    const targets = {
      namespace: cloud.openapi.logistics,
      root: cloud.openapi,
      unknownNamespace: cloud.openapi.nope,
      withOptions: cloud.openapi({ timeout: 500 }),
      withOptionsNamespace: cloud.openapi({ timeout: 500 }).auth,
      clientNamespace: client.openapi.officialAccount,
    }
    const result = {}
    for (const [target, value] of Object.entries(targets)) result[target] = String(await COERCIONS[name](value))
    done(result)
  },

  /** A node:http server with pushHandler({ onError }) whose onError throws (args: 'sync' or 'async'); two bad POSTs. */
  async pushOnError(kind) {
    const cloud = require(path.join(__dirname, '..', '..'))
    const { COMPONENT } = require('../component-helpers.js')
    const client = cloud.createClient({ component: COMPONENT })
    const seen = []
    const onError = kind === 'async'
      ? async (e) => { seen.push(e.errCode); throw new Error('onError exploded (async)') }
      : (e) => { seen.push(e.errCode); throw new Error('onError exploded') }
    const server = http.createServer(client.component.pushHandler({ onError }))
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${server.address().port}/wechat/push?timestamp=1&nonce=2&msg_signature=x`
    const statuses = []
    for (let i = 0; i < 2; i += 1) {
      const res = await fetch(url, { method: 'POST', body: '<xml>not a push</xml>' })
      statuses.push([res.status, await res.text()])
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    server.close()
    done({ statuses, seen })
  },

  /** Event listeners that throw, reject, or throw something whose message getter throws; the call must succeed. */
  async listeners() {
    const cloud = require(path.join(__dirname, '..', '..'))
    const emu = await cloud.startEmulator({ port: 0, apps: [{ appid: 'wxhostile000000001', secret: 'hostile-secret-000000000001' }] })
    const client = cloud.createClient({ appid: 'wxhostile000000001', secret: 'hostile-secret-000000000001', apiBase: emu.url })
    const nasty = { get message() { throw new Error('message getter') } }
    client.on('request', () => { throw nasty })
    client.on('response', async () => { throw new Error('async response listener down') })
    client.on('token', () => Promise.reject(nasty))
    const res = await client.openapi.logistics.getAllDelivery({})
    await new Promise((resolve) => setTimeout(resolve, 100))
    await emu.close()
    done({ errCode: res.errCode })
  },

  /**
   * component.on listeners that fail every way at once (an async rejection, a sync throw after it, a thrown value
   * whose getters throw) behind pushHandler on node:http: 500 each time (WeChat pushes again), no crash.
   */
  async pushListeners() {
    const cloud = require(path.join(__dirname, '..', '..'))
    const { COMPONENT, recordingStore, pushXml } = require('../component-helpers.js')
    const client = cloud.createClient({ component: COMPONENT, store: recordingStore() })
    const called = []
    client.component.on('authorized', async () => { called.push('async'); await new Promise((r) => setTimeout(r, 20)); throw new Error('async listener down') })
    client.component.on('authorized', () => { called.push('sync'); throw new Error('sync listener down') })
    const nasty = new Proxy({}, { get() { throw new Error('no property for you') } })
    client.component.on('push', () => { called.push('nasty'); throw nasty })
    const failures = []
    const server = http.createServer(client.component.pushHandler({ onError: (e) => failures.push(e === nasty ? 'nasty' : e.message) }))
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const crypt = new cloud.crypto.MsgCrypt({ token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey, appid: COMPONENT.appid })
    const statuses = []
    for (const infoType of ['authorized', 'unknown_event']) {
      const { query, body } = crypt.encryptPush(pushXml(COMPONENT.appid, infoType, { AuthorizerAppid: 'wxmerchant00000001', AuthorizationCode: 'queryauthcode@@@abc', AuthorizationCodeExpiredTime: '1700003600', PreAuthCode: 'preauthcode@@@p' }))
      const qs = Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')
      const res = await fetch(`http://127.0.0.1:${server.address().port}/push?${qs}`, { method: 'POST', body })
      statuses.push([res.status, await res.text()])
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    server.close()
    done({ statuses, called, failures })
  },

  /** args: a raw WeChat's URL, appid, secret. One call with the debug log on; prints every error field and event. */
  async echo(url, appid, secret) {
    process.env.WECHAT_OPENAPI_LOG = 'debug'
    const cloud = require(path.join(__dirname, '..', '..'))
    const util = require('node:util')
    const client = cloud.createClient({ appid, secret, apiBase: url, maxAttempts: 2 })
    const events = []
    for (const kind of ['request', 'response', 'retry', 'token']) client.on(kind, (e) => events.push([kind, e]))
    const err = await client.openapi.logistics.getAllAccount({}).then(() => null, (e) => e)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const fields = err && Object.fromEntries(Object.getOwnPropertyNames(err).map((k) => [k, err[k]]))
    done({ fields, inspected: util.inspect(err, { depth: 5, showHidden: true }), text: String(err), events, tokens: client.tokens() })
  },
}

scenarios[scenario](...args).catch((e) => {
  process.stdout.write(`SCENARIO FAILED ${e && e.stack}\n`)
  process.exit(2)
})
