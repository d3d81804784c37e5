'use strict'
// Issue 4 §5 and §4 through the real addon: the state transitions a caller relies on (accounts, orders, printers,
// waybill tokens, open-platform accounts, links, quota, the platform acting for a merchant), wrong types and
// unknown users, and large answers arriving whole. Each test starts its own emulator (see context.js).

const test = require('ava')
const { cloud, Context, APP, SHOP_B, FOREIGN, COMPONENT, MERCHANT, MINIPROGRAM, SANDBOX, orderParams, registerParams } = require('./context.js')
const { localServer } = require('../helpers.js')

const unb64 = (text) => Buffer.from(text, 'base64').toString('utf8')
const codeOf = (promise) => promise.then(() => 0, (e) => e.errCode)

test('bindAccount then getAllAccount lists the account; unbind removes it', async (t) => {
  const { openapi } = await Context.start(t)
  const list = async () => (await openapi.logistics.getAllAccount({})).list.map((a) => [a.bizId, a.deliveryId, a.statusCode])
  t.deepEqual(await list(), [])
  await openapi.logistics.bindAccount({ type: 'bind', bizId: 'yto-1', deliveryId: 'YTO', password: 'pw' })
  await openapi.logistics.bindAccount({ type: 'bind', bizId: 'ems-1', deliveryId: 'EMS', remarkContent: 'please' })
  t.deepEqual(await list(), [['yto-1', 'YTO', 0], ['ems-1', 'EMS', 1]], 'EMS waits for its review')
  await openapi.logistics.updateBusiness({ shopAppId: APP.appid, bizId: 'ems-1', resultCode: 1, resultMsg: 'remark missing' })
  const ems = (await openapi.logistics.getAllAccount({})).list[1]
  t.like(ems, { statusCode: 2, remarkWrongMsg: 'remark missing' })
  await openapi.logistics.bindAccount({ type: 'unbind', bizId: 'yto-1', deliveryId: 'YTO' })
  t.deepEqual(await list(), [['ems-1', 'EMS', 2]])
  t.is(await codeOf(openapi.logistics.bindAccount({ type: 'unbind', bizId: 'yto-1', deliveryId: 'YTO' })), 9300525, 'nothing left to unbind')
})

test('addOrder: getOrder, batchGetOrder and getPath see it, cancelOrder cancels it, getQuota goes down and back', async (t) => {
  const ctx = await Context.start(t)
  const { openapi, emu } = ctx
  await emu.seedAccounts(APP.appid, [{ bizId: 'sf-1', deliveryId: 'SF', quotaNum: 10 }])
  const quota = async () => (await openapi.logistics.getQuota({ deliveryId: 'SF', bizId: 'sf-1' })).quotaNum
  t.is(await quota(), 10)

  const added = await ctx.placeOrder('o-1', { deliveryId: 'SF', bizId: 'sf-1', serviceType: 0 })
  const waybillId = added.waybillId
  t.regex(waybillId, /^SF\d+$/)
  t.is(await quota(), 9)

  const got = await openapi.logistics.getOrder({ orderId: 'o-1', deliveryId: 'SF' })
  t.like(got, { orderId: 'o-1', waybillId, orderStatus: 0 })
  t.true(unb64(got.printHtml).includes('顺丰速运'))
  const batch = await openapi.logistics.batchGetOrder({ orderList: [{ orderId: 'o-1', deliveryId: 'SF', waybillId }] })
  t.like(batch.orderList[0], { errcode: 0, orderId: 'o-1', waybillId, orderStatus: 0 })
  const path = await openapi.logistics.getPath({ deliveryId: 'SF', waybillId, openid: ctx.user })
  t.like(path, { openid: ctx.user, pathItemNum: 0, pathItemList: [] })

  const cancelled = await openapi.logistics.cancelOrder({ orderId: 'o-1', deliveryId: 'SF', waybillId, openid: ctx.user })
  t.is(cancelled.deliveryResultcode, 0)
  t.is((await openapi.logistics.getOrder({ orderId: 'o-1', deliveryId: 'SF' })).orderStatus, 1)
  t.is((await openapi.logistics.batchGetOrder({ orderList: [{ orderId: 'o-1', deliveryId: 'SF' }] })).orderList[0].orderStatus, 1)
  const afterCancel = await openapi.logistics.getPath({ deliveryId: 'SF', waybillId })
  t.is(afterCancel.pathItemNum, 1)
  t.like(afterCancel.pathItemList[0], { actionType: 400001 })
  t.is(await quota(), 10, 'a waybill cancelled before pickup is given back')
  t.is(await codeOf(openapi.logistics.cancelOrder({ orderId: 'o-1', deliveryId: 'SF', waybillId })), 9300524, 'cancelled once only')
})

