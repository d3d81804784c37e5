'use strict'
// `wechat-openapi decrypt`: verifies and opens one encrypted push (a third-party platform's authorization
// event or ticket, or a message) from its query string and body, to see what WeChat sent.

const fs = require('node:fs')
const { EXIT, parse, usage, configProblem, CliError } = require('./args.js')

const HELP = `Usage: wechat-openapi decrypt --query '<query string>' --body <file|-> [options]

Checks msg_signature and prints the decrypted inner XML of a push. Exits 1 when the push does not verify or
decrypt (wrong token or key, tampered body), 3 when the key itself is malformed.

  --query <qs>            the push URL's query: 'timestamp=..&nonce=..&msg_signature=..' (a full URL works too)
  --body <file|->         the raw POST body (<xml><AppId>..</AppId><Encrypt>..</Encrypt></xml>), '-' for stdin
  --token <token>         WECHAT_COMPONENT_TOKEN: the platform's message-check token
  --aes-key <key>         WECHAT_COMPONENT_AES_KEY: its 43-character EncodingAESKey
  --appid <appid>         WECHAT_COMPONENT_APPID: the platform's (or account's) appid

Prefer the environment variables for the token and key: flags end up in shell history.`

/** A push decryptor over cloud.crypto (WXBizMsgCrypt in the Rust core). */
function decryptor(token, encodingAesKey, appid) {
  const cloud = require('../../index.js')
  let crypt
  try {
    crypt = new cloud.crypto.MsgCrypt({ token, encodingAesKey, appid })
  } catch (e) {
    throw configProblem(e.errMsg || e.message)
  }
  return (query, body) => crypt.decryptPush({ query, body })
}

async function run(argv, io, env = process.env) {
  const { values, positionals } = parse(argv, { strings: ['query', 'body', 'token', 'aes-key', 'appid'] })
  if (values.help) return io.out(HELP), EXIT.OK
  if (positionals.length) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`)
  const token = values.token ?? env.WECHAT_COMPONENT_TOKEN
  const aesKey = values.aesKey ?? env.WECHAT_COMPONENT_AES_KEY
  const appid = values.appid ?? env.WECHAT_COMPONENT_APPID
  for (const [flag, value] of [['query', values.query], ['body', values.body], ['token', token], ['aes-key', aesKey], ['appid', appid]]) {
    if (!value) throw usage(`--${flag} is required`)
  }
  const query = values.query.includes('?') ? values.query.slice(values.query.indexOf('?') + 1) : values.query
  let body
  try {
    body = fs.readFileSync(values.body === '-' ? 0 : values.body, 'utf8')
  } catch (e) {
    throw usage(`cannot read --body ${values.body}: ${e.code || e.message}`)
  }
  const decrypt = decryptor(token, aesKey, appid)
  try {
    io.out(decrypt(query, body))
    return EXIT.OK
  } catch (e) {
    // The core's messages name what failed, never the key, token or plaintext.
    throw new CliError(EXIT.FAILED, `the push does not open: ${(e.errMsg || e.message).replace(/^openapi\.crypto\.\w+:fail /, '')}`)
  }
}

module.exports = { run, HELP }
