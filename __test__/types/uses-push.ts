// Message pushes as a TypeScript user writes them: type-checked by types.spec.js, never run.

import * as http from 'node:http'
import * as cloud from '../../index.js'
import type { AddExpressPathEvent, PushLogEntry } from '../../index.js'

const client = cloud.createClient({ appid: 'wx1', secret: 's', push: { token: 't', encodingAesKey: 'k'.repeat(43), maxAgeSeconds: 600 } })

client.push.on('add_express_path', (event, context) => {
  const last = event.Actions[event.Actions.length - 1]
  const type: number = last.ActionType
  const waybill: string = event.WayBillId
  const lat = last.Lat // an undocumented field: kept, typed unknown
  void type, waybill, lat, context.appid, context.format
})
client.push.on('update_business_bind_result', (e) => e.errcode === 0)
client.push.on('wxa_media_check', (e) => e.result.suggest)
client.push.on('add_waybill', (e) => cloud.replies.addWaybill(e, { resultCode: 0, wayBillId: 'X' }))
client.push.on('check_biz', (e) => client.push.replies.checkBiz(e, { resultCode: 0, quota: 1 }))
client.push.on('text', (m) => m.FromUserName)
cloud.component.messages.on('add_express_path', (e: AddExpressPathEvent, { appid }) => void appid)
cloud.component.on('notify_third_fasteregister', (e) => e.status === 0 && e.authCode && e.info?.codeType)
http.createServer(client.push.pushHandler({ maxBytes: 1024 }))
http.createServer(cloud.component.messages.pushHandler({ appid: (req) => req.url }))

async function intake(): Promise<void> {
  const answer: string = await client.push.handlePush({ query: 'timestamp=1', body: '<xml/>' })
  const parsed = cloud.crypto.parseXml('<xml/>')
  const entries: PushLogEntry[] = []
  const outcome: 'delivered' | 'failed' | 'pending' | undefined = entries[0]?.outcome
  void answer, parsed, outcome
}
void intake
