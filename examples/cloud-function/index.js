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
