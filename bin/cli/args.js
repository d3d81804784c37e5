'use strict'
// Hand-rolled argv parsing (the package has no runtime dependencies) and the exit codes scripts rely on.

/** 0 ok, 1 the operation failed (WeChat or the SDK said no), 2 the command line is wrong, 3 the configuration is. */
const EXIT = Object.freeze({ OK: 0, FAILED: 1, USAGE: 2, CONFIG: 3 })

class CliError extends Error {
  constructor(code, message) {
    super(message)
    this.exitCode = code
  }
}

const usage = (message) => new CliError(EXIT.USAGE, message)
const configProblem = (message) => new CliError(EXIT.CONFIG, message)

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())

/**
 * `--name value`, `--name=value`, boolean `--flag`, `-h`/`--help`, `--` ends options.
 * @param {string[]} argv
 * @param {{ strings?: string[], booleans?: string[] }} spec option names without dashes
 */
function parse(argv, { strings = [], booleans = [] } = {}) {
  const values = {}
  const positionals = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg === '-h' || arg === '--help') {
      values.help = true
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      const inline = eq === -1 ? undefined : arg.slice(eq + 1)
      if (booleans.includes(name)) {
        if (inline !== undefined) throw usage(`--${name} takes no value`)
        values[camel(name)] = true
      } else if (strings.includes(name)) {
        const value = inline !== undefined ? inline : argv[++i]
        if (value === undefined) throw usage(`--${name} needs a value`)
        values[camel(name)] = value
      } else {
        throw usage(`unknown option --${name}`)
      }
    } else if (arg.startsWith('-') && arg !== '-') {
      throw usage(`unknown option ${arg}`)
    } else {
      positionals.push(arg)
    }
  }
  return { values, positionals }
}

module.exports = { EXIT, CliError, usage, configProblem, parse }
