'use strict'
// Issue 28, order shipping information (发货信息管理), through the real addon against the emulator over real
// HTTP: two orders' whole lives (an express order with its one re-ship, a virtual good) with the settlement
// pushes received in safe mode; a platform doing the same for a merchant; the table's rules refused before I/O,
// naming the field; WeChat's codes arriving as typed OpenApiErrors.

const test = require('ava')
const { cloud, until, COMPONENT, recordingStore, serve } = require('./component-helpers.js')

const APP = { appid: 'wxshippingapp00001', secret: 'shipping-app-secret-000000000001' }
const MERCHANT = 'wxshippingmerchant'
const TOKEN = 'shipping-push-token'
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA'

const express = (tx, openid, uploadTime, tracking = 'SF1001') => ({
  orderKey: { orderNumberType: cloud.OrderNumberType.TRANSACTION_ID, transactionId: tx },
  logisticsType: cloud.LogisticsType.EXPRESS,
  deliveryMode: cloud.DeliveryMode.UNIFIED_DELIVERY,
  shippingList: [{ trackingNo: tracking, expressCompany: 'SF', itemDesc: '微信气泡狗集线器*1', contact: { receiverContact: '189****1234' } }],
  uploadTime,
  payer: { openid },
})

/** Walks the two orders of `openapi` (an account's own, or a merchant's through a platform); `afterDays` runs
 * once the clock has moved days ahead (a platform gets the tickets WeChat would have pushed meanwhile). */
async function lifeOfTwoOrders(t, emu, openapi, appid, seen, afterDays = async () => {}) {
  const [openid] = await emu.openids(appid)
  const tx = await emu.seedPayment(appid, { openid, merchantId: '1230000109', merchantTradeNo: 'EXP-1', amount: 916 })
  await emu.seedPayment(appid, { openid, merchantId: '1230000109', merchantTradeNo: 'VIRT-1', amount: 500 })
  const order = openapi.wxa.sec.order

  const first = await order.uploadShippingInfo(express(tx, openid, new Date(Date.now() - 60_000)))
  t.is(first.errMsg, 'openapi.wxa.sec.order.uploadShippingInfo:ok')
  t.is((await order.getOrder({ transactionId: tx })).order.orderState, cloud.OrderState.SHIPPED)
  await order.uploadShippingInfo(express(tx, openid, new Date(), 'SF1002')) // the one re-ship
  const third = await t.throwsAsync(order.uploadShippingInfo(express(tx, openid, new Date(Date.now() + 1000), 'SF1003')))
  t.true(third instanceof cloud.OpenApiError)
  t.is(third.errCode, 10060003)
  t.regex(third.meaning, /\S/)
  t.regex(third.message, /one re-ship/)
  const shipped = (await order.getOrder({ transactionId: tx })).order
  t.is(shipped.shipping.finishShippingCount, 2)
  t.is(shipped.shipping.shippingList[0].trackingNo, 'SF1002')

  await order.notifyConfirmReceive({ transactionId: tx, receivedTime: new Date() })
  const again = await t.throwsAsync(order.notifyConfirmReceive({ transactionId: tx, receivedTime: Math.floor(Date.now() / 1000) }))
  t.is(again.errCode, 10060030)

  await order.uploadShippingInfo({
    orderKey: { orderNumberType: cloud.OrderNumberType.MERCHANT_TRADE_NO, mchid: '1230000109', outTradeNo: 'VIRT-1' },
    logisticsType: cloud.LogisticsType.VIRTUAL,
    deliveryMode: cloud.DeliveryMode.UNIFIED_DELIVERY,
    shippingList: [{ itemDesc: '话费充值 50 元' }],
    uploadTime: new Date().toISOString(),
    payer: { openid },
  })
  const virtualTx = (await order.getOrder({ merchantId: '1230000109', merchantTradeNo: 'VIRT-1' })).order.transactionId
  const remind = await t.throwsAsync(order.notifyConfirmReceive({ transactionId: virtualTx, receivedTime: new Date() }))
  t.is(remind.errCode, 10060032)

  await emu.confirmReceipt(appid, tx)
  const stateOf = async () => (await order.getOrder({ transactionId: tx })).order.orderState
  t.is(await stateOf(), cloud.OrderState.RECEIPT_CONFIRMED)
  await emu.advanceTime(3600)
  t.is(await stateOf(), cloud.OrderState.AWAITING_SETTLEMENT)
  await emu.advanceTime(11 * 86400)
  await afterDays()
  t.is(await stateOf(), cloud.OrderState.COMPLETED)
  const list = await order.getOrderList({ orderState: cloud.OrderState.COMPLETED, openid })
  t.is(list.orderList.length, 2)
  t.false(list.hasMore)
  await until(() => seen.filter((e) => e.settlement_time).length === 2, 'two settlement pushes')
  const settled = seen.find((e) => e.settlement_time && e.transaction_id === tx)
  t.is(settled.confirm_receive_method, 2)
  t.is(typeof settled.pay_time, 'number')
  t.true(seen.some((e) => e.transaction_id === virtualTx && typeof e.estimated_settlement_time === 'number'))
}

