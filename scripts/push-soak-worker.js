'use strict'
// One process of the push soak's fleet (scripts/push-soak.js): a client on the shared Redis serving
// `client.push.pushHandler()` on a loopback port. Its listener records each order it handled; worker 0 fails a
// push flagged `Fail` the first time it sees it (a database that was down), so the sender's retry must run it.
// Answers { url } when ready and { runs, failed } when asked; nothing is shared with the other worker but Redis.

const http = require('node:http')
const cloud = require('..')

const { config, index } = JSON.parse(process.argv[2])
const client = cloud.createClient(config)
const runs = []
const failedOnce = new Set()

client.push.on('add_waybill', async (m) => {
  if (index === 0 && String(m.Fail) === '1' && !failedOnce.has(m.OrderID)) {
    failedOnce.add(m.OrderID)
    throw new Error('injected listener failure')
  }
  // Slow pushes are the ones the sender delivers twice at once: the copy must wait or fail, never run.
  if (m.Slow) await new Promise((resolve) => setTimeout(resolve, Number(m.Slow)))
  runs.push(m.OrderID)
})

const handler = client.push.pushHandler()
const server = http.createServer({ keepAlive: true }, handler)
server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}/wechat/push` }))

process.on('message', (msg) => {
  if (msg && msg.cmd === 'report') process.send({ runs, failed: failedOnce.size, cpu: process.cpuUsage(), rss: process.memoryUsage().rss })
})
process.on('disconnect', () => process.exit(0))
