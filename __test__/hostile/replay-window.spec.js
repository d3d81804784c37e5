'use strict'
// Issue 27, class 9: the window of handled pushes must not be swept whole on every push (O(n²) over the window:
// 65 µs a push at the start, 866 µs at 300 000 entries). A push costs the same with 80 000 handled ones behind it.

const test = require('ava')
const cloud = require('../..')

const APP = { appid: 'wxreplaywin0000001', secret: 'replaywinsecret000000000000001' }
const TOKEN = 'replay-window-token'
const PUSHES = 80_000
const BATCH = 1000

test('per-push cost stays flat as the window of handled pushes grows', async (t) => {
  t.timeout(180_000)
  const client = cloud.createClient({ ...APP, push: { token: TOKEN } })
  let heard = 0
  client.push.on('add_waybill', () => {
    heard++
  })
  const stamp = String(Math.floor(Date.now() / 1000))
  const query = { signature: cloud.crypto.sign(TOKEN, stamp, '1'), timestamp: stamp, nonce: '1' }
  const body = (i) => `<xml><ToUserName>gh_x</ToUserName><FromUserName>o</FromUserName><CreateTime>${stamp}</CreateTime><MsgType>event</MsgType><Event>add_waybill</Event><OrderID>o-${i}</OrderID></xml>`
  const batches = []
  for (let start = 0; start < PUSHES; start += BATCH) {
    const bodies = Array.from({ length: BATCH }, (_, k) => body(start + k))
    // CPU time, not wall time: ava runs other files beside this one, and their load must not read as ours.
    const began = process.cpuUsage()
    for (const b of bodies) await client.push.handlePush({ query, body: b })
    const used = process.cpuUsage(began)
    batches.push((used.user + used.system) / BATCH)
  }
  t.is(heard, PUSHES)
  // Medians of the first and last ten batches: one GC pause or a busy neighbour moves a mean, not a median.
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const first = median(batches.slice(1, 11))
  const last = median(batches.slice(-10))
  t.log(`CPU µs per push: first ${first.toFixed(1)}, last ${last.toFixed(1)} (${(last / first).toFixed(2)}×) with ${PUSHES} handled`)
  t.true(last < first * 2, `${last.toFixed(1)} µs vs ${first.toFixed(1)} µs`)
})
