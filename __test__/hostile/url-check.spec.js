'use strict'
// Issue 27, class 1: a way in through the URL check. The plain signature signs (token, timestamp, nonce) and not
// the echostr, so one signed triple from an access log plus markup in `echostr` must not become a page on the
// push URL's origin: URL-check answers are always text/plain with nosniff, and a stale check is refused.

const test = require('ava')
const { cloud, COMPONENT, serve } = require('../component-helpers.js')

const APP = { appid: 'wxurlcheck00000001', secret: 'urlchecksecret0000000000000001' }
const TOKEN = 'url-check-token'
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA'
const now = () => Math.floor(Date.now() / 1000)
const MARKUP = ['<script>alert(document.domain)</script>', '{"x":"<img src=x onerror=alert(1)>"}', ' <svg onload=alert(1)>']

/** A GET URL check signed the plain way (the signature leaves echostr out), at `stamp`. */
function urlCheck(token, echostr, stamp = now()) {
  // encodeURIComponent, not URLSearchParams: a '+' in the query stays a '+' (base64 echostrs carry them).
  const q = { signature: cloud.crypto.sign(token, String(stamp), '77'), timestamp: String(stamp), nonce: '77', echostr }
  return `?${Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`
}

const intakes = [
  ['client.push without a key', () => cloud.createClient({ ...APP, push: { token: TOKEN } }).push.pushHandler(), TOKEN, '/wechat/push'],
  ['client.push with a key', () => cloud.createClient({ ...APP, push: { token: TOKEN, encodingAesKey: KEY } }).push.pushHandler(), TOKEN, '/wechat/push'],
  ['component.messages', () => cloud.createClient({ component: COMPONENT }).component.messages.pushHandler(), COMPONENT.token, '/wechat/wx1234567890abcdef/callback'],
]

for (const [name, handler, token, path] of intakes) {
  test(`${name}: a URL check echoing markup is answered as plain text with nosniff`, async (t) => {
    const server = await serve(handler())
    t.teardown(server.close)
    const base = server.url.replace('/wechat/auth-events', path)
    for (const echostr of MARKUP) {
      const res = await fetch(base + urlCheck(token, echostr))
      t.is(res.status, 200, echostr)
      t.is(await res.text(), echostr, 'the echostr is still answered as sent (WeChat compares it)')
      t.is(res.headers.get('content-type'), 'text/plain; charset=utf-8', echostr)
      t.is(res.headers.get('x-content-type-options'), 'nosniff', echostr)
    }
  })

  test(`${name}: a URL check signed long ago (an access log) is refused`, async (t) => {
    const server = await serve(handler())
    t.teardown(server.close)
    const base = server.url.replace('/wechat/auth-events', path)
    for (const stamp of [now() - 3600, Date.UTC(2019, 0, 1) / 1000, now() + 3600]) {
      const res = await fetch(base + urlCheck(token, '<script>alert(1)</script>', stamp))
      t.is(res.status, 400, String(stamp))
      t.regex(await res.text(), /^(stale push|push from the future): its query timestamp is/)
      t.is(res.headers.get('content-type'), 'text/plain; charset=utf-8')
    }
    t.is((await fetch(base + urlCheck(token, 'fresh-1', now() - 10))).status, 200, 'inside the window it is answered')
  })
}

test('handlePush refuses a stale URL check too, with the freshness option named', async (t) => {
  const client = cloud.createClient({ ...APP, push: { token: TOKEN, maxAgeSeconds: 60 } })
  const query = Object.fromEntries(new URLSearchParams(urlCheck(TOKEN, 'echo', now() - 120)))
  const e = await t.throwsAsync(client.push.handlePush({ query }))
  t.is(e.errCode, -601002)
  t.regex(e.errMsg, /stale push: its query timestamp is \d+ s old, more than the 60 s allowed \(push\.maxAgeSeconds\)/)
  t.is(await client.push.handlePush({ query: Object.fromEntries(new URLSearchParams(urlCheck(TOKEN, 'echo'))) }), 'echo')
})

test('component.pushHandler answers no URL check, and its refusals are plain text', async (t) => {
  const client = cloud.createClient({ component: COMPONENT })
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  const res = await fetch(server.url + urlCheck(COMPONENT.token, '<script>alert(1)</script>'))
  t.is(res.status, 400)
  t.false((await res.text()).includes('<script>'))
  t.is(res.headers.get('content-type'), 'text/plain; charset=utf-8')
  t.is(res.headers.get('x-content-type-options'), 'nosniff')
})
