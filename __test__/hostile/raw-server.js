'use strict'
// A raw fake WeChat for hostile tests: a `net` server that parses each request (request line, headers, a
// Content-Length or chunked body) and hands it to the test's script, which writes the exact bytes of the answer
// (status line, headers, body, chunking, timing, half-close, a reset) through `reply`. Keep-alive works: after a
// script returns, the next request on the same connection is parsed and scripted in turn.
//
//   const wx = await rawServer(async (req, reply) => {
//     if (req.path.startsWith('/cgi-bin/token')) return reply.json({ access_token: 'T', expires_in: 7200 })
//     await reply.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n')
//     await reply.sleep(50)
//     await reply.write('{}')
//   })
//   wx.url, wx.requests ([{ method, path, headers, body, raw }]), wx.connections, await wx.close()

const net = require('node:net')

const STATUS_TEXT = { 200: 'OK', 301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }

/** Parses one request from the front of `buf`: { request, rest } or undefined when more bytes are needed. */
function parseRequest(buf) {
  const headEnd = buf.indexOf('\r\n\r\n')
  if (headEnd === -1) return undefined
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n')
  const [method, target] = lines[0].split(' ')
  const headers = {}
  for (const line of lines.slice(1)) {
    const at = line.indexOf(':')
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim()
  }
  let at = headEnd + 4
  let body
  if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const parts = []
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at)
      if (lineEnd === -1) return undefined
      const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16)
      if (buf.length < lineEnd + 2 + size + 2) return undefined
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size))
      at = lineEnd + 2 + size + 2
      if (size === 0) break
    }
    body = Buffer.concat(parts)
  } else {
    const length = Number(headers['content-length'] || 0)
    if (buf.length < at + length) return undefined
    body = buf.subarray(at, at + length)
    at += length
  }
  const q = target.indexOf('?')
  const request = {
    method,
    target,
    path: q === -1 ? target : target.slice(0, q),
    query: Object.fromEntries(new URLSearchParams(q === -1 ? '' : target.slice(q + 1))),
    headers,
    body: body.toString('utf8'),
    /** The body's bytes as they came (uploads carry binary data). */
    raw: Buffer.from(body),
  }
  return { request, rest: buf.subarray(at) }
}

/** What a script answers with: every helper resolves once the bytes are handed to the socket. */
function replyFor(socket) {
  const reply = {
    socket,
    /** Raw bytes, exactly as given. */
    write(bytes) {
      return new Promise((resolve) => {
        if (socket.destroyed) return resolve()
        socket.write(bytes, () => resolve())
      })
    },
    sleep(ms) {
      return new Promise((resolve) => setTimeout(resolve, ms))
    },
    /** Half-close: FIN after what was written; the client may still send. */
    halfClose() {
      socket.end()
    },
    /** A reset (RST), as a crashed peer would. */
    reset() {
      socket.resetAndDestroy()
    },
    /**
     * A whole answer: `{ status, reason, headers, body, chunks }`. Content-Length is added unless given or
     * `chunks` is (then the body goes out chunked, one chunk per element, `gapMs` apart).
     */
    async send({ status = 200, reason, headers = {}, body = '', chunks, gapMs = 0 } = {}) {
      const lines = [`HTTP/1.1 ${status} ${reason ?? STATUS_TEXT[status] ?? 'Whatever'}`]
      const names = Object.keys(headers).map((h) => h.toLowerCase())
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
      if (chunks) {
        if (!names.includes('transfer-encoding')) lines.push('Transfer-Encoding: chunked')
      } else if (!names.includes('content-length')) {
        lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
      }
      await reply.write(lines.join('\r\n') + '\r\n\r\n')
      if (!chunks) return reply.write(body)
      for (const chunk of chunks) {
        if (gapMs) await reply.sleep(gapMs)
        await reply.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`)
      }
      return reply.write('0\r\n\r\n')
    },
    /** A 200 JSON answer. */
    json(value, status = 200) {
      return reply.send({ status, headers: { 'Content-Type': 'application/json' }, body: typeof value === 'string' ? value : JSON.stringify(value) })
    },
    /** A redirect to `location` (nothing else in the answer). */
    redirect(status, location) {
      return reply.send({ status, headers: { Location: location } })
    },
  }
  return reply
}

/**
 * @param {(request: object, reply: object) => Promise<void> | void} script answers one request; when it
 *   returns without writing anything the request hangs (until the client gives up or the server closes).
 */
async function rawServer(script) {
  const requests = []
  const sockets = new Set()
  let connections = 0
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    connections += 1
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const reply = replyFor(socket)
    let buf = Buffer.alloc(0)
    let busy = Promise.resolve()
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      for (let parsed = parseRequest(buf); parsed; parsed = parseRequest(buf)) {
        buf = parsed.rest
        const { request } = parsed
        requests.push(request)
        busy = busy.then(() => script(request, reply)).catch((e) => {
          process.emitWarning(`raw-server script failed: ${e && e.stack}`)
          socket.destroy()
        })
      }
    })
    socket.on('end', () => {})
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get connections() {
      return connections
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** A script answering the token endpoints with `token` and everything else with `call(request, reply)`. */
function withToken(token, call) {
  return (req, reply) => {
    if (req.path === '/cgi-bin/token' || req.path === '/cgi-bin/stable_token') {
      return reply.json({ access_token: typeof token === 'function' ? token() : token, expires_in: 7200 })
    }
    return call(req, reply)
  }
}

module.exports = { rawServer, withToken, parseRequest }