test('testUpdateOrder appends path events; a picked-up order can no longer be cancelled; the sandbox quota goes down', async (t) => {
  const ctx = await Context.start(t)
  const { openapi } = ctx
  const sandboxQuota = async () => (await openapi.logistics.getQuota(SANDBOX)).quotaNum
  const before = await sandboxQuota()
  const { waybillId } = await ctx.placeOrder('t-1')
  t.is(await sandboxQuota(), before - 1)
  const event = (actionTime, actionType, actionMsg) => openapi.logistics.testUpdateOrder({ ...SANDBOX, orderId: 't-1', waybillId, actionTime, actionType, actionMsg })
  await event(1700000000, 100001, '揽件成功')
  await event(1700003600, 200001, '运输中')
  const path = await openapi.logistics.getPath({ deliveryId: 'TEST', waybillId })
  t.is(path.pathItemNum, 2)
  t.deepEqual(path.pathItemList, [
    { actionTime: 1700000000, actionType: 100001, actionMsg: '揽件成功' },
    { actionTime: 1700003600, actionType: 200001, actionMsg: '运输中' },
  ])
  t.is(await codeOf(openapi.logistics.cancelOrder({ orderId: 't-1', deliveryId: 'TEST', waybillId })), 9300506)
  t.is((await openapi.logistics.getOrder({ orderId: 't-1', deliveryId: 'TEST' })).orderStatus, 0)
})

test('the courier side reaches the order through its token: updatePath shows in getPath, getContact reads it', async (t) => {
  const ctx = await Context.start(t)
  const { openapi } = ctx
  const { waybillId, token } = await ctx.scatterOrder('s-1')
  await openapi.logistics.updatePath({ token, waybillId, actionTime: 1700000000, actionType: 100001, actionMsg: '已揽件' })
  const path = await openapi.logistics.getPath({ deliveryId: 'SF', waybillId })
  t.deepEqual(path.pathItemList, [{ actionTime: 1700000000, actionType: 100001, actionMsg: '已揽件' }])
  t.is((await openapi.logistics.getContact({ token, waybillId })).receiver.name, '李四')
  t.is(await codeOf(openapi.logistics.getContact({ token: 'forged', waybillId })), 9300507)
})

test('printers bind and unbind', async (t) => {
  const ctx = await Context.start(t)
  const { openapi, openids } = ctx
  t.deepEqual(await openapi.logistics.getPrinter({}), { count: 0, openid: [], tagidList: [], errMsg: 'openapi.logistics.getPrinter:ok', errCode: 0 })
  await openapi.logistics.updatePrinter({ openid: openids[0], updateType: 'bind', tagidList: '1,2' })
  await openapi.logistics.updatePrinter({ openid: openids[1], updateType: 'bind', tagidList: '2' })
  let printers = await openapi.logistics.getPrinter({})
  t.is(printers.count, 2)
  t.deepEqual(printers.openid, [openids[0], openids[1]])
  t.deepEqual(printers.tagidList, ['1', '2'])
  await openapi.logistics.updatePrinter({ openid: openids[0], updateType: 'unbind' })
  printers = await openapi.logistics.getPrinter({})
  t.deepEqual([printers.count, printers.openid, printers.tagidList], [1, [openids[1]], ['2']])
})

