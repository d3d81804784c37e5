'use strict'
// Issue "Many machines for real": the same sharing over TLS (mutual), on a Redis Cluster and behind Sentinel,
// against real servers the harness starts (openssl makes the certificates). Four forked processes × 250 calls on
// a cold cache make exactly one token request for the app, one for the component and one for a merchant; on the
// cluster and behind Sentinel a primary fails over while calls run, and the processes still share one token after.

const test = require('ava')
const { cloud, APP } = require('../helpers.js')
const { COMPONENT } = require('../component-helpers.js')
const { toolsInstalled, startRedis, startTlsRedis, startCluster, startSentinel, startFleet } = require('./harness.js')

const MERCHANT = 'wxmerchant00000001'
const TICKET_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`
const COMPONENT_TOKEN_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_access_token`
const AUTHORIZER_TOKEN_KEY = `wechat-openapi:{${COMPONENT.appid}:${MERCHANT}}:authorizer_access_token`
const APP_TOKEN_KEY = `wechat-openapi:{${APP.appid}}:access_token`

const missing = toolsInstalled(['redis-server', 'redis-cli', 'redis-sentinel', 'openssl'])
const topologyTest = missing.length ? test.skip : test.serial
if (missing.length) {
  test('Redis topology tests', (t) => {
    t.log(`SKIPPED: ${missing.join(', ')} not installed, so the TLS/cluster/Sentinel tests did not run (CI installs them: .ci/run)`)
    t.pass()
  })
}

async function singleNode() {
  const redis = await startRedis()
  const { redisCommand } = require('./harness.js')
  return { store: { url: redis.url, timeout: 2000 }, cli: (...args) => redisCommand(redis.port, ...args), close: () => redis.close() }
}

const TOPOLOGIES = [
  ['a single node', singleNode],
  ['TLS with a client certificate', () => startTlsRedis({ mutual: true })],
  ['a Redis Cluster', () => startCluster()],
  ['Sentinel', () => startSentinel()],
  ['a Redis Cluster over TLS', () => startCluster({ tls: true })],
  ['Sentinel over TLS', () => startSentinel({ tls: true })],
]

function allSucceeded(t, results, calls) {
  for (const r of results) t.deepEqual({ ok: r.ok, errors: r.errors }, { ok: calls, errors: [] })
}

async function counts(emu) {
  const c = await emu.requestCounts()
  return { app: await emu.tokenRequests(), component: c['component.getComponentAccessToken'] || 0, merchant: c['component.getAuthorizerAccessToken'] || 0 }
}

for (const [name, start] of TOPOLOGIES) {
  topologyTest(`${name}: 4 processes × 250 calls on a cold cache make 1 token request for the app, the component and a merchant`, async (t) => {
    const emu = await cloud.startEmulator({ port: 0, apps: [APP], components: [COMPONENT] })
    t.teardown(() => emu.close())
    const topo = await start()
    t.teardown(() => topo.close())

    // The merchant authorizes once (queryAuth keeps its refresh token in Redis); then the tokens that cost are
    // dropped, so the fleet starts cold.
    // PEM given as Buffers here (as fs.readFileSync returns them), as strings to the fleet.
    const buffers = Object.fromEntries(['ca', 'cert', 'key'].filter((k) => topo.store[k]).map((k) => [k, Buffer.from(topo.store[k])]))
    const setup = cloud.createClient({ component: COMPONENT, apiBase: emu.url, store: { ...topo.store, ...buffers } })
    const { ticket } = await emu.setTicket(COMPONENT.appid)
    await topo.cli('SET', TICKET_KEY, ticket)
    const { authorizationCode } = await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45, 24] })
    await setup.component.queryAuth(authorizationCode)
    await topo.cli('DEL', COMPONENT_TOKEN_KEY)
    await topo.cli('DEL', AUTHORIZER_TOKEN_KEY)
    await emu.resetCounts()

    const f = await startFleet(4, { ...APP, component: COMPONENT, apiBase: emu.url, store: topo.store })
    t.teardown(() => f.close())
    allSucceeded(t, await f.runAll(250), 250)
    allSucceeded(t, await f.runAll(250, MERCHANT), 250)
    const cold = await counts(emu)
    t.deepEqual(cold, { app: 1, component: 1, merchant: 1 })
    t.log(`${name}: 4 processes × 250 calls, cold: token requests`, cold)

    if (!topo.failover) return
    // A primary fails over while calls run (warm calls: they need no Redis); then WeChat revokes the app's token,
    // every process meets 40001, and the one replacement goes through the new primary.
    const during = f.runAll(250)
    const moved = await topo.failover(APP_TOKEN_KEY)
    allSucceeded(t, await during, 250)
    await emu.revokeToken(APP.appid)
    const results = await f.runAll(250)
    allSucceeded(t, results, 250)
    const after = await counts(emu)
    for (let i = 0; i < 4; i++) if (f.stderr(i)) t.log(`process ${i}:`, f.stderr(i).trim())
    t.is(after.app, cold.app + 1, 'one token request for all 4 processes after the failover')
    t.true(JSON.parse(await topo.cli('GET', APP_TOKEN_KEY)).token.length > 0, 'the new primary holds the shared token')
    t.log(`${name}: primary ${moved.from} → ${moved.to}; after the failover and a revocation: app token requests +${after.app - cold.app}`)
  })
}

test('store options: cluster and sentinels are accepted; wrong shapes and unreadable PEM are refused by name', (t) => {
  const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { url: 'rediss://127.0.0.1:6380/0', ca: pem } })).errMsg, /Unable to parse TLS trust anchors/)
  t.truthy(cloud.createClient({ ...APP, store: { cluster: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'] } }))
  t.truthy(cloud.createClient({ ...APP, store: { sentinels: ['redis://127.0.0.1:26379'], name: 'mymaster' } }))
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { sentinels: ['redis://127.0.0.1:26379'] } })).errMsg, /store.sentinels needs store.name/)
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { cluster: 'redis://h:7000' } })).errMsg, /store.cluster must be an array of redis:\/\/ URLs/)
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { url: 'rediss://h/0', ca: 42 } })).errMsg, /store.ca must be PEM text/)
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { url: 'redis://h/0', ca: pem } })).errMsg, /store.ca\/cert\/key are for TLS/)
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { url: 'rediss://h/0', cert: pem } })).errMsg, /store.cert and store.key go together/)
})
