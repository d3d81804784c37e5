// A WeChat Cloud function (wx-server-sdk.js) moved to your own server (index.js): only the require line
// differs. init's `env` is accepted and ignored; the account comes from WECHAT_APPID / WECHAT_SECRET.
const cloud = require('wechat-openapi')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })

// The courier accounts bound to this mini program, with each courier's name, and one account's quota.
exports.main = async (event, context) => {
  const [accounts, couriers] = await Promise.all([
    cloud.openapi.logistics.getAllAccount({}),
    cloud.openapi.logistics.getAllDelivery({}),
  ])
  const names = new Map(couriers.data.map((d) => [d.deliveryId, d.deliveryName]))
  const list = accounts.list.map((a) => ({ bizId: a.bizId, courier: names.get(a.deliveryId) }))
  try {
    const { quotaNum } = await cloud.openapi.logistics.getQuota({ deliveryId: event.deliveryId, bizId: event.bizId })
    return { accounts: list, quota: quotaNum }
  } catch (err) {
    return { accounts: list, error: err.errCode }
  }
}

// Tells a user their order shipped (a subscribe message they accepted in wx.requestSubscribeMessage) and returns a
// mini program code that opens the order: the PNG as base64, since a cloud function's answer is JSON.
exports.notify = async (event, context) => {
  const sent = await cloud.openapi.subscribeMessage.send({
    touser: event.openid,
    templateId: event.templateId,
    page: `pages/order/order?id=${event.orderId}`,
    data: { thing1: { value: event.title }, character_string2: { value: event.orderId } },
  })
  const code = await cloud.openapi.wxacode.getUnlimited({ scene: `id=${event.orderId}`, page: 'pages/order/order', checkPath: false })
  return { sent: sent.errCode, contentType: code.contentType, qrcode: code.buffer.toString('base64') }
}

// Checks a photo a user sent (the image as base64, since a cloud function's event is JSON), keeps it as temporary
// media and sends it back to the user as a customer service message. A risky image is refused with WeChat's 87014.
exports.checkAvatar = async (event, context) => {
  const media = { contentType: 'image/png', value: Buffer.from(event.imageBase64, 'base64') }
  try {
    await cloud.openapi.security.imgSecCheck({ media })
  } catch (err) {
    return { ok: false, errCode: err.errCode }
  }
  const { mediaId } = await cloud.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media })
  await cloud.openapi.customerServiceMessage.send({ touser: event.openid, msgtype: 'image', image: { mediaId } })
  return { ok: true, mediaId }
}

// Tells WeChat how a paid order shipped (发货信息管理), so its money can settle: one SF package. A payment made in
// the devtools is unknown to WeChat (10060001); a payment ships once and may be corrected once (10060003 after).
exports.ship = async (event, context) => {
  try {
    await cloud.openapi.wxa.sec.order.uploadShippingInfo({
      orderKey: { orderNumberType: 2, transactionId: event.transactionId }, // 2: by WeChat Pay transaction id
      logisticsType: 1, // express
      deliveryMode: 1, // everything in one package
      shippingList: [{ trackingNo: event.trackingNo, expressCompany: 'SF', itemDesc: event.itemDesc, contact: { receiverContact: event.receiverContact } }],
      uploadTime: new Date().toISOString(),
      payer: { openid: event.openid },
    })
    return { ok: true }
  } catch (err) {
    return { ok: false, errCode: err.errCode }
  }
}