test.serial('an express order (re-shipped once) and a virtual good live their whole lives; settlement pushes arrive in safe mode', async (t) => {
  const emu = await cloud.startEmulator({ apps: [APP] })
  const client = cloud.createClient({ ...APP, apiBase: emu.url, push: { token: TOKEN, encodingAesKey: KEY } })
  const seen = []
  client.push.on('trade_manage_order_settlement', (e) => { seen.push(e) })
  const access = []
  client.push.on('trade_manage_remind_access_api', (e) => { access.push(e) })
  const server = await serve(client.push.pushHandler())
  t.teardown(async () => { await server.close(); await emu.close() })
  await emu.control('setPushTarget', { appid: APP.appid, url: server.url, format: 'xml', mode: 'safe', token: TOKEN, encodingAesKey: KEY })
  t.false((await client.openapi.wxa.sec.order.isTradeManaged({ appid: APP.appid })).isTradeManaged)
  await emu.setTradeManaged(APP.appid, true)
  t.true((await client.openapi.wxa.sec.order.isTradeManaged({ appid: APP.appid })).isTradeManaged)
  await until(() => access.length === 1, 'trade_manage_remind_access_api')
  await lifeOfTwoOrders(t, emu, client.openapi, APP.appid, seen)
  const state = await emu.state()
  t.is(state.apps[APP.appid].shipping.orders.length, 2)
})

test.serial('an unshipped order is reminded after 48 hours (JSON pushes)', async (t) => {
  const emu = await cloud.startEmulator({ apps: [APP] })
  const client = cloud.createClient({ ...APP, apiBase: emu.url, push: { token: TOKEN, encodingAesKey: KEY } })
  const seen = []
  client.push.on('trade_manage_remind_shipping', (e) => { seen.push(e) })
  const server = await serve(client.push.pushHandler())
  t.teardown(async () => { await server.close(); await emu.close() })
  await emu.control('setPushTarget', { appid: APP.appid, url: server.url, format: 'json', mode: 'safe', token: TOKEN, encodingAesKey: KEY })
  const [openid] = await emu.openids(APP.appid)
  const tx = await emu.seedPayment(APP.appid, { openid, merchantId: 'm1', merchantTradeNo: 'LATE-1', amount: 100 })
  await emu.advanceTime(47 * 3600)
  await emu.advanceTime(3600)
  await until(() => seen.length === 1, 'trade_manage_remind_shipping')
  t.is(seen[0].transaction_id, tx)
  t.is(typeof seen[0].pay_time, 'number')
})

// A merchant that grants again is pushed `updateauthorized` (not `authorized`), with a code of its own: only
// exchanging it gets a token of the new grant.
test.serial('a platform ships and settles for its merchant (permission set 142; 61007 without it)', async (t) => {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP], components: [COMPONENT] })
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, component: COMPONENT, apiBase: emu.url, store: recordingStore() })
  client.component.on('authorized', (e) => client.component.queryAuth(e.authorizationCode))
  client.component.on('updateauthorized', (e) => client.component.queryAuth(e.authorizationCode))
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  await emu.pushTicket(server.url)
  const seen = []
  client.component.messages.on('trade_manage_order_settlement', (e, context) => { if (context.appid === MERCHANT) seen.push(e) })
  const messages = await serve(client.component.messages.pushHandler())
  t.teardown(messages.close)
  await emu.control('setPushTarget', { componentAppid: COMPONENT.appid, url: messages.url.replace("/wechat/auth-events", "/wechat/$APPID$/messages") })
  await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45] })
  const merchant = client.openapi({ appid: MERCHANT })
  await until(async () => (await client.component.getAuthorizerInfo(MERCHANT).catch(() => null)) !== null, 'the authorization')
  const denied = await t.throwsAsync(merchant.wxa.sec.order.getOrderList({}))
  t.is(denied.errCode, 61007)
  t.true(denied instanceof cloud.OpenApiError)
  t.regex(denied.meaning, /\S/, 'the code table says what 61007 means')
  const again = await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [142] })
  t.is(again.delivery.status, 200, 'the updateauthorized push was answered once queryAuth ran')
  t.deepEqual((await client.component.getAuthorizerInfo(MERCHANT)).authorizationInfo.permissionSets, [142])
  t.deepEqual((await merchant.wxa.sec.order.getOrderList({})).orderList, [])
  await lifeOfTwoOrders(t, emu, merchant, MERCHANT, seen, () => emu.pushTicket(server.url))
})

