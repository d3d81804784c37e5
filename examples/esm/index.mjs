// ESM: the default import is the same object as require('wechat-openapi'); named imports work too.
import cloud, { createClient, OpenApiError } from 'wechat-openapi'
import { startEmulator, DEMO_APP } from 'wechat-openapi/emulator'

const emu = await startEmulator()
try {
  const client = createClient({ ...DEMO_APP, apiBase: emu.url })
  const { list } = await client.openapi.logistics.getAllAccount({})
  const error = await client.openapi.logistics.getQuota({ deliveryId: 'SF', bizId: 'not_bound' }).catch((e) => e)
  console.log(JSON.stringify({
    sameModule: cloud.createClient === createClient,
    accounts: list.map((a) => a.bizId),
    typedError: error instanceof OpenApiError && error.errCode,
  }))
} finally {
  await emu.close()
}
