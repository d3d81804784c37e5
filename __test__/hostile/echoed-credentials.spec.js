'use strict'
// Hardening, third round, classes 2 and 3: credentials WeChat echoes back never reach the caller.
// 2. `lookupRid(err)` (auth.getRidInfo) returns WeChat's record of another request: its URL with the live access
//    token, its body with an AppSecret (clearQuotaByAppSecret). It used to come back as it was sent.
// 3. A token echoed as a key of an error answer survived in `err.details`: keys were camelCased before the
//    scrubber ran, so `a_token_value` became `aTokenValue` and no longer matched.

const test = require('ava')
const util = require('node:util')
const cloud = require('../..')
const { rawServer, withToken } = require('./raw-server.js')

const TOKEN = '86_kq1lzx_b2vn9c_wt0yh3m_ppq4rs7'
const SECRET = 'the-app-secret-echoed-back-000000001'
const APP = { appid: 'wxechoes0000000001', secret: SECRET }

/** Every spelling a credential can take once case conversion has been at it. */
const spellings = (s) => [s, s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), s.toUpperCase()]

function assertClean(t, value) {
  const seen = JSON.stringify(value) + util.inspect(value, { depth: 10 })
  for (const s of [...spellings(TOKEN), SECRET]) t.false(seen.includes(s), `${s} leaked: ${seen}`)
}

test('lookupRid and auth.getRidInfo return WeChat\'s record of a request with its credentials scrubbed', async (t) => {
  const wx = await rawServer(withToken(TOKEN, (req, reply) => {
    if (req.path.startsWith('/cgi-bin/openapi/rid/get')) {
      return reply.json({
        errcode: 0,
        errmsg: 'ok',
        request: {
          invoke_time: 1700000000,
          cost_in_ms: 12,
          request_url: `access_token=${TOKEN}&grant_type=client_credential`,
          request_body: JSON.stringify({ appid: APP.appid, appsecret: SECRET }),
          response_body: '{"errcode":48001,"errmsg":"api unauthorized rid: 6565-abc"}',
          client_ip: '10.0.0.1',
          [TOKEN]: 'a token as a key',
        },
      })
    }
    return reply.json({ errcode: 48001, errmsg: 'api unauthorized rid: 6565-abc' })
  }))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const failed = await t.throwsAsync(client.openapi.auth.clearQuotaByAppSecret({}))
  t.is(failed.rid, '6565-abc')
  const record = await client.lookupRid(failed)
  t.is(record.request.costInMs, 12, 'the record is there')
  t.regex(record.request.requestUrl, /access_token=\[redacted\]/)
  assertClean(t, record)
  const snake = await client.openapi({ convertCase: false }).auth.getRidInfo({ rid: '6565-abc' })
  t.is(snake.request.cost_in_ms, 12)
  assertClean(t, snake)
})

test('a token echoed as a key of an error answer is scrubbed from err.details before its keys are camelCased', async (t) => {
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json({ errcode: 45009, errmsg: 'echo', [TOKEN]: 1, nested: { [`x_${TOKEN}`]: true } })))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  for (const openapi of [client.openapi, client.openapi({ convertCase: false })]) {
    const e = await t.throwsAsync(openapi.logistics.getAllAccount({}))
    t.is(e.errCode, 45009)
    t.truthy(e.details, 'the echo is there')
    assertClean(t, e)
  }
})
