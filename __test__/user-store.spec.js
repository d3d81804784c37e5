'use strict'
// Your own store shared by a fleet (a database every process reaches, here kept by the test process over IPC): with
// setIfAbsent, 4 processes × 250 calls on a cold cache make one token request for the app, one for the platform and
// one for a merchant, as with Redis; without it each process refreshes on its own.

const test = require('ava')
const { cloud, APP } = require('./helpers.js')
const { COMPONENT } = require('./component-helpers.js')
const { startFleet } = require('./redis/harness.js')
const { SharedStore } = require('./helpers/shared-store.js')

const MERCHANT = 'wxmerchant00000001'
const TICKET_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`

async function counts(emu) {
  const c = await emu.requestCounts()
  return { app: await emu.tokenRequests(), component: c['component.getComponentAccessToken'] || 0, merchant: c['component.getAuthorizerAccessToken'] || 0 }
}

/** The merchant authorized once through a client on the same store; then the fleet starts with no token cached. */
async function authorizedStore(emu) {
  const shared = new SharedStore()
  const setup = cloud.createClient({ component: COMPONENT, apiBase: emu.url, store: { get: (k) => shared.run({ op: 'get', key: k }), set: (k, v, ttl) => shared.run({ op: 'set', key: k, value: v, ttlSeconds: ttl }), del: (k) => shared.run({ op: 'del', key: k }) } })
  const { ticket } = await emu.setTicket(COMPONENT.appid)
  shared.run({ op: 'set', key: TICKET_KEY, value: ticket })
  const { authorizationCode } = await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45, 24] })
  await setup.component.queryAuth(authorizationCode)
  for (const key of [...shared.entries.keys()]) if (key.endsWith('_access_token')) shared.entries.delete(key)
  await emu.resetCounts()
  return shared
}

for (const locks of [true, false]) {
  test.serial(`a user store ${locks ? 'with' : 'without'} setIfAbsent: 4 processes × 250 calls on a cold cache`, async (t) => {
    const emu = await cloud.startEmulator({ port: 0, apps: [APP], components: [COMPONENT] })
    t.teardown(() => emu.close())
    const shared = await authorizedStore(emu)
    const f = await startFleet(4, { ...APP, component: COMPONENT, apiBase: emu.url, store: { ipc: { locks } } }, { sharedStore: shared })
    t.teardown(() => f.close())
    // Without a lock only the app's own calls run: 4 processes refreshing one merchant at once race its refresh
    // token rotation (the emulator rotates it on every refresh), which is what the lock is for.
    const rounds = locks ? [await f.runAll(250), await f.runAll(250, MERCHANT)] : [await f.runAll(250)]
    for (const results of rounds) {
      for (const r of results) t.deepEqual({ ok: r.ok, errors: r.errors }, { ok: 250, errors: [] })
    }
    const got = await counts(emu)
    t.log(`setIfAbsent ${locks ? 'given' : 'absent'}: token requests`, got, 'store operations', shared.ops)
    if (locks) {
      t.deepEqual(got, { app: 1, component: 1, merchant: 1 })
      t.true(shared.ops.setIfAbsent >= 3, 'a lock per token kind')
      t.truthy(shared.live(`wechat-openapi:{${APP.appid}}:access_token`), 'the app token is shared through the store')
      t.falsy(shared.live(`wechat-openapi:{${APP.appid}}:access_token:lock`), 'every lock was released')
    } else {
      // Nothing serializes the refreshes: each process makes its own app token request.
      t.is(got.app, 4)
      t.is(shared.ops.setIfAbsent, 0)
    }
  })
}

test('store.setIfAbsent must be a function and answer a boolean', async (t) => {
  const store = { get: () => null, set: () => {}, del: () => {} }
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { ...store, setIfAbsent: 1 } })).errMsg, /store.setIfAbsent must be a function/)
  const emu = await cloud.startEmulator({ port: 0, apps: [APP] })
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url, store: { ...store, setIfAbsent: () => 'yes' } })
  // A store that answers nonsense is store trouble, never an outage: the process fetches its own token.
  t.is((await client.openapi.logistics.getAllAccount({})).errCode, 0)
})
