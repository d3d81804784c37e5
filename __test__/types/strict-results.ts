// Compiled (never run) by types.spec.js in strict mode: fields WeChat always sends are read without `!` or `?.`.
import * as cloud from '../../index.js'
import { parcel } from './uses-endpoints.js'

export async function results(): Promise<number> {
  const res = await cloud.openapi.logistics.getAllAccount()
  const count: string = res.count.toFixed()
  const firstBiz: string | undefined = res.list[0]?.bizId
  const o = await cloud.openapi.openPlatform.getOpenAccount({ appid: 'wx1' })
  const quota = await cloud.openapi.auth.getApiQuota({ cgiPath: '/cgi-bin/message/custom/send' })
  const left: number = quota.quota.remain
  // Only some answers carry it: optional.
  const limit = quota.rateLimit
  const tok = await cloud.openapi.auth.getStableAccessToken({ grantType: 'client_credential', appid: 'wx1', secret: 's' })
  // An App/H5 order needs wx_appid and no openid.
  await cloud.openapi.logistics.addOrder({ orderId: 'o2', wxAppid: 'wxapp', addSource: 2, ...parcel })
  // The README's third-party platform snippet, as written there.
  cloud.component.on('authorized', ({ authorizationCode }) => cloud.component.queryAuth(authorizationCode))
  const info = await cloud.component.queryAuth('code')
  const granted: number[] = info.funcInfo.map((f) => f.funcscopeCategory.id)
  void info.authorizerAppid.length, granted
  cloud.component.on('push', (e) => (e.infoType === 'component_verify_ticket' ? 0 : e.createTime))
  cloud.component.on('ticket', (e) => e.componentAppid.length)
  return count.length + o.openAppid.length + left + tok.expiresIn + (firstBiz?.length ?? 0) + (limit ? 1 : 0)
}
