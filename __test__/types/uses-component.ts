// Third-party platform mode as a TypeScript user writes it: type-checked by types.spec.js, never run.

import * as http from 'node:http'
import * as cloud from '../../index.js'

const db = new Map<string, string>()
cloud.init({
  component: { appid: 'wxcomponent0000001', secret: 's', token: 't', encodingAesKey: 'k'.repeat(43) },
  store: { get: async (key) => db.get(key) ?? null, set: (key, value) => void db.set(key, value), del: (key) => void db.delete(key) },
  onRefreshTokenRotated: ({ authorizerAppid, refreshToken }) => void db.set(`mine:${authorizerAppid}`, refreshToken),
})

cloud.component.on('authorized', async ({ authorizationCode }) => {
  if (authorizationCode) await cloud.component.queryAuth(authorizationCode)
})
cloud.component.on('refreshToken', (e) => e.refreshToken.length)
http.createServer(cloud.component.pushHandler({ maxBytes: 32 * 1024, onError: (e) => e.errCode }))

async function flow(): Promise<void> {
  const { preAuthCode } = await cloud.component.getPreAuthCode()
  const url: string = cloud.component.authorizationUrl({ preAuthCode, redirectUri: 'https://example.com/cb', authType: 2, mobile: true })
  const answer: 'success' = await cloud.component.handlePush({ query: 'timestamp=1&nonce=2', body: Buffer.from('<xml/>') })
  await cloud.component.startPushTicket()
  await cloud.openapi({ appid: 'wxmerchant00000001' }).logistics.applyMsgPlugin({})
  const client = cloud.createClient({ component: { appid: 'wxc', secret: 's', token: 't', encodingAesKey: 'k'.repeat(43) } })
  client.component.once('unauthorized', (e) => e.authorizerAppid)
  void url, answer

  // A platform's everyday operations (issue 18).
  client.component.on('notify_third_fasteregister', async ({ status, appid, authCode, info }) => {
    if (status === 0 && authCode) await client.component.queryAuth(authCode)
    void appid, info?.name
  })
  const details = await client.component.getAuthorizerInfo('wxmerchant00000001')
  const granted: number[] = details.authorizationInfo.permissionSets
  const principal: string = details.authorizerInfo.principalName
  await client.component.clearQuotaByAppSecret()
  await client.openapi.auth.clearQuotaByAppSecret({})
  await client.openapi.component.fastRegisterWeapp({ name: 'n', code: 'c', codeType: 1, legalPersonaWechat: 'w', legalPersonaName: 'l' })
  try {
    await client.openapi({ appid: 'wxmerchant00000001' }).account.getAccountBasicInfo({})
  } catch (e) {
    if (e instanceof cloud.OpenApiError && e.rid) {
      const story = await client.lookupRid(e, { appid: e.appid })
      const body: string = story.request.requestBody
      void body, (await cloud.lookupRid(e.rid)).request.costInMs
    }
  }
  void granted, principal

  const mc = new cloud.crypto.MsgCrypt({ token: 't', encodingAesKey: 'k'.repeat(43), appid: 'wx1' })
  const { body, query } = mc.encryptPush('<xml/>')
  const inner: string = mc.decryptPush({ query, body })
  const ok: boolean = mc.verify({ msgSignature: query.msg_signature, timestamp: 1, nonce: 2, encrypt: mc.encrypt(inner) })
  const fields: Record<string, string> = cloud.crypto.parseXml(inner)
  void ok, fields, cloud.crypto.sign('a', 'b')
}
void flow
