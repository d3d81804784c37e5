'use strict'
// One case per row of the endpoint table (api/endpoints.json), keyed by `namespace.method`. rows.spec.js turns
// each into a happy-path test and an error test through the real addon against the emulator, and fails when a
// row has no case here or a case names no row.
//
//   setup?(ctx)          state the call needs (ctx: ./context.js; `ctx.caller` picks another client)
//   happy(ctx)           → the params, camelCase as wx-server-sdk takes them
//   expect(res, ctx)     asserts real values of the answer (and, for calls that change state, the change)
//   absent?: [field]     answer fields (snake_case) this case's answer lacks: only ones the row says come `when`
//   via?: 'component'    the platform's own calls: `openapi.request` with the component token (see context.js)
//   error: { setup?(ctx), params (object or ctx → object), errCode, check?(err, ctx) }
//
// errCode is one of the row's documented codes whenever the row documents any (rows.spec.js enforces it). Where
// the emulator can only reach a documented code through an injected fault, or the row documents none, a
// comment says why.

const { APP, SHOP_B, FOREIGN, COMPONENT, MERCHANT, MINIPROGRAM, SANDBOX, orderParams, registerParams } = require('./context.js')

const { pngBytes, sha256 } = require('../helpers.js')
const { revoked, injected } = require('./situations.js')

/** A company's fast-registration task (component.fastRegisterWeapp). */
const COMPANY = { name: '腾讯计算机系统有限公司', code: '91440300708461136T', codeType: 1, legalPersonaWechat: 'pony-wx', legalPersonaName: '马化腾' }
const companySearch = () => ({ name: COMPANY.name, legalPersonaWechat: COMPANY.legalPersonaWechat, legalPersonaName: COMPANY.legalPersonaName })

/** Setup: the caller is the platform client itself (it fetches its own component token). */
const asPlatform = async (ctx) => {
  ctx.caller = await ctx.platform()
}
/** Setup: the caller acts for MERCHANT, which granted the platform `permissionSets`. */
const actingForMerchant = (permissionSets) => async (ctx) => {
  ctx.caller = await ctx.platformMerchant(permissionSets)
}

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64')
const unb64 = (text) => Buffer.from(text, 'base64').toString('utf8')

/** Places a sandbox order `id` and keeps its waybill in ctx.waybillId. */
async function sandboxOrder(ctx, id = 'order-1') {
  const added = await ctx.placeOrder(id)
  ctx.orderId = id
  ctx.waybillId = added.waybillId
  return added
}

async function printers(ctx) {
  return ctx.openapi.logistics.getPrinter({})
}

async function account(ctx, bizId) {
  const all = await ctx.openapi.logistics.getAllAccount({})
  return all.list.find((a) => a.bizId === bizId)
}

const goods = (goodsName) => ({ detailList: [{ goodsName, goodsImgUrl: `https://img.example/${goodsName}.png` }] })

/** Registers ctx.waybillId (or `waybillId`) with a logistics component; keeps the token in ctx.waybillToken. */
async function track(ctx, method, waybillId = ctx.waybillId, openid = ctx.user) {
  const res = await ctx.openapi.logistics[method](registerParams(openid, waybillId))
  ctx.waybillToken = res.waybillToken
  return res
}

/** A scatter order; keeps its waybill and courier token in ctx. */
async function scatter(ctx) {
  Object.assign(ctx, await ctx.scatterOrder())
}

/** A scatter order whose user paid 12 yuan (1200 fen). */
async function scatterPaid(ctx) {
  await scatter(ctx)
  await ctx.openapi.logistics.scatterUpdateOrderFee({ token: ctx.token, waybillId: ctx.waybillId, needPay: 1, fee: 1200, originalFee: 1200, baseFee: 1200 })
}

/** Asserts that an authorizer token acts for MERCHANT: the logistics plugin opens with it. */
async function actsForMerchant(ctx, authorizerAccessToken) {
  const plugin = await ctx.fixedClient(authorizerAccessToken).openapi.logistics.applyMsgPlugin({})
  ctx.t.is(plugin.errCode, 0, 'the authorizer token acts for the merchant')
}

async function openAccountOfApp(ctx) {
  ctx.openAppid = (await ctx.openapi.openPlatform.createOpenAccount({ appid: APP.appid })).openAppid
}

/** An express shipment of one payment (`orderKey`), paid by `openid`, as uploadShippingInfo takes it. */
function shipment(orderKey, openid) {
  return {
    orderKey,
    logisticsType: 1,
    deliveryMode: 1,
    shippingList: [{ trackingNo: 'SF0001', expressCompany: 'SF', itemDesc: '气泡狗*1', contact: { receiverContact: '189****1234' } }],
    uploadTime: new Date(Date.now() - 1000).toISOString(),
    payer: { openid },
  }
}

/** A combined payment's sub-orders (by merchant trade number), each shipped virtually. */
function combined(openid, tradeNos) {
  const key = (no) => ({ orderNumberType: 1, mchid: '1230000109', outTradeNo: no })
  return {
    orderKey: key(tradeNos[0]),
    subOrders: tradeNos.map((no) => ({ orderKey: key(no), logisticsType: 3, deliveryMode: 1, shippingList: [{ itemDesc: '话费 10 元' }] })),
    uploadTime: new Date(Date.now() - 1000).toISOString(),
    payer: { openid },
  }
}

