// Compiled (never run) by `npm test`: the public types accept what the SDK accepts and describe what it returns.
import * as cloud from '../../index.js'
import { OpenApiError, SDK_CODES } from '../../index.js'
import type { Config, LogisticsAddOrderRequest, LogisticsGetAllAccountResponse, Result } from '../../index.js'

const config: Config = {
  appid: 'wxtestapp',
  getAccessToken: async ({ forceRefresh }) => (forceRefresh ? { accessToken: 't2', expiresIn: 7200 } : 't1'),
  tokenMode: 'stable',
  env: cloud.DYNAMIC_CURRENT_ENV,
}

// Nested objects and arrays, optional fields left out (strict-results.ts and wrong-uses.ts reuse the parcel).
export const parcel = {
  deliveryId: 'SF',
  bizId: 'biz1',
  sender: { name: 'A', mobile: '1380000' },
  receiver: { name: 'B', tel: '020-1' },
  cargo: { count: 1, weight: 1.5, spaceX: 10, spaceY: 10, spaceZ: 10, detailList: [{ name: 'book', count: 2 }] },
  shop: { goodsName: 'book', goodsCount: 2 },
  insured: { useInsured: 0, insuredValue: 0 },
  service: { serviceType: 0, serviceName: 'standard' },
}
const order: LogisticsAddOrderRequest = { orderId: 'o1', openid: 'user', addSource: 0, ...parcel }

async function main(): Promise<number> {
  const emu = await cloud.startEmulator({ port: 0, apps: [{ appid: 'wxtestapp', secret: 's' }] })
  cloud.init({ appid: 'wxtestapp', secret: 's', apiBase: emu.url })
  await emu.seedAccounts('wxtestapp', [{ bizId: 'biz1', deliveryId: 'SF' }])

  const accounts: LogisticsGetAllAccountResponse & Result = await cloud.openapi.logistics.getAllAccount()
  const first = accounts.list?.[0]
  const serviceNames: Array<string | undefined> = first?.serviceType?.map((s) => s.serviceName) ?? []
  const code: 0 = accounts.errCode

  const added = await cloud.openapi.logistics.addOrder(order)
  const waybill: string | undefined = added.waybillId
  await cloud.openapi.logistics.batchGetOrder({ orderList: [{ orderId: 'o1', deliveryId: 'SF', waybillId: waybill }] })
  await cloud.openapi.officialAccount.linkMiniprogram({ appid: 'wx1', notifyUsers: '1', showProfile: 0 })
  const bound: boolean | undefined = (await cloud.openapi.openPlatform.getBindOpenAccount()).haveOpen

  // Per-call options; snake_case surface keeps the names, loosens the fields.
  const other = cloud.createClient(config)
  await other.openapi({ timeout: 2000, retryUnsafe: true }).logistics.cancelOrder({ orderId: 'o1', deliveryId: 'SF', waybillId: 'w' })
  const snake = await other.openapi({ convertCase: false }).logistics.getAllAccount({})
  const snakeCount: unknown = snake.count
  const raw = await cloud.openapi.request<{ quota: { used: number } }>({ path: '/cgi-bin/openapi/quota/get', data: { cgiPath: '/x' } })
  const used: number = raw.quota.used
  const image = Buffer.from('\x89PNG')
  const uploaded = await cloud.openapi.request<{ url: string }>({ path: '/cgi-bin/media/uploadimg', file: { field: 'media', contentType: 'image/png', value: image } })
  const url: string = uploaded.url
  await cloud.openapi.request({ method: 'POST', path: '/cgi-bin/media/upload', data: { type: 'image' }, file: { field: 'media', contentType: 'image/png', value: new Uint8Array(image), filename: 'a.png' }, idempotent: false })

  try {
    await cloud.openapi.logistics.getPath({ deliveryId: 'SF', waybillId: 'w' })
  } catch (e) {
    if (e instanceof OpenApiError) {
      const retry: boolean = e.retryable && e.category === 'busy'
      if (e.errCode === SDK_CODES.TIMEOUT || e.category === 'rate-limit') return e.attempts
      return retry ? e.errCode : (e.httpStatus ?? 0)
    }
    throw e
  }
  // File uploads as wx-server-sdk takes them; OCR by file or by URL.
  const checked = await cloud.openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: Buffer.from('png') } })
  const media = await cloud.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: 'image/jpeg', value: new Uint8Array(3), filename: 'a.jpg' } })
  const mediaId: string = media.mediaId
  const lines = await cloud.openapi.ocr.printedText({ imgUrl: 'https://img.example/a.png' })
  const corner: number = lines.items[0].pos.leftTop.x + lines.imgSize.w
  const card = await cloud.openapi.ocr.idcard({ type: 'photo', img: { contentType: 'image/png', value: new ArrayBuffer(8) } })
  const side: string = card.type + (card.validDate ?? '')
  await emu.close()
  return [serviceNames.length, code, used, url, bound, snakeCount, checked.errCode, mediaId, corner, side].length
}

void main
