// A courier's push URL: WeChat sends it merchants' orders, cancellations and account checks, and waits for answers.
const express = require('express')
const cloud = require('wechat-openapi')

cloud.init({
  appid: process.env.WECHAT_APPID,
  secret: process.env.WECHAT_SECRET,
  push: { token: process.env.WECHAT_PUSH_TOKEN, encodingAesKey: process.env.WECHAT_PUSH_KEY },
})

let serial = 0
cloud.push.on('add_waybill', (event) => {
  const wayBillId = event.WayBillID !== '0' ? event.WayBillID : `CO${Date.now()}${++serial}`
  console.log(`order ${event.OrderID} from ${event.ShopAppID}: waybill ${wayBillId}`)
  return cloud.replies.addWaybill(event, { resultCode: 0, wayBillId })
})
cloud.push.on('cancel_waybill', (event) => cloud.replies.cancelWaybill(event, { resultCode: 0 }))
cloud.push.on('check_biz', (event) => cloud.replies.checkBiz(event, { resultCode: 0, quota: 100 }))
cloud.push.on('get_quota', (event) => cloud.replies.getQuota(event, { resultCode: 0, quota: 100 }))

const app = express()
app.all('/wechat/push', cloud.push.pushHandler())
const server = app.listen(Number(process.env.PORT || 3000), () => console.log(`listening on ${server.address().port}`))
