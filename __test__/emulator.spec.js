'use strict'

const test = require('ava')
const { startEmulator, DEMO_APP } = require('../emulator.js')

// Each test gets its own emulator on a free port, spoken to over real HTTP with Node's fetch.
test.beforeEach(async (t) => {
  t.context.emu = await startEmulator()
})

test.afterEach.always(async (t) => {
  await t.context.emu?.close()
})

async function getJson(url) {
  const res = await fetch(url)
  return res.json()
}

async function postJson(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

async function stableToken(emu, app = DEMO_APP, forceRefresh = false) {
  const { body } = await postJson(`${emu.url}/cgi-bin/stable_token`, {
    grant_type: 'client_credential',
    appid: app.appid,
    secret: app.secret,
    force_refresh: forceRefresh,
  })
  return body.access_token
}

const getAllAccount = (emu, token) => getJson(`${emu.url}/cgi-bin/express/business/account/getall?access_token=${token}`)

test('the demo app lists its two seeded logistics accounts', async (t) => {
  const { emu } = t.context
  t.regex(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const token = await stableToken(emu)
  t.true(token.length >= 100)
  const answer = await getAllAccount(emu, token)
  t.is(answer.errcode, 0)
  t.is(answer.errmsg, 'ok')
  t.is(answer.count, 2)
  t.deepEqual(
    answer.list.map((a) => [a.biz_id, a.delivery_id]),
    [
      ['demo_sf_monthly', 'SF'],
      ['demo_zto_shop', 'ZTO'],
    ],
  )
  t.deepEqual(answer.list[1].service_type, [{ service_type: 0, service_name: '标准快件' }])
})

test('counts requests per endpoint and token requests of both kinds', async (t) => {
  const { emu } = t.context
  const token = await stableToken(emu)
  await getJson(`${emu.url}/cgi-bin/token?grant_type=client_credential&appid=${DEMO_APP.appid}&secret=${DEMO_APP.secret}`)
  await getAllAccount(emu, token)
  await getAllAccount(emu, 'not-a-token')
  t.is(await emu.requestCount('logistics.getAllAccount'), 2)
  t.is(await emu.requestCount('logistics.addOrder'), 0)
  t.is(await emu.tokenRequests(), 2)
  t.deepEqual(await emu.requestCounts(), {
    'auth.getAccessToken': 1,
    'auth.getStableAccessToken': 1,
    'logistics.getAllAccount': 2,
  })
  t.deepEqual(await emu.executions(), { 'auth.getAccessToken': 1, 'auth.getStableAccessToken': 1 })
  await emu.resetCounts()
  t.is(await emu.tokenRequests(), 0)
})

test('seedAccounts shows up in getAllAccount, bindAccount too', async (t) => {
  const { emu } = t.context
  const seeded = await emu.seedAccounts(DEMO_APP.appid, [{ bizId: 'jd_1', deliveryId: 'JD', alias: '京东', quotaNum: 3 }])
  t.is(seeded.count, 3)
  const token = await stableToken(emu)
  const bind = await postJson(`${emu.url}/cgi-bin/express/business/account/bind?access_token=${token}`, {
    type: 'bind',
    biz_id: 'yto_1',
    delivery_id: 'YTO',
  })
  t.is(bind.body.errcode, 0)
  const answer = await getAllAccount(emu, token)
  t.deepEqual(
    answer.list.map((a) => a.biz_id),
    ['demo_sf_monthly', 'demo_zto_shop', 'jd_1', 'yto_1'],
  )
  t.is(answer.list[2].quota_num, 3)
  t.is(answer.list[2].alias, '京东')
  t.is((await emu.executions())['logistics.bindAccount'], 1)
})

test('expired and revoked tokens answer 42001 and 40001, with a rid', async (t) => {
  const { emu } = t.context
  const token = await stableToken(emu)
  t.is((await emu.expireToken(DEMO_APP.appid)).expired, 1)
  const expired = await getAllAccount(emu, token)
  t.is(expired.errcode, 42001)
  t.regex(expired.errmsg, /^access_token expired rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/)
  const fresh = await stableToken(emu)
  t.not(fresh, token)
  await emu.revokeToken(DEMO_APP.appid)
  const revoked = await getAllAccount(emu, fresh)
  t.is(revoked.errcode, 40001)
  t.regex(revoked.errmsg, /^invalid credential, access_token is invalid or not latest rid: /)
  const third = await stableToken(emu)
  t.is((await getAllAccount(emu, third)).errcode, 0)
  t.is((await getAllAccount(emu, '')).errcode, 41001)
})

test('bodies: empty answers 44002, wrong types 47001 naming the field', async (t) => {
  const { emu } = t.context
  const token = await stableToken(emu)
  const url = `${emu.url}/cgi-bin/express/business/order/batchget?access_token=${token}`
  t.is((await postJson(url, '')).body.errcode, 44002)
  t.is((await postJson(url, '{not json')).body.errcode, 47001)
  const wrong = await postJson(url, { order_list: [{ order_id: 7, delivery_id: 'SF' }] })
  t.is(wrong.body.errcode, 47001)
  t.regex(wrong.body.errmsg, /^data format error hint: \[order_list\[0\]\.order_id must be a string, got number\] rid: /)
})

test('the seed APIs of issue 3', async (t) => {
  const { emu } = t.context
  const token = await stableToken(emu)
  const api = (path, body) => postJson(`${emu.url}${path}?access_token=${token}`, body).then((r) => r.body)
  t.is((await api('/cgi-bin/express/delivery/open_msg/open_openmsg', {})).errcode, 933004)
  t.is((await api('/cgi-bin/open/create', { appid: 'wxsomeoneelse00001' })).errcode, 40013)
  const created = await api('/cgi-bin/open/create', { appid: DEMO_APP.appid })
  t.is(created.errcode, 0)
  t.regex(created.open_appid, /^wx[0-9a-f]{16}$/)
  t.is((await api('/cgi-bin/open/create', { appid: DEMO_APP.appid })).errcode, 89000)
  t.is((await api('/cgi-bin/open/get', {})).open_appid, created.open_appid)
  const link = { appid: 'wxminiprogram00001', notify_users: '1', show_profile: 1 }
  t.is((await api('/cgi-bin/wxopen/wxamplink', link)).errcode, 0)
  t.is((await api('/cgi-bin/wxopen/wxamplink', link)).errcode, 89010)
  const statuses = async () => (await api('/cgi-bin/wxopen/wxamplinkget', {})).wxopens.items.map((i) => i.status)
  t.deepEqual(await statuses(), [12])
  t.deepEqual(await statuses(), [2])
  t.is((await emu.approveLink('wxminiprogram00001')).status, 1)
  t.deepEqual(await statuses(), [1])
  t.is((await api('/cgi-bin/wxopen/wxampunlink', { appid: 'wxminiprogram00001' })).errcode, 0)
  t.deepEqual(await statuses(), [])
})

test('the control API answers over HTTP too', async (t) => {
  const { emu } = t.context
  const ok = await postJson(`${emu.url}/__emulator/openids`, {})
  t.is(ok.status, 200)
  t.true(ok.body.ok)
  t.is(ok.body.result.openids.length, 3)
  t.deepEqual(ok.body.result.openids, await emu.openids())
  const empty = await postJson(`${emu.url}/__emulator/requestCounts`, '')
  t.deepEqual(empty.body, { ok: true, result: {} })
  const bad = await postJson(`${emu.url}/__emulator/approveLink`, { miniprogramAppid: 'wxnobody' })
  t.is(bad.status, 400)
  t.deepEqual(bad.body, { ok: false, error: 'approveLink: no pending link to wxnobody' })
  const unknown = await postJson(`${emu.url}/__emulator/nope`, {})
  t.is(unknown.status, 400)
  t.regex(unknown.body.error, /^unknown control action "nope"/)
  const actions = await emu.control('actions')
  t.true(actions.some((a) => a.name === 'seedAccounts' && a.args.includes('accounts')))
})

test('control errors reject with the reason; state holds no secrets', async (t) => {
  const { emu } = t.context
  await t.throwsAsync(emu.control('seedAccounts', { accounts: [{ bizId: 'x', deliveryId: 'NOPE' }] }), {
    message: 'seedAccounts: unknown deliveryId "NOPE" (see logistics.getAllDelivery)',
  })
  const token = await stableToken(emu)
  const state = await emu.state()
  const text = JSON.stringify(state)
  t.false(text.includes(DEMO_APP.secret))
  t.false(text.includes(token))
  t.is(state.tokens.length, 1)
  t.is(state.tokens[0].kind, 'stable')
})

test('a third-party platform acts for an authorizer within its permission sets', async (t) => {
  const component = {
    appid: 'wxcomponent0000001',
    secret: 'componentsecret00000000000000001',
    token: 'msgtoken',
    encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  }
  const emu = await startEmulator({ apps: [DEMO_APP], components: [component], tokenTtl: 60 })
  t.teardown(() => emu.close())
  const { ticket } = await emu.setTicket(component.appid)
  const ctoken = (
    await postJson(`${emu.url}/cgi-bin/component/api_component_token`, {
      component_appid: component.appid,
      component_appsecret: component.secret,
      component_verify_ticket: ticket,
    })
  ).body
  t.is(ctoken.expires_in, 60)
  const { authorizationCode } = await emu.authorize({
    componentAppid: component.appid,
    authorizerAppid: 'wxmerchant00000001',
    permissionSets: [45],
  })
  const auth = (
    await postJson(`${emu.url}/cgi-bin/component/api_query_auth?component_access_token=${ctoken.component_access_token}`, {
      component_appid: component.appid,
      authorization_code: authorizationCode,
    })
  ).body.authorization_info
  t.is(auth.authorizer_appid, 'wxmerchant00000001')
  t.deepEqual(auth.func_info, [{ funcscope_category: { id: 45 } }])
  const plugin = `${emu.url}/cgi-bin/express/delivery/open_msg/open_openmsg?access_token=${auth.authorizer_access_token}`
  t.is((await postJson(plugin, {})).body.errcode, 0)
  t.is((await postJson(plugin, {})).body.errcode, 933003)
  const open = await postJson(`${emu.url}/cgi-bin/open/get?access_token=${auth.authorizer_access_token}`, {})
  t.is(open.body.errcode, 61007)
})

test('options are checked and close is idempotent', async (t) => {
  await t.throwsAsync(startEmulator({ tokenTTL: 5 }), { message: /unknown field `tokenTTL`/ })
  await t.throwsAsync(startEmulator('port'), { instanceOf: TypeError })
  const emu = await startEmulator({ apps: [{ appid: 'wx1', secret: 's1', name: 'Shop' }], tokenTtl: 60 })
  const token = await stableToken(emu, { appid: 'wx1', secret: 's1' })
  t.is((await getAllAccount(emu, token)).count, 0, 'configured apps start without accounts')
  await emu.close()
  await emu.close()
  await t.throwsAsync(fetch(`${emu.url}/cgi-bin/token`))
})

test('a classic token overlaps its successor for five emulated minutes', async (t) => {
  const { emu } = t.context
  const classic = () =>
    getJson(`${emu.url}/cgi-bin/token?grant_type=client_credential&appid=${DEMO_APP.appid}&secret=${DEMO_APP.secret}`)
  const first = await classic()
  t.is(first.expires_in, 7200)
  t.is(first.errcode, undefined)
  const second = await classic()
  t.not(first.access_token, second.access_token)
  t.is((await getAllAccount(emu, first.access_token)).errcode, 0)
  await emu.advanceTime(301)
  t.is((await getAllAccount(emu, first.access_token)).errcode, 40001)
  t.is((await getAllAccount(emu, second.access_token)).errcode, 0)
})

test('injected faults: a call that ran but failed shows up in executions', async (t) => {
  const { emu } = t.context
  const token = await stableToken(emu)
  await emu.injectFault({ name: 'logistics.bindAccount', errcode: -1, afterExecute: true })
  const url = `${emu.url}/cgi-bin/express/business/account/bind?access_token=${token}`
  const body = { type: 'bind', biz_id: 'db_1', delivery_id: 'DB' }
  t.is((await postJson(url, body)).body.errcode, -1)
  t.is((await postJson(url, body)).body.errcode, 0)
  t.is((await emu.executions())['logistics.bindAccount'], 2)
  t.is((await getAllAccount(emu, token)).count, 3)
})

test('the standalone command serves until stopped', async (t) => {
  const { spawn } = require('node:child_process')
  const child = spawn(process.execPath, [require.resolve('../bin/wechat-emulator.js'), '--port', '0'])
  t.teardown(() => child.kill())
  const url = await new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(chunk.toString().trim()))
    child.once('exit', (code) => reject(new Error(`exited ${code}`)))
  })
  const answer = await postJson(`${url}/__emulator/openids`, {})
  t.is(answer.body.result.openids.length, 3)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  t.is(await exited, 0)
})