module.exports = {
  // ── logistics: merchant side ───────────────────────────────────────────────────────────────────────
  'logistics.getAllDelivery': {
    happy: () => ({}),
    expect(res, { t }) {
      t.is(res.count, res.data.length)
      const sf = res.data.find((d) => d.deliveryId === 'SF')
      t.is(sf.deliveryName, '顺丰速运')
      t.is(sf.canUseCash, 1)
      t.is(sf.cashBizId, 'SF_CASH')
      t.deepEqual(sf.serviceType[0], { serviceType: 0, serviceName: '标准快递' })
      t.true(res.data.some((d) => d.deliveryId === 'EMS'))
    },
    error: revoked(),
  },

  'logistics.getAllAccount': {
    setup: (ctx) => ctx.emu.seedAccounts(APP.appid, [{ bizId: 'biz-sf', deliveryId: 'SF', alias: '深圳仓', quotaNum: 42 }]),
    happy: () => ({}),
    expect(res, { t }) {
      t.is(res.count, 1)
      const [a] = res.list
      t.like(a, { bizId: 'biz-sf', deliveryId: 'SF', alias: '深圳仓', quotaNum: 42, statusCode: 0 })
      t.is(typeof a.createTime, 'number')
      t.is(a.serviceType.length, 5)
      t.deepEqual(a.serviceType[1], { serviceType: 1, serviceName: '顺丰即日' })
    },
    error: revoked(),
  },

  'logistics.bindAccount': {
    happy: () => ({ type: 'bind', bizId: 'yto-1', deliveryId: 'YTO', password: 'pw', remarkContent: 'hello' }),
    async expect(res, ctx) {
      const bound = await account(ctx, 'yto-1')
      ctx.t.like(bound, { deliveryId: 'YTO', statusCode: 0, remarkContent: 'hello', quotaNum: 1000 })
      ctx.t.false('password' in bound, 'the password is never echoed')
    },
    error: revoked({ type: 'bind', bizId: 'yto-1', deliveryId: 'YTO' }),
  },

  'logistics.addOrder': {
    happy: (ctx) => orderParams(ctx.user, 'order-1'),
    async expect(res, ctx) {
      const { t } = ctx
      t.is(res.orderId, 'order-1')
      t.regex(res.waybillId, /^TEST\d+$/)
      t.deepEqual(res.waybillData[0], { key: 'TEST_bagAddr', value: '北京市' })
      t.is(res.waybillData[1].key, 'TEST_mark')
      t.is(res.deliveryResultcode, 0)
      const stored = await ctx.emu.order('order-1', APP.appid)
      t.like(stored, { openid: ctx.user, waybillId: res.waybillId, deliveryId: 'TEST', orderStatus: 0 })
    },
    // 40003: the openid is no user of this mini program.
    error: { params: (ctx) => orderParams('o-nobody-knows-me', 'order-2'), errCode: 40003 },
  },

  'logistics.batchGetOrder': {
    async setup(ctx) {
      await sandboxOrder(ctx, 'batch-1')
    },
    happy: () => ({ orderList: [{ orderId: 'batch-1', deliveryId: 'TEST' }, { orderId: 'nope', deliveryId: 'TEST' }] }),
    expect(res, ctx) {
      const { t } = ctx
      t.is(res.orderList.length, 2)
      const [found, missing] = res.orderList
      t.like(found, { errcode: 0, orderId: 'batch-1', deliveryId: 'TEST', waybillId: ctx.waybillId, orderStatus: 0 })
      t.true(unb64(found.printHtml).includes(ctx.waybillId))
      t.like(missing, { errcode: 930563, orderId: 'nope' })
    },
    error: revoked({ orderList: [{ orderId: 'batch-1', deliveryId: 'TEST' }] }),
  },

  'logistics.cancelOrder': {
    setup: (ctx) => sandboxOrder(ctx, 'cancel-1'),
    happy: (ctx) => ({ orderId: 'cancel-1', deliveryId: 'TEST', waybillId: ctx.waybillId }),
    async expect(res, ctx) {
      ctx.t.is(res.deliveryResultcode, 0)
      const got = await ctx.openapi.logistics.getOrder({ orderId: 'cancel-1', deliveryId: 'TEST' })
      ctx.t.is(got.orderStatus, 1)
    },
    error: revoked({ orderId: 'cancel-1', deliveryId: 'TEST', waybillId: 'TEST0' }),
  },

  'logistics.getOrder': {
    setup: (ctx) => sandboxOrder(ctx, 'get-1'),
    happy: (ctx) => ({ orderId: 'get-1', deliveryId: 'TEST', openid: ctx.user, printType: 1 }),
    expect(res, ctx) {
      const { t } = ctx
      t.like(res, { orderId: 'get-1', deliveryId: 'TEST', waybillId: ctx.waybillId, orderStatus: 0 })
      t.is(res.waybillData[0].key, 'TEST_bagAddr')
      const html = unb64(res.printHtml)
      t.true(html.startsWith('<!DOCTYPE html>'))
      t.true(html.includes('one-part'), 'printType 1 is the one-part waybill')
      t.true(html.includes('李四'))
    },
    error: revoked({ orderId: 'get-1', deliveryId: 'TEST' }),
  },

  'logistics.getPath': {
    async setup(ctx) {
      await sandboxOrder(ctx, 'path-1')
      await ctx.openapi.logistics.testUpdateOrder({ ...SANDBOX, orderId: 'path-1', waybillId: ctx.waybillId, actionTime: 1700000000, actionType: 100001, actionMsg: '揽件成功' })
    },
    happy: (ctx) => ({ deliveryId: 'TEST', waybillId: ctx.waybillId }),
    expect(res, ctx) {
      ctx.t.like(res, { openid: ctx.user, deliveryId: 'TEST', waybillId: ctx.waybillId, pathItemNum: 1 })
      ctx.t.deepEqual(res.pathItemList, [{ actionTime: 1700000000, actionType: 100001, actionMsg: '揽件成功' }])
    },
    error: revoked({ deliveryId: 'TEST', waybillId: 'TEST0' }),
  },

  'logistics.getPrinter': {
    setup: (ctx) => ctx.openapi.logistics.updatePrinter({ openid: ctx.user, updateType: 'bind', tagidList: '7,8' }),
    happy: () => ({}),
    expect(res, ctx) {
      ctx.t.is(res.count, 1)
      ctx.t.deepEqual(res.openid, [ctx.user])
      ctx.t.deepEqual(res.tagidList, ['7', '8'])
    },
    error: revoked(),
  },

  'logistics.updatePrinter': {
    happy: (ctx) => ({ openid: ctx.openids[1], updateType: 'bind', tagidList: '3' }),
    async expect(res, ctx) {
      const now = await printers(ctx)
      ctx.t.deepEqual(now.openid, [ctx.openids[1]])
      ctx.t.deepEqual(now.tagidList, ['3'])
    },
    error: revoked({ openid: 'o-whoever', updateType: 'bind' }),
  },

  'logistics.getQuota': {
    setup: (ctx) => ctx.emu.seedAccounts(APP.appid, [{ bizId: 'jd-1', deliveryId: 'JD', quotaNum: 7 }]),
    happy: () => ({ deliveryId: 'JD', bizId: 'jd-1' }),
    expect(res, { t }) {
      t.is(res.quotaNum, 7)
    },
    error: revoked({ deliveryId: 'JD', bizId: 'jd-1' }),
  },

  'logistics.testUpdateOrder': {
    setup: (ctx) => sandboxOrder(ctx, 'test-1'),
    happy: (ctx) => ({ ...SANDBOX, orderId: 'test-1', waybillId: ctx.waybillId, actionTime: 1700000100, actionType: 200001, actionMsg: '运输中' }),
    async expect(res, ctx) {
      const order = await ctx.emu.order('test-1', APP.appid)
      ctx.t.deepEqual(order.path, [{ action_time: 1700000100, action_type: 200001, action_msg: '运输中' }])
    },
    // The row documents only -1. The emulator's own refusals here (930561 outside the sandbox, 930563 unknown
    // order, 40199 wrong waybill) are codes the table does not list for this row.
    error: injected(-1, { ...SANDBOX, orderId: 'x', waybillId: 'TEST0', actionTime: 1, actionType: 100001, actionMsg: 'x' }),
  },

  // ── logistics: the express company's side ──────────────────────────────────────────────────────────
  'logistics.updateBusiness': {
    // EMS reviews bindings: the account waits (status 1) until the courier reports the review.
    setup: (ctx) => ctx.openapi.logistics.bindAccount({ type: 'bind', bizId: 'ems-1', deliveryId: 'EMS', remarkContent: 'please' }),
    happy: () => ({ shopAppId: APP.appid, bizId: 'ems-1', resultCode: 0, resultMsg: 'ok' }),
    async expect(res, ctx) {
      ctx.t.is((await account(ctx, 'ems-1')).statusCode, 0)
    },
    error: revoked({ shopAppId: APP.appid, bizId: 'ems-1', resultCode: 0 }),
  },

  'logistics.updatePath': {
    async setup(ctx) {
      await sandboxOrder(ctx, 'courier-1')
      ctx.token = await ctx.deliveryToken('courier-1')
    },
    happy: (ctx) => ({ token: ctx.token, waybillId: ctx.waybillId, actionTime: 1700000200, actionType: 300002, actionMsg: '派送中' }),
    async expect(res, ctx) {
      const path = await ctx.openapi.logistics.getPath({ deliveryId: 'TEST', waybillId: ctx.waybillId })
      ctx.t.deepEqual(path.pathItemList, [{ actionTime: 1700000200, actionType: 300002, actionMsg: '派送中' }])
    },
    error: revoked({ token: 'x', waybillId: 'TEST0', actionTime: 1, actionType: 100001, actionMsg: 'x' }),
  },

  'logistics.previewTemplate': {
    setup: (ctx) => sandboxOrder(ctx, 'preview-1'),
    happy: (ctx) => ({
      waybillId: ctx.waybillId,
      waybillTemplate: b64('<b>{{receiver.name}} {{waybill_id}} {{waybill_data}}</b>'),
      waybillData: 'marks',
      custom: { receiver: { name: '王五' } },
    }),
    expect(res, ctx) {
      ctx.t.is(res.waybillId, ctx.waybillId)
      ctx.t.is(unb64(res.renderedWaybillTemplate), `<b>王五 ${ctx.waybillId} marks</b>`)
    },
    // 9300512: the template is not base64 HTML.
    error: {
      setup: (ctx) => sandboxOrder(ctx, 'preview-2'),
      params: (ctx) => ({ waybillId: ctx.waybillId, waybillTemplate: '!!! not base64', waybillData: 'd', custom: {} }),
      errCode: 9300512,
    },
  },

  'logistics.getContact': {
    async setup(ctx) {
      await sandboxOrder(ctx, 'contact-1')
      ctx.token = await ctx.deliveryToken('contact-1')
    },
    happy: (ctx) => ({ token: ctx.token, waybillId: ctx.waybillId }),
    expect(res, ctx) {
      ctx.t.is(res.waybillId, ctx.waybillId)
      ctx.t.deepEqual(res.sender, { name: '张三', tel: '', mobile: '13800000000', address: '广东省广州市天河区1号' })
      ctx.t.deepEqual(res.receiver, { name: '李四', tel: '', mobile: '13900000000', address: '北京市北京市朝阳区2号' })
    },
    // The row documents only -1; a bad courier token answers 9300507, which the table lists for other rows only.
    error: injected(-1, { token: 'x', waybillId: 'TEST0' }),
  },

  // The scatter (cash) rows document no codes: each error is the emulator's answer to a clear situation.
  'logistics.scatterDeliveryCancel': {
    setup: scatter,
    happy: (ctx) => ({ token: ctx.token, reason: '用户取消' }),
    async expect(res, ctx) {
      const order = await ctx.emu.order('scatter-1', APP.appid)
      ctx.t.is(order.orderStatus, 1)
      ctx.t.like(order.path.at(-1), { action_type: 400001, action_msg: '快递公司取消: 用户取消' })
    },
    // 9300524: the order is already cancelled.
    error: {
      async setup(ctx) {
        await scatter(ctx)
        await ctx.openapi.logistics.scatterDeliveryCancel({ token: ctx.token, reason: 'first' })
      },
      params: (ctx) => ({ token: ctx.token, reason: 'again' }),
      errCode: 9300524,
    },
  },

  'logistics.scatterUpdateOrderFee': {
    setup: scatter,
    happy: (ctx) => ({ token: ctx.token, waybillId: ctx.waybillId, needPay: 1, fee: 1200, originalFee: 1300, baseFee: 1000, insuredFee: 200, payGoodsName: '运费' }),
    async expect(res, ctx) {
      const { fee } = await ctx.emu.order('scatter-1', APP.appid)
      ctx.t.like(fee, { waybill_id: ctx.waybillId, need_pay: 1, fee: 1200, original_fee: 1300, base_fee: 1000, insured_fee: 200, pay_goods_name: '运费' })
    },
    // 9300507: no order has this courier token.
    error: { params: { token: 'no-such-token', waybillId: 'SF0', needPay: 1, fee: 1, originalFee: 1, baseFee: 1 }, errCode: 9300507 },
  },

  'logistics.scatterDeliveryRefund': {
    setup: scatterPaid,
    happy: (ctx) => ({ token: ctx.token, fee: 200 }),
    async expect(res, ctx) {
      ctx.t.is((await ctx.emu.order('scatter-1', APP.appid)).refunded, 200)
    },
    // 930561: a refund larger than what the user paid.
    error: {
      setup: scatterPaid,
      params: (ctx) => ({ token: ctx.token, fee: 1300 }),
      errCode: 930561,
    },
  },

  'logistics.scatterGetBill': {
    async setup(ctx) {
      await scatterPaid(ctx)
      ctx.today = (await ctx.emu.state()).today
    },
    happy: (ctx) => ({ date: ctx.today, type: 'ALL' }),
    expect(res, ctx) {
      ctx.t.is(res.totalCount, 1)
      ctx.t.like(res.billList[0], { waybillId: ctx.waybillId, billType: 'SUCCESS', fee: 1200 })
    },
    // 47001: the date is a string, as the table asks, but not YYYYMMDD.
    error: { params: { date: '2024-1-1', type: 'ALL' }, errCode: 47001 },
  },

  'logistics.scatterUpdateComplainResult': {
    setup: scatter,
    happy: (ctx) => ({ token: ctx.token, waybillId: ctx.waybillId, result: 'refunded', desc: '超时' }),
    async expect(res, ctx) {
      ctx.t.deepEqual((await ctx.emu.order('scatter-1', APP.appid)).complaint, { result: 'refunded', desc: '超时' })
    },
    // 40199: the token is the order's but the waybill is not.
    error: {
      setup: scatter,
      params: (ctx) => ({ token: ctx.token, waybillId: 'SF000', result: 'x', desc: 'x' }),
      errCode: 40199,
    },
  },

  'logistics.scatterUpdateOrderStatus': {
    setup: scatter,
    happy: (ctx) => ({
      token: ctx.token,
      actionTime: 1700000300,
      actionType: 100001,
      actionMsg: '已揽件',
      pickupCourierName: '小王',
      pickupCourierPhone: '13000000001',
      deliveryCourierName: '小李',
      deliveryCourierPhone: '13000000002',
    }),
    async expect(res, ctx) {
      const order = await ctx.emu.order('scatter-1', APP.appid)
      ctx.t.like(order.couriers, { pickup_courier_name: '小王', delivery_courier_phone: '13000000002' })
      ctx.t.deepEqual(order.path, [{ action_time: 1700000300, action_type: 100001, action_msg: '已揽件' }])
    },
    // 9300507: no order has this courier token.
    error: {
      params: { token: 'no-such-token', actionTime: 1, actionType: 1, actionMsg: 'x', pickupCourierName: 'a', pickupCourierPhone: '1', deliveryCourierName: 'b', deliveryCourierPhone: '2' },
      errCode: 9300507,
    },
  },

  // ── logistics components ───────────────────────────────────────────────────────────────────────────
  'logistics.applyMsgPlugin': {
    // A third-party platform's call for its merchant, made with the authorizer token from component.queryAuth.
    async setup(ctx) {
      ctx.caller = await ctx.merchantClient([45])
    },
    happy: () => ({}),
    async expect(res, ctx) {
      ctx.t.is(res.errMsg, 'openapi.logistics.applyMsgPlugin:ok')
      ctx.t.true((await ctx.emu.state()).apps[MERCHANT].msgPluginOpen)
    },
    // 933003: the plugin is already open (933004, a call without a platform, is in foundation.spec.js).
    error: {
      async setup(ctx) {
        ctx.caller = await ctx.merchantClient([45])
        await ctx.caller.openapi.logistics.applyMsgPlugin({})
      },
      params: {},
      errCode: 933003,
    },
  },

  'logistics.traceWaybill': {
    setup: (ctx) => sandboxOrder(ctx, 'trace-1'),
    happy: (ctx) => ({ ...registerParams(ctx.user, ctx.waybillId), senderPhone: '13800000000', deliveryId: 'TEST' }),
    async expect(res, ctx) {
      ctx.t.regex(res.waybillToken, /^[A-Za-z0-9]{64}$/)
      const traced = await ctx.openapi.logistics.queryTrace({ waybillToken: res.waybillToken })
      ctx.t.is(traced.waybillInfo.waybillId, ctx.waybillId)
    },
    // 40003: the openid is no user of this mini program.
    error: { params: registerParams('o-nobody-knows-me', 'SF1234567890'), errCode: 40003 },
  },

  'logistics.queryTrace': {
    async setup(ctx) {
      await sandboxOrder(ctx, 'trace-2')
      await track(ctx, 'traceWaybill')
    },
    happy: (ctx) => ({ waybillToken: ctx.waybillToken, openid: ctx.user }),
    expect(res, ctx) {
      ctx.t.deepEqual(res.waybillInfo, { status: 0, waybillId: ctx.waybillId })
      ctx.t.is(res.deliveryInfo.deliveryId, 'TEST')
      ctx.t.is(typeof res.deliveryInfo.deliveryName, 'string')
      ctx.t.deepEqual(res.shopInfo.goodsInfo.detailList, [{ goodsName: '书', goodsImgUrl: 'https://img.example/1.png' }])
    },
    // 9300507: no waybill was registered under this token.
    error: { params: { waybillToken: 'no-such-waybill-token' }, errCode: 9300507 },
  },

  'logistics.updateWaybillGoods': {
    async setup(ctx) {
      await sandboxOrder(ctx, 'trace-3')
      await track(ctx, 'traceWaybill')
    },
    happy: (ctx) => ({ waybillToken: ctx.waybillToken, goodsInfo: goods('笔') }),
    async expect(res, ctx) {
      const traced = await ctx.openapi.logistics.queryTrace({ waybillToken: ctx.waybillToken })
      ctx.t.is(traced.shopInfo.goodsInfo.detailList[0].goodsName, '笔')
    },
    // 9300560: the goods of one waybill may be changed a limited number of times (the emulator allows 10).
    error: {
      async setup(ctx) {
        await sandboxOrder(ctx, 'trace-4')
        await track(ctx, 'traceWaybill')
        for (let i = 0; i < 10; i++) await ctx.openapi.logistics.updateWaybillGoods({ waybillToken: ctx.waybillToken, goodsInfo: goods(`g${i}`) })
      },
      params: (ctx) => ({ waybillToken: ctx.waybillToken, goodsInfo: goods('one-too-many') }),
      errCode: 9300560,
    },
  },

  'logistics.followWaybill': {
    happy: (ctx) => registerParams(ctx.openids[2], 'SF1234567890'),
    async expect(res, ctx) {
      ctx.t.regex(res.waybillToken, /^[A-Za-z0-9]{64}$/)
      const followed = await ctx.openapi.logistics.queryFollowTrace({ waybillToken: res.waybillToken })
      ctx.t.deepEqual(followed.deliveryInfo, { deliveryId: 'SF', deliveryName: '顺丰速运' }, 'the company is known from the waybill number')
    },
    // 9300559: no express company issues waybills like this one.
    error: { params: (ctx) => registerParams(ctx.user, 'ZZZ0001'), errCode: 9300559 },
  },

  'logistics.queryFollowTrace': {
    setup: (ctx) => track(ctx, 'followWaybill', 'YT0000001'),
    happy: (ctx) => ({ waybillToken: ctx.waybillToken }),
    expect(res, ctx) {
      ctx.t.deepEqual(res.waybillInfo, { status: 0, waybillId: 'YT0000001' })
      ctx.t.deepEqual(res.deliveryInfo, { deliveryId: 'YTO', deliveryName: '圆通速递' })
      ctx.t.is(res.shopInfo.goodsInfo.detailList[0].goodsName, '书')
    },
    // 9300534: the waybill was registered for another user.
    error: {
      setup: (ctx) => track(ctx, 'followWaybill', 'YT0000002'),
      params: (ctx) => ({ waybillToken: ctx.waybillToken, openid: ctx.openids[1] }),
      errCode: 9300534,
    },
  },

  'logistics.updateFollowWaybillGoods': {
    setup: (ctx) => track(ctx, 'followWaybill', 'SF0000003'),
    happy: (ctx) => ({ waybillToken: ctx.waybillToken, goodsInfo: goods('杯') }),
    async expect(res, ctx) {
      const followed = await ctx.openapi.logistics.queryFollowTrace({ waybillToken: ctx.waybillToken })
      ctx.t.deepEqual(followed.shopInfo.goodsInfo.detailList, [{ goodsName: '杯', goodsImgUrl: 'https://img.example/杯.png' }])
    },
    // 9300507: no waybill was registered under this token.
    error: { params: { waybillToken: 'no-such-waybill-token', goodsInfo: goods('x') }, errCode: 9300507 },
  },

  'logistics.getDeliveryList': {
    happy: () => ({}),
    expect(res, { t }) {
      t.is(res.count, res.deliveryList.length)
      t.deepEqual(res.deliveryList.find((d) => d.deliveryId === 'ZTO'), { deliveryId: 'ZTO', deliveryName: '中通快递' })
      t.false(res.deliveryList.some((d) => d.deliveryId === 'TEST'), 'the sandbox company is no real one')
    },
    // Of the documented codes, the emulator answers 44002 only to an empty body, which this client never sends
    // (it sends `{}`, as the page asks), and the waybill codes need a waybill this row does not take: -1.
    error: injected(-1),
  },

  // ── open platform ──────────────────────────────────────────────────────────────────────────────────
  'openPlatform.createOpenAccount': {
    happy: () => ({ appid: APP.appid }),
    async expect(res, ctx) {
      ctx.t.regex(res.openAppid, /^wx[0-9a-f]{16}$/)
      ctx.t.is((await ctx.openapi.openPlatform.getOpenAccount({})).openAppid, res.openAppid)
    },
    // 89000: this account is already bound to an open-platform account.
    error: { setup: openAccountOfApp, params: { appid: APP.appid }, errCode: 89000 },
  },

  'openPlatform.bindOpenAccount': {
    async setup(ctx) {
      await openAccountOfApp(ctx)
      ctx.caller = ctx.clientOf(SHOP_B)
    },
    happy: (ctx) => ({ openAppid: ctx.openAppid }),
    async expect(res, ctx) {
      ctx.t.is((await ctx.caller.openapi.openPlatform.getOpenAccount({})).openAppid, ctx.openAppid)
      const [open] = (await ctx.emu.state()).openAccounts
      ctx.t.deepEqual(open.bound, [APP.appid, SHOP_B.appid])
    },
    // 89001: FOREIGN belongs to another company than the open-platform account.
    error: {
      async setup(ctx) {
        await openAccountOfApp(ctx)
        ctx.caller = ctx.clientOf(FOREIGN)
      },
      params: (ctx) => ({ openAppid: ctx.openAppid }),
      errCode: 89001,
    },
  },

  'openPlatform.unbindOpenAccount': {
    async setup(ctx) {
      await openAccountOfApp(ctx)
      ctx.caller = ctx.clientOf(SHOP_B)
      await ctx.caller.openapi.openPlatform.bindOpenAccount({ openAppid: ctx.openAppid })
    },
    happy: (ctx) => ({ openAppid: ctx.openAppid, appid: SHOP_B.appid }),
    async expect(res, ctx) {
      ctx.t.false((await ctx.caller.openapi.openPlatform.getBindOpenAccount({})).haveOpen)
      ctx.t.true((await ctx.openapi.openPlatform.getBindOpenAccount({})).haveOpen, 'APP stays bound')
    },
    // 89003: the open-platform account was made on the website, not through the API.
    error: {
      async setup(ctx) {
        ctx.openAppid = (await ctx.emu.seedOpenAccount({ boundAppids: [APP.appid] })).openAppid
      },
      params: (ctx) => ({ openAppid: ctx.openAppid }),
      errCode: 89003,
    },
  },

  'openPlatform.getOpenAccount': {
    setup: openAccountOfApp,
    happy: () => ({ appid: APP.appid }),
    expect(res, ctx) {
      ctx.t.is(res.openAppid, ctx.openAppid)
    },
    // 89002: this account is bound to no open-platform account.
    error: { params: {}, errCode: 89002 },
  },

  'openPlatform.getBindOpenAccount': {
    setup: openAccountOfApp,
    happy: () => ({}),
    expect(res, { t }) {
      t.is(res.haveOpen, true)
    },
    // The row documents only -1, which no situation in the emulator produces.
    error: injected(-1),
  },

  // ── official account ⇄ mini program links ─────────────────────────────────────────────────────────
  'officialAccount.linkMiniprogram': {
    happy: () => ({ appid: MINIPROGRAM, notifyUsers: 1, showProfile: 0 }),
    async expect(res, ctx) {
      const { items } = (await ctx.openapi.officialAccount.getLinkMiniprogram({})).wxopens
      ctx.t.is(items.length, 1)
      ctx.t.like(items[0], { appid: MINIPROGRAM, status: 12, selected: 0 })
    },
    // 89010: an invitation to this mini program is already pending.
    error: {
      setup: (ctx) => ctx.openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 1, showProfile: 1 }),
      params: { appid: MINIPROGRAM, notifyUsers: '1', showProfile: '1' },
      errCode: 89010,
    },
  },

  'officialAccount.getLinkMiniprogram': {
    setup: (ctx) => ctx.openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 0, showProfile: 1 }),
    happy: () => ({}),
    expect(res, { t }) {
      const { items } = res.wxopens
      t.is(items.length, 1)
      t.like(items[0], { appid: MINIPROGRAM, status: 12, selected: 1, released: 1, nearbyDisplayStatus: 0, source: 'SOURCE_NORMAL' })
      t.regex(items[0].username, /^gh_[0-9a-z]+$/)
      t.deepEqual(items[0].funcInfos[0], { id: 1, status: 1, name: '微信认证' })
    },
    // The row documents no code: a revoked token (40001) is the clear situation.
    error: revoked(),
  },

  'officialAccount.unlinkMiniprogram': {
    async setup(ctx) {
      await ctx.openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 1, showProfile: 1 })
      await ctx.emu.approveLink(MINIPROGRAM, APP.appid)
    },
    happy: () => ({ appid: MINIPROGRAM }),
    async expect(res, ctx) {
      ctx.t.deepEqual((await ctx.openapi.officialAccount.getLinkMiniprogram({})).wxopens.items, [])
    },
    // The row documents only 89013 (a banned mini program); the emulator has no banned mini programs, so
    // WeChat's answer is injected. Unlinking what is not linked answers 40013 (flows.spec.js).
    error: injected(89013, { appid: MINIPROGRAM }),
  },

  // ── tokens and quota ───────────────────────────────────────────────────────────────────────────────
  'auth.getAccessToken': {
    happy: () => ({ grantType: 'client_credential', appid: APP.appid, secret: APP.secret }),
    async expect(res, ctx) {
      ctx.t.true(res.accessToken.length >= 100)
      ctx.t.is(res.expiresIn, 7200)
      const delivered = await ctx.fixedClient(res.accessToken).openapi.logistics.getAllDelivery({})
      ctx.t.true(delivered.count > 0, 'the token works')
    },
    // 40013: no account has this appid.
    error: { params: { grantType: 'client_credential', appid: 'wxnobody0000000000', secret: 'x' }, errCode: 40013 },
  },

  'auth.getStableAccessToken': {
    happy: () => ({ grantType: 'client_credential', appid: APP.appid, secret: APP.secret, forceRefresh: false }),
    async expect(res, ctx) {
      ctx.t.true(res.accessToken.length >= 100)
      ctx.t.is(res.expiresIn, 7200)
      const again = await ctx.anonymous.openapi.auth.getStableAccessToken({ grantType: 'client_credential', appid: APP.appid, secret: APP.secret })
      ctx.t.is(again.accessToken, res.accessToken, 'the same token while it is valid')
    },
    // The row documents no code: a wrong secret answers 40125, as WeChat does.
    error: { params: { grantType: 'client_credential', appid: APP.appid, secret: 'wrong-secret' }, errCode: 40125 },
  },

  'auth.clearQuota': {
    async setup(ctx) {
      await ctx.emu.setDailyLimit(APP.appid, 'logistics.getAllDelivery', 1)
      await ctx.openapi.logistics.getAllDelivery({})
      const spent = await ctx.t.throwsAsync(ctx.openapi.logistics.getAllDelivery({}))
      ctx.t.is(spent.errCode, 45009)
    },
    happy: () => ({ appid: APP.appid }),
    async expect(res, ctx) {
      ctx.t.true((await ctx.openapi.logistics.getAllDelivery({})).count > 0, 'the quota is back')
    },
    // The row documents no code: another account's appid answers 40013.
    error: { params: { appid: SHOP_B.appid }, errCode: 40013 },
  },

  'auth.getApiQuota': {
    async setup(ctx) {
      await ctx.openapi.logistics.getAllDelivery({})
      await ctx.openapi.logistics.getAllDelivery({})
    },
    happy: () => ({ cgiPath: '/cgi-bin/express/business/delivery/getall' }),
    expect(res, { t }) {
      t.deepEqual(res.quota, { dailyLimit: 100000, used: 2, remain: 99998 })
      t.deepEqual(res.rateLimit, { callCount: 5000, refreshSecond: 60 })
      t.is(res.componentRateLimit.refreshSecond, 60)
    },
    // 76021: WeChat meters no API at this path.
    error: { params: { cgiPath: '/cgi-bin/no/such/api' }, errCode: 76021 },
  },

  // ── third-party platform ───────────────────────────────────────────────────────────────────────────
  'component.getComponentAccessToken': {
    async setup(ctx) {
      ctx.ticket = (await ctx.emu.setTicket(COMPONENT.appid)).ticket
    },
    happy: (ctx) => ({ componentAppid: COMPONENT.appid, componentAppsecret: COMPONENT.secret, componentVerifyTicket: ctx.ticket }),
    async expect(res, ctx) {
      ctx.t.true(res.componentAccessToken.length >= 100)
      ctx.t.is(res.expiresIn, 7200)
      const code = await ctx.fixedClient(res.componentAccessToken).openapi.request({
        path: '/cgi-bin/component/api_create_preauthcode',
        data: { componentAppid: COMPONENT.appid },
      })
      ctx.t.regex(code.preAuthCode, /^preauthcode@@@/, 'the token works')
    },
    // 61006: not the ticket WeChat pushed.
    error: {
      setup: (ctx) => ctx.emu.setTicket(COMPONENT.appid),
      params: { componentAppid: COMPONENT.appid, componentAppsecret: COMPONENT.secret, componentVerifyTicket: 'ticket@@@forged' },
      errCode: 61006,
    },
  },

  'component.getPreAuthCode': {
    via: 'component',
    happy: () => ({ componentAppid: COMPONENT.appid }),
    expect(res, { t }) {
      t.regex(res.preAuthCode, /^preauthcode@@@[A-Za-z0-9]{40}$/)
      t.is(res.expiresIn, 1800)
    },
    // 40013: the component_appid is not the token's platform.
    error: { params: { componentAppid: 'wxsomeoneelse00001' }, errCode: 40013 },
  },

  'component.queryAuth': {
    via: 'component',
    async setup(ctx) {
      ctx.code = (await ctx.emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45, 24] })).authorizationCode
    },
    happy: (ctx) => ({ componentAppid: COMPONENT.appid, authorizationCode: ctx.code }),
    async expect(res, ctx) {
      const info = res.authorizationInfo
      ctx.t.is(info.authorizerAppid, MERCHANT)
      ctx.t.is(info.expiresIn, 7200)
      ctx.t.regex(info.authorizerRefreshToken, /^refreshtoken@@@/)
      ctx.t.deepEqual(info.funcInfo, [{ funcscopeCategory: { id: 45 } }, { funcscopeCategory: { id: 24 } }])
      await actsForMerchant(ctx, info.authorizerAccessToken)
    },
    // The row documents no code: an authorization code is good once; a used one answers 61010.
    error: {
      via: 'component',
      async setup(ctx) {
        ctx.code = (await ctx.emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45] })).authorizationCode
        await ctx.componentCall('component.queryAuth', { componentAppid: COMPONENT.appid, authorizationCode: ctx.code })
      },
      params: (ctx) => ({ componentAppid: COMPONENT.appid, authorizationCode: ctx.code }),
      errCode: 61010,
    },
  },

  'component.getAuthorizerAccessToken': {
    via: 'component',
    async setup(ctx) {
      ctx.info = await ctx.authorizeMerchant([45])
    },
    happy: (ctx) => ({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, authorizerRefreshToken: ctx.info.authorizerRefreshToken }),
    async expect(res, ctx) {
      ctx.t.is(res.expiresIn, 7200)
      ctx.t.not(res.authorizerAccessToken, ctx.info.authorizerAccessToken)
      ctx.t.not(res.authorizerRefreshToken, ctx.info.authorizerRefreshToken, 'refresh tokens rotate')
      await actsForMerchant(ctx, res.authorizerAccessToken)
    },
    // 61023: a refresh token the platform never received.
    error: {
      via: 'component',
      setup: (ctx) => ctx.authorizeMerchant([45]),
      params: { componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, authorizerRefreshToken: 'refreshtoken@@@forged' },
      errCode: 61023,
    },
  },

  'component.getAuthorizerList': {
    via: 'component',
    async setup(ctx) {
      ctx.info = await ctx.authorizeMerchant([45])
    },
    happy: () => ({ componentAppid: COMPONENT.appid, offset: 0, count: 10 }),
    expect(res, ctx) {
      ctx.t.is(res.totalCount, 1)
      ctx.t.like(res.list[0], { authorizerAppid: MERCHANT, refreshToken: ctx.info.authorizerRefreshToken })
      ctx.t.is(typeof res.list[0].authTime, 'number')
    },
    // The row documents no code: a page of more than 500 answers 47001.
    error: { via: 'component', params: { componentAppid: COMPONENT.appid, offset: 0, count: 501 }, errCode: 47001 },
  },

  'component.startPushTicket': {
    happy: () => ({ componentAppid: COMPONENT.appid, componentSecret: COMPONENT.secret }),
    async expect(res, ctx) {
      const platform = (await ctx.emu.state()).components[COMPONENT.appid]
      ctx.t.like(platform, { ticketValid: true, pushRequests: 1 })
    },
    // 40013: no platform has this appid.
    error: { params: { componentAppid: 'wxnoplatform000001', componentSecret: 'x' }, errCode: 40013 },
  },
  // ── third-party platform: everyday operations (issue 18) ──────────────────────────────────────────
  'component.getAuthorizerInfo': {
    async setup(ctx) {
      await ctx.platformMerchant([45, 30])
      ctx.caller = await ctx.platform()
    },
    // componentAppid comes from the client's component config.
    happy: () => ({ authorizerAppid: MERCHANT }),
    expect(res, { t }) {
      t.deepEqual(res.authorizationInfo.funcInfo.map((f) => f.funcscopeCategory.id), [45, 30], 'what the merchant granted')
      t.is(res.authorizationInfo.authorizerAppid, MERCHANT)
      t.like(res.authorizerInfo, { principalName: 'Emulator Demo Co., Ltd.', serviceTypeInfo: { id: 0 }, accountStatus: 1 })
      t.regex(res.authorizerInfo.userName, /^gh_[0-9a-z]{12}$/)
      t.is(res.authorizerInfo.idc, 1, 'a field the table does not describe still arrives')
    },
    // 61003: the account never authorized this platform.
    error: { setup: asPlatform, params: { authorizerAppid: 'wxneverauthorized1' }, errCode: 61003 },
  },

  'component.getAuthorizerOption': {
    setup: actingForMerchant([45]),
    happy: () => ({ optionName: 'voice_recognize' }),
    expect(res, { t }) {
      t.deepEqual([res.optionName, res.optionValue], ['voice_recognize', '0'])
    },
    // 40097: not an option.
    error: { setup: actingForMerchant([45]), params: { optionName: 'dark_mode' }, errCode: 40097 },
  },

  'component.setAuthorizerOption': {
    setup: actingForMerchant([45]),
    happy: () => ({ optionName: 'customer_service', optionValue: '1' }),
    async expect(res, ctx) {
      const read = await ctx.caller.openapi.component.getAuthorizerOption({ optionName: 'customer_service' })
      ctx.t.is(read.optionValue, '1')
    },
    // 40097: location_report takes 0, 1 or 2.
    error: { setup: actingForMerchant([45]), params: { optionName: 'location_report', optionValue: '3' }, errCode: 40097 },
  },

  'component.clearQuotaByAppSecret': {
    async setup(ctx) {
      // The deadlock: the token call's own quota is spent (its one call of the day made elsewhere), so no
      // component token can be had, and the token-based clear_quota cannot be called.
      await ctx.emu.setDailyLimit(COMPONENT.appid, 'component.getComponentAccessToken', 1)
      ctx.caller = await ctx.platform()
      const spend = { componentAppid: COMPONENT.appid, componentAppsecret: COMPONENT.secret, componentVerifyTicket: ctx.ticket }
      await ctx.anonymous.openapi.component.getComponentAccessToken(spend)
      const stuck = await ctx.t.throwsAsync(ctx.caller.component.getPreAuthCode())
      ctx.t.is(stuck.errCode, 45009)
      ctx.t.true(stuck.message.includes('clearQuotaByAppSecret()'), stuck.message)
    },
    // component_appid and appsecret come from the config: the caller passes nothing.
    happy: () => ({}),
    async expect(res, ctx) {
      const state = await ctx.emu.state()
      ctx.t.deepEqual(state.apps[COMPONENT.appid].usage, {}, 'the counts are reset')
      ctx.t.regex((await ctx.caller.component.getPreAuthCode()).preAuthCode, /^preauthcode@@@/)
    },
    // 40013: the account named never authorized this platform.
    error: { setup: asPlatform, params: { appid: 'wxneverauthorized1' }, errCode: 40013 },
  },

  'component.fastRegisterWeapp': {
    setup: asPlatform,
    happy: () => COMPANY,
    async expect(res, ctx) {
      const waiting = await ctx.t.throwsAsync(ctx.caller.openapi.component.searchFastRegisterWeapp(companySearch()))
      ctx.t.is(waiting.errCode, 89251, 'the legal representative has not confirmed yet')
    },
    // 89248: code types are 1, 2 and 3.
    error: { setup: asPlatform, params: { ...COMPANY, codeType: 4 }, errCode: 89248 },
  },

  'component.searchFastRegisterWeapp': {
    async setup(ctx) {
      ctx.caller = await ctx.platform()
      await ctx.caller.openapi.component.fastRegisterWeapp(COMPANY)
      ctx.created = await ctx.emu.confirmFastRegister({ name: COMPANY.name })
    },
    happy: () => companySearch(),
    async expect(res, ctx) {
      ctx.t.regex(ctx.created.appid, /^wx[0-9a-z]{16}$/)
    },
    // 89250: no task for this company.
    error: { setup: asPlatform, params: { ...companySearch(), name: 'Nobody Ltd.' }, errCode: 89250 },
  },

  'component.fastRegisterPersonalWeapp': {
    setup: asPlatform,
    happy: () => ({ idname: '张三', wxuser: 'zhangsan-wx', componentPhone: '13800000000' }),
    async expect(res, ctx) {
      ctx.t.is(res.status, 0)
      ctx.t.true(res.authorizeUrl.includes(res.taskid))
      const created = await ctx.emu.confirmFastRegister({ taskid: res.taskid })
      await ctx.caller.component.queryAuth(created.authorizationCode)
      const basic = await ctx.caller.openapi({ appid: created.appid }).account.getAccountBasicInfo({})
      ctx.t.is(basic.principalName, '个人 张三')
    },
    // 89253 (missing parameters) cannot be sent: the client refuses a missing field before any I/O, so
    // WeChat's answer is injected.
    error: {
      async setup(ctx) {
        ctx.caller = await ctx.platform()
        await ctx.fault(ctx.row.name, 89253)
      },
      params: { idname: '张三', wxuser: 'zhangsan-wx' },
      errCode: 89253,
    },
  },

  'account.getAccountBasicInfo': {
    setup: actingForMerchant([30]),
    happy: () => ({}),
    expect(res, { t }) {
      t.like(res, { appid: MERCHANT, accountType: 3, realnameStatus: 1, principalName: 'Emulator Demo Co., Ltd.' })
      t.is(typeof res.wxVerifyInfo.qualificationVerify, 'boolean')
    },
    // 61007: the merchant granted neither set 3 nor 30.
    error: { setup: actingForMerchant([45]), params: {}, errCode: 61007 },
  },

  'account.fastRegister': {
    async setup(ctx) {
      ctx.caller = await ctx.platformMerchant([27])
      ctx.ticket = (await ctx.emu.fastRegisterTicket(MERCHANT)).ticket
    },
    happy: (ctx) => ({ ticket: ctx.ticket }),
    async expect(res, ctx) {
      ctx.t.regex(res.appid, /^wx[0-9a-z]{16}$/)
      ctx.t.deepEqual([res.isWxVerifySucc, res.isLinkSucc], [true, true])
      const platform = await ctx.platform()
      await platform.component.queryAuth(res.authorizationCode)
      const basic = await platform.openapi({ appid: res.appid }).account.getAccountBasicInfo({})
      ctx.t.is(basic.appid, res.appid, 'the new mini program, through the platform')
    },
    // 61058: not a ticket of this official account's admin.
    error: { setup: actingForMerchant([27]), params: { ticket: 'forged-ticket' }, errCode: 61058 },
  },

  'auth.clearQuotaByAppSecret': {
    async setup(ctx) {
      await ctx.emu.setDailyLimit(APP.appid, 'logistics.getAllDelivery', 1)
      await ctx.openapi.logistics.getAllDelivery({})
      ctx.t.is((await ctx.t.throwsAsync(ctx.openapi.logistics.getAllDelivery({}))).errCode, 45009)
    },
    // appid and appsecret come from the config: the caller passes nothing.
    happy: () => ({}),
    async expect(res, ctx) {
      ctx.t.true((await ctx.openapi.logistics.getAllDelivery({})).count > 0, 'the quota is back')
    },
    // 48006: ten resets a month, shared with clear_quota.
    error: {
      async setup(ctx) {
        for (let i = 0; i < 10; i++) await ctx.openapi.auth.clearQuotaByAppSecret({})
      },
      params: {},
      errCode: 48006,
    },
  },

  'auth.getRidInfo': {
    async setup(ctx) {
      ctx.failed = await ctx.t.throwsAsync(ctx.openapi.auth.clearQuota({ appid: SHOP_B.appid }))
    },
    happy: (ctx) => ({ rid: ctx.failed.rid }),
    expect(res, { t, failed }) {
      t.is(res.request.requestUrl, 'access_token=[redacted]')
      t.is(res.request.requestBody, JSON.stringify({ appid: SHOP_B.appid }))
      t.true(res.request.responseBody.includes(`"errcode":40013`) && res.request.responseBody.includes(failed.rid))
      t.true(Number.isInteger(res.request.invokeTime) && Number.isInteger(res.request.costInMs))
    },
    // 76001: WeChat recorded no request with this rid.
    error: { params: { rid: '00000000-00000000-00000000' }, errCode: 76001 },
  },

  'auth.code2Session': {
    async setup(ctx) {
      ctx.loginCode = await ctx.emu.loginCode(APP.appid, { openid: ctx.user, unionid: 'uCatalogue' })
    },
    // appid and secret come from the client's config; no access token is sent.
    happy: (ctx) => ({ jsCode: ctx.loginCode }),
    async expect(res, ctx) {
      ctx.t.like(res, { openid: ctx.user, unionid: 'uCatalogue' })
      ctx.t.is(Buffer.from(res.sessionKey, 'base64').length, 16)
      ctx.t.is((await ctx.t.throwsAsync(ctx.openapi.auth.code2Session({ jsCode: ctx.loginCode }))).errCode, 40029, 'a code is used once')
    },
    // 40029: a code wx.login never minted.
    error: { params: { jsCode: 'not-a-login-code' }, errCode: 40029 },
  },

  'auth.checkSessionKey': {
    async setup(ctx) {
      ctx.session = await ctx.openapi.auth.code2Session({ jsCode: await ctx.emu.loginCode(APP.appid, { openid: ctx.user }) })
    },
    happy: (ctx) => ({ openid: ctx.user, sessionKey: ctx.session.sessionKey }),
    expect(res, { t }) {
      t.is(res.errCode, 0)
    },
    // 87009: a key that is not the user's current one (its signature does not match).
    error: { params: (ctx) => ({ openid: ctx.user, sessionKey: 'AAAAAAAAAAAAAAAAAAAAAA==' }), errCode: 87009 },
  },

  'auth.resetUserSessionKey': {
    async setup(ctx) {
      ctx.session = await ctx.openapi.auth.code2Session({ jsCode: await ctx.emu.loginCode(APP.appid, { openid: ctx.user }) })
    },
    happy: (ctx) => ({ openid: ctx.user, sessionKey: ctx.session.sessionKey }),
    async expect(res, ctx) {
      ctx.t.is(res.openid, ctx.user)
      ctx.t.not(res.sessionKey, ctx.session.sessionKey)
      const old = await ctx.t.throwsAsync(ctx.openapi.auth.checkSessionKey({ openid: ctx.user, sessionKey: ctx.session.sessionKey }))
      ctx.t.is(old.errCode, 87009, 'the old key stops working')
    },
    // 87009: a key that is not the user's current one.
    error: { params: (ctx) => ({ openid: ctx.user, sessionKey: 'AAAAAAAAAAAAAAAAAAAAAA==' }), errCode: 87009 },
  },

  'auth.getPaidUnionId': {
    async setup(ctx) {
      await ctx.openapi.auth.code2Session({ jsCode: await ctx.emu.loginCode(APP.appid, { openid: ctx.user, unionid: 'uPaid' }) })
      ctx.paid = await ctx.emu.userPaid({ appid: APP.appid, openid: ctx.user, mchId: '1230000109', outTradeNo: 'T1' })
    },
    happy: (ctx) => ({ openid: ctx.user, mchId: '1230000109', outTradeNo: 'T1' }),
    expect(res, { t }) {
      t.is(res.unionid, 'uPaid')
    },
    // 89300: no payment by this user with that transaction id.
    error: { params: (ctx) => ({ openid: ctx.user, transactionId: '4200000000000000000000000000' }), errCode: 89300 },
  },

  'component.code2Session': {
    async setup(ctx) {
      await ctx.platformMerchant([18])
      ctx.caller = await ctx.platform()
      ctx.loginCode = await ctx.emu.loginCode({ appid: MERCHANT, user: { openid: 'oMerchantCatalogue' }, componentAppid: COMPONENT.appid })
    },
    // componentAppid comes from the client's component config; the component token is sent.
    happy: (ctx) => ({ appid: MERCHANT, jsCode: ctx.loginCode }),
    expect(res, { t }) {
      t.is(res.openid, 'oMerchantCatalogue')
      t.is(Buffer.from(res.sessionKey, 'base64').length, 16)
    },
    absent: ['unionid'],
    // 61003: the mini program never authorized this platform (40029, an unknown code, is the happy path's reuse).
    error: { setup: asPlatform, params: { appid: MERCHANT, jsCode: 'not-a-login-code' }, errCode: 61003 },
  },

  // ── cloud calls: subscribe messages, content security, mini program codes ──────────────────────────
  'subscribeMessage.send': {
    async setup(ctx) {
      ctx.templateId = await ctx.emu.addSubscribeTemplate({ appid: APP.appid, keys: ['thing1', 'time2'] })
      await ctx.emu.subscribeUser(ctx.user, ctx.templateId, 1, APP.appid)
    },
    happy: (ctx) => ({
      touser: ctx.user,
      templateId: ctx.templateId,
      page: 'pages/index/index?from=catalogue',
      data: { thing1: { value: '到货通知' }, time2: { value: '2026-11-30 08:00' } },
      miniprogramState: 'developer',
    }),
    async expect(res, ctx) {
      const sent = await ctx.emu.sentSubscribeMessages(APP.appid)
      ctx.t.is(sent.length, 1)
      ctx.t.like(sent[0], { touser: ctx.user, templateId: ctx.templateId, miniprogramState: 'developer', data: { thing1: { value: '到货通知' } } })
      const again = await ctx.t.throwsAsync(ctx.openapi.subscribeMessage.send(module.exports['subscribeMessage.send'].happy(ctx)))
      ctx.t.is(again.errCode, 43101, 'a one-time subscription allows one message')
    },
    // 43101: the user never subscribed to the template.
    error: {
      async setup(ctx) {
        ctx.templateId = await ctx.emu.addSubscribeTemplate({ appid: APP.appid, keys: ['thing1'] })
      },
      params: (ctx) => ({ touser: ctx.user, templateId: ctx.templateId, data: { thing1: { value: 'x' } } }),
      errCode: 43101,
    },
  },

  'security.msgSecCheck': {
    setup: (ctx) => ctx.emu.setSecurityBlocklist({ appid: APP.appid, risky: ['违禁词'], label: 20006 }),
    happy: (ctx) => ({ content: '这里有违禁词', version: 2, scene: 2, openid: ctx.user }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res.result, { suggest: 'risky', label: 20006 })
      ctx.t.is(res.detail.find((d) => d.strategy === 'keyword').keyword, '违禁词')
      ctx.t.regex(res.traceId, /^[0-9a-f]{8}-/)
      const clean = await ctx.openapi.security.msgSecCheck({ content: '你好', version: 2, scene: 1, openid: ctx.user })
      ctx.t.deepEqual(clean.result, { suggest: 'pass', label: 100 })
    },
    // 40129: scene is 1 to 4.
    error: { params: (ctx) => ({ content: 'x', version: 2, scene: 9, openid: ctx.user }), errCode: 40129 },
  },

  'wxacode.getUnlimited': {
    happy: () => ({ scene: 'id=42', page: 'pages/index/index', width: 280, checkPath: false, envVersion: 'trial' }),
    expect(res, { t }) {
      t.is(res.contentType, 'image/png')
      t.true(Buffer.isBuffer(res.buffer))
      t.deepEqual([...res.buffer.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG (the Rust tests decode its QR code)')
      t.deepEqual(Object.keys(res), ['contentType', 'buffer', 'errMsg', 'errCode'])
    },
    // 41030: the page is not among the published pages the test named.
    error: {
      setup: (ctx) => ctx.emu.setMiniprogramPages(['pages/index/index'], APP.appid),
      params: { scene: 'a=1', page: 'pages/missing/missing' },
      errCode: 41030,
    },
  },

  'wxacode.get': {
    happy: () => ({ path: 'pages/index/index?id=7', width: 430, lineColor: { r: 0, g: 128, b: 0 } }),
    expect(res, { t }) {
      t.is(res.contentType, 'image/png')
      t.true(Buffer.isBuffer(res.buffer) && res.buffer.length > 100)
    },
    // 40159: a path longer than 1024 characters.
    error: { params: { path: 'p'.repeat(1025) }, errCode: 40159 },
  },

  'wxacode.createQRCode': {
    happy: () => ({ path: 'pages/index/index?id=8' }),
    expect(res, { t }) {
      t.is(res.contentType, 'image/png')
      t.deepEqual([...res.buffer.subarray(1, 4)], [0x50, 0x4e, 0x47])
    },
    // 40159: a path longer than 128 bytes.
    error: { params: { path: 'p'.repeat(129) }, errCode: 40159 },
  },
  'phonenumber.getPhoneNumber': {
    async setup(ctx) {
      ctx.phoneCode = await ctx.emu.seedPhoneCode({ appid: APP.appid, phoneNumber: '13800138000', openid: ctx.user })
    },
    happy: (ctx) => ({ code: ctx.phoneCode, openid: ctx.user }),
    async expect(res, ctx) {
      ctx.t.like(res.phoneInfo, { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: 86 })
      ctx.t.is(res.phoneInfo.watermark.appid, APP.appid)
      const again = await ctx.t.throwsAsync(ctx.openapi.phonenumber.getPhoneNumber({ code: ctx.phoneCode }))
      ctx.t.is(again.errCode, 40029, 'a code is used once')
    },
    // 40029: a code nobody seeded.
    error: { params: { code: 'not-a-seeded-code' }, errCode: 40029 },
  },

  'urllink.generate': {
    happy: () => ({ path: 'pages/index/index', query: 'id=3', expireType: 1, expireInterval: 7 }),
    async expect(res, ctx) {
      ctx.t.regex(res.urlLink, /^https:\/\/wxaurl\.cn\/[A-Za-z0-9]{12}$/)
      ctx.t.like(await ctx.emu.resolveLink(res.urlLink), { appid: APP.appid, path: 'pages/index/index', query: 'id=3', expired: false })
      await ctx.emu.advanceTime(7 * 86400)
      ctx.t.true((await ctx.emu.resolveLink(res.urlLink)).expired, 'expires after its interval')
    },
    // 85402: more than 30 days.
    error: { params: { expireType: 1, expireInterval: 31 }, errCode: 85402 },
  },

  'urlscheme.generate': {
    happy: () => ({ jumpWxa: { path: 'pages/index/index', query: 'a=1', envVersion: 'trial' }, expireType: 1, expireInterval: 1 }),
    async expect(res, ctx) {
      ctx.t.regex(res.openlink, /^weixin:\/\/dl\/business\/\?t=[A-Za-z0-9]{13}$/)
      ctx.t.like(await ctx.emu.resolveLink(res.openlink), { path: 'pages/index/index', envVersion: 'trial', expired: false })
    },
    // 85401: an expiry time in the past.
    error: { params: { jumpWxa: { path: 'pages/index/index' }, expireType: 0, expireTime: 1 }, errCode: 85401 },
  },

  'customerServiceMessage.send': {
    async setup(ctx) {
      await ctx.emu.userWrote(ctx.user, APP.appid)
      const cover = await ctx.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: 'image/png', value: pngBytes('cover') } })
      ctx.mediaId = cover.mediaId
    },
    happy: (ctx) => ({ touser: ctx.user, msgtype: 'miniprogrampage', miniprogrampage: { title: '订单', pagepath: 'pages/order/order?id=1', thumbMediaId: ctx.mediaId } }),
    async expect(res, ctx) {
      const [sent] = await ctx.emu.sentCustomerMessages(APP.appid)
      ctx.t.like(sent, { touser: ctx.user, msgtype: 'miniprogrampage', miniprogrampage: { pagepath: 'pages/order/order?id=1', thumb_media_id: ctx.mediaId } })
    },
    // 45015: the user has not written in the last 48 hours.
    error: { params: (ctx) => ({ touser: ctx.user, msgtype: 'text', text: { content: 'hi' } }), errCode: 45015 },
  },

  'subscribeMessage.getTemplateList': {
    setup: (ctx) => ctx.emu.addSubscribeTemplate({ appid: APP.appid, templateId: 'TPL-1', title: '到货通知', keys: ['thing1', 'time2'], type: 3 }),
    happy: () => ({}),
    expect(res, { t }) {
      t.is(res.data.length, 1)
      t.like(res.data[0], { priTmplId: 'TPL-1', title: '到货通知', type: 3, content: '{{thing1.DATA}}\n{{time2.DATA}}\n' })
    },
    // The row documents no code: a revoked token (40001) is the clear situation.
    error: revoked(),
  },

  'security.mediaCheckAsync': {
    setup: (ctx) => ctx.emu.setSecurityBlocklist({ appid: APP.appid, risky: ['forbidden'] }),
    happy: (ctx) => ({ mediaUrl: 'https://img.example/forbidden.png', mediaType: 2, version: 2, scene: 3, openid: ctx.user }),
    async expect(res, ctx) {
      ctx.t.regex(res.traceId, /^[0-9a-f]{8}-/)
      const [event] = await ctx.emu.mediaCheckResults(APP.appid)
      ctx.t.like(event, { trace_id: res.traceId, Event: 'wxa_media_check', result: { suggest: 'risky', label: 20001 } })
    },
    // The row documents no code: a revoked token (40001) is the clear situation.
    error: revoked({ mediaUrl: 'https://img.example/a.png', mediaType: 2, version: 2, scene: 1, openid: 'o' }),
  },

  'security.imgSecCheck': {
    setup: (ctx) => ctx.emu.setSecurityBlocklist({ appid: APP.appid, images: [sha256(pngBytes('risky'))] }),
    // wx-server-sdk's own shape, header included (it is not needed and dropped).
    happy: () => ({ media: { header: { 'Content-Type': 'application/octet-stream' }, contentType: 'image/png', value: pngBytes('clean') } }),
    expect(res, { t }) {
      t.deepEqual(res, { errMsg: 'openapi.security.imgSecCheck:ok', errCode: 0 })
    },
    // 87014: an image on the blocklist the test set.
    error: {
      setup: (ctx) => ctx.emu.setSecurityBlocklist({ appid: APP.appid, images: [sha256(pngBytes('risky'))] }),
      params: () => ({ media: { contentType: 'image/png', value: pngBytes('risky') } }),
      errCode: 87014,
    },
  },

  'customerServiceMessage.uploadTempMedia': {
    happy: () => ({ type: 'image', media: { contentType: 'image/png', value: pngBytes(Buffer.from([0, 255, 13, 10])) } }),
    async expect(res, ctx) {
      ctx.t.regex(res.mediaId, /^[A-Za-z0-9]{64}$/)
      ctx.t.is(res.type, 'image')
      ctx.t.is(typeof res.createdAt, 'number')
      const [stored] = await ctx.emu.tempMedia({ appid: APP.appid, mediaId: res.mediaId })
      ctx.t.deepEqual(Buffer.from(stored.base64, 'base64'), pngBytes(Buffer.from([0, 255, 13, 10])))
      ctx.t.like(stored, { type: 'image', content_type: 'image/png', filename: 'media.png', created_at: res.createdAt })
    },
    // 40004: a mini program uploads images only.
    error: { params: () => ({ type: 'voice', media: { contentType: 'audio/mpeg', value: pngBytes('x') } }), errCode: 40004 },
  },

  'ocr.printedText': {
    setup: (ctx) => ctx.emu.seedOcr({
      appid: APP.appid,
      api: 'printedText',
      sha256: sha256(pngBytes('menu', 300, 200)),
      answer: { items: [{ text: '腾讯', pos: { left_top: { x: 1, y: 2 }, right_top: { x: 9, y: 2 }, right_bottom: { x: 9, y: 8 }, left_bottom: { x: 1, y: 8 } } }], img_size: { w: 300, h: 200 } },
    }),
    happy: () => ({ img: { contentType: 'image/png', value: pngBytes('menu', 300, 200) } }),
    expect(res, { t }) {
      t.deepEqual(res.items, [{ text: '腾讯', pos: { leftTop: { x: 1, y: 2 }, rightTop: { x: 9, y: 2 }, rightBottom: { x: 9, y: 8 }, leftBottom: { x: 1, y: 8 } } }])
      t.deepEqual(res.imgSize, { w: 300, h: 200 })
    },
    // 101002: bytes that are no image.
    error: { params: () => ({ img: { contentType: 'image/png', value: Buffer.from('not an image') } }), errCode: 101002 },
  },

  'ocr.idcard': {
    setup: (ctx) => ctx.emu.seedOcr({ appid: APP.appid, api: 'idcard', imageUrl: 'https://img.example/card-back.jpg', answer: { type: 'Back', valid_date: '20070105-20270105' } }),
    happy: () => ({ type: 'photo', imgUrl: 'https://img.example/card-back.jpg' }),
    // The back of a card: no front-side fields.
    absent: ['name', 'id', 'addr', 'gender', 'nationality'],
    expect(res, { t }) {
      t.deepEqual(res, { type: 'Back', validDate: '20070105-20270105', errMsg: 'openapi.ocr.idcard:ok', errCode: 0 })
    },
    // 101001: an image with no card (nothing was seeded for it).
    error: { params: () => ({ img: { contentType: 'image/png', value: pngBytes('a cat') } }), errCode: 101001 },
  },
  'wxa.sec.order.uploadShippingInfo': {
    async setup(ctx) {
      ctx.tx = await ctx.emu.seedPayment(APP.appid, { openid: ctx.user, merchantId: '1230000109', merchantTradeNo: 'CAT-1', amount: 100 })
    },
    happy: (ctx) => shipment({ orderNumberType: 2, transactionId: ctx.tx }, ctx.user),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, { errMsg: 'openapi.wxa.sec.order.uploadShippingInfo:ok', errCode: 0 })
      const { order } = await ctx.openapi.wxa.sec.order.getOrder({ transactionId: ctx.tx })
      ctx.t.is(order.orderState, 2, 'shipped')
      ctx.t.is(order.shipping.shippingList[0].trackingNo, 'SF0001')
    },
    // 10060001: a payment WeChat does not know (one made in the devtools, say).
    error: { params: (ctx) => shipment({ orderNumberType: 2, transactionId: '4200000000000000000000000000' }, ctx.user), errCode: 10060001 },
  },

  'wxa.sec.order.uploadCombinedShippingInfo': {
    async setup(ctx) {
      for (const no of ['CAT-C1', 'CAT-C2']) await ctx.emu.seedPayment(APP.appid, { openid: ctx.user, merchantId: '1230000109', merchantTradeNo: no, amount: 100 })
    },
    happy: (ctx) => combined(ctx.user, ['CAT-C1', 'CAT-C2']),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, { errMsg: 'openapi.wxa.sec.order.uploadCombinedShippingInfo:ok', errCode: 0 })
      for (const no of ['CAT-C1', 'CAT-C2']) {
        const { order } = await ctx.openapi.wxa.sec.order.getOrder({ merchantId: '1230000109', merchantTradeNo: no })
        ctx.t.is(order.orderState, 2, `${no} shipped`)
      }
    },
    // 10060013: the same sub-order twice.
    error: {
      setup: (ctx) => ctx.emu.seedPayment(APP.appid, { openid: ctx.user, merchantId: '1230000109', merchantTradeNo: 'CAT-C3', amount: 100 }),
      params: (ctx) => combined(ctx.user, ['CAT-C3', 'CAT-C3']),
      errCode: 10060013,
    },
  },

  'wxa.sec.order.getOrder': {
    async setup(ctx) {
      ctx.tx = await ctx.emu.seedPayment(APP.appid, { openid: ctx.user, merchantId: '1230000109', merchantTradeNo: 'CAT-G1', amount: 916 })
    },
    happy: (ctx) => ({ transactionId: ctx.tx }),
    expect(res, ctx) {
      ctx.t.like(res.order, { transactionId: ctx.tx, merchantId: '1230000109', merchantTradeNo: 'CAT-G1', openid: ctx.user, orderState: 1 })
    },
    // 10060014: neither a transaction id nor a merchant id with its trade number.
    error: { params: { merchantId: '1230000109' }, errCode: 10060014 },
  },

  'wxa.sec.order.getOrderList': {
    async setup(ctx) {
      for (const no of ['CAT-L1', 'CAT-L2', 'CAT-L3']) await ctx.emu.seedPayment(APP.appid, { openid: ctx.user, merchantId: '1230000109', merchantTradeNo: no, amount: 100 })
    },
    happy: (ctx) => ({ orderState: 1, openid: ctx.user, pageSize: 2 }),
    async expect(res, ctx) {
      ctx.t.is(res.orderList.length, 2)
      ctx.t.true(res.hasMore)
      const rest = await ctx.openapi.wxa.sec.order.getOrderList({ orderState: 1, openid: ctx.user, pageSize: 2, lastIndex: res.lastIndex })
      ctx.t.is(rest.orderList.length, 1)
      ctx.t.false(rest.hasMore)
    },
    // 10060011: a lastIndex that no page handed out.
    error: { params: { lastIndex: 'zz' }, errCode: 10060011 },
  },

  'wxa.sec.order.notifyConfirmReceive': {
    async setup(ctx) {
      ctx.tx = await ctx.emu.seedPayment(APP.appid, { openid: ctx.user, merchantId: '1230000109', merchantTradeNo: 'CAT-N1', amount: 100 })
      await ctx.openapi.wxa.sec.order.uploadShippingInfo(shipment({ orderNumberType: 2, transactionId: ctx.tx }, ctx.user))
    },
    happy: (ctx) => ({ transactionId: ctx.tx, receivedTime: Math.floor(Date.now() / 1000) }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, { errMsg: 'openapi.wxa.sec.order.notifyConfirmReceive:ok', errCode: 0 })
      const again = await ctx.t.throwsAsync(ctx.openapi.wxa.sec.order.notifyConfirmReceive({ transactionId: ctx.tx, receivedTime: Math.floor(Date.now() / 1000) }))
      ctx.t.is(again.errCode, 10060030, 'once per order')
    },
    // 10060001: no such payment.
    error: { params: { transactionId: '4200000000000000000000000001', receivedTime: 1700000000 }, errCode: 10060001 },
  },

  'wxa.sec.order.setMsgJumpPath': {
    happy: () => ({ path: 'pages/order/detail?id=1' }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, { errMsg: 'openapi.wxa.sec.order.setMsgJumpPath:ok', errCode: 0 })
      const state = await ctx.emu.state()
      ctx.t.is(state.apps[APP.appid].shipping.msgJumpPath, 'pages/order/detail?id=1')
    },
    // The row documents only -1 (system busy): the emulator has no situation for it, so it is injected.
    error: injected(-1, { path: 'pages/x' }),
  },

  'wxa.sec.order.isTradeManaged': {
    setup: (ctx) => ctx.emu.setTradeManaged(APP.appid, true),
    happy: () => ({ appid: APP.appid }),
    expect(res, ctx) {
      ctx.t.is(res.isTradeManaged, true)
    },
    // 40097: no appid.
    error: { params: { appid: '' }, errCode: 40097 },
  },

  'wxa.sec.order.isTradeManagementConfirmationCompleted': {
    happy: () => ({ appid: APP.appid }),
    expect(res, ctx) {
      ctx.t.is(res.completed, false)
    },
    // 40013: an appid that is not the caller's.
    error: { params: { appid: 'wxsomeoneelse00001' }, errCode: 40013 },
  },

  'wxa.sec.order.opSpecialOrder': {
    async setup(ctx) {
      ctx.tx = await ctx.emu.seedPayment(APP.appid, { openid: ctx.user, merchantId: '1230000109', merchantTradeNo: 'CAT-S1', amount: 100 })
    },
    happy: (ctx) => ({ orderId: ctx.tx, type: 2 }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, { errMsg: 'openapi.wxa.sec.order.opSpecialOrder:ok', errCode: 0 })
      const { order } = await ctx.openapi.wxa.sec.order.getOrder({ transactionId: ctx.tx })
      ctx.t.is(order.orderState, 5, 'a test order is refunded')
    },
    // 268546002: no order to ship with that id.
    error: { params: { orderId: 'nope', type: 2 }, errCode: 268546002 },
  },

  // Issue 30: the long tail of cloud calls, in its own file.
  ...require('./longtail.js'),
  // Issue 29: the official account's rows.
  ...require('./official.js'),
}