test('traceWaybill / followWaybill tokens: the matching query accepts them, update*Goods modify them', async (t) => {
  const ctx = await Context.start(t)
  const { openapi } = ctx
  const { waybillId } = await ctx.placeOrder('m-1')
  const trace = (await openapi.logistics.traceWaybill(registerParams(ctx.user, waybillId))).waybillToken
  const follow = (await openapi.logistics.followWaybill(registerParams(ctx.user, waybillId, '灯'))).waybillToken
  t.not(trace, follow)

  let traced = await openapi.logistics.queryTrace({ waybillToken: trace, openid: ctx.user })
  t.deepEqual(traced.waybillInfo, { status: 0, waybillId })
  await openapi.logistics.testUpdateOrder({ ...SANDBOX, orderId: 'm-1', waybillId, actionTime: 1, actionType: 200001, actionMsg: '运输中' })
  traced = await openapi.logistics.queryTrace({ waybillToken: trace })
  t.is(traced.waybillInfo.status, 2, 'the status follows the order: in transit')

  await openapi.logistics.updateWaybillGoods({ waybillToken: trace, goodsInfo: { detailList: [{ goodsName: '笔', goodsImgUrl: 'https://img.example/pen.png' }] } })
  traced = await openapi.logistics.queryTrace({ waybillToken: trace })
  t.deepEqual(traced.shopInfo.goodsInfo.detailList, [{ goodsName: '笔', goodsImgUrl: 'https://img.example/pen.png' }])

  let followed = await openapi.logistics.queryFollowTrace({ waybillToken: follow })
  t.is(followed.shopInfo.goodsInfo.detailList[0].goodsName, '灯', 'each token keeps its own goods')
  t.is(followed.waybillInfo.status, 2)
  await openapi.logistics.updateFollowWaybillGoods({ waybillToken: follow, goodsInfo: { detailList: [{ goodsName: '杯', goodsImgUrl: 'u' }] } })
  followed = await openapi.logistics.queryFollowTrace({ waybillToken: follow })
  t.is(followed.shopInfo.goodsInfo.detailList[0].goodsName, '杯')

  t.is(await codeOf(openapi.logistics.queryFollowTrace({ waybillToken: trace })), 9300507, "each query takes its own component's tokens")
  t.is(await codeOf(openapi.logistics.queryTrace({ waybillToken: follow })), 9300507)
  t.is(await codeOf(openapi.logistics.queryTrace({ waybillToken: trace, openid: ctx.openids[1] })), 9300534)
})

test('open platform: create, bind, unbind, get and have answer 89000-89004 where the docs say', async (t) => {
  const ctx = await Context.start(t)
  const { emu } = ctx
  const [a, b, foreign] = [ctx.openapi, ctx.clientOf(SHOP_B).openapi, ctx.clientOf(FOREIGN).openapi]

  // 89002: get, while the account is bound to no open-platform account.
  t.is((await a.openPlatform.getBindOpenAccount({})).haveOpen, false)
  t.is(await codeOf(a.openPlatform.getOpenAccount({})), 89002)

  const { openAppid } = await a.openPlatform.createOpenAccount({ appid: APP.appid })
  t.is((await a.openPlatform.getBindOpenAccount({})).haveOpen, true)
  t.is((await a.openPlatform.getOpenAccount({ appid: APP.appid })).openAppid, openAppid)
  // 89000: create or bind while already bound.
  t.is(await codeOf(a.openPlatform.createOpenAccount({ appid: APP.appid })), 89000)
  t.is(await codeOf(a.openPlatform.bindOpenAccount({ openAppid })), 89000)
  // createOpenAccount also documents 89001 (not same contractor), but an account the API creates takes its
  // creator's subject, so the emulator never answers it there.

  await b.openPlatform.bindOpenAccount({ openAppid })
  t.is((await b.openPlatform.getOpenAccount({})).openAppid, openAppid)
  // 89001: bind across companies.
  t.is(await codeOf(foreign.openPlatform.bindOpenAccount({ openAppid })), 89001)
  t.is((await foreign.openPlatform.getBindOpenAccount({})).haveOpen, false)

  // 89001 on unbind: the account changed hands (another subject) since it was bound.
  await emu.setSubject(SHOP_B.appid, 'Other Co.')
  t.is(await codeOf(b.openPlatform.unbindOpenAccount({ openAppid })), 89001)
  await emu.setSubject(SHOP_B.appid, (await emu.state()).apps[APP.appid].subject)
  await b.openPlatform.unbindOpenAccount({ openAppid })
  t.is((await b.openPlatform.getBindOpenAccount({})).haveOpen, false)
  t.is(await codeOf(b.openPlatform.getOpenAccount({})), 89002)

  // 89003: unbind from an open-platform account made on the website, not through the API.
  const website = (await emu.seedOpenAccount({ boundAppids: [FOREIGN.appid], subject: 'Other Co.' })).openAppid
  t.is(await codeOf(foreign.openPlatform.unbindOpenAccount({ openAppid: website })), 89003)
  t.is(await codeOf(b.openPlatform.bindOpenAccount({ openAppid: website })), 89001)

  // 89004: bind to an open-platform account that already holds 100 accounts.
  const filler = Array.from({ length: 100 }, (_, i) => `wxfiller${String(i).padStart(10, '0')}`)
  const full = (await emu.seedOpenAccount({ createdByApi: true, boundAppids: filler })).openAppid
  t.is(await codeOf(b.openPlatform.bindOpenAccount({ openAppid: full })), 89004)
  // unbindOpenAccount also documents 89004 ("number of sub-accounts bound", cut short in the source page);
  // no situation the emulator models answers it there.
})

