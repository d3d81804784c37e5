'use strict'
// Child process of wire.spec.js: `node wire-child.js <scenario> <raw WeChat url> [args…]`, with the debug log on.
// Prints one `RESULT <json>` line: the error's own properties, util.inspect of it, String(err) and every event.

const path = require('node:path')
const util = require('node:util')

process.env.WECHAT_OPENAPI_LOG = 'debug'
const cloud = require(path.join(__dirname, '..', '..'))
const { COMPONENT, recordingStore } = require('../component-helpers.js')

const MERCHANT = 'wxmerchant00000001'

/** The client and the call of each scenario. */
const scenarios = {
  /** A third-party platform calling on behalf of a merchant; args: ticket, refresh token. */
  platform(url, ticket, refresh) {
    const store = recordingStore()
    store.data.set(`wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`, { value: ticket })
    store.data.set(`wechat-openapi:{${COMPONENT.appid}:${MERCHANT}}:authorizer_refresh_token`, { value: refresh })
    const client = cloud.createClient({ component: COMPONENT, store, apiBase: url, maxAttempts: 2 })
    return { client, call: () => client.openapi({ appid: MERCHANT }).logistics.getAllAccount({}) }
  },
  /** An app with its secret; args: appid, secret. */
  app(url, appid, secret) {
    const client = cloud.createClient({ appid, secret, apiBase: url, maxAttempts: 2 })
    return { client, call: () => client.openapi.logistics.getAllAccount({}) }
  },
  /** A Redis store reached over a socket that is not there, its password in the query string; args: the store URL, appid, secret. */
  redis(url, store, appid, secret) {
    const client = cloud.createClient({ appid, secret, apiBase: url, maxAttempts: 1, store: { url: store, timeout: 50 } })
    return { client, call: () => client.openapi.logistics.getAllAccount({}) }
  },
}

async function main() {
  const [scenario, url, ...args] = process.argv.slice(2)
  const { client, call } = scenarios[scenario](url, ...args)
  const events = []
  for (const kind of ['request', 'response', 'retry', 'token']) client.on(kind, (e) => events.push([kind, e]))
  const outcome = await call().then((value) => ({ value }), (err) => ({ err }))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const { err } = outcome
  const fields = err && Object.fromEntries(Object.getOwnPropertyNames(err).map((k) => [k, err[k]]))
  const result = { fields, inspected: util.inspect(err, { depth: 5, showHidden: true }), text: String(err), events, value: outcome.value }
  process.stdout.write(`RESULT ${JSON.stringify(result, (k, v) => (typeof v === 'bigint' ? String(v) : v))}\n`)
  process.exit(0)
}

main().catch((e) => {
  process.stdout.write(`SCENARIO FAILED ${e && e.stack}\n`)
  process.exit(2)
})
