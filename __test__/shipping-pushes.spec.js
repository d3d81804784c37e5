'use strict'
// The three shipping-management pushes reach a merchant typed (WeChat's numbers as numbers) in every mode and
// format the emulator pushes in: shipping.spec covers safe mode; here plain and compatible, XML and JSON.

const test = require('ava')
const { cloud, serve } = require('./component-helpers.js')

const APP = { appid: 'wxshippingpush0001', secret: 'shipping-push-secret-00000000001' }
const TOKEN = 'shipping-push-token'
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA'
const EVENTS = ['trade_manage_remind_access_api', 'trade_manage_remind_shipping', 'trade_manage_order_settlement']

async function until(check, what) {
  for (let i = 0; i < 250; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}

for (const mode of ['plain', 'compatible']) {
  for (const format of ['xml', 'json']) {
    test(`the three events arrive typed in ${mode} mode, ${format}`, async (t) => {
      const emu = await cloud.startEmulator({ apps: [APP] })
      // Plain pushes are only accepted by a client without a key; compatible ones are read from their ciphertext.
      const push = mode === 'plain' ? { token: TOKEN } : { token: TOKEN, encodingAesKey: KEY }
      const client = cloud.createClient({ ...APP, apiBase: emu.url, push })
      const seen = {}
      for (const event of EVENTS) client.push.on(event, (e) => { seen[event] = e })
      const server = await serve(client.push.pushHandler())
      t.teardown(async () => { await server.close(); await emu.close() })
      await emu.setPushTarget({ appid: APP.appid, url: server.url, format, mode, ...push })

      await emu.setTradeManaged(APP.appid, true)
      const [openid] = await emu.openids(APP.appid)
      const late = await emu.seedPayment(APP.appid, { openid, merchantId: 'm1', merchantTradeNo: 'LATE', amount: 100 })
      await emu.advanceTime(48 * 3600)
      const shipped = await emu.seedPayment(APP.appid, { openid, merchantId: 'm1', merchantTradeNo: 'SHIP', amount: 200 })
      await client.openapi.wxa.sec.order.uploadShippingInfo({
        orderKey: { orderNumberType: cloud.OrderNumberType.TRANSACTION_ID, transactionId: shipped },
        logisticsType: cloud.LogisticsType.VIRTUAL,
        deliveryMode: cloud.DeliveryMode.UNIFIED_DELIVERY,
        shippingList: [{ itemDesc: '会员月卡' }],
        uploadTime: new Date(),
        payer: { openid },
      })
      await until(() => EVENTS.every((e) => seen[e]), EVENTS.join(', '))

      for (const e of EVENTS) t.is(typeof seen[e].CreateTime, 'number', `${e}.CreateTime`)
      t.is(typeof seen.trade_manage_remind_access_api.msg, 'string')
      t.like(seen.trade_manage_remind_shipping, { transaction_id: late, merchant_trade_no: 'LATE' })
      t.is(typeof seen.trade_manage_remind_shipping.pay_time, 'number')
      const settlement = seen.trade_manage_order_settlement
      t.like(settlement, { transaction_id: shipped, merchant_id: 'm1' })
      for (const field of ['pay_time', 'shipped_time', 'estimated_settlement_time']) t.is(typeof settlement[field], 'number', field)
      t.true(settlement.estimated_settlement_time > settlement.shipped_time)
    })
  }
}