test('linkMiniprogram: pending (12, then 2) until approved through the control API; unlinkMiniprogram removes it', async (t) => {
  const ctx = await Context.start(t)
  const { openapi, emu } = ctx
  const items = async () => (await openapi.officialAccount.getLinkMiniprogram({})).wxopens.items
  t.deepEqual(await items(), [])
  await openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 1, showProfile: 1 })
  t.like((await items())[0], { appid: MINIPROGRAM, status: 12, selected: 1 }, "waiting for the official account's admin")
  t.like((await items())[0], { status: 2 }, "then for the mini program's")
  t.is((await items())[0].status, 2)
  t.is(await codeOf(openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 1, showProfile: 1 })), 89010)
  t.deepEqual(await emu.approveLink(MINIPROGRAM, APP.appid), { appid: APP.appid, miniprogramAppid: MINIPROGRAM, status: 1 })
  t.is((await items())[0].status, 1)
  await openapi.officialAccount.unlinkMiniprogram({ appid: MINIPROGRAM })
  t.deepEqual(await items(), [])
  t.is(await codeOf(openapi.officialAccount.unlinkMiniprogram({ appid: MINIPROGRAM })), 40013, 'nothing left to unlink')

  // A refused invitation (3) may be sent again.
  await openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 0, showProfile: 0 })
  await emu.rejectLink(MINIPROGRAM, APP.appid)
  t.is((await items())[0].status, 3)
  await openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 0, showProfile: 0 })
  t.is((await items())[0].status, 12)
})

test('getApiQuota counts calls, the daily limit answers 45009, clearQuota resets it', async (t) => {
  const ctx = await Context.start(t)
  const { openapi, emu } = ctx
  const cgiPath = '/cgi-bin/express/business/account/getall'
  await emu.setDailyLimit(APP.appid, 'logistics.getAllAccount', 3)
  for (let i = 0; i < 3; i++) await openapi.logistics.getAllAccount({})
  const spent = await t.throwsAsync(openapi.logistics.getAllAccount({}))
  t.like(spent, { errCode: 45009, category: 'quota', retryable: false, attempts: 1 })
  t.deepEqual((await openapi.auth.getApiQuota({ cgiPath })).quota, { dailyLimit: 3, used: 3, remain: 0 })
  await openapi.auth.clearQuota({ appid: APP.appid })
  t.deepEqual((await openapi.auth.getApiQuota({ cgiPath })).quota, { dailyLimit: 3, used: 0, remain: 3 })
  t.is((await openapi.logistics.getAllAccount({})).errCode, 0)
  t.is((await openapi.auth.getApiQuota({ cgiPath: `${cgiPath}?access_token=x` })).quota.used, 1, 'a query string is ignored')
  for (let i = 1; i < 10; i++) await openapi.auth.clearQuota({ appid: APP.appid })
  t.is(await codeOf(openapi.auth.clearQuota({ appid: APP.appid })), 48006, 'ten clears a month')
})