test('each rule is refused before any I/O, naming the field and the fix', async (t) => {
  let sent = 0
  const client = cloud.createClient({ appid: APP.appid, apiBase: 'http://127.0.0.1:9', getAccessToken: () => { sent++; return 'x' } })
  const order = client.openapi.wxa.sec.order
  const good = express('4200001', 'o1', new Date())
  const refused = async (params, pattern) => {
    const e = await t.throwsAsync(order.uploadShippingInfo(params))
    t.is(e.errCode, -601002)
    t.regex(e.message, pattern)
  }
  await refused({ ...good, uploadTime: Date.now() }, /uploadTime must be a Date or an RFC 3339 string/)
  await refused({ ...good, uploadTime: '2024/01/01 10:00' }, /uploadTime must be a Date or an RFC 3339 time such as 2022-12-15T13:29:35\.120\+08:00/)
  await refused({ ...good, deliveryMode: '1' }, /deliveryMode must be a number \(DeliveryMode\.UNIFIED_DELIVERY = 1/)
  await refused({ ...good, logisticsType: 7 }, /logisticsType must be a number \(LogisticsType\.EXPRESS = 1.*got 7/)
  await refused({ ...good, orderKey: { orderNumberType: 3, transactionId: 'x' } }, /orderKey\.orderNumberType must be/)
  await refused({ ...good, shippingList: [] }, /shippingList must hold 1 to 15 items, got 0/)
  await refused({ ...good, shippingList: Array(16).fill(good.shippingList[0]) }, /shippingList must hold 1 to 15 items, got 16/)
  await refused({ ...good, shippingList: [{ ...good.shippingList[0], itemDesc: 'x'.repeat(121) }] }, /shippingList\[0\]\.itemDesc must be at most 120 characters/)
  await refused({ ...good, shippingList: [{ trackingNo: 'SF1', expressCompany: 'SF', itemDesc: 'x' }] }, /shippingList\[0\]\.contact is required when shippingList\[0\]\.expressCompany is SF/)
  await refused({ ...good, shippingList: [{ ...good.shippingList[0], contact: { receiverContact: '18912341234' } }] }, /shippingList\[0\]\.contact\.receiverContact must be masked/)
  const ms = await t.throwsAsync(order.notifyConfirmReceive({ transactionId: 'x', receivedTime: Date.now() }))
  t.regex(ms.message, /receivedTime is \d{13}, which can only be milliseconds: give Unix seconds/)
  const text = await t.throwsAsync(order.notifyConfirmReceive({ transactionId: 'x', receivedTime: 'yesterday' }))
  t.regex(text.message, /receivedTime must be a Date or Unix seconds/)
  t.is(sent, 0, 'nothing reached a token, let alone WeChat')
})

test("the emulator's codes arrive as typed OpenApiErrors with their meaning", async (t) => {
  const emu = await cloud.startEmulator({ apps: [APP] })
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  const order = client.openapi.wxa.sec.order
  const [openid] = await emu.openids(APP.appid)
  const unknown = await t.throwsAsync(order.uploadShippingInfo(express('4200devtools', openid, new Date())))
  t.is(unknown.errCode, 10060001)
  t.regex(unknown.meaning, /\S/)
  t.regex(unknown.message, /devtools/)
  const tx = await emu.seedPayment(APP.appid, { openid, merchantId: 'm', merchantTradeNo: 'C-1', amount: 1 })
  await order.uploadShippingInfo(express(tx, openid, new Date()))
  const early = await t.throwsAsync(order.notifyConfirmReceive({ transactionId: tx, receivedTime: 1000 }))
  t.is(early.errCode, 10060029)
  t.regex(early.meaning, /\S/)
  t.regex(early.message, /received_time/)
  const page = await t.throwsAsync(order.getOrderList({ lastIndex: 'not-hex' }))
  t.is(page.errCode, 10060011)
  const other = await t.throwsAsync(order.isTradeManaged({ appid: 'wxsomeoneelse00001' }))
  t.is(other.errCode, 40013)
  const special = await t.throwsAsync(order.opSpecialOrder({ orderId: 'nope', type: cloud.SpecialOrderType.TEST }))
  t.is(special.errCode, 268546002)
})
