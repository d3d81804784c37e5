#!/usr/bin/env node
'use strict'

// wechat-openapi: try the SDK from the shell. Exit codes: 0 ok, 1 the operation failed (an API error, a push
// that does not verify), 2 usage error, 3 configuration error.

const { EXIT, CliError } = require('./cli/args.js')

const COMMANDS = {
  call: './cli/call.js',
  request: './cli/request.js',
  emulator: './cli/emulator.js',
  decrypt: './cli/decrypt.js',
  token: './cli/token.js',
  list: './cli/list.js',
}

const HELP = `Usage: wechat-openapi <command> [options]     (wechat-openapi <command> --help for each)

Commands:
  call <namespace.method> [json]   call one API and print its camelCase result
  request <path> [json]            call a WeChat path the SDK has no name for (openapi.request)
  emulator [--port N]              run a fake WeChat server for your own tests
  decrypt --query .. --body ..     verify and decrypt a pushed message
  token                            which tokens are cached and when they expire (never their values)
  list [filter]                    the APIs it knows: name, HTTP path, what each does
  --version                        print the package version

Exit codes: 0 ok, 1 the operation failed (API error, push that does not open),
            2 usage error, 3 configuration error (credentials, key, config file).`

const io = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
}

async function main(argv) {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP)
    return command ? EXIT.OK : EXIT.USAGE
  }
  if (command === '--version' || command === '-v') {
    io.out(require('../package.json').version)
    return EXIT.OK
  }
  if (!Object.hasOwn(COMMANDS, command)) throw new CliError(EXIT.USAGE, `unknown command ${JSON.stringify(command)}`)
  return require(COMMANDS[command]).run(rest, io)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e) => {
    if (e instanceof CliError) {
      io.err(`wechat-openapi: ${e.message}`)
      const command = Object.hasOwn(COMMANDS, process.argv[2]) ? `${process.argv[2]} ` : ''
      if (e.exitCode === EXIT.USAGE) io.err(`Run 'wechat-openapi ${command}--help' for usage.`)
      process.exitCode = e.exitCode
    } else {
      io.err(`wechat-openapi: ${e && e.stack}`)
      process.exitCode = EXIT.FAILED
    }
  },
)
