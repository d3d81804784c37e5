'use strict'
// Issue 27, class 8: duplicates caught fleet-wide. With a shared store that locks (Redis, or a user's store with
// setIfAbsent), WeChat's retry reaching another process of the fleet is answered without running the listeners
// again, and the store's keys say nothing about the push. Each client here has its own memory, like a process.

const test = require('ava')
const { cloud, COMPONENT, recordingStore, pushXml } = require('../component-helpers.js')
const { redisServerInstalled, startRedis, redisCommand } = require('../redis/harness.js')

const APP = { appid: 'wxfleetdup00000001', secret: 'fleetdupsecret0000000000000001' }
const TOKEN = 'fleet-dup-token'
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA'
const now = () => Math.floor(Date.now() / 1000)

/** A user's store with an atomic setIfAbsent (like INSERT … ON CONFLICT DO NOTHING) and TTLs. */
function lockingStore() {
  const store = recordingStore()
  store.setIfAbsent = async (key, value, ttlSeconds) => {
    store.log.push(['setIfAbsent', key, value, ttlSeconds])
    if (store.data.has(key)) return false
    store.data.set(key, { value, ttlSeconds })
    return true
  }
  return store
}

function waybillPush(orderId) {
  const mc = new cloud.crypto.MsgCrypt({ token: TOKEN, encodingAesKey: KEY, appid: APP.appid })
  const xml = `<xml><ToUserName>gh_x</ToUserName><FromUserName>o</FromUserName><CreateTime>${now()}</CreateTime><MsgType>event</MsgType><Event>add_waybill</Event><OrderID>${orderId}</OrderID></xml>`
  return mc.encryptPush(xml)
}

/** Two processes of a fleet: two clients on one store, each counting its listener runs into `runs`. */
function fleet(store, runs) {
  return [0, 1].map((i) => {
    const client = cloud.createClient({ ...APP, push: { token: TOKEN, encodingAesKey: KEY }, store })
    client.push.on('add_waybill', (m) => runs.push([i, m.OrderID]))
    return client
  })
}

test("with a user's store that has setIfAbsent, WeChat's retry reaching another process runs no listener", async (t) => {
  const store = lockingStore()
  const runs = []
  const [a, b] = fleet(store, runs)
  const push = waybillPush('order-1')
  t.is(await a.push.handlePush(push), 'success')
  t.is(await b.push.handlePush(push), 'success')
  t.is(await a.push.handlePush(push), 'success')
  t.deepEqual(runs, [[0, 'order-1']], 'one waybill, not two')
  // The store's key is a keyed digest: neither the order nor the content shows.
  const keys = [...store.data.keys()]
  t.is(keys.length, 1)
  t.regex(keys[0], /^wechat-openapi:push:\{[0-9a-f]{64}\}$/)
  t.is(store.data.get(keys[0]).value, 'done')
  t.true(store.data.get(keys[0]).ttlSeconds <= 301)
  t.false(JSON.stringify(store.log).includes('order-1'))
})

test('a push whose listener failed in one process runs again in the other', async (t) => {
  const store = lockingStore()
  const runs = []
  const [a, b] = fleet(store, runs)
  let failing = true
  a.push.on('add_waybill', () => {
    if (failing) throw new Error('database down')
  })
  const push = waybillPush('order-2')
  await t.throwsAsync(a.push.handlePush(push), { message: 'database down' })
  failing = false
  t.deepEqual([...store.data.keys()], [], 'the failed push is not marked in the store')
  t.is(await b.push.handlePush(push), 'success')
  t.is(await a.push.handlePush(push), 'success')
  t.deepEqual(runs, [[0, 'order-2'], [1, 'order-2']], 'the retry ran in the other process, and only once')
})

test('without a store that locks, duplicates are caught per process, as before', async (t) => {
  const runs = []
  const [a, b] = fleet(recordingStore(), runs)
  const push = waybillPush('order-3')
  t.is(await a.push.handlePush(push), 'success')
  t.is(await a.push.handlePush(push), 'success')
  t.is(await b.push.handlePush(push), 'success')
  t.deepEqual(runs, [[0, 'order-3'], [1, 'order-3']])
})

test("the platform's authorization events are deduplicated fleet-wide too", async (t) => {
  const store = lockingStore()
  const heard = []
  const clients = [0, 1].map((i) => {
    const client = cloud.createClient({ component: COMPONENT, store })
    client.component.on('authorized', () => heard.push(i))
    return client
  })
  const mc = new cloud.crypto.MsgCrypt({ token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey, appid: COMPONENT.appid })
  const push = mc.encryptPush(pushXml(COMPONENT.appid, 'authorized', { AuthorizerAppid: 'wxmerchant00000001', AuthorizationCode: 'code@@@fleet' }))
  t.is(await clients[0].component.handlePush(push), 'success')
  t.is(await clients[1].component.handlePush(push), 'success')
  t.deepEqual(heard, [0])
})

const redisTest = redisServerInstalled() ? test : test.skip
redisTest('with Redis, the retry reaching another process runs no listener, and the key expires with the window', async (t) => {
  const redis = await startRedis()
  t.teardown(() => redis.close())
  const runs = []
  const [a, b] = fleet({ url: redis.url, timeout: 2000 }, runs)
  const push = waybillPush('order-4')
  t.is(await a.push.handlePush(push), 'success')
  t.is(await b.push.handlePush(push), 'success')
  t.deepEqual(runs, [[0, 'order-4']])
  const keys = await redisCommand(redis.port, 'KEYS', 'wechat-openapi:push:*')
  t.is(keys.length, 1)
  const ttl = await redisCommand(redis.port, 'PTTL', keys[0])
  t.true(ttl > 200_000 && ttl <= 301_000, String(ttl))
})
