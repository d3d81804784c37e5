// A merchant's push URL: WeChat tells it when a waybill moves and when a courier account binding is settled.
const express = require('express')
const cloud = require('wechat-openapi')

cloud.init({
  appid: process.env.WECHAT_APPID,
  secret: process.env.WECHAT_SECRET,
  push: { token: process.env.WECHAT_PUSH_TOKEN, encodingAesKey: process.env.WECHAT_PUSH_KEY },
})

cloud.push.on('add_express_path', (event) => {
  const last = event.Actions[event.Actions.length - 1]
  console.log(`waybill ${event.WayBillId}: ${last.ActionType} ${last.ActionMsg} (${event.Actions.length} steps)`)
})
cloud.push.on('update_business_bind_result', (event) => {
  console.log(`courier account ${event.biz_id}: ${event.errcode === 0 ? 'bound' : `rejected: ${event.errmsg}`}`)
})

const app = express()
app.all('/wechat/push', cloud.push.pushHandler()) // GET: the URL check; POST: pushes
const server = app.listen(Number(process.env.PORT || 3000), () => console.log(`listening on ${server.address().port}`))
