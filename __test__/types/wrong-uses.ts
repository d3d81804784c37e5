// Must NOT compile: each line marked `// error TSnnnn` must fail with that code, and nothing else may fail.
// __test__/types.spec.js checks the two sets agree.
import * as cloud from '../../index.js'
import { parcel } from './uses-endpoints.js'

export async function wrong(): Promise<void> {
  // `cloud.component` is the platform side; the table's component.* endpoints are under `cloud.openapi.component`.
  await cloud.component.getAuthorizerList({ offset: 0, count: 10 }) // error TS2551
  // And the endpoints are not the platform side: no events there.
  cloud.openapi.component.on('authorized', () => 0) // error TS2339
  const res = await cloud.openapi.logistics.getAllAccount()
  void res.lst // error TS2551
  // A mini program order (addSource 0) needs the user's openid.
  await cloud.openapi.logistics.addOrder({ orderId: 'o1', addSource: 0, ...parcel }) // error TS2345
  // 'authorized' hands a code; 'ticket' does not.
  cloud.component.on('ticket', (e) => e.authorizationCode) // error TS2339
  // The AppSecret of a quota reset comes from the config, never from params.
  await cloud.openapi.auth.clearQuotaByAppSecret({ appsecret: 'typed' }) // error TS2322
  // queryAuth stores the tokens and hands none back.
  void (await cloud.component.queryAuth('code')).authorizerRefreshToken // error TS2339
  // A file is { contentType, value: Buffer }, not base64 text.
  await cloud.openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: 'aGVsbG8=' } }) // error TS2322
  // A raw request's file is sent by POST, and names its form-data field.
  await cloud.openapi.request({ method: 'GET', path: '/x', file: { field: 'media', contentType: 'image/png', value: Buffer.alloc(1) } }) // error TS2345
  await cloud.openapi.request({ path: '/cgi-bin/media/uploadimg', file: { contentType: 'image/png', value: Buffer.alloc(1) } }) // error TS2741
}
