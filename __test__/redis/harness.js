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

/** Whether every tool is installed; under CI a missing one is a failure (.ci/run installs them). */
function toolsInstalled(tools) {
  const missing = tools.filter((tool) => spawnSync(tool, [tool === 'openssl' ? 'version' : '--version'], { stdio: 'ignore' }).status !== 0)
  if (missing.length && process.env.CI) throw new Error(`${missing.join(', ')} required in CI (.ci/run installs them)`)
  return missing
}

/** Runs redis-cli (`-c` follows cluster redirections); resolves to its trimmed output. */
function cli(args) {
  const out = spawnSync('redis-cli', args, { encoding: 'utf8' })
  return (out.stdout || '').trim()
}

/** A free port whose cluster bus port (port + 10000) is free and in range too. */
async function clusterPort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 30000)
    const free = (p) => new Promise((resolve) => {
      const server = net.createServer()
      server.once('error', () => resolve(false))
      server.listen(p, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if ((await free(port)) && (await free(port + 10000))) return port
  }
}

/** Child processes in a temp dir, all stopped by close(). */
function processGroup(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wechat-openapi-${name}-`))
  const children = new Map()
  return {
    dir,
    spawn(port, program, args) {
      const cwd = path.join(dir, String(port))
      fs.mkdirSync(cwd, { recursive: true })
      children.set(port, spawn(program, args, { cwd, stdio: 'ignore' }))
    },
    async kill(port) {
      const child = children.get(port)
      if (!child || child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
      children.delete(port)
    },
    async close() {
      await Promise.all([...children.keys()].map((port) => this.kill(port)))
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function until(what, check, ms = 20000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

// A replica's first sync starts at once (Redis 7 waits 5 s for more replicas to share a diskless sync).
const SYNC_AT_ONCE = ['--repl-diskless-sync-delay', '0']
const plainServer = (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...SYNC_AT_ONCE]

/**
 * A CA, and a server and a client certificate it signed for 127.0.0.1, made with openssl in `dir`. Returns the
 * server's TLS arguments (`--tls-port` aside), redis-cli's, and the PEM texts a store takes.
 */
function makeCertificates(dir, { mutual = false } = {}) {
  const ssl = (...args) => {
    const r = spawnSync('openssl', args, { cwd: dir, stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed`)
  }
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca')
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  for (const name of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', `${name}.pem`)
  }
  const file = (f) => path.join(dir, f)
  const pem = (f) => fs.readFileSync(file(f), 'utf8')
  return {
    server: ['--tls-cert-file', file('server.pem'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.pem'), '--tls-auth-clients', mutual ? 'yes' : 'no'],
    // Sentinel reads the same settings from its config file.
    conf: [`tls-cert-file ${file('server.pem')}`, `tls-key-file ${file('server.key')}`, `tls-ca-cert-file ${file('ca.pem')}`, `tls-auth-clients ${mutual ? 'yes' : 'no'}`, 'tls-replication yes'],
    cli: ['--tls', '--cacert', file('ca.pem'), '--cert', file('client.pem'), '--key', file('client.key')],
    store: mutual ? { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') } : { ca: pem('ca.pem') },
  }
}

/** A TLS-only server (`--port 0 --tls-port <port>`) with the certificates' arguments. */
const tlsServer = (port, certs) => ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...SYNC_AT_ONCE, ...certs.server]

/**
 * redis-server with TLS only (`--port 0`), with a CA, a server certificate and a client certificate made here
 * with openssl; `mutual: true` requires the client certificate. Resolves to { store, cli, close }.
 */
async function startTlsRedis({ mutual = false } = {}) {
  const group = processGroup('tls')
  const certs = makeCertificates(group.dir, { mutual })
  const port = await freePort()
  group.spawn(port, 'redis-server', tlsServer(port, certs))
  const tlsArgs = [...certs.cli, '-h', '127.0.0.1', '-p', String(port)]
  await until('the TLS redis-server', () => cli([...tlsArgs, 'PING']) === 'PONG')
  const store = { url: `rediss://127.0.0.1:${port}/0`, ...certs.store, timeout: 2000 }
  return { store, cli: (...args) => cli([...tlsArgs, ...args]), close: () => group.close() }
}

/**
 * Three primaries with a replica each (`--cluster-replicas 1`), joined by `redis-cli --cluster create`; with
 * `tls: true` every node speaks TLS only, to clients and on the cluster bus (`--tls-cluster yes`).
 * `failover()` promotes the replica of the primary that holds `key` (CLUSTER FAILOVER on the replica).
 */
async function startCluster({ tls = false } = {}) {
  const group = processGroup(tls ? 'tls-cluster' : 'cluster')
  const certs = tls ? makeCertificates(group.dir) : null
  const ports = []
  for (let i = 0; i < 6; i++) ports.push(await clusterPort())
  const cluster = ['--cluster-enabled', 'yes', '--cluster-node-timeout', '1000', '--cluster-config-file', 'nodes.conf']
  for (const port of ports) {
    const server = tls ? [...tlsServer(port, certs), '--tls-cluster', 'yes', '--tls-replication', 'yes'] : plainServer(port)
    group.spawn(port, 'redis-server', [...server, ...cluster])
  }
  const tlsArgs = tls ? certs.cli : []
  const at = (port, ...args) => cli([...tlsArgs, '-h', '127.0.0.1', '-p', String(port), ...args])
  await until('the cluster nodes', () => ports.every((p) => at(p, 'PING') === 'PONG'))
  const created = spawnSync('redis-cli', [...tlsArgs, '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { stdio: 'ignore' })
  if (created.status !== 0) throw new Error('redis-cli --cluster create failed')
  await until('cluster_state:ok', () => ports.every((p) => at(p, 'CLUSTER', 'INFO').includes('cluster_state:ok')))
  const scheme = tls ? 'rediss' : 'redis'
  return {
    store: { cluster: ports.slice(0, 3).map((p) => `${scheme}://127.0.0.1:${p}`), ...(tls ? certs.store : {}), timeout: 2000 },
    cli: (...args) => cli([...tlsArgs, '-c', '-h', '127.0.0.1', '-p', String(ports[0]), ...args]),
    async failover(key) {
      const owner = ports.find((p) => at(p, 'ROLE').startsWith('master') && !at(p, 'GET', key).includes('MOVED'))
      await until('the primary has its replica', () => at(owner, 'ROLE').split('\n').includes('127.0.0.1'))
      const role = at(owner, 'ROLE').split('\n')
      const replica = Number(role[role.indexOf('127.0.0.1') + 1])
      if (at(replica, 'CLUSTER', 'FAILOVER') !== 'OK') throw new Error('CLUSTER FAILOVER refused')
      await until('the replica is promoted', () => at(replica, 'ROLE').startsWith('master'))
      return { from: owner, to: replica }
    },
    close: () => group.close(),
  }
}

/**
 * A primary, its replica and one redis-sentinel (quorum 1); with `tls: true` all three speak TLS only, to clients
 * and to each other. `failover()` kills the primary and waits for Sentinel.
 */
async function startSentinel({ tls = false } = {}) {
  const group = processGroup(tls ? 'tls-sentinel' : 'sentinel')
  const certs = tls ? makeCertificates(group.dir) : null
  const [primary, replica, sentinel] = [await freePort(), await freePort(), await freePort()]
  const tlsArgs = tls ? certs.cli : []
  const at = (port, ...args) => cli([...tlsArgs, '-h', '127.0.0.1', '-p', String(port), ...args])
  const server = (port) => (tls ? [...tlsServer(port, certs), '--tls-replication', 'yes'] : plainServer(port))
  group.spawn(primary, 'redis-server', server(primary))
  await until('the primary', () => at(primary, 'PING') === 'PONG')
  group.spawn(replica, 'redis-server', [...server(replica), '--replicaof', '127.0.0.1', String(primary)])
  await until('the replica in sync', () => at(replica, 'INFO', 'replication').includes('master_link_status:up'))
  const conf = path.join(group.dir, 'sentinel.conf')
  const listen = tls ? ['port 0', `tls-port ${sentinel}`, ...certs.conf] : [`port ${sentinel}`]
  fs.writeFileSync(conf, [
    ...listen, 'bind 127.0.0.1', `sentinel monitor mymaster 127.0.0.1 ${primary} 1`,
    'sentinel down-after-milliseconds mymaster 300', 'sentinel failover-timeout mymaster 2000', '',
  ].join('\n'))
  group.spawn(sentinel, 'redis-sentinel', [conf])
  await until('Sentinel sees the replica', () => at(sentinel, 'SENTINEL', 'replicas', 'mymaster').includes(String(replica)))
  const scheme = tls ? 'rediss' : 'redis'
  return {
    store: { sentinels: [`${scheme}://127.0.0.1:${sentinel}`], name: 'mymaster', ...(tls ? certs.store : {}), timeout: 2000 },
    cli: (...args) => {
      const addr = at(sentinel, 'SENTINEL', 'get-master-addr-by-name', 'mymaster').split('\n')
      return at(Number(addr[1]), ...args)
    },
    async failover() {
      await group.kill(primary)
      // Done when Sentinel reports the replica as the primary and no longer down (what clients check).
      const settled = () => {
        const lines = at(sentinel, 'SENTINEL', 'master', 'mymaster').split('\n')
        const info = {}
        for (let i = 0; i + 1 < lines.length; i += 2) info[lines[i]] = lines[i + 1]
        return info.port === String(replica) && info.flags === 'master'
      }
      await until('Sentinel names the replica, settled', settled)
      return { from: primary, to: replica }
    },
    close: () => group.close(),
  }
}

/**
 * Forks `count` worker processes, each with its own client built from `config` (the real addon); with
 * `sharedStore` (helpers/shared-store.js) and `config.store: { ipc: { locks } }`, their store is that one.
 * `run(i, n)` makes worker i run n concurrent calls and resolves to { ok, failed, errors }.
 */
async function startFleet(count, config, { sharedStore } = {}) {
  const workers = []
  for (let i = 0; i < count; i++) {
    const child = fork(path.join(__dirname, 'worker.js'), [JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
    const worker = { child, stderr: '', pending: new Map(), nextId: 0 }
    child.stderr.on('data', (d) => { worker.stderr += d })
    if (sharedStore) sharedStore.serve(child)
    child.on('message', (msg) => {
      if (msg.storeOp) return
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
    /** Every worker runs `calls` concurrent calls at the same moment (on behalf of merchant `appid` if given). */
    runAll: (calls, appid) => Promise.all(workers.map((w) => ask(w, { cmd: 'calls', calls, appid }))),
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

module.exports = { redisServerInstalled, toolsInstalled, startRedis, startTlsRedis, startCluster, startSentinel, startFleet, redisCommand, sleep, until }