test('wrong types: the client refuses them before any I/O; sent anyway, WeChat answers 47001 naming the field', async (t) => {
  const ctx = await Context.start(t)
  const { openapi, emu } = ctx
  await openapi.logistics.getAllAccount({})
  const local = await t.throwsAsync(openapi.logistics.bindAccount({ type: 'bind', bizId: 5, deliveryId: 'SF' }))
  t.is(local.errCode, -601002)
  t.is(local.errMsg, 'openapi.logistics.bindAccount:fail bizId must be a string, got number')
  t.is(await emu.requestCount('logistics.bindAccount'), 0)

  const sent = await t.throwsAsync(openapi.request({ method: 'POST', path: '/cgi-bin/express/business/account/bind', data: { type: 'bind', bizId: 5, deliveryId: 'SF' } }))
  t.is(sent.errCode, 47001)
  t.is(sent.category, 'invalid-argument')
  t.regex(sent.errMsg, /biz_id must be a string, got number/)
  const flags = await t.throwsAsync(openapi.request({ path: '/cgi-bin/wxopen/wxamplink', data: { appid: MINIPROGRAM, notifyUsers: true, showProfile: 1 } }))
  t.is(flags.errCode, 47001)
  const list = await t.throwsAsync(openapi.request({ path: '/cgi-bin/express/business/order/batchget', data: { orderList: [{ orderId: 7, deliveryId: 'TEST' }] } }))
  t.regex(list.errMsg, /order_list\[0\]\.order_id must be a string, got number/)
  t.is(await emu.requestCount('logistics.bindAccount'), 1)
  t.deepEqual((await openapi.logistics.getAllAccount({})).list, [], 'nothing was bound')
})

test('an unknown openid answers 40003 until the user is known', async (t) => {
  const ctx = await Context.start(t)
  const { openapi, emu } = ctx
  const stranger = 'o-stranger-000001'
  const refused = await t.throwsAsync(openapi.logistics.addOrder(orderParams(stranger, 'x-1')))
  t.like(refused, { errCode: 40003, meaning: 'invalid openid', category: 'invalid-argument', attempts: 1 })
  t.is(await codeOf(openapi.logistics.updatePrinter({ openid: stranger, updateType: 'bind' })), 40003)
  t.is(await codeOf(openapi.logistics.traceWaybill(registerParams(stranger, 'SF1'))), 40003)
  t.is((await emu.executions())['logistics.addOrder'], 1, 'the refused order ran once and placed nothing')
  await emu.addOpenids(APP.appid, [stranger])
  t.regex((await openapi.logistics.addOrder(orderParams(stranger, 'x-1'))).waybillId, /^TEST/)
  await openapi.logistics.updatePrinter({ openid: stranger, updateType: 'bind' })
  t.deepEqual((await openapi.logistics.getPrinter({})).openid, [stranger])
})

test('a third-party platform acts for its merchant: ticket, component token, authorization, authorizer tokens', async (t) => {
  const ctx = await Context.start(t)
  const { emu } = ctx
  const pre = await ctx.componentCall('component.getPreAuthCode', { componentAppid: COMPONENT.appid })
  t.regex(pre.preAuthCode, /^preauthcode@@@/)

  // Granted set 24 only: the logistics plugin (set 45) is not the platform's to call.
  const narrow = await ctx.merchantClient([24])
  const denied = await t.throwsAsync(narrow.openapi.logistics.applyMsgPlugin({}))
  t.like(denied, { errCode: 61007, category: 'permission' })
  const created = await narrow.openapi.openPlatform.createOpenAccount({ appid: MERCHANT })
  t.regex(created.openAppid, /^wx/, 'set 24 covers the open-platform calls')

  const info = await ctx.authorizeMerchant([45])
  const merchant = ctx.fixedClient(info.authorizerAccessToken)
  t.is((await merchant.openapi.logistics.applyMsgPlugin({})).errCode, 0)
  t.is(await codeOf(merchant.openapi.logistics.applyMsgPlugin({})), 933003)
  t.is(await codeOf(ctx.openapi.logistics.applyMsgPlugin({})), 933004, "the merchant's own token is no third-party call")

  const refreshed = await ctx.componentCall('component.getAuthorizerAccessToken', {
    componentAppid: COMPONENT.appid,
    authorizerAppid: MERCHANT,
    authorizerRefreshToken: info.authorizerRefreshToken,
  })
  const spent = await t.throwsAsync(
    ctx.componentCall('component.getAuthorizerAccessToken', { componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, authorizerRefreshToken: info.authorizerRefreshToken }),
  )
  t.is(spent.errCode, 61023, 'a refresh token is spent once used')
  const list = await ctx.componentCall('component.getAuthorizerList', { componentAppid: COMPONENT.appid, offset: 0, count: 100 })
  t.is(list.totalCount, 1)
  t.is(list.list[0].refreshToken, refreshed.authorizerRefreshToken)

  // The merchant withdraws its authorization: the refresh token and the authorizer token stop working.
  t.deepEqual(await emu.unauthorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT }), { removed: true })
  const withdrawn = { componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, authorizerRefreshToken: refreshed.authorizerRefreshToken }
  t.is(await codeOf(ctx.componentCall('component.getAuthorizerAccessToken', withdrawn)), 61023)
  t.is((await ctx.componentCall('component.getAuthorizerList', { componentAppid: COMPONENT.appid, offset: 0, count: 100 })).totalCount, 0)
  t.is(await codeOf(ctx.fixedClient(refreshed.authorizerAccessToken).openapi.logistics.applyMsgPlugin({})), 40001)
  // A component token is no account token.
  t.is(await codeOf(ctx.fixedClient(await ctx.componentToken()).openapi.logistics.getAllAccount({})), 40001)
})

