'use strict'
// Issue 6 (e) for the third-party platform: the ticket, tokens and the merchant's refresh token live in Redis, the
// refresh token has no TTL, and it survives a Redis restart with persistence: a new process acts for the merchant
// without asking it to authorize again.

const test = require('ava')
const { cloud, COMPONENT, serve } = require('../component-helpers.js')
const { redisServerInstalled, startRedis, redisCommand } = require('./harness.js')

const MERCHANT = 'wxmerchantredis001'
const REFRESH_KEY = `wechat-openapi:{${COMPONENT.appid}:${MERCHANT}}:authorizer_refresh_token`
const ACCESS_KEY = `wechat-openapi:{${COMPONENT.appid}:${MERCHANT}}:authorizer_access_token`
const TICKET_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`

const installed = redisServerInstalled()
const redisTest = installed ? test.serial : test.skip
if (!installed) {
  test('Redis platform tests', (t) => {
    t.log('SKIPPED: redis-server is not installed, so the Redis platform test did not run (CI installs it: .ci/run)')
    t.pass()
  })
}

redisTest('a merchant refresh token kept in Redis survives a restart; a new client acts for the merchant without re-authorizing', async (t) => {
  const emu = await cloud.startEmulator({ port: 0, apps: [], components: [COMPONENT] })
  t.teardown(() => emu.close())
  const redis = await startRedis({ persist: true })
  t.teardown(() => redis.close())
  const store = { url: redis.url, timeout: 2000 }

  const first = cloud.createClient({ component: COMPONENT, apiBase: emu.url, store })
  const server = await serve(first.component.pushHandler())
  t.teardown(server.close)
  first.component.on('authorized', (e) => first.component.queryAuth(e.authorizationCode))
  await emu.pushTicket(server.url)
  await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45, 24] })
  t.is((await first.openapi({ appid: MERCHANT }).logistics.applyMsgPlugin({})).errCode, 0)

  const refreshToken = await redisCommand(redis.port, 'GET', REFRESH_KEY)
  t.truthy(refreshToken)
  t.is(await redisCommand(redis.port, 'TTL', REFRESH_KEY), -1, 'refresh tokens are written without a TTL')
  const ticketTtl = await redisCommand(redis.port, 'TTL', TICKET_KEY)
  t.true(ticketTtl > 11 * 3600 && ticketTtl <= 12 * 3600, `ticket TTL ${ticketTtl}`)

  await redis.stop('SIGTERM') // a clean shutdown writes the append-only file
  await redis.start()
  t.is(await redisCommand(redis.port, 'GET', REFRESH_KEY), refreshToken, 'the refresh token came back with Redis')

  // A new client (as a new process would be) with no memory of the merchant; its access token is gone too, so
  // only the refresh token can get one.
  await redisCommand(redis.port, 'DEL', ACCESS_KEY)
  const refreshesBefore = await emu.requestCount('component.getAuthorizerAccessToken')
  const second = cloud.createClient({ component: COMPONENT, apiBase: emu.url, store })
  const res = await second.openapi({ appid: MERCHANT }).openPlatform.createOpenAccount({ appid: MERCHANT })
  t.is(res.errCode, 0)
  t.is(await emu.requestCount('component.getAuthorizerAccessToken'), refreshesBefore + 1)
  const rotated = await redisCommand(redis.port, 'GET', REFRESH_KEY)
  t.truthy(rotated)
  t.not(rotated, refreshToken, 'the emulator rotates refresh tokens, and the rotated one is what Redis keeps')
})
