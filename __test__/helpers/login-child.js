'use strict'
// Run by login.spec.js in a child with WECHAT_OPENAPI_LOG=debug: logs users in through the emulator (an app's and a
// platform merchant's), walks the failure paths (used code, old key, foreign watermark, a secret in params), and
// prints every event, error, journal entry, state dump and console entry it can see. The credentials met on the
// way (AppSecrets, every session key, the signatures) and the counts go to the parent over IPC only.

const util = require('node:util')
const assert = require('node:assert')
const cloud = require('../..')
const { COMPONENT, serve } = require('../component-helpers.js')

const APP = { appid: 'wxloginapp00000001', secret: 'LOGINAPPSECRET-8f14e45fceea167a5a36dedd4bea2543' }
const MERCHANT = 'wxloginmerchant001'
const show = (label, value) => {
  const text = util.inspect(value, { showHidden: true, depth: 8, getters: true })
  console.log(`${label}: ${text}`)
  console.error(`${label}: ${text}`)
  if (value instanceof Error) console.log(`${label} as JSON: ${JSON.stringify(value)} ${value.stack}`)
}

async function main() {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP], components: [COMPONENT] })
  const client = cloud.createClient({ ...APP, component: COMPONENT, apiBase: emu.url })
  for (const kind of ['request', 'response', 'retry', 'token']) client.on(kind, (e) => show(`event ${kind}`, e))
  const keys = []
  const fail = async (label, promise) => {
    const err = await promise.then(() => assert.fail(`${label} succeeded`), (e) => e)
    show(label, err)
    return err
  }

  // The app: a code, the session (no token), the check and reset (one token), the old key refused.
  const code = await emu.loginCode(APP.appid, { openid: 'oLoginUser1', unionid: 'uLoginUnion1' })
  const login = await client.openapi.auth.code2Session({ jsCode: code })
  keys.push(login.sessionKey)
  assert.deepEqual([login.openid, login.unionid], ['oLoginUser1', 'uLoginUnion1'])
  const tokensAfterLogin = await emu.tokenRequests()
  assert.equal((await fail('used code', client.openapi.auth.code2Session({ jsCode: code }))).errCode, 40029)
  assert.equal((await fail('secret in params', client.openapi.auth.code2Session({ jsCode: 'x', secret: APP.secret }))).errCode, -601002)
  const foreignApp = await fail('appid in params', client.openapi.auth.code2Session({ jsCode: 'x', appid: 'wxsomeoneelse00001' }))
  assert.match(foreignApp.message, /appid comes from the client's config \(appid\), never from params/)
  const { openid, sessionKey } = login
  assert.equal((await client.openapi.auth.checkSessionKey({ openid, sessionKey })).errCode, 0)
  const reset = await client.openapi.auth.resetUserSessionKey({ openid, sessionKey })
  keys.push(reset.sessionKey)
  assert.notEqual(reset.sessionKey, sessionKey)
  assert.equal((await fail('old key', client.openapi.auth.checkSessionKey({ openid, sessionKey }))).errCode, 87009)
  assert.equal((await fail('old key reset', client.openapi.auth.resetUserSessionKey({ openid, sessionKey }))).errCode, 87009)
  assert.equal((await client.openapi.auth.checkSessionKey({ openid, sessionKey: reset.sessionKey })).errCode, 0)
  const sealed = await emu.sealUserData({ appid: APP.appid, openid, data: { phoneNumber: '13800138000' } })
  assert.equal(cloud.crypto.decryptData({ sessionKey: reset.sessionKey, ...sealed, appid: APP.appid }).phoneNumber, '13800138000')
  const foreign = (() => { try { cloud.crypto.decryptData({ sessionKey: reset.sessionKey, ...sealed, appid: 'wxsomeoneelse00001' }) } catch (e) { return e } })()
  show('foreign watermark', foreign)
  assert.match(foreign.message, /watermark is for appid wxloginapp00000001, not wxsomeoneelse00001/)
  const stale = (() => { try { cloud.crypto.decryptData({ sessionKey, ...sealed, appid: APP.appid }) } catch (e) { return e } })()
  show('stale key decrypt', stale)
  const paid = await emu.userPaid({ appid: APP.appid, openid })
  assert.equal((await client.openapi.auth.getPaidUnionId({ openid, transactionId: paid.transactionId })).unionid, 'uLoginUnion1')

  // Raw requests: no token for the login path, the component token for the platform's; events name the path.
  const responses = []
  client.on('response', (e) => responses.push(e))
  const rawCode = await emu.loginCode(APP.appid, { openid: 'oLoginUser2' })
  const tokensBeforeRaw = await emu.tokenRequests()
  const rawLogin = await client.openapi.request({
    method: 'GET', path: '/sns/jscode2session', token: false,
    data: { appid: APP.appid, secret: APP.secret, jsCode: rawCode, grantType: 'authorization_code' },
  })
  keys.push(rawLogin.sessionKey)
  assert.equal(rawLogin.openid, 'oLoginUser2')
  assert.equal(await emu.tokenRequests(), tokensBeforeRaw, 'token: false fetched no token')
  assert.deepEqual(responses.filter((e) => e.api === 'request').map((e) => e.path), ['/sns/jscode2session'])
  assert.equal((await fail('bad token option', client.openapi.request({ path: '/x', token: 'authorizer' }))).errCode, -601002)

  // The platform: its merchant's user, with the component token only.
  const server = await serve(client.component.pushHandler())
  await emu.pushTicket(server.url)
  client.component.on('authorized', (e) => client.component.queryAuth(e.authorizationCode))
  await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [18] })
  const merchantCode = await emu.loginCode(MERCHANT, { openid: 'oMerchantUser1' })
  assert.equal((await fail('merchant code via own secret', client.openapi.auth.code2Session({ jsCode: merchantCode }))).errCode, 40029)
  const again = await emu.loginCode(MERCHANT, { openid: 'oMerchantUser1' })
  const merchantLogin = await client.openapi.component.code2Session({ appid: MERCHANT, jsCode: again })
  keys.push(merchantLogin.sessionKey)
  assert.equal(merchantLogin.openid, 'oMerchantUser1')
  assert.equal((await fail('merchant code reused', client.openapi.component.code2Session({ appid: MERCHANT, jsCode: again }))).errCode, 40029)
  const rawMerchant = await client.openapi.request({
    method: 'GET', path: '/sns/component/jscode2session', token: 'component',
    data: { appid: MERCHANT, jsCode: await emu.loginCode(MERCHANT, { openid: 'oMerchantUser2' }), grantType: 'authorization_code', componentAppid: COMPONENT.appid },
  })
  keys.push(rawMerchant.sessionKey)
  assert.equal(rawMerchant.openid, 'oMerchantUser2')
  server.close()

  show('journal', await emu.journal())
  show('state', await emu.state())
  show('client', client)
  show('emulator', emu)
  const counts = await emu.requestCounts()
  const signatures = keys.map((k) => require('node:crypto').createHmac('sha256', k).update('').digest('hex'))
  process.send({ secrets: [APP.secret, COMPONENT.secret, ...keys], signatures, tokensAfterLogin, counts })
  await emu.close()
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
