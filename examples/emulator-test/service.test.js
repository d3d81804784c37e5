// Testing your own service against the emulator with node:test (`node --test examples/emulator-test/`).
// Nothing here reaches WeChat: each test gets a fresh fake server on a free port.
const test = require('node:test')
const assert = require('node:assert')
const cloud = require('wechat-openapi')
const { startEmulator, DEMO_APP } = require('wechat-openapi/emulator')
const { pickAccount } = require('./service.js')

async function setup(t) {
  const emu = await startEmulator() // the demo app, with SF and ZTO accounts
  t.after(() => emu.close())
  const client = cloud.createClient({ ...DEMO_APP, apiBase: emu.url })
  return { emu, client }
}

test('ships with the account that has the most quota', async (t) => {
  const { emu, client } = await setup(t)
  await emu.seedAccounts(DEMO_APP.appid, [{ bizId: 'sf_big', deliveryId: 'SF', quotaNum: 5000 }])
  assert.deepStrictEqual(await pickAccount(client, 'SF'), { bizId: 'sf_big', quota: 5000 })
})

test('a courier without a bound account is an error, not a crash', async (t) => {
  const { client } = await setup(t)
  await assert.rejects(pickAccount(client, 'YTO'), /no YTO account is bound/)
})

test('survives WeChat being busy once (the SDK retries idempotent calls)', async (t) => {
  const { emu, client } = await setup(t)
  await emu.injectFault({ name: 'logistics.getAllAccount', errcode: -1, times: 1 })
  assert.strictEqual((await pickAccount(client, 'ZTO')).bizId, 'demo_zto_shop')
  assert.strictEqual(await emu.requestCount('logistics.getAllAccount'), 2)
})

test('a daily quota error reaches the caller typed', async (t) => {
  const { emu, client } = await setup(t)
  await emu.injectFault({ name: 'logistics.getQuota', errcode: 45009 })
  await assert.rejects(pickAccount(client, 'SF'), (err) => err instanceof cloud.OpenApiError && err.category === 'quota')
})
