'use strict'
// apiBase keeps its path: a gateway at `http://host/wechat` receives `/wechat/cgi-bin/…`, token fetches and
// failover included. The gateway here is a tiny node:http proxy that strips its prefix and forwards to the emulator.

const test = require('ava')
const http = require('node:http')
const cloud = require('..')
const { startEmulator, DEMO_APP } = require('../emulator.js')

/** A proxy that forwards `<prefix>/…` to `target` as `/…`, answers 404 to anything else, and records paths. */
async function gateway(prefix, target) {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push(req.url)
    if (!req.url.startsWith(prefix + '/')) {
      res.writeHead(404).end('no such route')
      return
    }
    const upstream = new URL(req.url.slice(prefix.length), target)
    const out = http.request(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers)
      answer.pipe(res)
    })
    req.pipe(out)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}${prefix}`
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) }
}

test('a gateway path prefix is kept for token fetches and calls', async (t) => {
  const emu = await startEmulator()
  const gw = await gateway('/wechat', emu.url)
  t.teardown(async () => {
    await gw.close()
    await emu.close()
  })
  const client = cloud.createClient({ ...DEMO_APP, apiBase: gw.url })
  const res = await client.openapi.logistics.getAllAccount()
  t.is(res.errCode, 0)
  t.true(res.count >= 0)
  t.true(gw.seen.length >= 2, gw.seen.join(' '))
  t.true(gw.seen.every((p) => p.startsWith('/wechat/cgi-bin/')), gw.seen.join(' '))
})

test('a trailing slash on the prefix makes no double slash, and failover moves to the next host with its own prefix', async (t) => {
  const emu = await startEmulator()
  const gw = await gateway('/b', emu.url)
  // Nothing listens on port 9 of loopback: the first host refuses, the second (with its own prefix) answers.
  const client = cloud.createClient({ ...DEMO_APP, apiBase: ['http://127.0.0.1:9/a/', gw.url + '/'] })
  t.teardown(async () => {
    await gw.close()
    await emu.close()
  })
  const res = await client.openapi.logistics.getAllAccount()
  t.is(res.errCode, 0)
  t.true(gw.seen.every((p) => p.startsWith('/b/cgi-bin/')), gw.seen.join(' '))
})

test('a refused connection names the host and path it tried, never the token', async (t) => {
  const client = cloud.createClient({ accessToken: 'tok-secret-value', apiBase: 'http://127.0.0.1:9/gw', maxAttempts: 1 })
  const err = await t.throwsAsync(client.openapi.logistics.getAllAccount())
  t.is(err.category, 'network')
  t.true(err.message.includes('(http://127.0.0.1:9/gw/cgi-bin/express/business/account/getall)'), err.message)
  t.false(err.message.includes('tok-secret-value'))
})
