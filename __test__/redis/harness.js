'use strict'
// Tests only: a real redis-server on a free loopback port (in a temp dir, stopped at teardown), a tiny RESP
// client to look inside it, and a fleet of Node worker processes that each load the real addon.
// Without redis-server the Redis tests are skipped with a plain message, except under CI, where .ci/run
// installs it and its absence is a failure.

const { spawn, spawnSync, fork } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

function redisServerInstalled() {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
  if (!found && process.env.CI) throw new Error('redis-server is required in CI (.ci/run installs it)')
  return found
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** One command over a fresh connection; errors come back as { error }. */
function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let buf = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      const parsed = parseReply(buf, 0)
      if (parsed) {
        socket.end()
        resolve(parsed.value)
      }
    })
    socket.on('error', reject)
    socket.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join(''))
  })
}

function parseReply(buf, at) {
  const end = buf.indexOf('\r\n', at)
  if (end < 0) return null
  const head = buf.toString('utf8', at + 1, end)
  const next = end + 2
  switch (String.fromCharCode(buf[at])) {
    case '+': return { value: head, next }
    case '-': return { value: { error: head }, next }
    case ':': return { value: Number(head), next }
    case '$': {
      const len = Number(head)
      if (len < 0) return { value: null, next }
      if (buf.length < next + len + 2) return null
      return { value: buf.toString('utf8', next, next + len), next: next + len + 2 }
    }
    case '*': {
      const count = Number(head)
      const items = []
      let pos = next
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, pos)
        if (!item) return null
        items.push(item.value)
        pos = item.next
      }
      return { value: items, next: pos }
    }
    default: throw new Error(`unexpected RESP reply ${JSON.stringify(head)}`)
  }
}

/**
 * Starts redis-server. `persist: true` turns the append-only file on (for restarts that must keep data).
 * @returns {Promise<{ url: string, port: number, command: Function, stop: Function, start: Function, close: Function }>}
 */
async function startRedis({ persist = false } = {}) {
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-openapi-redis-'))
  let child = null
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '']
  args.push('--appendonly', persist ? 'yes' : 'no')
  const redis = {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    command: (...cmd) => redisCommand(port, ...cmd),
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' })
      const until = Date.now() + 10000
      for (;;) {
        try {
          if ((await redisCommand(port, 'PING')) === 'PONG') return
        } catch {}
        if (Date.now() > until) throw new Error(`redis-server did not answer on port ${port}`)
        await sleep(20)
      }
    },
    /** SIGKILL: a crash; SIGTERM: an ordinary restart (Redis writes its data first). */
    async stop(signal = 'SIGKILL') {
      if (!child) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill(signal)
      await exited
      child = null
    },
    async close() {
      await redis.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
  await redis.start()
  return redis
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Forks `count` worker processes, each with its own client built from `config` (the real addon).
 * `run(i, n)` makes worker i run n concurrent calls and resolves to { ok, failed, errors }.
 */
async function startFleet(count, config) {
  const workers = []
  for (let i = 0; i < count; i++) {
    const child = fork(path.join(__dirname, 'worker.js'), [JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
    const worker = { child, stderr: '', pending: new Map(), nextId: 0 }
    child.stderr.on('data', (d) => { worker.stderr += d })
    child.on('message', (msg) => {
      const waiting = worker.pending.get(msg.id)
      worker.pending.delete(msg.id)
      if (waiting) waiting.resolve(msg)
    })
    child.on('exit', (code, signal) => {
      for (const waiting of worker.pending.values()) waiting.reject(new Error(`worker exited (${signal || code})`))
      worker.pending.clear()
    })
    workers.push(worker)
  }
  await Promise.all(workers.map((w) => ask(w, { cmd: 'ready' })))

  function ask(worker, msg) {
    return new Promise((resolve, reject) => {
      const id = worker.nextId++
      worker.pending.set(id, { resolve, reject })
      worker.child.send({ ...msg, id })
    })
  }

  return {
    workers,
    run: (i, calls) => ask(workers[i], { cmd: 'calls', calls }),
    /** Every worker runs `calls` concurrent calls at the same moment. */
    runAll: (calls) => Promise.all(workers.map((w) => ask(w, { cmd: 'calls', calls }))),
    kill: (i) => workers[i].child.kill('SIGKILL'),
    stderr: (i) => workers[i].stderr,
    async close() {
      await Promise.all(workers.map((w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return undefined
        const exited = new Promise((resolve) => w.child.once('exit', resolve))
        w.child.kill('SIGTERM')
        return exited
      }))
    },
  }
}

module.exports = { redisServerInstalled, startRedis, startFleet, redisCommand, sleep }
