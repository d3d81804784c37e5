'use strict'
// Calls run on the JS thread's own event loop (src/js_loop): polled where they were made, settled there. What
// that must keep true, seen from child processes: a pending call keeps Node alive and an idle client does not
// (its kept-alive connections are watched but not referenced); every JS thread (worker_threads) has a loop of
// its own, and a worker ended with calls pending takes them down with it, not the process; the calls thread
// (`WECHAT_OPENAPI_WORKER_THREADS`) still serves calls the same way.

const test = require('ava')
const { execFile } = require('node:child_process')
const http = require('node:http')
const path = require('node:path')
const { emulator, localServer } = require('./helpers.js')

const CHILD = path.join(__dirname, 'helpers', 'js-loop-child.js')

/** Runs the child to its end; killed (and failed) if it has not exited after 30 s. */
function child(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', CHILD, ...args], { timeout: 30000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code ?? error.signal : 0, stdout, stderr })
    })
  })
}

test.before(async (t) => {
  t.context.emu = await emulator()
})
test.after.always(async (t) => t.context.emu.close())

test('a pending call keeps Node alive until it settles, and an idle client lets it exit', async (t) => {
  const slow = await localServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 500))
    return { body: JSON.stringify({ errcode: 0, errmsg: 'ok', count: 7, list: [] }) }
  })
  t.teardown(() => slow.close())
  const { code, stdout, stderr } = await child(['alive', slow.url])
  // Exited by itself (not killed after 30 s) with the answer printed: the keep-alive connection left in the pool
  // did not hold the loop open, and the pending call did.
  t.is(code, 0, stderr)
  t.is(stdout.trim(), 'settled 7')
  t.is(slow.seen.length, 1)
})

test('calls from the main thread and two workers at once, and a worker ended with calls pending', async (t) => {
  const hang = await localServer(() => null)
  t.teardown(() => hang.close())
  const { code, stdout, stderr } = await child(['workers', t.context.emu.url, hang.url])
  t.is(code, 0, stderr)
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  t.truthy(line, stdout)
  t.deepEqual(JSON.parse(line.slice('RESULT '.length)), { main: 200, fromA: 200, fromB: 200, after: 20 })
  t.is(stderr, '')
})

test('calls on the calls thread (WECHAT_OPENAPI_WORKER_THREADS) answer the same', async (t) => {
  for (const env of [{ WECHAT_OPENAPI_WORKER_THREADS: '2' }, {}]) {
    const { code, stdout, stderr } = await child(['plain', t.context.emu.url], env)
    t.is(code, 0, stderr)
    t.is(stdout.trim(), 'ok 10', JSON.stringify(env))
  }
})

test('large answers (read off the loop, crossing as external strings) arrive whole, before and after collection', async (t) => {
  // 100 orders of 3 kB each: about 300 kB of JSON text, ASCII apart from one order's Chinese text.
  const orders = Array.from({ length: 100 }, (_, i) => ({ order_id: `o${i}`, delivery_id: 'TEST', print_html: (i === 7 ? '运单' : '') + 'x'.repeat(3000) + i }))
  const big = await localServer(async () => ({ body: JSON.stringify({ errcode: 0, errmsg: 'ok', order_list: orders }) }))
  t.teardown(() => big.close())
  const { code, stdout, stderr } = await child(['large', big.url])
  t.is(code, 0, stderr)
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  t.truthy(line, stdout)
  const expected = orders.map((o) => o.print_html).join('')
  t.deepEqual(JSON.parse(line.slice('RESULT '.length)), { answers: 60, distinct: 1, length: expected.length, head: expected.slice(0, 12) })
})

/** A forwarding HTTP proxy (absolute-form requests) that records what it forwarded and the credentials it got. */
async function forwardingProxy() {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers['proxy-authorization'] })
    const target = new URL(req.url)
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    const out = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers)
      answer.pipe(res)
    })
    req.pipe(out)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }) }
}

test('calls go through HTTP_PROXY from the environment, with its credentials as Basic auth', async (t) => {
  const proxy = await forwardingProxy()
  t.teardown(() => proxy.close())
  const withCredentials = proxy.url.replace('http://', 'http://relay:pr0xy-pass@')
  const { code, stdout, stderr } = await child(['plain', t.context.emu.url], { HTTP_PROXY: withCredentials, NO_PROXY: '' })
  t.is(code, 0, stderr)
  t.is(stdout.trim(), 'ok 10')
  // The token fetch and the ten calls, each in absolute form to the emulator, each with the proxy's credentials.
  t.is(proxy.seen.length, 11)
  for (const { url, auth } of proxy.seen) {
    t.true(url.startsWith(`${t.context.emu.url}/`), url)
    t.is(auth, `Basic ${Buffer.from('relay:pr0xy-pass').toString('base64')}`)
  }
})
