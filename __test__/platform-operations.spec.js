'use strict'
// Issue 18: a third-party platform's everyday work through the real addon against the emulator over real HTTP:
// fast registration end to end (task, notify_third_fasteregister push, the new mini program used through the
// platform), authorizer details that reflect what the merchant granted, the quota deadlock and its way out
// with secrets that only ever come from the config, and an error's story told by its rid.

const test = require('ava')
const { cloud, COMPONENT, recordingStore, serve } = require('./component-helpers.js')

const OWN_APP = { appid: 'wxplatformownapp01', secret: 'platform-own-app-secret-00000001' }
const MERCHANT = 'wxplatformmerchant'
const COMPANY = { name: '快注册科技有限公司', code: '91440300MA5FAST001', codeType: 1, legalPersonaWechat: 'legal-wx', legalPersonaName: '李四' }

/** A platform client with its push URL served, and every event and error it produced kept for inspection. */
async function platform(t) {
  const emu = await cloud.startEmulator({ port: 0, apps: [OWN_APP], components: [COMPONENT] })
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...OWN_APP, component: COMPONENT, apiBase: emu.url, store: recordingStore() })
  const events = []
  for (const kind of ['request', 'response', 'retry', 'token']) client.on(kind, (e) => events.push(e))
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  await emu.pushTicket(server.url)
  return { emu, client, events }
}

/** `text` holds none of the platform's or the app's credentials. */
function assertNoSecret(t, text, what) {
  for (const secret of [COMPONENT.secret, COMPONENT.token, COMPONENT.encodingAesKey, OWN_APP.secret]) {
    t.false(text.includes(secret), `${what} holds a credential`)
  }
}

test('fast registration end to end: the task, the notify_third_fasteregister push, the new mini program through the platform', async (t) => {
  const { emu, client } = await platform(t)
  const heard = []
  client.component.on('notify_third_fasteregister', async (event) => {
    heard.push(event)
    await client.component.queryAuth(event.authCode)
  })
  const pushes = []
  client.component.on('push', (event) => pushes.push(event.infoType))

  t.like(await client.openapi.component.fastRegisterWeapp(COMPANY), { errCode: 0 })
  const search = { name: COMPANY.name, legalPersonaWechat: COMPANY.legalPersonaWechat, legalPersonaName: COMPANY.legalPersonaName }
  t.is((await t.throwsAsync(client.openapi.component.searchFastRegisterWeapp(search))).errCode, 89251)

  const created = await emu.confirmFastRegister({ name: COMPANY.name })
  t.deepEqual(created.delivery, { status: 200, answer: 'success' }, 'answered once the listener had exchanged the code')
  t.is(heard.length, 1)
  t.like(heard[0], { infoType: 'notify_third_fasteregister', componentAppid: COMPONENT.appid, appid: created.appid, status: 0, authCode: created.authorizationCode, msg: 'OK' })
  t.deepEqual(heard[0].info, {
    name: COMPANY.name,
    code: COMPANY.code,
    codeType: 1,
    legalPersonaWechat: COMPANY.legalPersonaWechat,
    legalPersonaName: COMPANY.legalPersonaName,
    componentPhone: '',
  })
  t.deepEqual(pushes, ['notify_third_fasteregister'], "'push' listeners hear it too")
  t.like(await client.openapi.component.searchFastRegisterWeapp(search), { errCode: 0 })

  // The new mini program works through the platform: its token came from queryAuth in the listener.
  const basic = await client.openapi({ appid: created.appid }).account.getAccountBasicInfo({})
  t.like(basic, { appid: created.appid, principalName: COMPANY.name, accountType: 3 })
  const details = await client.component.getAuthorizerInfo(created.appid)
  t.true(details.authorizationInfo.permissionSets.includes(30))
  t.is(details.authorizerInfo.principalName, COMPANY.name)
})

