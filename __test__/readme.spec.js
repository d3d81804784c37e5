'use strict'
// The README runs as written. Every ```js block is a whole CommonJS program that runs as pasted: here it is saved
// in an empty folder where `wechat-openapi` is this package (and `express`, installed as a reader would), run with
// `node` and no WECHAT_* variables, and must exit 0 by itself with nothing on stderr (so it starts its own emulator,
// and closes what it opens). A block that is only a part of a program says so in its info string (```js fragment)
// and must still be valid code inside an async function, so a reader can paste it into one. A server that runs
// until stopped (```js server) must be one of the files in examples/ verbatim: their own tests run those files
// against the emulator.

const test = require('ava')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')
const { execFile } = require('node:child_process')

const ROOT = path.join(__dirname, '..')
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WECHAT_')))
const JS_LANGS = new Set(['js', 'javascript', 'cjs', 'node'])

/** Every fenced block: its info string, code and the README line it starts on. */
function blocks(markdown) {
  const out = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i])
    if (!open) continue
    const start = i
    const body = []
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i])
    const [lang = '', ...flags] = open[1].trim().split(/\s+/)
    out.push({ lang, flags, code: body.join('\n') + '\n', line: start + 1 })
  }
  return out
}

const all = blocks(README)
const fragments = all.filter((b) => JS_LANGS.has(b.lang) && b.flags.includes('fragment'))
const servers = all.filter((b) => JS_LANGS.has(b.lang) && b.flags.includes('server'))
const programs = blocksOf(all).filter((b) => !b.flags.includes('fragment') && !b.flags.includes('server'))

function blocksOf(list) {
  return list.filter((b) => JS_LANGS.has(b.lang))
}

/** Every .js file under examples/, by its text. */
function exampleFiles(dir = path.join(ROOT, 'examples')) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : exampleFiles(full)
    return entry.name.endsWith('.js') ? [fs.readFileSync(full, 'utf8')] : []
  })
}

function run(file, cwd) {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd, env: CLEAN_ENV, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.killed ? 'timeout' : error.code) : 0, stdout, stderr })
    })
  })
}

test('the README has programs and fragments, and every JavaScript block is one or the other', (t) => {
  t.true(programs.length >= 3, `programs: ${programs.length}`)
  t.true(fragments.length >= 1)
  for (const b of all.filter((b) => JS_LANGS.has(b.lang))) {
    t.deepEqual(b.flags.filter((f) => f !== 'fragment' && f !== 'server'), [], `README line ${b.line}: unknown flags`)
  }
})

for (const block of programs) {
  const name = /^\/\/ ([\w.-]+\.js)\n/.exec(block.code)?.[1] ?? `block-${block.line}.js`
  test(`README line ${block.line} (${name}) runs as pasted and exits by itself`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-openapi-readme-'))
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    fs.mkdirSync(path.join(dir, 'node_modules'))
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'wechat-openapi'), 'dir')
    fs.symlinkSync(path.dirname(require.resolve('express/package.json')), path.join(dir, 'node_modules', 'express'), 'dir')
    fs.writeFileSync(path.join(dir, name), block.code)
    const { code, stdout, stderr } = await run(name, dir)
    t.is(code, 0, `exit ${code}\n${stderr}`)
    t.is(stderr, '')
    t.log(stdout.trim().split('\n').slice(0, 3).join('\n'))
  })
}

test('every fragment is valid code inside an async function', (t) => {
  for (const block of fragments) {
    t.notThrows(() => new vm.Script(`(async () => {\n${block.code}\n})`, { filename: `README.md:${block.line}` }), `README line ${block.line}`)
  }
})

test('every server block is an example file verbatim (run by that example\'s own tests)', (t) => {
  const files = exampleFiles()
  for (const block of servers) t.true(files.includes(block.code), `README line ${block.line} is not a file under examples/`)
})
