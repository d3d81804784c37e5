'use strict'
// Hardening, third round, class 5: authorization state moves only forward in CreateTime. WeChat delivers a push
// again until it is answered `success`, so an `unauthorized` push stamped before a re-authorization can arrive
// after it; it used to delete the new refresh token, and every call for that merchant then failed with 61023.

const test = require('ava')
const { cloud, COMPONENT, recordingStore, serve, post, pushXml } = require('../component-helpers.js')

const OWN_APP = { appid: 'wxplatformownapp01', secret: 'platform-own-app-secret-000001' }
const MERCHANT = 'wxmerchant00000001'
const refreshKey = `wechat-openapi:{${COMPONENT.appid}:${MERCHANT}}:authorizer_refresh_token`
const now = () => Math.floor(Date.now() / 1000)

/** A push as WeChat seals it: delivered now (query timestamp), stamped `createTime` in its XML. */
function sealed(infoType, fields, createTime) {
  const crypt = new cloud.crypto.MsgCrypt({ token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey, appid: COMPONENT.appid })
  const xml = pushXml(COMPONENT.appid, infoType, fields).replace(/<CreateTime>\d+<\/CreateTime>/, `<CreateTime>${createTime}</CreateTime>`)
  return crypt.encryptPush(xml, { timestamp: now() })
}

async function platform(t) {
  const emu = await cloud.startEmulator({ port: 0, apps: [OWN_APP], components: [COMPONENT] })
  t.teardown(() => emu.close())
  const store = recordingStore()
  const client = cloud.createClient({ ...OWN_APP, component: COMPONENT, apiBase: emu.url, store })
  const heard = []
  client.component.on('authorized', (e) => client.component.queryAuth(e.authorizationCode))
  client.component.on('unauthorized', (e) => heard.push(e.createTime))
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  await emu.pushTicket(server.url)
  const send = ({ query, body }) => post(server.url, query, body)
  return { emu, store, client, heard, send }
}

test('a late unauthorized push (stamped before a re-authorization) leaves the new refresh token alone', async (t) => {
  const p = await platform(t)
  const before = now() - 60
  // The merchant's first authorization, its removal (whose push we pretend was lost), and a re-authorization.
  await p.emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45] })
  await p.emu.unauthorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT })
  const again = await p.emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45] })
  t.deepEqual(again.delivery, { status: 200, answer: 'success' })
  const token = p.store.data.get(refreshKey).value
  // WeChat's retry of an unauthorized push stamped a minute ago arrives now.
  const late = await p.send(sealed('unauthorized', { AuthorizerAppid: MERCHANT }, before))
  t.deepEqual(late, { status: 200, text: 'success' }, 'answered, so WeChat stops retrying it')
  t.is(p.store.data.get(refreshKey)?.value, token, 'the refresh token of the re-authorization is kept')
  t.false(p.heard.includes(before), 'the listeners are not told of a change that did not happen')
  const res = await p.client.openapi({ appid: MERCHANT }).logistics.getAllAccount({})
  t.is(res.errCode, 0, 'calls for the merchant still work')
  // A fresh unauthorized push still removes the tokens.
  await p.send(sealed('unauthorized', { AuthorizerAppid: MERCHANT }, now() + 1))
  t.false(p.store.data.has(refreshKey))
})

test('a late authorized push after an unauthorization is not acted on either', async (t) => {
  const p = await platform(t)
  await p.send(sealed('unauthorized', { AuthorizerAppid: MERCHANT }, now()))
  const authorizedEvents = []
  p.client.component.on('authorized', (e) => authorizedEvents.push(e))
  const res = await p.send(sealed('authorized', { AuthorizerAppid: MERCHANT, AuthorizationCode: 'code@@@old', AuthorizationCodeExpiredTime: now() + 3600 }, now() - 30))
  t.deepEqual(res, { status: 200, text: 'success' })
  t.deepEqual(authorizedEvents, [])
})