test('authorizer details reflect what the merchant granted, as set ids; unknown fields are kept; options round-trip', async (t) => {
  const { emu, client } = await platform(t)
  client.component.on('authorized', (e) => client.component.queryAuth(e.authorizationCode))
  client.component.on('updateauthorized', (e) => client.component.queryAuth(e.authorizationCode))
  await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45, 3] })
  const info = await client.component.getAuthorizerInfo(MERCHANT)
  t.deepEqual(info.authorizationInfo.permissionSets, [45, 3])
  t.deepEqual(info.authorizationInfo.funcInfo, [{ funcscopeCategory: { id: 45 } }, { funcscopeCategory: { id: 3 } }])
  t.is(info.authorizerInfo.idc, 1, 'a field the table does not describe reaches JS')
  t.is(info.errMsg, 'openapi.component.getAuthorizerInfo:ok')
  await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45] })
  t.deepEqual((await client.component.getAuthorizerInfo(MERCHANT)).authorizationInfo.permissionSets, [45], 'a new grant replaces the old')
  const typo = await t.throwsAsync(client.component.getAuthorizerInfo(''))
  t.is(typo.errCode, cloud.SDK_CODES.BAD_ARGUMENTS)

  const merchant = client.openapi({ appid: MERCHANT })
  await merchant.component.setAuthorizerOption({ optionName: 'location_report', optionValue: '2' })
  t.is((await merchant.component.getAuthorizerOption({ optionName: 'location_report' })).optionValue, '2')
  const basic = await t.throwsAsync(merchant.account.getAccountBasicInfo({}))
  t.is(basic.errCode, 61007, 'set 3/30 is no longer granted')
})

test('the quota deadlock: the token error names the way out, which needs no token and sends secrets from the config only', async (t) => {
  const { emu, client, events } = await platform(t)
  await emu.setDailyLimit(COMPONENT.appid, 'component.getComponentAccessToken', 0)
  const stuck = await t.throwsAsync(client.component.getPreAuthCode())
  t.is(stuck.errCode, 45009)
  t.regex(stuck.message, /clearQuotaByAppSecret\(\).*needs no token/)
  t.truthy(stuck.rid)

  // A typed secret is refused before any I/O, and the message does not repeat it.
  const before = await emu.requestCount('component.clearQuotaByAppSecret')
  const typed = await t.throwsAsync(client.openapi.component.clearQuotaByAppSecret({ appsecret: 'typed-by-hand-secret' }))
  t.is(typed.errCode, cloud.SDK_CODES.BAD_ARGUMENTS)
  t.regex(typed.message, /appsecret comes from the client's config \(component\.secret\)/)
  t.false(typed.message.includes('typed-by-hand-secret'))
  t.is(await emu.requestCount('component.clearQuotaByAppSecret'), before)

  await emu.setDailyLimit(COMPONENT.appid, 'component.getComponentAccessToken', 1)
  t.like(await client.component.clearQuotaByAppSecret(), { errCode: 0, errMsg: 'openapi.component.clearQuotaByAppSecret:ok' })
  t.regex((await client.component.getPreAuthCode()).preAuthCode, /^preauthcode@@@/, 'out of the deadlock')
  const [sent] = await emu.journal({ api: 'component.clearQuotaByAppSecret' })
  t.deepEqual(JSON.parse(sent.requestBody), { component_appid: COMPONENT.appid, appsecret: '[redacted]' }, 'the secret went, masked in the journal')

  // An account's own reset: a failure's rid tells its story through the SDK, with the secret masked.
  for (let i = 0; i < 10; i++) await client.openapi.auth.clearQuotaByAppSecret({})
  const spent = await t.throwsAsync(client.openapi.auth.clearQuotaByAppSecret({}))
  t.is(spent.errCode, 48006)
  const story = await client.lookupRid(spent)
  t.deepEqual(JSON.parse(story.request.requestBody), { appid: OWN_APP.appid, appsecret: '[redacted]' })
  t.true(story.request.responseBody.includes('48006'))
  for (const [what, value] of [['an error', stuck], ['an error', typed], ['an error', spent], ['the rid story', story], ['the events', events]]) {
    assertNoSecret(t, JSON.stringify(value) + (value instanceof Error ? value.message : ''), what)
  }
})

test('lookupRid asks as the account the failed call was made for', async (t) => {
  const { emu, client } = await platform(t)
  client.component.on('authorized', (e) => client.component.queryAuth(e.authorizationCode))
  await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45] })
  const merchant = client.openapi({ appid: MERCHANT })
  const failed = await t.throwsAsync(merchant.auth.clearQuota({ appid: 'wxsomeoneelse00001' }))
  t.is(failed.errCode, 40013)
  t.is(failed.appid, MERCHANT)
  const story = await client.lookupRid(failed)
  t.like(story, { errCode: 0, errMsg: 'openapi.auth.getRidInfo:ok' })
  t.is(story.request.requestBody, JSON.stringify({ appid: 'wxsomeoneelse00001' }))
  t.is(story.request.requestUrl, 'access_token=[redacted]')
  const asOwnApp = await t.throwsAsync(client.lookupRid(failed.rid))
  t.is(asOwnApp.errCode, 76003, "the platform's own app may not read the merchant's rid")
  t.is((await t.throwsAsync(client.lookupRid({}))).errCode, cloud.SDK_CODES.BAD_ARGUMENTS)
})
