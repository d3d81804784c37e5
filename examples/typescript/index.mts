// TypeScript with ESM (module: nodenext): checked by `tsc -p examples/typescript` in npm test.
import cloud, { createClient, OpenApiError, type ResponseEvent, type LogisticsGetAllAccountResponse } from 'wechat-openapi'
import { startEmulator, DEMO_APP } from 'wechat-openapi/emulator'

const emu = await startEmulator()
const client = createClient({ ...DEMO_APP, apiBase: emu.url })
const durations: number[] = []
client.on('response', (e: ResponseEvent) => durations.push(e.durationMs))

const accounts: LogisticsGetAllAccountResponse = await client.openapi.logistics.getAllAccount({})
const first: string | undefined = accounts.list?.[0]?.bizId
try {
  await cloud.openapi.logistics.getQuota({ deliveryId: 'SF', bizId: first ?? '' })
} catch (err) {
  if (err instanceof OpenApiError) console.log(err.category, err.errCode)
}
for (const t of client.tokens()) console.log(t.kind, t.cached, t.expiresAt?.toISOString())
await emu.close()
