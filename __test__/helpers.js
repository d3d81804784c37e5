'use strict'
// Shared by the JS tests: an emulator per test file, and tiny local HTTP servers for answers the emulator
// should never give (hangs, images, huge integers).

const http = require('node:http')
const cloud = require('..')

const APP = { appid: 'wxfoundation000001', secret: 'foundation-secret-0001' }
const OTHER = { appid: 'wxfoundation000002', secret: 'foundation-secret-0002' }

async function emulator(options = {}) {
  return cloud.startEmulator({ port: 0, apps: [APP, OTHER], ...options })
}

/** A loopback server answering every request with `handler(req, body)` → { status, headers, body }. */
async function localServer(handler) {
  const seen = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ method: req.method, url: req.url, body })
      const answer = await handler(req, body)
      if (!answer) return // hang
      res.writeHead(answer.status || 200, answer.headers || { 'content-type': 'application/json' })
      res.end(answer.body)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }),
  }
}

/** Everything a caller could see of an error, as one string, to search for leaked credentials. */
function everythingAbout(err) {
  const util = require('node:util')
  return [err.message, err.stack, err.errMsg, JSON.stringify(err), util.inspect(err, { depth: 5, showHidden: true }), String(err)].join('\n')
}

/**
 * Bytes that read as a PNG of `width` x `height` (signature and header chunk; WeChat and the emulator sniff the
 * signature), then `tail`: distinct tails make distinct images, and a tail of every byte value proves uploads
 * carry binary data intact.
 */
function pngBytes(tail = Buffer.alloc(0), width = 1, height = 1) {
  const header = Buffer.alloc(25)
  header.writeUInt32BE(13, 0)
  header.write('IHDR', 4, 'latin1')
  header.writeUInt32BE(width, 8)
  header.writeUInt32BE(height, 12)
  header[16] = 8
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), header, Buffer.from(tail)])
}

/** Lower-case hex sha256, how the emulator names an image (blocklists, OCR seeds, stored media). */
function sha256(bytes) {
  return require('node:crypto').createHash('sha256').update(bytes).digest('hex')
}

module.exports = { cloud, APP, OTHER, emulator, localServer, everythingAbout, pngBytes, sha256 }