test("a fixed token WeChat refuses: WeChat's own answer comes back (42001 when expired), with its rid, sent once", async (t) => {
  const ctx = await Context.start(t)
  const { emu } = ctx
  const { accessToken } = await ctx.anonymous.openapi.auth.getStableAccessToken({ grantType: 'client_credential', ...APP })
  const fixed = ctx.fixedClient(accessToken)
  t.is((await fixed.openapi.logistics.getAllAccount({})).count, 0)
  await emu.expireToken(APP.appid)
  const expired = await t.throwsAsync(fixed.openapi.logistics.getAllAccount({}))
  t.like(expired, { errCode: 42001, category: 'auth', attempts: 1, httpStatus: 200 })
  t.regex(expired.errMsg, /^openapi\.logistics\.getAllAccount:fail access_token expired rid: [0-9a-f-]{26}$/)
  t.true(expired.errMsg.endsWith(`rid: ${expired.rid}`))
  t.is(await emu.requestCount('logistics.getAllAccount'), 2, 'a token that cannot be renewed is not sent again')
})

test('§4: batchGetOrder of 100 orders with 64 KB waybills returns every printHtml whole, as base64 strings', async (t) => {
  const ctx = await Context.start(t)
  const { openapi, emu } = ctx
  const KB = 64
  t.deepEqual(await emu.setPrintHtmlSize(KB), { kb: KB })
  const ids = Array.from({ length: 100 }, (_, i) => `big-${i}`)
  const waybills = {}
  for (const id of ids) waybills[id] = (await ctx.placeOrder(id)).waybillId
  const res = await openapi.logistics.batchGetOrder({ orderList: ids.map((orderId) => ({ orderId, deliveryId: 'TEST' })) })
  t.is(res.orderList.length, 100)
  const base64Length = 4 * Math.ceil((KB * 1024) / 3)
  for (const [i, entry] of res.orderList.entries()) {
    t.is(entry.orderId, ids[i])
    t.is(entry.waybillId, waybills[ids[i]])
    t.is(typeof entry.printHtml, 'string')
    t.is(entry.printHtml.length, base64Length)
    t.regex(entry.printHtml, /^[A-Za-z0-9+/]+={0,2}$/)
    const html = Buffer.from(entry.printHtml, 'base64')
    t.is(html.length, KB * 1024)
    const text = html.toString('utf8')
    t.true(text.startsWith('<!DOCTYPE html>'))
    t.true(text.endsWith('</body></html>'))
    t.true(text.includes(entry.waybillId))
  }
  const one = await openapi.logistics.getOrder({ orderId: 'big-99', deliveryId: 'TEST' })
  t.is(one.printHtml, res.orderList[99].printHtml)
})

test('§4: a large binary answer comes back whole as { contentType, buffer }', async (t) => {
  // No row of the table answers with an image, so a loopback server stands in for WeChat's wxacode endpoint.
  const bytes = Buffer.alloc(3 * 1024 * 1024 + 7)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0)
  const img = await localServer(() => ({ headers: { 'content-type': 'image/jpeg' }, body: bytes }))
  t.teardown(() => img.close())
  const c = cloud.createClient({ accessToken: 't'.repeat(120), apiBase: img.url })
  const answer = await c.openapi.request({ method: 'POST', path: '/wxa/getwxacodeunlimit', data: { scene: 'a=1', width: 430 } })
  t.is(answer.contentType, 'image/jpeg')
  t.true(Buffer.isBuffer(answer.buffer))
  t.is(answer.buffer.length, bytes.length)
  t.true(answer.buffer.equals(bytes))
  t.is(answer.errMsg, 'openapi.request:ok')
  t.is(answer.errCode, 0)
})
