'use strict'
// `wechat-openapi token`: whether the credentials get a token, which tokens are cached and until when.
// Never the token itself.

const { EXIT, parse, usage } = require('./args.js')
const { openClient, CONFIG_FLAGS, CONFIG_HELP } = require('./client.js')
const { toJson, errorJson } = require('./output.js')

const HELP = `Usage: wechat-openapi token [options]

Fetches the app's access token (unless --no-fetch) and prints which tokens are cached and when they expire:
  [{ "kind": "app", "appid": "wx...", "cached": true, "expiresAt": "2026-01-01T02:00:00.000Z" }]
The token value is never printed. A failed fetch prints the typed error on stderr and exits 1 (40013: wrong
appid, 40125: wrong secret).

  --no-fetch              only report; a fresh process has nothing cached
  --force                 allow a fetch with --token-mode classic, which knocks out the token your servers
                          use within 5 minutes (stable tokens are shared, so fetching one is harmless)

${CONFIG_HELP}`

async function run(argv, io) {
  const { values, positionals } = parse(argv, { strings: CONFIG_FLAGS, booleans: ['emulator', 'no-fetch', 'force'] })
  if (values.help) return io.out(HELP), EXIT.OK
  if (positionals.length) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`)
  if (values.tokenMode === 'classic' && !values.noFetch && !values.force) {
    throw usage('a classic token fetch invalidates the one in use within 5 minutes: add --force, or use --no-fetch')
  }
  const { client, close } = await openClient(values)
  try {
    if (!values.noFetch) {
      try {
        await client.warmToken()
      } catch (e) {
        return io.err(errorJson(e)), EXIT.FAILED
      }
    }
    io.out(toJson(client.tokens()))
    return EXIT.OK
  } finally {
    await close()
  }
}

module.exports = { run, HELP }
